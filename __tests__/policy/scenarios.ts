/**
 * Random packages and policies for the property tests, and what the rules say about them, worked out
 * independently of the engine: globs are matched by minimatch itself, not by src/globs.ts.
 */
import fc from 'fast-check'
import { minimatch } from 'minimatch'
import type {
  DeletionPlan,
  ImageStructure,
  ManifestInfo,
  PackageVersion,
  RetentionPolicy,
  UntaggedMode
} from '../../src/types.js'
import { NOW, digestOf, isoTime } from './builder.js'

const DAY_MS = 86_400_000

export interface Scenario {
  versions: PackageVersion[]
  policy: RetentionPolicy
  structure: ImageStructure | undefined
  /** Every relation, whether or not `structure` shows it: children and subjects by digest. */
  truth: Map<string, ManifestInfo>
}

const minAge = fc.constantFrom(
  { minAgeMs: 0, minAgeText: '0s' },
  { minAgeMs: 3 * DAY_MS, minAgeText: '3d' },
  { minAgeMs: 20 * DAY_MS, minAgeText: '20d' }
)

const globs = (choices: string[]) => fc.subarray(choices, { maxLength: 3 })

/** A time in the last 40 days, on a coarse grid so that versions often share an instant. */
const time = fc.integer({ min: 0, max: 160 }).map(step => NOW.getTime() - step * 6 * 3_600_000)

export const npmScenario: fc.Arbitrary<Scenario> = fc
  .record({
    versions: fc.uniqueArray(
      fc.record({
        id: fc.integer({ min: 1, max: 1_000_000 }),
        name: fc.constantFrom(
          '1.0.0',
          '1.2.0',
          '2.0.0',
          '1.0.1-pr-1',
          '1.2.3-pr-9',
          '2.1.0-rc.1',
          '3.0.0-rc.2'
        ),
        at: time
      }),
      { maxLength: 25, selector: version => version.id }
    ),
    keepLast: fc.integer({ min: 0, max: 5 }),
    minAge,
    deleteTags: globs(['*-pr-*', '*-rc.*', '1.*', '!2.*']),
    keepTags: globs(['*.0.0', '1.2.*', '!*-*'])
  })
  .map(({ versions, keepLast, minAge, deleteTags, keepTags }) => ({
    versions: versions.map(({ id, name, at }) => {
      const createdAt = isoTime(at)
      return { id, name: `${name}+${id}`, tags: [], createdAt, updatedAt: createdAt }
    }),
    policy: { packageType: 'npm', keepLast, ...minAge, deleteTags, keepTags },
    structure: undefined,
    truth: new Map()
  }))

const TAGS = ['latest', 'v1', 'v2', 'v2.1', 'pr-1', 'pr-2', 'pr-3', 'sha-a', 'sha-b', 'sha-c']
const containerPolicy: fc.Arbitrary<RetentionPolicy> = fc
  .record({
    keepLast: fc.integer({ min: 0, max: 3 }),
    minAge,
    deleteTags: globs(['pr-*', 'sha-*', 'v*', '!latest', 'sha256-*.sig']),
    keepTags: globs(['latest', 'v2*', '*.att', '!pr-*']),
    untagged: fc.constantFrom<UntaggedMode>('include', 'only', 'exclude')
  })
  .map(({ minAge, ...rest }) => ({ packageType: 'container', ...minAge, ...rest }))

type StructureMode = 'full' | 'read' | 'none'

/**
 * Multi-architecture images with platform manifests (some shared with older images), cosign signatures of
 * images and of manifests, OCI 1.1 referrers, orphans and loose untagged versions. `standalone` leaves out
 * every relation. `nested` adds what registries hold besides: indexes of indexes (a tagged index over untagged
 * indexes, each with its platform manifests and an attestation beside them) and tagged platform manifests
 * (`docker manifest create`). The structure is all of it (`full`), what a caller reads (`read`: the tagged
 * versions `manifestsToRead` names, and some untagged ones), or nothing (`none`).
 */
