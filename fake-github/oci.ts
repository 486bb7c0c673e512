import { createHash } from 'node:crypto'
import { checkRead, requireScopes } from './auth.js'
import type { ManifestSpec, TokenSpec } from './scenario.js'
import type { Package, Store, Version } from './state.js'

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerV2: 'application/vnd.docker.distribution.manifest.v2+json',
  ociArtifact: 'application/vnd.oci.artifact.manifest.v1+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+prettyjws'
} as const
const OCI_INDEX = MEDIA_TYPES.ociIndex
const OCI_MANIFEST = MEDIA_TYPES.ociManifest

/**
 * How the registry names a stored type it will not serve to the request's `Accept`: `MANIFEST_UNKNOWN` with
 * "<found>, but Accept header does not support <plural>". The OCI index wording is ghcr.io's, seen in public
 * reports; the others follow it (see fake-github/fidelity/).
 */
const REFUSALS: Record<string, [string, string]> = {
  [MEDIA_TYPES.ociIndex]: ['OCI index', 'OCI indexes'],
  [MEDIA_TYPES.ociManifest]: ['OCI manifest', 'OCI manifests'],
  [MEDIA_TYPES.dockerList]: ['manifest list', 'manifest lists'],
  [MEDIA_TYPES.dockerV2]: ['Docker v2 manifest', 'Docker v2 manifests'],
  [MEDIA_TYPES.ociArtifact]: ['OCI artifact manifest', 'OCI artifact manifests'],
  [MEDIA_TYPES.dockerSchema1]: ['schema 1 manifest', 'schema 1 manifests']
}

/** Without any `Accept`, only Docker's own types are served (assumed; see the fidelity notes). */
const SERVED_WITHOUT_ACCEPT: ReadonlySet<string> = new Set([MEDIA_TYPES.dockerV2, MEDIA_TYPES.dockerSchema1])

function accepts(accept: string | undefined, mediaType: string): boolean {
  if (accept === undefined || accept.trim() === '') return SERVED_WITHOUT_ACCEPT.has(mediaType)
  const types = accept.split(',').map(part => part.split(';')[0].trim().toLowerCase())
  return types.includes(mediaType) || types.includes('*/*')
}

export interface Reply {
  status: number
  headers?: Record<string, string>
  /** Sent as JSON unless `text` is given. */
  json?: unknown
  text?: string
}

export interface ManifestDocument {
  mediaType: string
  body: string
  /** What the registry names it by: the sha256 of `body` (of its unsigned payload for schema 1). */
  digest: string
}

function fakeDigest(seed: string): string {
  return `sha256:${createHash('sha256').update(seed).digest('hex')}`
}

function platformOf(platform = 'linux/amd64') {
  const [os, architecture, variant] = platform.split('/')
  return { architecture, os, ...(variant && { variant }) }
}

/** The served form of a version's manifest: its media type and exact bytes, built once at scenario load. */
type Documents = Map<Version, ManifestDocument>

/** An OCI 1.1 `subject` descriptor naming the version a referrer is about; nothing without one. */
function subjectField(documents: Documents, subject: Version | undefined): { subject?: object } {
  if (subject === undefined) return {}
  const document = documents.get(subject) as ManifestDocument
  return {
    subject: {
      mediaType: document.mediaType,
      digest: document.digest,
      size: Buffer.byteLength(document.body)
    }
  }
}

/** The digests a manifest names: an index's children, a referrer's subject, an attestation's reference. */
function references(manifest: ManifestSpec): string[] {
  if (manifest.kind === 'index') return manifest.children
  if (manifest.kind === 'attestation') return [manifest.reference]
  if (manifest.kind === 'image' || manifest.kind === 'artifact')
    return manifest.subject ? [manifest.subject] : []
  return []
}

