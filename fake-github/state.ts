import { ApiError, DOCS_PACKAGES, MESSAGES } from './errors.js'
import { nameByContent, type ManifestDocument } from './oci.js'
import type { GeneratedVersions, ManifestSpec, OwnerType, PackageType, Scenario } from './scenario.js'

/** Deleted packages and versions can be restored for 30 days; after that they are gone. */
const RESTORE_WINDOW_MS = 30 * 24 * 3_600_000

/** Types whose last version takes the whole package with it when deleted (observed for npm; assumed for the others). */
const LAST_VERSION_TAKES_PACKAGE: ReadonlySet<PackageType> = new Set(['npm', 'nuget', 'rubygems', 'docker'])

export interface Owner {
  login: string
  type: OwnerType
  id: number
}

export interface Version {
  id: number
  name: string
  tags: string[]
  tagList?: 'missing' | 'null'
  createdMs: number
  updatedMs: number
  downloads: number
  deletedMs?: number
  manifest: ManifestSpec
  /** Containers: the manifest served for it, whose digest is the version's name. */
  document?: ManifestDocument
  license?: string
  description?: string
}

export interface Package {
  id: number
  owner: Owner
  type: PackageType
  name: string
  visibility: 'public' | 'private'
  actionsAdmin: string[]
  /** `owner/repo` the package is linked to, when it is. */
  repository?: string
  /** Lower-cased logins that may read the package but not manage it. */
  readOnlyUsers: string[]
  deletedMs?: number
  /** npm: the dist-tags its registry document names, when the scenario gives them. */
  distTags?: Record<string, string>
  npmRegistryStatus?: number
  versions: Version[]
}

export interface VersionDump {
  id: number
  name: string
  tags: string[]
  state: 'active' | 'deleted'
  deleted_at?: string
  downloads: number
}

export interface PackageDump {
  owner: string
  type: PackageType
  name: string
  visibility: 'public' | 'private'
  state: 'active' | 'deleted'
  deleted_at?: string
  /** Newest first. */
  versions: VersionDump[]
}

export interface StateDump {
  packages: PackageDump[]
}

/** GitHub writes timestamps to the second: `2024-05-01T10:00:00Z`. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

const NO_TAGS: string[] = []
const IMAGE: ManifestSpec = { kind: 'image' }

/** Adds the generated versions to a package the first time its versions are read. */
function withGenerated(generate: GeneratedVersions | undefined, pkg: Package): Package {
  if (generate === undefined) return pkg
  const { count, firstId, newest, everyMs } = generate
  const oldestMs = Date.parse(newest) - (count - 1) * everyMs
  const listed = pkg.versions
  let versions: Version[] | undefined
  return Object.defineProperty(pkg, 'versions', {
    enumerable: true,
    get: () =>
      (versions ??= [
        ...listed,
        ...Array.from({ length: count }, (_, i): Version => {
          const createdMs = oldestMs + i * everyMs
          // The tag list and the manifest are never changed in place, so all share one of each.
          return {
            id: firstId + i,
            name: `1.0.${i}`,
            tags: NO_TAGS,
            createdMs,
            updatedMs: createdMs,
            downloads: 0,
            manifest: IMAGE
          }
        })
      ])
  })
}

const newestFirst = (a: Version, b: Version): number => b.createdMs - a.createdMs || b.id - a.id

/** The packages and their versions, and the rules GitHub applies when they are deleted or restored. */
export class Store {
  private readonly owners = new Map<string, Owner>()
  readonly packages: Package[]
  /** Each package's active versions, newest first, kept until one of its versions is deleted or restored. */
  private readonly active = new WeakMap<Package, Version[]>()

