/**
 * The policy engine on a million versions: `npx tsx bench/policy.ts`. Measures the wall time of
 * `planDeletions` (median of several runs) and memory: the heap a plan keeps, and the peak RSS of a process
 * that loads the versions and plans them, each scenario in a process of its own.
 */
import { availableParallelism } from 'node:os'
import { execFile } from 'node:child_process'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import v8 from 'node:v8'
import vm from 'node:vm'
import { planDeletions } from '../src/engine/policy.js'
import type {
  DeletionPlan,
  ImageStructure,
  ManifestInfo,
  PackageVersion,
  PolicyRule,
  RetentionPolicy
} from '../src/types.js'

const VERSIONS = 1_000_000
const RUNS = 5
const NOW = new Date('2026-11-22T12:00:00Z')
const DAY_MS = 86_400_000

export interface ScenarioFigures {
  scenario: string
  versions: number
  deletions: number
  /** Wall time of planDeletions: median and every run, in ms. */
  medianMs: number
  runsMs: number[]
  /** Heap that one plan holds while it is alive, in MB. */
  planHeapMb: number
  /** Heap in use with the versions loaded, before planning, in MB. */
  dataHeapMb: number
  /** Resident set size with the versions loaded, before planning, and the peak of the process, in MB. */
  rssBeforeMb: number
  peakRssMb: number
}

export interface PolicyBenchFigures {
  node: string
  cores: number
  scenarios: ScenarioFigures[]
}

const run = promisify(execFile)

v8.setFlagsFromString('--expose-gc')
const collectGarbage = vm.runInNewContext('gc') as () => void

/** Deterministic pseudo-random numbers, so that every run plans the same data. */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648
    return state / 2_147_483_648
  }
}

function hex(n: number, length: number): string {
  return n.toString(16).padStart(length, '0').slice(-length)
}

function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z')
}

/** npm-like: releases, pull-request and release-candidate prereleases, snapshot builds; newest first. */
export function npmVersions(): PackageVersion[] {
  const next = random(1)
  const versions: PackageVersion[] = []
  let time = NOW.getTime()
  for (let i = 0; i < VERSIONS; i++) {
    // Every 30 s on average, with some versions in the same second.
    time -= Math.floor(next() * 60) * 1000
    const roll = next()
    const base = `${1 + Math.floor(i / 200_000)}.${Math.floor(i / 1000) % 200}.${i % 1000}`
    const name =
      roll < 0.05
        ? base
        : roll < 0.55
          ? `${base}-pr-${Math.floor(next() * 5000)}.${i}`
          : roll < 0.65
            ? `${base}-rc.${i}`
            : `0.0.0-sha.${hex(i * 2_654_435_761, 8)}`
    const createdAt = isoTime(time)
    versions.push({ id: 10_000_000 - i, name, tags: [], createdAt, updatedAt: createdAt })
  }
  return versions
}

export const npmPolicy: RetentionPolicy = {
  packageType: 'npm',
  keepLast: 50,
  minAgeMs: 7 * DAY_MS,
  minAgeText: '7d',
  deleteTags: ['*-pr-*', '*-rc.*', '0.0.0-sha.*', '*-dev.{1,2,3}*'],
  keepTags: ['*.0.0', '1.2.*', '*-rc.1{0,1,2}', '!*-pr-*']
}

function digest(n: number): string {
  return `sha256:${hex(n, 16).repeat(4)}`
}

/**
 * Multi-architecture images: a tagged index with two platform manifests and an attestation manifest, some
 * signed with cosign, some children shared with the previous image, some indexes left untagged by a moved
 * tag.
 */
export function containerVersions(): { versions: PackageVersion[]; structure: ImageStructure } {
  const next = random(2)
  const versions: PackageVersion[] = []
  const manifests = new Map<string, ManifestInfo>()
  let time = NOW.getTime()
  let id = 50_000_000
  let previousChild = ''
  const add = (name: string, tags: string[], at: number): void => {
    const createdAt = isoTime(at)
    versions.push({ id: id--, name, tags, createdAt, updatedAt: createdAt })
  }
  for (let image = 0; versions.length < VERSIONS; image++) {
    time -= Math.floor(next() * 240) * 1000
    const index = digest(image * 8 + 1)
    const roll = next()
    const tags =
      roll < 0.5
        ? [`pr-${Math.floor(next() * 3000)}`]
        : roll < 0.75
          ? [`sha-${hex(image * 2_654_435_761, 7)}`]
          : roll < 0.8
            ? [`v${Math.floor(image / 1000)}.${image % 100}.0`, `sha-${hex(image, 7)}`]
            : []
    if (next() < 0.1)
      add(`sha256:${hex(image * 8 + 5, 16).repeat(4)}`, [`sha256-${index.slice(7)}.sig`], time + 1000)
    add(index, tags, time)
    const children = [digest(image * 8 + 2), digest(image * 8 + 3), digest(image * 8 + 4)]
    if (previousChild !== '' && next() < 0.1) children[0] = previousChild
    manifests.set(index, { children })
    for (const child of children) if (child !== previousChild) add(child, [], time - 1000)
    previousChild = children[1]
  }
  versions.length = VERSIONS
  return { versions, structure: manifests }
}

