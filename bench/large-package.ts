/**
 * One large package near its floor: `npx tsx bench/large-package.ts [DIST_DIR ...]`. One container package of
 * 10,000 versions (half tagged), every request answered in 100 ms, a policy that deletes nothing; the bundled
 * action of each given dist/ (default: this one) runs as the runner starts it, RUNS times each, interleaved so
 * that the machine's load falls on all alike. For each it prints the median of the whole step and of its
 * phases, read from the fake's request log: until the first request, the listing, and after the last answer.
 *
 * The floor is what the requests alone need: each request that waits for another's answer adds one latency.
 * Owner detection → page 1 (and the package's own read) → the last page → the 98 pages between (at once) →
 * page 1 and the last page again: 5 round trips, 104 requests. Within the client's bound of 50 requests in
 * flight the pages between take two round trips: 6.
 */
import { createHash } from 'node:crypto'
import { cpSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Scenario, VersionSpec } from '../fake-github/scenario.js'
import { SERVER_STYLE, startFakeGitHub } from '../fake-github/server.js'
import { runAction } from '../fake-github/run-action.js'

const TOKEN = 'ghp_bench'
const DAY = 86_400_000
const LATENCY_MS = 100
const RUNS = Number(process.env.BENCH_RUNS ?? 5)
/** Requests that wait for another's answer, one after the other, within the client's bound; see above. */
const ROUND_TRIPS = 6

/** 10,000 container versions, every other one tagged; `latencyMs` before every answer. */
export function largePackageWorld(latencyMs = LATENCY_MS): Scenario {
  const digest = (label: string) => `sha256:${createHash('sha256').update(label).digest('hex')}`
  const versions = Array.from({ length: 10_000 }, (_, i): VersionSpec => ({
    id: i + 1,
    name: digest(`v${i}`),
    tags: i % 2 === 0 ? [`v${i}`] : [],
    created_at: new Date(Date.now() - (10_000 - i) * DAY).toISOString()
  }))
  return {
    owners: [{ login: 'acme', type: 'Organization' }],
    tokens: [
      { value: TOKEN, kind: 'classic', login: 'octocat', scopes: ['read:packages', 'delete:packages'] }
    ],
    packages: [{ owner: 'acme', type: 'container', name: 'app', visibility: 'private', versions }],
    latencyMs
  }
}

export const NOTHING_TO_DELETE = {
  owner: 'acme',
  'package-type': 'container',
  'package-names': 'app',
  'keep-last': 20000,
  untagged: 'exclude',
  'min-age': 0
}

/** One run of the bundle under `root`: the whole step and its phases, in ms from spawn. */
async function timedRun(root: string) {
  const fake = await startFakeGitHub(largePackageWorld(), SERVER_STYLE)
  const started = Date.now()
  try {
    const run = await runAction({ fake, root, token: TOKEN, timeoutMs: 120_000, inputs: NOTHING_TO_DELETE })
    const ended = Date.now()
    if (run.exitCode !== 0) throw new Error(`${root}: exit ${run.exitCode}\n${run.stderr}`)
    const arrivals = fake.requests.map(r => Date.parse(r.time) - started)
    const listing = fake.requests
      .map((r, i) => ({ r, at: arrivals[i] }))
      .filter(({ r }) => r.path.endsWith('/versions'))
    const lastAnswer = Math.max(...arrivals) + LATENCY_MS
    return {
      totalMs: ended - started,
      firstRequestMs: Math.min(...arrivals),
      listingMs: Math.max(...listing.map(l => l.at)) + LATENCY_MS - Math.min(...listing.map(l => l.at)),
      afterLastAnswerMs: ended - started - lastAnswer,
      requests: fake.requests.length,
      peakConcurrency: fake.peakConcurrency,
      manifestReads: fake.manifestReads
    }
  } finally {
    await fake.close()
  }
}

export async function benchLargePackage(dists = [resolve('dist')]) {
  const roots = dists.map(dist => {
    const root = mkdtempSync(join(tmpdir(), 'large-package-'))
    cpSync('action.yml', join(root, 'action.yml'))
    cpSync(dist, join(root, 'dist'), { recursive: true })
    return root
  })
  const runs: Awaited<ReturnType<typeof timedRun>>[][] = dists.map(() => [])
  for (let n = 0; n < RUNS; n++) for (const [i, root] of roots.entries()) runs[i].push(await timedRun(root))
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]
  return {
    floor: { requests: 104, roundTrips: ROUND_TRIPS, ms: ROUND_TRIPS * LATENCY_MS },
    dists: dists.map((dist, i) => ({
      dist,
      runs: RUNS,
      totalMs: median(runs[i].map(r => r.totalMs)),
      firstRequestMs: median(runs[i].map(r => r.firstRequestMs)),
      listingMs: median(runs[i].map(r => r.listingMs)),
      afterLastAnswerMs: median(runs[i].map(r => r.afterLastAnswerMs)),
      totals: runs[i].map(r => r.totalMs),
      requests: runs[i][0].requests,
      peakConcurrency: Math.max(...runs[i].map(r => r.peakConcurrency)),
      manifestReads: runs[i][0].manifestReads
    }))
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dists = process.argv.slice(2)
  console.log(JSON.stringify(await benchLargePackage(dists.length > 0 ? dists : undefined), null, 2))
}