  constructor(
    scenario: Scenario,
    private readonly now: () => number
  ) {
    scenario.owners.forEach((owner, i) =>
      this.owners.set(owner.login.toLowerCase(), {
        login: owner.login,
        type: owner.type,
        id: owner.id ?? 1001 + i
      })
    )
    // A token's user need not own packages, so it may be missing from `owners`.
    for (const token of scenario.tokens)
      if (token.login && !this.owner(token.login))
        this.owners.set(token.login.toLowerCase(), {
          login: token.login,
          type: 'User',
          id: 1001 + this.owners.size
        })

    this.packages = scenario.packages.map((spec, i) =>
      withGenerated(spec.generate, {
        id: spec.id ?? 501 + i,
        owner: this.owner(spec.owner) as Owner,
        type: spec.type,
        name: spec.name,
        visibility: spec.visibility,
        actionsAdmin: spec.actionsAdmin ?? (spec.repository ? [spec.repository] : []),
        ...(spec.repository && { repository: spec.repository }),
        readOnlyUsers: (spec.readOnlyUsers ?? []).map(login => login.toLowerCase()),
        deletedMs: spec.deleted_at ? Date.parse(spec.deleted_at) : undefined,
        ...(spec.distTags && { distTags: { ...spec.distTags } }),
        ...(spec.npmRegistryStatus && { npmRegistryStatus: spec.npmRegistryStatus }),
        versions: spec.versions.map(v => ({
          id: v.id,
          name: v.name,
          tags: [...(v.tags ?? [])],
          tagList: v.tagList,
          createdMs: Date.parse(v.created_at),
          updatedMs: Date.parse(v.updated_at ?? v.created_at),
          downloads: v.downloads ?? 0,
          deletedMs: v.deleted_at ? Date.parse(v.deleted_at) : undefined,
          manifest: v.manifest ?? { kind: 'image' },
          license: v.license,
          description: v.description
        }))
      })
    )
    for (const pkg of this.packages)
      if (pkg.type === 'container')
        for (const [label, digest] of nameByContent(pkg))
          if (!this.digests.has(label)) this.digests.set(label, digest)
  }

  /** A container version's scenario name → the digest it is served under (the sha256 of its manifest). */
  readonly digests = new Map<string, string>()

  /** Logins are not case sensitive on GitHub. */
  owner(login: string): Owner | undefined {
    return this.owners.get(login.toLowerCase())
  }

  ownerById(id: number): Owner | undefined {
    return [...this.owners.values()].find(owner => owner.id === id)
  }

  /** The owner's packages that are not deleted. */
  packagesOf(owner: Owner): Package[] {
    return this.packages.filter(p => p.owner === owner && p.deletedMs === undefined)
  }

  /** An active package; with `includeRestorable` also one deleted less than 30 days ago. */
  find(owner: Owner, type: PackageType, name: string, includeRestorable = false): Package | undefined {
    return this.packages.find(
      p =>
        p.owner === owner &&
        p.type === type &&
        p.name === name &&
        (p.deletedMs === undefined || (includeRestorable && this.withinWindow(p.deletedMs)))
    )
  }

  /** Newest first; the caller must not change the list. */
  activeVersions(pkg: Package): Version[] {
    let active = this.active.get(pkg)
    if (active === undefined) {
      active = pkg.versions.filter(v => v.deletedMs === undefined).sort(newestFirst)
      this.active.set(pkg, active)
    }
    return active
  }

  /** Deleted versions that can still be restored; older ones are gone for good. */
  restorableVersions(pkg: Package): Version[] {
    return pkg.versions
      .filter(v => v.deletedMs !== undefined && this.withinWindow(v.deletedMs))
      .sort(newestFirst)
  }

  /** Publishes a version now, as a registry client's push does (the fake has no registry upload route). */
  publish(pkg: Package, version: Pick<Version, 'id' | 'name'> & Partial<Version>): void {
    const now = this.now()
    pkg.versions.push({
      tags: [],
      downloads: 0,
      manifest: { kind: 'image' },
      createdMs: now,
      updatedMs: now,
      ...version
    })
    this.active.delete(pkg)
  }