export const containerPolicy: RetentionPolicy = {
  packageType: 'container',
  keepLast: 20,
  minAgeMs: 7 * DAY_MS,
  minAgeText: '7d',
  deleteTags: ['pr-*', 'sha-*', '*-rc.*'],
  keepTags: ['v*.*.0', 'latest', 'main', '{stable,edge}'],
  untagged: 'include'
}

/** The same kind of work in four rules, as a policy file would say it. */
export const npmRules: RetentionPolicy = {
  ...npmPolicy,
  keepLast: 0,
  minAgeMs: 0,
  minAgeText: '0',
  deleteTags: [],
  keepTags: [],
  rules: [
    rule('releases', ['*.0.0', '1.2.*'], { keepForever: true }),
    rule('pull requests', ['*-pr-*'], { keepLast: 50, minAgeMs: 7 * DAY_MS, minAgeText: '7d' }),
    rule('release candidates', ['*-rc.*'], { keepLast: 10, minAgeMs: 7 * DAY_MS, minAgeText: '7d' }),
    rule('the rest', ['**'], { keepLast: 50, minAgeMs: 30 * DAY_MS, minAgeText: '30d' })
  ]
}

export const containerRules: RetentionPolicy = {
  ...containerPolicy,
  keepLast: 0,
  minAgeMs: 0,
  minAgeText: '0',
  deleteTags: [],
  keepTags: [],
  untagged: undefined,
  rules: [
    rule('releases', ['v*.*.0', 'latest', 'main'], { keepForever: true }),
    rule('pull requests', ['pr-*'], { keepLast: 20, minAgeMs: 7 * DAY_MS, minAgeText: '7d' }),
    rule('untagged', 'untagged', { minAgeMs: DAY_MS, minAgeText: '1d' }),
    rule('the rest', ['**'], { keepLast: 20, minAgeMs: 30 * DAY_MS, minAgeText: '30d' })
  ]
}

/** Versions as versions: the README's three rules, by range, pre-release and precedence within each minor. */
export const npmSemverRules: RetentionPolicy = {
  ...npmRules,
  rules: [
    rule('old majors', { semver: '<2.0.0' }, { order: 'semver', keepLast: 50 }),
    rule('pre-releases', ['**'], { prerelease: 'only', minAgeMs: 14 * DAY_MS, minAgeText: '14d' }),
    rule('patches', { semver: '>=2.0.0' }, { order: 'semver', per: 'minor', keepLast: 1 })
  ]
}

function rule(name: string, match: PolicyRule['match'], spec: Partial<PolicyRule>): PolicyRule {
  return { name, match, keepForever: false, keepLast: 0, minAgeMs: 0, minAgeText: '0', ...spec }
}

function shuffled<T>(items: readonly T[]): T[] {
  const next = random(3)
  const copy = [...items]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1))
    ;[copy[i], copy[j]] = [copy[j], copy[i]]
  }
  return copy
}

/** Each scenario builds its versions and returns the plan to time. */
const SCENARIOS: Record<string, () => () => DeletionPlan> = {
  'npm, API order (newest first)': () => {
    const versions = npmVersions()
    return () => planDeletions(versions, npmPolicy, NOW)
  },
  'npm, shuffled': () => {
    const versions = shuffled(npmVersions())
    return () => planDeletions(versions, npmPolicy, NOW)
  },
  'container with structure': () => {
    const { versions, structure } = containerVersions()
    return () => planDeletions(versions, containerPolicy, NOW, structure)
  },
  'container without structure': () => {
    const { versions } = containerVersions()
    return () => planDeletions(versions, containerPolicy, NOW)
  },
  'npm, four rules': () => {
    const versions = npmVersions()
    return () => planDeletions(versions, npmRules, NOW)
  },
  'npm, three semver rules': () => {
    const versions = npmVersions()
    return () => planDeletions(versions, npmSemverRules, NOW)
  },
  'container with structure, four rules': () => {
    const { versions, structure } = containerVersions()
    return () => planDeletions(versions, containerRules, NOW, structure)
  }
}

