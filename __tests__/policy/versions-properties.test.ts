/**
 * Versions as versions, as properties against a small reference written from the rules' text alone (node-semver
 * and the glob matcher, nothing of the engine): for generated packages with backports, pre-releases, build
 * metadata, a leading `v` and names that are not versions, every rule governs the versions the reference says,
 * keeps by keep-last exactly the reference's, and the plan deletes exactly what the reference deletes. And
 * `order: created` written out plans exactly as today.
 */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import semver from 'semver'
import { compileGlobList } from '../../src/engine/globs.js'
import { planDeletions } from '../../src/engine/policy.js'
import type { DeletionPlan, PackageVersion, PolicyRule, RetentionPolicy } from '../../src/types.js'
import { NOW } from './builder.js'

const RUNS = { numRuns: 2000 }
const HOUR_MS = 3_600_000

/** Names with backports (published in any order), pre-releases, build metadata, `v`, and non-versions. */
const NAMES = [
  '0.9.0',
  '1.0.0',
  '1.0.1',
  '1.1.0',
  'v1.1.1',
  '1.2.0-rc.1',
  '1.2.0',
  '2.0.0-alpha.1',
  '2.0.0-beta.2',
  '2.0.0',
  '2.0.1',
  '2.1.0',
  '2.1.1',
  '2.1.1+build.5',
  '2.1.2',
  '3.0.0-rc.1',
  '3.0.0',
  'nightly',
  'latest-build'
]
const RANGES = ['<2.0.0', '>=2.0.0', '^1.1.0', '1.x || 3.x', '>=2.0.0-alpha.0', '~2.1.0', '*', '>=3.0.0-rc.0']
const GLOBS = [['**'], ['2.*'], ['*-rc.*'], ['!1.*'], ['v*']]

interface Generated {
  container: boolean
  versions: PackageVersion[]
  rules: PolicyRule[]
  distTags: Record<string, string>
}

const match: fc.Arbitrary<PolicyRule['match']> = fc.oneof(
  fc.constantFrom(...RANGES).map(range => ({ semver: range })),
  fc.constantFrom(...GLOBS)
)
const rule: fc.Arbitrary<Omit<PolicyRule, 'name'>> = fc
  .record({
    match,
    prerelease: fc.constantFrom(undefined, 'include', 'only', 'exclude'),
    order: fc.constantFrom(undefined, 'created', 'semver'),
    per: fc.constantFrom(undefined, 'major', 'minor'),
    keepLast: fc.integer({ min: 0, max: 3 }),
    forever: fc.integer({ min: 0, max: 9 }),
    minAgeDays: fc.constantFrom(0, 0, 20)
  })
  .map(({ match, prerelease, order, per, keepLast, forever, minAgeDays }) => ({
    match,
    ...(prerelease && { prerelease }),
    ...(order && { order }),
    ...(per && { per }),
    keepForever: forever === 0,
    keepLast: forever === 0 ? 0 : keepLast,
    minAgeMs: forever === 0 ? 0 : minAgeDays * 24 * HOUR_MS,
    minAgeText: `${forever === 0 ? 0 : minAgeDays}d`
  }))

const generated: fc.Arbitrary<Generated> = fc
  .record({
    container: fc.boolean(),
    names: fc.subarray(NAMES, { minLength: 1 }),
    hours: fc.uniqueArray(fc.integer({ min: 1, max: 2000 }), {
      minLength: NAMES.length,
      maxLength: NAMES.length
    }),
    extraTags: fc.array(fc.constantFrom(...NAMES, 'latest'), { maxLength: NAMES.length }),
    rules: fc.array(rule, { minLength: 1, maxLength: 3 }),
    tagged: fc.subarray(NAMES, { maxLength: 2 })
  })
  .map(({ container, names, hours, extraTags, rules, tagged }) => {
    const versions = names.map((name, i): PackageVersion => {
      const createdAt = new Date(NOW.getTime() - hours[i] * HOUR_MS).toISOString()
      if (!container) return { id: i + 1, name, tags: [], createdAt, updatedAt: createdAt }
      // An image tagged with its name, and sometimes another tag (a later release of the same digest).
      const extra = extraTags[i]
      const tags = extra !== undefined && extra !== name ? [name, extra] : [name]
      return {
        id: i + 1,
        name: `sha256:${String(i).padStart(64, '0')}`,
        tags,
        createdAt,
        updatedAt: createdAt
      }
    })
    const distTags = container
      ? {}
      : Object.fromEntries(
          tagged.filter(t => names.includes(t)).map((t, i) => [i === 0 ? 'latest' : 'next', t])
        )
    return { container, versions, rules: rules.map((r, i) => ({ name: `r${i}`, ...r })), distTags }
  })