export function containerScenario(
  options: { standalone?: boolean; nested?: boolean; modes?: StructureMode[] } = {}
): fc.Arbitrary<Scenario & { mode: StructureMode }> {
  const { standalone = false, nested = false, modes = ['full', 'read', 'none'] } = options
  return fc
    .record({ gen: fc.gen(), policy: containerPolicy, mode: fc.constantFrom(...modes) })
    .map(({ gen, policy, mode }) => {
      const truth = new Map<string, ManifestInfo>()
      const versions: PackageVersion[] = []
      const unusedTags = [...TAGS]
      // Ids and the input order come from seeds: shrinking a long list of them would take forever.
      const ids = shuffle(
        Array.from({ length: 60 }, (_, i) => i + 1),
        gen(fc.integer)
      )
      const add = (
        key: string,
        tags: string[],
        at: number,
        manifest: ManifestInfo = { children: [] }
      ): string => {
        const name = digestOf(`${key}/${versions.length}`)
        const createdAt = isoTime(at)
        versions.push({ id: ids[versions.length], name, tags, createdAt, updatedAt: createdAt })
        pushedAt.set(name, at)
        truth.set(name, manifest)
        return name
      }
      const takeTags = (): string[] => {
        const count = gen(fc.integer, { min: 0, max: 2 })
        const tags: string[] = []
        for (let i = 0; i < count && unusedTags.length > 0; i++) {
          tags.push(...unusedTags.splice(gen(fc.nat, { max: unusedTags.length - 1 }), 1))
        }
        return tags
      }
      const cosign = (subject: string) =>
        `sha256-${subject.slice('sha256:'.length)}.${gen(fc.constantFrom, 'sig', 'att', 'sbom')}`
      const platformManifests: string[] = []
      const pushedAt = new Map<string, number>()

      const images = gen(fc.integer, { min: 0, max: 6 })
      for (let image = 0; image < images; image++) {
        const at = gen(() => time)
        if (standalone) {
          add(`image${image}`, takeTags(), at)
          continue
        }
        // Manifests are pushed before their index: untagged ones at the same instant or a little earlier,
        // tagged ones (pushed on their own, then listed by `docker manifest create`) a second or more earlier.
        const shape = nested ? gen(fc.constantFrom, 'flat', 'index-of-indexes', 'tagged-platforms') : 'flat'
        const pushedBefore = (upTo: number) => at - gen(fc.integer, { min: 0, max: 2 }) * 1000 - upTo
        const platforms = (key: string, earlier: number, tagged: boolean): string[] => {
          const list: string[] = []
          for (let c = gen(fc.integer, { min: 0, max: 3 }); c > 0; c--)
            list.push(add(`${key}.${c}`, tagged ? takeTags() : [], pushedBefore(earlier)))
          return list
        }
        const children: string[] = []
        const inner: string[] = []
        if (shape === 'index-of-indexes') {
          for (let i = gen(fc.integer, { min: 1, max: 2 }); i > 0; i--) {
            const parts = platforms(`child${image}.${i}`, 2000, false)
            if (gen(fc.boolean)) parts.push(add(`attestation${image}.${i}`, [], pushedBefore(2000)))
            inner.push(add(`inner${image}.${i}`, [], pushedBefore(1000), { children: parts }))
            platformManifests.push(...parts)
          }
          children.push(...inner)
        } else
          children.push(
            ...platforms(
              `child${image}`,
              shape === 'tagged-platforms' ? 1000 : 0,
              shape === 'tagged-platforms'
            )
          )
        // A manifest of an older image, shared: one pushed before this index.
        const shareable = platformManifests.filter(name => (pushedAt.get(name) as number) < at)
        if (shareable.length > 0 && gen(fc.boolean)) {
          children.push(shareable[gen(fc.nat, { max: shareable.length - 1 })])
        }
        const index = add(`index${image}`, takeTags(), at, {
          children,
          ...(inner.length > 0 && { indexChildren: inner })
        })
        platformManifests.push(...children.filter(child => !inner.includes(child)))
        const signedLater = () =>
          Math.min(NOW.getTime(), at + gen(fc.integer, { min: 0, max: 8 }) * 6 * 3_600_000)
        if (gen(fc.boolean)) add(`sig${image}`, [cosign(index)], signedLater())
        if (children.length > 0 && gen(fc.boolean))
          add(`childsig${image}`, [cosign(children[0])], signedLater())
        if (gen(fc.boolean)) add(`referrer${image}`, [], signedLater(), { children: [], subject: index })
      }
      for (let orphan = gen(fc.integer, { min: 0, max: 2 }); orphan > 0; orphan--) {
        const gone = digestOf(`gone${orphan}`)
        if (standalone)
          add(
            `lone${orphan}`,
            [],
            gen(() => time)
          )
        else if (gen(fc.boolean))
          add(
            `orphan${orphan}`,
            [cosign(gone)],
            gen(() => time)
          )
        else
          add(
            `orphan${orphan}`,
            [],
            gen(() => time),
            { children: [], subject: gone }
          )
      }
      for (let loose = gen(fc.integer, { min: 0, max: 2 }); loose > 0; loose--)
        add(
          `loose${loose}`,
          [],
          gen(() => time)
        )

      const shuffled = shuffle(versions, gen(fc.integer))
      return { versions: shuffled, policy, structure: structureFor(mode, shuffled, truth, gen), truth, mode }
    })
}