const megabytes = (bytes: number): number => Math.round(bytes / 2 ** 20)

function measure(scenario: string): ScenarioFigures {
  const plan = SCENARIOS[scenario]()
  collectGarbage()
  const { rss, heapUsed } = process.memoryUsage()
  const runsMs: number[] = []
  let planHeapMb = 0
  let result: DeletionPlan | undefined
  for (let run = 0; run < RUNS; run++) {
    // The previous plan is garbage by now: it must not count in this one's heap.
    result = undefined
    collectGarbage()
    const heapBefore = process.memoryUsage().heapUsed
    const start = performance.now()
    result = plan()
    runsMs.push(performance.now() - start)
    collectGarbage()
    planHeapMb = megabytes(process.memoryUsage().heapUsed - heapBefore)
  }
  const median = [...runsMs].sort((a, b) => a - b)[Math.floor(RUNS / 2)]
  return {
    scenario,
    versions: result?.decisions.length ?? 0,
    deletions: result?.deletions.length ?? 0,
    medianMs: Math.round(median),
    runsMs: runsMs.map(ms => Math.round(ms)),
    planHeapMb,
    dataHeapMb: megabytes(heapUsed),
    rssBeforeMb: megabytes(rss),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024)
  }
}

/** Runs every scenario in a process of its own, so that each has its own peak RSS. */
export async function benchPolicy(): Promise<PolicyBenchFigures> {
  const scenarios: ScenarioFigures[] = []
  for (const scenario of Object.keys(SCENARIOS)) {
    const script = fileURLToPath(import.meta.url)
    const { stdout } = await run(process.execPath, [...process.execArgv, script, scenario])
    scenarios.push(JSON.parse(stdout) as ScenarioFigures)
  }
  return { node: process.version, cores: availableParallelism(), scenarios }
}

/**
 * One rule against four, planned in turn in one process on the same versions, in CPU time: on a shared machine
 * the wall time of separate processes varies more than the difference measured.
 */
export function compareRules(kind: 'npm' | 'container', runs = 9): { oneMs: number[]; fourMs: number[] } {
  const data = kind === 'npm' ? { versions: npmVersions(), structure: undefined } : containerVersions()
  const [one, four] = kind === 'npm' ? [npmPolicy, npmRules] : [containerPolicy, containerRules]
  const oneMs: number[] = []
  const fourMs: number[] = []
  for (let run = 0; run < runs; run++) {
    for (const [policy, times] of [
      [one, oneMs],
      [four, fourMs]
    ] as const) {
      const start = process.cpuUsage()
      planDeletions(data.versions, policy, NOW, data.structure)
      const used = process.cpuUsage(start)
      times.push(Math.round((used.user + used.system) / 1000))
    }
  }
  return { oneMs: oneMs.sort((a, b) => a - b), fourMs: fourMs.sort((a, b) => a - b) }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const scenario = process.argv[2]
  if (scenario === '--rules') {
    for (const kind of ['npm', 'container'] as const) {
      const { oneMs, fourMs } = compareRules(kind)
      const median = (times: number[]) => times[Math.floor(times.length / 2)]
      console.log(
        `${kind}: one rule ${median(oneMs)} ms, four rules ${median(fourMs)} ms (CPU, median of ${oneMs.length});` +
          ` one: ${oneMs.join(' ')}; four: ${fourMs.join(' ')}`
      )
    }
  } else if (scenario !== undefined) {
    console.log(JSON.stringify(measure(scenario)))
  } else {
    const figures = await benchPolicy()
    console.log(`Node ${figures.node}, ${figures.cores} cores, ${VERSIONS} versions, median of ${RUNS} runs`)
    console.table(
      figures.scenarios.map(figure => ({
        scenario: figure.scenario,
        deletions: figure.deletions,
        'median ms': figure.medianMs,
        'runs ms': figure.runsMs.join(' '),
        'plan heap MB': figure.planHeapMb,
        'data heap MB': figure.dataHeapMb,
        'RSS before MB': figure.rssBeforeMb,
        'peak RSS MB': figure.peakRssMb
      }))
    )
  }
}
