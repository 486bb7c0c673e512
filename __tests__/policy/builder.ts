/**
 * Scenarios that read like sentences:
 *
 *   aContainer().withVersion('v1', { tags: ['v1'], age: '40d', children: ['v1-amd64'] })
 *     .withVersion('v1-amd64', { age: '40d' }).deleting('v*').keepingLast(1).plan()
 *
 * Versions are named by keys; a container version's digest is derived from its key, and its manifest
 * (children, subject) goes into the structure the plan gets, unless the version is `unread` or the package
 * `withoutStructure`.
 */
import { createHash } from 'node:crypto'
import { planDeletions } from '../../src/engine/policy.js'
import { planWithReads } from '../../src/engine/reads.js'
import type {
  Action,
  DeletionPlan,
  ImageStructure,
  ManifestInfo,
  PackageType,
  PackageVersion,
  PolicyRule,
  RetentionPolicy,
  UntaggedMode
} from '../../src/types.js'

export const NOW = new Date('2026-11-22T12:00:00Z')

const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 }

/** `40d`, `12h`, `30m`, `10s`, or `40d12h`. */
export function durationMs(text: string): number {
  const parts = [...text.matchAll(/(\d+)([dhms])/g)]
  if (parts.length === 0 || parts.map(part => part[0]).join('') !== text)
    throw new Error(`bad duration ${text}`)
  return parts.reduce((total, [, amount, unit]) => total + Number(amount) * UNIT_MS[unit], 0)
}

export function digestOf(key: string): string {
  return `sha256:${createHash('sha256').update(key).digest('hex')}`
}

/** The tag cosign gives the signature (or attestation, SBOM) of the version `subjectKey`. */
export function cosignTag(subjectKey: string, suffix: 'sig' | 'att' | 'sbom' = 'sig'): string {
  return `sha256-${digestOf(subjectKey).slice('sha256:'.length)}.${suffix}`
}

export interface VersionSpec {
  tags?: string[]
  /** How old the version is at NOW (default `100d`). */
  age?: string
  /** The creation time as GitHub would send it; wins over `age`. */
  createdAt?: string
  id?: number
  /** Keys of the child manifests (containers). */
  children?: string[]
  /** Key (or digest, for a missing one) of the subject of an OCI 1.1 referrer. */
  subject?: string
  /** The manifest was not read: it is left out of the structure. */
  unread?: boolean
  /** GitHub sent no tag list for this container version. */
  tagsUnknown?: boolean
}

/** A policy file's rule; what is not given keeps nothing (keep-last 0, no min-age). */
export function rule(name: string, match: PolicyRule['match'], spec: Partial<PolicyRule> = {}): PolicyRule {
  return { name, match, keepForever: false, keepLast: 0, minAgeMs: 0, minAgeText: '0s', ...spec }
}

export class PackageBuilder {
  readonly #type: PackageType
  readonly #specs = new Map<string, VersionSpec>()
  #policy: Partial<RetentionPolicy> = {}
  #withStructure = true

  constructor(type: PackageType) {
    this.#type = type
  }

  get isContainer(): boolean {
    return this.#type === 'container'
  }

  withVersion(key: string, spec: VersionSpec = {}): this {
    if (this.#specs.has(key)) throw new Error(`version ${key} twice`)
    this.#specs.set(key, spec)
    return this
  }

  /** A cosign signature (or attestation, SBOM) of `subjectKey`, as its own tagged version. */
  withSignature(
    key: string,
    subjectKey: string,
    spec: VersionSpec & { suffix?: 'sig' | 'att' | 'sbom' } = {}
  ): this {
    const { suffix, ...rest } = spec
    return this.withVersion(key, { ...rest, tags: [cosignTag(subjectKey, suffix)] })
  }

  withPolicy(policy: Partial<RetentionPolicy>): this {
    this.#policy = { ...this.#policy, ...policy }
    return this
  }

  deleting(...globs: string[]): this {
    return this.withPolicy({ deleteTags: globs })
  }

  keeping(...globs: string[]): this {
    return this.withPolicy({ keepTags: globs })
  }

  keepingLast(count: number): this {
    return this.withPolicy({ keepLast: count })
  }

  withMinAge(minAge: string): this {
    return this.withPolicy({ minAgeMs: durationMs(minAge), minAgeText: minAge })
  }

  /** A policy file's rules instead of the single-rule inputs. */
  withRules(...rules: PolicyRule[]): this {
    return this.withPolicy({ rules, untagged: undefined })
  }

  untagged(mode: UntaggedMode): this {
    return this.withPolicy({ untagged: mode })
  }

  withoutStructure(): this {
    this.#withStructure = false
    return this
  }

  policy(): RetentionPolicy {
    return {
      packageType: this.#type,
      keepLast: 0,
      minAgeMs: 0,
      minAgeText: '0s',
      deleteTags: [],
      keepTags: [],
      untagged: this.isContainer ? 'include' : undefined,
      ...this.#policy
    }
  }

  nameOf(key: string): string {
    return this.isContainer ? digestOf(key) : key
  }

  /** Ids go down in the order versions are given, so that of two created together the first is the newer. */
  versions(): PackageVersion[] {
    let nextId = 100_000
    return [...this.#specs].map(([key, spec]) => {
      const createdAt = spec.createdAt ?? isoTime(NOW.getTime() - durationMs(spec.age ?? '100d'))
      return {
        id: spec.id ?? nextId--,
        name: this.nameOf(key),
        tags: spec.tags ?? [],
        createdAt,
        updatedAt: createdAt,
        ...(spec.tagsUnknown && { tagsUnknown: true })
      }
    })
  }