/**
 * Builds every manifest of a container package and names each version by the sha256 of its body, as a
 * registry does: children and subjects first (the scenario forbids cycles), so that each reference names the
 * digest its target is served under. Index children, `subject`, attestation references and cosign tags
 * (`sha256-<hex>.sig`, `.att`, `.sbom`) are rewritten to those digests. Returns scenario name → digest.
 */
export function nameByContent(pkg: Package): Map<string, string> {
  const documents: Documents = new Map()
  const byLabel = new Map<string, Version>()
  for (const version of pkg.versions) if (!byLabel.has(version.name)) byLabel.set(version.name, version)
  const build = (version: Version): ManifestDocument => {
    const built = documents.get(version)
    if (built) return built
    for (const label of references(version.manifest)) build(byLabel.get(label) as Version)
    const document = manifestDocument(pkg, version, documents, label => byLabel.get(label) as Version)
    documents.set(version, document)
    return document
  }
  pkg.versions.forEach(build)
  const renamed = new Map(
    [...byLabel].map(([label, version]) => [label, (documents.get(version) as ManifestDocument).digest])
  )
  const rename = (label: string) => renamed.get(label) ?? label
  for (const version of pkg.versions) {
    const document = documents.get(version) as ManifestDocument
    version.name = document.digest
    version.document = document
    const manifest = version.manifest
    if (manifest.kind === 'index') version.manifest = { ...manifest, children: manifest.children.map(rename) }
    else if (manifest.kind === 'attestation')
      version.manifest = { ...manifest, reference: rename(manifest.reference) }
    else if ((manifest.kind === 'image' || manifest.kind === 'artifact') && manifest.subject)
      version.manifest = { ...manifest, subject: rename(manifest.subject) }
    version.tags = version.tags.map(tag => {
      const cosign = /^sha256-([0-9a-f]{64})(\.(?:sig|att|sbom))?$/.exec(tag)
      return cosign ? `${rename(`sha256:${cosign[1]}`).replace(':', '-')}${cosign[2]}` : tag
    })
  }
  return renamed
}