  deleteVersion(pkg: Package, id: number): void {
    const version = this.activeVersions(pkg).find(v => v.id === id)
    if (!version) throw new ApiError(404, MESSAGES.versionNotFound, DOCS_PACKAGES)
    if (pkg.visibility === 'public' && version.downloads > 5000)
      throw new ApiError(400, MESSAGES.popularVersion, DOCS_PACKAGES)
    const others = this.activeVersions(pkg).filter(v => v !== version)
    if (pkg.type === 'maven' && others.length === 0)
      throw new ApiError(400, MESSAGES.lastVersion, DOCS_PACKAGES)
    if (pkg.type === 'container' && version.tags.length > 0 && !others.some(v => v.tags.length > 0))
      throw new ApiError(400, MESSAGES.lastTaggedVersion, DOCS_PACKAGES)
    version.deletedMs = this.now()
    this.active.delete(pkg)
    if (others.length === 0 && LAST_VERSION_TAKES_PACKAGE.has(pkg.type)) pkg.deletedMs = version.deletedMs
  }

  /**
   * Restores a deleted version and, if the package went with it, the package. Restoring a version that is not
   * deleted answers 404 like an unknown one: GitHub documents no answer for it, and nothing is there to restore.
   */
  restoreVersion(pkg: Package, id: number): void {
    const version = this.restorableVersions(pkg).find(v => v.id === id)
    if (!version) throw new ApiError(404, MESSAGES.versionNotFound, DOCS_PACKAGES)
    const active = this.activeVersions(pkg)
    if (active.some(v => v.name === version.name)) throw new ApiError(400, MESSAGES.nameTaken, DOCS_PACKAGES)
    // A tag names one manifest: tags pushed again since the deletion stay where they are now.
    const takenTags = new Set(active.flatMap(v => v.tags))
    version.tags = version.tags.filter(tag => !takenTags.has(tag))
    version.deletedMs = undefined
    this.active.delete(pkg)
    pkg.deletedMs = undefined
  }

  deletePackage(pkg: Package): void {
    if (pkg.visibility === 'public' && this.activeVersions(pkg).some(v => v.downloads > 5000))
      throw new ApiError(400, MESSAGES.popularPackage, DOCS_PACKAGES)
    pkg.deletedMs = this.now()
  }

  /** Brings back a deleted package, and the version whose deletion took it down. An active one answers 404. */
  restorePackage(pkg: Package): void {
    if (pkg.deletedMs === undefined) throw new ApiError(404, MESSAGES.packageNotFound, DOCS_PACKAGES)
    if (this.activeVersions(pkg).length === 0)
      for (const version of pkg.versions)
        if (version.deletedMs === pkg.deletedMs) version.deletedMs = undefined
    this.active.delete(pkg)
    pkg.deletedMs = undefined
  }

  /** True when `tag` names an active manifest and every manifest under it is active: a pull would succeed. */
  isPullable(ownerLogin: string, name: string, tag: string): boolean {
    const owner = this.owner(ownerLogin)
    const pkg = owner && this.find(owner, 'container', name)
    if (!pkg) return false
    const active = new Map(this.activeVersions(pkg).map(v => [v.name, v]))
    const complete = (version: Version | undefined): boolean =>
      version !== undefined &&
      (version.manifest.kind !== 'index' ||
        version.manifest.children.every(child => complete(active.get(child))))
    return complete([...active.values()].find(v => v.tags.includes(tag)))
  }

  dump(): StateDump {
    return {
      packages: this.packages.map(pkg => ({
        owner: pkg.owner.login,
        type: pkg.type,
        name: pkg.name,
        visibility: pkg.visibility,
        state: pkg.deletedMs === undefined ? 'active' : 'deleted',
        ...(pkg.deletedMs !== undefined && { deleted_at: isoSeconds(pkg.deletedMs) }),
        versions: [...pkg.versions].sort(newestFirst).map(v => ({
          id: v.id,
          name: v.name,
          tags: [...v.tags],
          state: v.deletedMs === undefined ? 'active' : 'deleted',
          ...(v.deletedMs !== undefined && { deleted_at: isoSeconds(v.deletedMs) }),
          downloads: v.downloads
        }))
      }))
    }
  }

  private withinWindow(deletedMs: number): boolean {
    return this.now() - deletedMs <= RESTORE_WINDOW_MS
  }
}