const policyOf = (g: Generated, rules: readonly PolicyRule[] = g.rules): RetentionPolicy => ({
  packageType: g.container ? 'container' : 'npm',
  keepLast: 0,
  minAgeMs: 0,
  minAgeText: '0s',
  deleteTags: [],
  keepTags: [],
  rules,
  ...(Object.keys(g.distTags).length > 0 && { distTags: g.distTags })
})
const planOf = (g: Generated, rules?: readonly PolicyRule[]): DeletionPlan =>
  planDeletions(g.versions, policyOf(g, rules), NOW, new Map())

// ---- The reference, from the text of the rules ----

/** The names a rule looks at: a version's name, or a container image's tags. */
const namesOf = (v: PackageVersion, g: Generated) => (g.container ? v.tags : [v.name])

/** "The version a package version stands for": its name; an image, the highest of its tags that are versions. */
function refVersion(v: PackageVersion, g: Generated): semver.SemVer | null {
  const versions = namesOf(v, g)
    .map(n => semver.parse(n))
    .filter((s): s is semver.SemVer => s !== null)
  return versions.length === 0 ? null : semver.rsort(versions)[0]
}

function refMatches(v: PackageVersion, r: PolicyRule, g: Generated): boolean {
  let matched: boolean
  if (Array.isArray(r.match)) {
    const globs = compileGlobList(r.match)
    matched = namesOf(v, g).some(n => globs.match(n) !== undefined)
  } else {
    const range = (r.match as { semver: string }).semver
    // node-semver without includePrerelease.
    matched = namesOf(v, g).some(n => semver.valid(n) !== null && semver.satisfies(n, range))
  }
  if (!matched) return false
  const pre = (refVersion(v, g)?.prerelease.length ?? 0) > 0
  if (r.prerelease === 'only') return pre
  if (r.prerelease === 'exclude') return !pre
  return true
}

const time = (v: PackageVersion) => Date.parse(v.createdAt)

/** Per rule name, the versions keep-last keeps: ranked by the order, counted within each line. */
function refKeepLast(g: Generated, governing: Map<number, PolicyRule>): Map<string, Set<number>> {
  const kept = new Map<string, Set<number>>()
  for (const r of g.rules) {
    const mine = g.versions.filter(v => governing.get(v.id) === r)
    kept.set(r.name, new Set())
    if (r.keepForever) continue
    const ranked = [...mine].sort((a, b) => {
      if (r.order === 'semver') {
        const va = refVersion(a, g)
        const vb = refVersion(b, g)
        if (va && !vb) return -1
        if (!va && vb) return 1
        if (va && vb && semver.compare(vb, va) !== 0) return semver.compare(vb, va)
      }
      return time(b) - time(a)
    })
    const lines = new Map<string, number>()
    for (const v of ranked) {
      const sv = refVersion(v, g)
      const line =
        r.per === undefined
          ? 'all'
          : sv === null
            ? `own ${v.id}`
            : r.per === 'major'
              ? `${sv.major}`
              : `${sv.major}.${sv.minor}`
      const n = (lines.get(line) ?? 0) + 1
      lines.set(line, n)
      if (n <= r.keepLast) kept.get(r.name)?.add(v.id)
    }
  }
  return kept
}

interface Reference {
  governing: Map<number, PolicyRule>
  keepLast: Map<string, Set<number>>
  deleted: number[]
}

function reference(g: Generated): Reference {
  const governing = new Map<number, PolicyRule>()
  for (const v of g.versions) {
    const r = g.rules.find(r => refMatches(v, r, g))
    if (r) governing.set(v.id, r)
  }
  const keepLast = refKeepLast(g, governing)
  const pointedAt = new Set(Object.values(g.distTags))
  const kept = new Set<number>()
  for (const v of g.versions) {
    const r = governing.get(v.id)
    const young = r !== undefined && NOW.getTime() - time(v) < r.minAgeMs
    if (r === undefined || r.keepForever || keepLast.get(r.name)?.has(v.id) || young || pointedAt.has(v.name))
      kept.add(v.id)
  }
  // GitHub's last version (containers: last tagged image) always stays: the newest, when nothing else does.
  if (kept.size === 0) kept.add([...g.versions].sort((a, b) => time(b) - time(a))[0].id)
  return {
    governing,
    keepLast,
    deleted: g.versions
      .filter(v => !kept.has(v.id))
      .map(v => v.id)
      .sort((a, b) => a - b)
  }
}

