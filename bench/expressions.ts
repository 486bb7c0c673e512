/**
 * Expressions at their worst: `npx tsx bench/expressions.ts`. Plans 10,000 container versions, each with one
 * tag of 128 characters (the longest a tag may be), with a `keep-tags` expression built to make the matcher
 * do the most work within the size cap, and a usual one beside them. RE2 matches in time linear in the
 * tag's length times the expression's size, so the cap bounds each plan; the figures are the wall time (the
 * median of RUNS) and the process's CPU time for one plan, which a loaded machine inflates less.
 */
import { pathToFileURL } from 'node:url'
import { MAX_EXPRESSION_SIZE } from '../src/engine/globs.js'
import { planDeletions } from '../src/engine/policy.js'
import type { PackageVersion, RetentionPolicy } from '../src/types.js'

const TAGS = 10_000
const LENGTH = 128
const RUNS = 3
const NOW = new Date('2026-12-01T00:00:00Z')

/** Deterministic tags of `alphabet`, so that every run plans the same data. */
function tagsOf(alphabet: string): string[] {
  let state = 7
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2_147_483_648)
  return Array.from({ length: TAGS }, () =>
    Array.from({ length: LENGTH }, () => alphabet[(next() >>> 16) % alphabet.length]).join('')
  )
}

/** The item, what it stands for, and the tags that make it work hardest. */
const EXPRESSIONS: { item: string; shape: string; alphabet: string }[] = [
  { item: `/${'.*'.repeat(10)}x/`, shape: 'ten .* then a letter no tag has', alphabet: 'ab' },
  { item: `/${'(?:a*)'.repeat(10)}x/`, shape: 'ten a* then a letter no tag has', alphabet: 'a' },
  { item: `/(?i)${'[a-z]*'.repeat(10)}x/`, shape: 'ten classes, ignoring case', alphabet: 'aB' },
  { item: '/[ab]*a[ab]{19}/', shape: 'the 20th character from the end is a', alphabet: 'ab' },
  { item: '/(?:.{0,3}a){3}/', shape: 'counted repeats of any character', alphabet: 'ab' },
  { item: `/${'\\pL*'.repeat(10)}x/`, shape: 'ten Unicode letter classes', alphabet: 'ab' },
  { item: `/${'.*'.repeat(3)}x/`, shape: 'three .* (JavaScript took 5.4 s of CPU)', alphabet: 'ab' },
  { item: '/v\\d+\\.\\d+\\.\\d+(-rc\\.\\d+)?/', shape: 'a usual one', alphabet: 'v0123456789.-rc' }
]

export interface ExpressionFigures {
  item: string
  shape: string
  tags: number
  tagLength: number
  kept: number
  /** Wall time of one plan: median and every run, in ms. */
  medianMs: number
  runsMs: number[]
  /** CPU time of the process during the fastest run, in ms. */
  cpuMs: number
}

export function benchExpressions(): { cap: number; expressions: ExpressionFigures[] } {
  const expressions = EXPRESSIONS.map(({ item, shape, alphabet }) => {
    const versions: PackageVersion[] = tagsOf(alphabet).map((tag, i) => {
      const at = new Date(NOW.getTime() - (i + 1) * 60_000).toISOString()
      return { id: i + 1, name: `sha256:${i}`, tags: [tag], createdAt: at, updatedAt: at }
    })
    const policy: RetentionPolicy = {
      packageType: 'container',
      keepLast: 0,
      minAgeMs: 0,
      minAgeText: '0',
      deleteTags: [],
      keepTags: [item],
      untagged: 'exclude'
    }
    const runsMs: number[] = []
    let cpuMs = Infinity
    let kept = 0
    for (let run = 0; run < RUNS; run++) {
      const cpu = process.cpuUsage()
      const started = performance.now()
      const plan = planDeletions(versions, policy, NOW)
      runsMs.push(Math.round(performance.now() - started))
      const used = process.cpuUsage(cpu)
      cpuMs = Math.min(cpuMs, Math.round((used.user + used.system) / 1000))
      kept = TAGS - plan.deletions.length
    }
    const medianMs = [...runsMs].sort((a, b) => a - b)[Math.floor(RUNS / 2)]
    return { item, shape, tags: TAGS, tagLength: LENGTH, kept, medianMs, runsMs, cpuMs }
  })
  return { cap: MAX_EXPRESSION_SIZE, expressions }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href)
  console.log(JSON.stringify(benchExpressions(), null, 2))