function structureFor(
  mode: StructureMode,
  versions: PackageVersion[],
  truth: Map<string, ManifestInfo>,
  gen: fc.GeneratorValue
): ImageStructure | undefined {
  if (mode === 'none') return undefined
  if (mode === 'full') return new Map(truth)
  const read = new Map<string, ManifestInfo>()
  for (const version of versions) {
    const isSignature = version.tags.some(tag => /^sha256-[0-9a-f]{64}\.(sig|att|sbom)$/.test(tag))
    const wanted = version.tags.length > 0 ? !isSignature : gen(fc.boolean)
    if (wanted) read.set(version.name, truth.get(version.name) as ManifestInfo)
  }
  return read
}

/** The subject a version refers to, as far as `structure` (or its tag) shows. */
export function subjectOf(
  version: PackageVersion,
  structure: ImageStructure | undefined
): string | undefined {
  for (const tag of version.tags) {
    const match = /^sha256-([0-9a-f]{64})(\.(sig|att|sbom))?$/.exec(tag)
    if (match) return `sha256:${match[1]}`
  }
  return structure?.get(version.name)?.subject
}

/**
 * The manifests and signatures a plan loses from the images it keeps: a child of a kept version that is not
 * kept, and a version that signs (or refers to) a kept one and is not kept. Empty for a safe plan.
 */
export function lostParts(scenario: Scenario, planned: DeletionPlan): string[] {
  const kept = new Set(planned.decisions.filter(d => d.action === 'keep').map(d => d.version.name))
  const lost: string[] = []
  for (const version of scenario.versions) {
    const children = kept.has(version.name) ? (scenario.truth.get(version.name)?.children ?? []) : []
    lost.push(...children.filter(child => !kept.has(child)))
    const subject = subjectOf(version, scenario.structure)
    if (subject !== undefined && kept.has(subject) && !kept.has(version.name)) lost.push(version.name)
  }
  return lost
}

/** Newest first: by creation time, then by id. */
export function newestFirst(versions: readonly PackageVersion[]): PackageVersion[] {
  return [...versions].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id - a.id)
}

/**
 * Whether a glob list (as the README defines it) matches a value: some glob matches and no `!glob` does; a
 * list of `!glob`s only matches everything else; an empty list matches nothing. Case-sensitive, and `*`
 * matches a leading dot.
 */
export function listMatches(globs: readonly string[], value: string): boolean {
  const glob = (pattern: string) => minimatch(value, pattern, { dot: true, nonegate: true, nocomment: true })
  const negatives = globs.filter(g => g.startsWith('!')).map(g => g.slice(1))
  const positives = globs.filter(g => !g.startsWith('!'))
  if (negatives.some(glob)) return false
  return positives.length > 0 ? positives.some(glob) : negatives.length > 0
}

/** What keep-tags and min-age protect, by version id. */
export function protectedByKeepTagsOrAge(scenario: Scenario): Set<number> {
  const { keepTags } = scenario.policy
  const container = scenario.policy.packageType === 'container'
  const result = new Set<number>()
  for (const version of scenario.versions) {
    const values = container ? version.tags : [version.name]
    const { minAgeMs } = scenario.policy
    const young = minAgeMs > 0 && NOW.getTime() - Date.parse(version.createdAt) < minAgeMs
    if (young || values.some(value => listMatches(keepTags, value))) result.add(version.id)
  }
  return result
}

/**
 * The images the policy selects, newest first, with whether keep-last counts them, as far as the structure
 * shows. An image is a version with no subject among the versions that is tagged or nobody's child.
 */
export function selectedImages(scenario: Scenario): { version: PackageVersion; counted: boolean }[] {
  const { versions, policy, structure } = scenario
  const children = new Set(versions.flatMap(version => structure?.get(version.name)?.children ?? []))
  const container = policy.packageType === 'container'
  const mode = policy.untagged ?? 'exclude'
  const result: { version: PackageVersion; counted: boolean }[] = []
  for (const version of newestFirst(versions)) {
    const subject = container ? subjectOf(version, structure) : undefined
    if (subject !== undefined) continue
    const tagged = version.tags.length > 0
    if (container && !tagged && children.has(version.name)) continue
    const values = container ? version.tags : [version.name]
    const byTags =
      policy.deleteTags.length === 0 || values.some(value => listMatches(policy.deleteTags, value))
    const selected = !container ? byTags : tagged ? mode !== 'only' && byTags : mode !== 'exclude'
    if (selected) result.push({ version, counted: !container || tagged === (mode !== 'only') })
  }
  return result
}

export function keptByKeepLast(scenario: Scenario): Set<number> {
  const counted = selectedImages(scenario).filter(image => image.counted)
  return new Set(counted.slice(0, scenario.policy.keepLast).map(image => image.version.id))
}

export function shuffle<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items]
  let state = seed >>> 0 || 1
  for (let i = copy.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0
    const j = state % (i + 1)
    ;[copy[i], copy[j]] = [copy[j], copy[i]]
  }
  return copy
}