// ---- What the engine did, read from its reasons ----

const ruleNamed = (reasons: string[]) => /rule "(r\d+)"/.exec(reasons.join('; '))?.[1]
function engineKeepLast(plan: DeletionPlan, g: Generated): Map<string, Set<number>> {
  const kept = new Map(g.rules.map(r => [r.name, new Set<number>()]))
  for (const d of plan.decisions)
    for (const reason of d.reasons) {
      const m = /^keep: rule "(r\d+)": (among the|newest \d+ of line)/.exec(reason)
      if (m) kept.get(m[1])?.add(d.version.id)
    }
  return kept
}

describe('semantic-version rules against the reference', () => {
  it('every version is governed by the rule the reference names, and keep-last keeps exactly its versions', () => {
    fc.assert(
      fc.property(generated, g => {
        const plan = planOf(g)
        const ref = reference(g)
        for (const d of plan.decisions) {
          const expected = ref.governing.get(d.version.id)?.name
          const named = ruleNamed(d.reasons)
          // The rule is named in every reason but the last version's and a dist-tag's alone.
          if (named !== undefined || expected === undefined)
            expect([d.version.id, named]).toEqual([d.version.id, expected])
        }
        const keepLast = engineKeepLast(plan, g)
        for (const r of g.rules)
          expect([r.name, [...(keepLast.get(r.name) ?? [])].sort()]).toEqual([
            r.name,
            [...(ref.keepLast.get(r.name) ?? [])].sort()
          ])
      }),
      RUNS
    )
  })

  it('deletes exactly what the reference deletes', () => {
    fc.assert(
      fc.property(generated, g => {
        const deleted = planOf(g)
          .deletions.map(d => d.version.id)
          .sort((a, b) => a - b)
        expect(deleted).toEqual(reference(g).deleted)
      }),
      RUNS
    )
  })

  it('keeps every version a dist-tag points at', () => {
    fc.assert(
      fc.property(generated, g => {
        for (const d of planOf(g).decisions) {
          const tags = Object.entries(g.distTags).filter(([, v]) => v === d.version.name)
          for (const [tag] of tags) expect(d.reasons).toContain(`keep: dist-tag ${tag}`)
        }
      }),
      RUNS
    )
  })
})

describe('order: created is today', () => {
  /** Rules as they were before versions: globs, keep, keep-last, min-age. */
  const globRules = fc.array(
    rule.map(({ match, keepForever, keepLast, minAgeMs, minAgeText }) => ({
      match: Array.isArray(match) ? match : ['**'],
      keepForever,
      keepLast,
      minAgeMs,
      minAgeText
    })),
    { minLength: 1, maxLength: 3 }
  )

  it('a policy of glob rules plans exactly the same with order: created written out', () => {
    fc.assert(
      fc.property(generated, globRules, (g, rules) => {
        const named = rules.map((r, i) => ({ name: `r${i}`, ...r }))
        const written = named.map(r => ({ ...r, order: 'created' as const }))
        expect(planOf(g, written)).toEqual(planOf(g, named))
      }),
      RUNS
    )
  })

  it('the single-rule inputs plan exactly the same with order: created', () => {
    fc.assert(
      fc.property(
        generated,
        fc.integer({ min: 0, max: 4 }),
        fc.subarray(['2.*', '*-rc.*', '!1.*']),
        (g, keepLast, deleteTags) => {
          const today: RetentionPolicy = {
            packageType: g.container ? 'container' : 'npm',
            keepLast,
            minAgeMs: 0,
            minAgeText: '0s',
            deleteTags,
            keepTags: [],
            ...(g.container && { untagged: 'include' as const })
          }
          expect(planDeletions(g.versions, { ...today, order: 'created' }, NOW, new Map())).toEqual(
            planDeletions(g.versions, today, NOW, new Map())
          )
        }
      ),
      RUNS
    )
  })
})