function sha256(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`
}

/**
 * The manifest a version stands for, built from its scenario entry (`label`, its scenario name, seeds the
 * digests of its blobs), with the documents of the manifests it names already built.
 */
function manifestDocument(
  pkg: Package,
  version: Version,
  documents: Documents,
  byLabel: (label: string) => Version
): ManifestDocument {
  const label = version.name
  const document = (mediaType: string, body: object): ManifestDocument => {
    const text = JSON.stringify(body)
    return { mediaType, body: text, digest: sha256(text) }
  }
  const digestOf = (ref: string) => (documents.get(byLabel(ref)) as ManifestDocument).digest
  const manifest = version.manifest
  if (manifest.kind === 'schema1') {
    const unsigned = {
      schemaVersion: 1,
      name: `${pkg.owner.login}/${pkg.name}`.toLowerCase(),
      tag: version.tags[0] ?? 'latest',
      architecture: 'amd64',
      fsLayers: [{ blobSum: fakeDigest(`${label}/layer`) }],
      history: [{ v1Compatibility: JSON.stringify({ id: label.slice(7, 71) }) }]
    }
    // A signed schema 1 manifest's digest is that of its payload without the signatures, not of the bytes served.
    const body = JSON.stringify({
      ...unsigned,
      signatures: [{ header: { alg: 'ES256' }, signature: 'fake', protected: 'fake' }]
    })
    return { mediaType: MEDIA_TYPES.dockerSchema1, body, digest: sha256(JSON.stringify(unsigned)) }
  }
  if (manifest.kind === 'artifact') {
    const subject = manifest.subject ? byLabel(manifest.subject) : undefined
    return document(MEDIA_TYPES.ociArtifact, {
      mediaType: MEDIA_TYPES.ociArtifact,
      artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
      blobs: [
        {
          mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
          digest: fakeDigest(`${label}/signature`),
          size: 241
        }
      ],
      ...subjectField(documents, subject)
    })
  }
  if (manifest.kind === 'index') {
    const listType = manifest.format === 'docker' ? MEDIA_TYPES.dockerList : OCI_INDEX
    const manifests = manifest.children.map(ref => {
      const child = byLabel(ref)
      const served = documents.get(child) as ManifestDocument
      const entry = {
        mediaType: served.mediaType,
        digest: served.digest,
        size: Buffer.byteLength(served.body)
      }
      if (child.manifest.kind === 'attestation')
        return {
          ...entry,
          platform: { architecture: 'unknown', os: 'unknown' },
          annotations: {
            'vnd.docker.reference.digest': digestOf(child.manifest.reference),
            'vnd.docker.reference.type': 'attestation-manifest'
          }
        }
      return child.manifest.kind === 'image'
        ? { ...entry, platform: platformOf(child.manifest.platform) }
        : entry
    })
    return document(listType, { schemaVersion: 2, mediaType: listType, manifests })
  }

  const attestation = manifest.kind === 'attestation'
  const subject = manifest.kind === 'image' && manifest.subject ? byLabel(manifest.subject) : undefined
  const imageType =
    manifest.kind === 'image' && manifest.format === 'docker' ? MEDIA_TYPES.dockerV2 : OCI_MANIFEST
  return document(imageType, {
    schemaVersion: 2,
    mediaType: imageType,
    ...(subject && { artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json' }),
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: fakeDigest(`${label}/config`),
      size: 1469
    },
    layers: [
      attestation
        ? {
            mediaType: 'application/vnd.in-toto+json',
            digest: fakeDigest(`${label}/provenance`),
            size: 1872,
            annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' }
          }
        : {
            mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
            digest: fakeDigest(`${label}/layer`),
            size: 3_208_942
          }
    ],
    ...subjectField(documents, subject)
  })
}

function ociError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {}
): Reply {
  return { status, headers, json: { errors: [{ code, message }] } }
}

/** A container registry in the style of ghcr.io: bearer challenge, token exchange, manifests and tags. */
export class Registry {
  /** Manifest GETs served; each one is a download of that version. */
  manifestReads = 0
  /** Scripted answers, taken one per manifest GET before anything else (e.g. a 429 burst). */
  readonly answerNext: Reply[] = []
  /** The token service named in challenges; the registry's own `/token` by default. */
  realm?: string
  /** Every token request: whether it carried credentials (Basic), and the host it was sent to. */
  readonly tokenRequests: { credentials: boolean; host: string }[] = []
  private readonly grants = new Map<string, Set<string>>()

  constructor(
    private readonly store: Store,
    private readonly apiTokens: ReadonlyMap<string, TokenSpec>,
    private readonly baseUrl: () => string,
    /** `service` in the 401 challenge: `ghcr.io`, or `containers.HOST` on GitHub Enterprise Server. */
    private readonly service = 'ghcr.io'
  ) {}

  static handles(path: string): boolean {
    return path === '/token' || path === '/v2' || path.startsWith('/v2/')
  }

  handle(method: string, url: URL, authorization: string | undefined, accept?: string, host?: string): Reply {
    if (url.pathname === '/token') {
      this.tokenRequests.push({ credentials: /^Basic\s/i.test(authorization ?? ''), host: host ?? '' })
      return method === 'GET' ? this.issueToken(url, authorization) : notFound()
    }
    const scripted = /\/manifests\//.test(url.pathname) ? this.answerNext.shift() : undefined
    if (scripted) return scripted
    if (method !== 'GET' && method !== 'HEAD')
      return ociError(405, 'UNSUPPORTED', 'The operation is unsupported.')
    const grant = this.grants.get(/^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1] ?? '')
    if (url.pathname === '/v2' || url.pathname === '/v2/')
      return grant ? { status: 200, json: {} } : this.challenge()

    const path = decodeURIComponent(url.pathname)
    const manifest = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path)
    const tags = /^\/v2\/(.+)\/tags\/list$/.exec(path)
    const repository = (manifest ?? tags)?.[1]
    if (!repository) return notFound()
    if (!grant) return this.challenge(repository)
    if (!grant.has(repository.toLowerCase()))
      return ociError(403, 'DENIED', 'requested access to the resource is denied')
    const pkg = this.findImage(repository)
    if (!pkg) return ociError(404, 'NAME_UNKNOWN', 'repository name not known to registry')

    if (tags) {
      const names = this.store.activeVersions(pkg).flatMap(v => v.tags)
      return { status: 200, json: { name: repository, tags: names.sort() } }
    }
    return this.serveManifest(method, pkg, manifest?.[2] ?? '', accept)
  }

  private serveManifest(method: string, pkg: Package, reference: string, accept: string | undefined): Reply {
    const active = this.store.activeVersions(pkg)
    const version = reference.startsWith('sha256:')
      ? active.find(v => v.name === reference)
      : active.find(v => v.tags.includes(reference))
    if (!version) return ociError(404, 'MANIFEST_UNKNOWN', 'manifest unknown')
    const document = version.document as ManifestDocument
    if (!accepts(accept, document.mediaType)) {
      const [found, plural] = REFUSALS[document.mediaType]
      return ociError(404, 'MANIFEST_UNKNOWN', `${found} found, but Accept header does not support ${plural}`)
    }
    if (method === 'GET') {
      version.downloads += 1
      this.manifestReads += 1
    }
    return {
      status: 200,
      headers: {
        'content-type': document.mediaType,
        'docker-content-digest': document.digest,
        'docker-distribution-api-version': 'registry/2.0',
        'content-length': String(Buffer.byteLength(document.body))
      },
      text: method === 'GET' ? document.body : ''
    }
  }

  /** Basic auth with any user and an API token as password; without it only public images can be pulled. */
  private issueToken(url: URL, authorization: string | undefined): Reply {
    const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '')?.[1]
    let apiToken: TokenSpec | undefined
    if (basic) {
      const decoded = Buffer.from(basic, 'base64').toString('utf8')
      apiToken = this.apiTokens.get(decoded.slice(decoded.indexOf(':') + 1))
      if (!apiToken) return ociError(401, 'UNAUTHORIZED', 'authentication required')
    }
    const repositories = url.searchParams
      .getAll('scope')
      .map(scope => /^repository:(.+):[a-z,*]+$/.exec(scope)?.[1])
      .filter((name): name is string => name !== undefined)
    for (const repository of repositories) {
      const pkg = this.findImage(repository)
      if (!pkg || !this.mayPull(apiToken, pkg))
        return ociError(403, 'DENIED', 'requested access to the resource is denied')
    }
    const token = `ghcr_fake_${this.grants.size + 1}`
    this.grants.set(token, new Set(repositories.map(r => r.toLowerCase())))
    return { status: 200, json: { token, access_token: token } }
  }

  private mayPull(apiToken: TokenSpec | undefined, pkg: Package): boolean {
    if (pkg.visibility === 'public') return true
    if (!apiToken) return false
    try {
      requireScopes(apiToken, ['read:packages'], 'read')
      checkRead(apiToken, pkg)
      return true
    } catch {
      return false
    }
  }

  /** `owner/name...`: the first segment is the owner, the rest the package name (which may contain `/`). */
  private findImage(repository: string): Package | undefined {
    const slash = repository.indexOf('/')
    if (slash < 0) return undefined
    const owner = this.store.owner(repository.slice(0, slash))
    return owner && this.store.find(owner, 'container', repository.slice(slash + 1))
  }

  private challenge(repository?: string): Reply {
    const scope = repository ? `,scope="repository:${repository}:pull"` : ''
    return ociError(401, 'UNAUTHORIZED', 'authentication required', {
      'www-authenticate': `Bearer realm="${this.realm ?? `${this.baseUrl()}/token`}",service="${this.service}"${scope}`
    })
  }
}

function notFound(): Reply {
  return ociError(404, 'NOT_FOUND', 'not found')
}