  structure(): ImageStructure | undefined {
    if (!this.isContainer || !this.#withStructure) return undefined
    const manifests = new Map<string, ManifestInfo>()
    for (const [key, spec] of this.#specs) {
      if (spec.unread) continue
      const manifest: ManifestInfo = { children: (spec.children ?? []).map(child => this.nameOf(child)) }
      if (spec.subject !== undefined) {
        manifest.subject = spec.subject.startsWith('sha256:') ? spec.subject : this.nameOf(spec.subject)
      }
      manifests.set(this.nameOf(key), manifest)
    }
    return manifests
  }

  /**
   * Plans as a run does, reading manifests only as `planWithReads` asks, from every version's manifest
   * (`unread` ones included: they are what the registry holds). The keys read, round by round, and the plan.
   */
  async withReads(now: Date = NOW): Promise<{ rounds: string[][]; plan: PlanView }> {
    const keyOf = new Map([...this.#specs.keys()].map(key => [this.nameOf(key), key]))
    const registry = this.registry()
    const rounds: string[][] = []
    const { plan } = await planWithReads(this.versions(), this.policy(), now, async digests => {
      rounds.push(digests.map(digest => keyOf.get(digest) ?? digest))
      const read = new Map<string, ManifestInfo>()
      // Nested indexes are followed, as the registry client does.
      const follow = (digest: string): void => {
        if (read.has(digest)) return
        const manifest = registry.get(digest) ?? { children: [] }
        read.set(digest, manifest)
        manifest.children.filter(child => (registry.get(child)?.children.length ?? 0) > 0).forEach(follow)
      }
      digests.forEach(follow)
      return read
    })
    return { rounds, plan: new PlanView(plan, keyOf) }
  }

  /** Every version's manifest, as the registry holds it. */
  registry(): Map<string, ManifestInfo> {
    const manifests = new Map<string, ManifestInfo>()
    for (const [key, spec] of this.#specs) {
      const manifest: ManifestInfo = { children: (spec.children ?? []).map(child => this.nameOf(child)) }
      if (spec.subject !== undefined) {
        manifest.subject = spec.subject.startsWith('sha256:') ? spec.subject : this.nameOf(spec.subject)
      }
      manifests.set(this.nameOf(key), manifest)
    }
    return manifests
  }

  plan(now: Date = NOW): PlanView {
    const keyOf = new Map([...this.#specs.keys()].map(key => [this.nameOf(key), key]))
    return new PlanView(planDeletions(this.versions(), this.policy(), now, this.structure()), keyOf)
  }
}

/** A plan read by version keys. */
export class PlanView {
  readonly raw: DeletionPlan
  readonly #keyOf: Map<string, string>

  constructor(plan: DeletionPlan, keyOf: Map<string, string>) {
    this.raw = plan
    this.#keyOf = keyOf
  }

  #decision(key: string) {
    const decision = this.raw.decisions.find(d => this.#keyOf.get(d.version.name) === key)
    if (decision === undefined) throw new Error(`no decision for ${key}`)
    return decision
  }

  action(key: string): Action {
    return this.#decision(key).action
  }

  reasons(key: string): string[] {
    return this.#decision(key).reasons
  }

  /** Keys, newest first. */
  get order(): string[] {
    return this.raw.decisions.map(d => this.#keyOf.get(d.version.name) as string)
  }

  /** Keys in deletion order. */
  get deleted(): string[] {
    return this.raw.deletions.map(d => this.#keyOf.get(d.version.name) as string)
  }

  /** Keys kept, newest first. */
  get kept(): string[] {
    return this.raw.decisions
      .filter(d => d.action === 'keep')
      .map(d => this.#keyOf.get(d.version.name) as string)
  }
}

export function aPackage(type: PackageType = 'npm'): PackageBuilder {
  return new PackageBuilder(type)
}

export function aContainer(): PackageBuilder {
  return new PackageBuilder('container')
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z')
}
