/**
 * An organisation at size: `npx tsx bench/org.ts [dry-run | runs BUDGET [dry]]`. 1,000 Maven packages of 1,000 versions each, one an hour,
 * the newest 8 days old (1,000,000 versions, made by the fake only when a package is first read), all matched
 * by `package-names: '*'`, keep-last 500: 500,000 versions to delete. The bundled action runs as a workflow
 * would run it, a dry run with a budget of 15,000 requests an hour (GitHub Enterprise Cloud), which covers its
 * listing. Prints the wall time, the requests, the action's peak RSS and the fake's heap.
 *
 * `runs BUDGET`: how many runs, one budget window apart, clear the backlog (every package down to 500
 * versions) with BUDGET requests a window; `runs BUDGET dry`: how many dry runs it takes to plan every package.
 * The runs go in this process against the same fake, whose clock moves on by a window between runs (so the
 * budget comes back without waiting an hour). The fake has no secondary limit here and the client's pacing of
 * deletes (170 a minute) is opened up, so that a run sends what it would send, only faster: the budget alone
 * decides how many runs it takes. The floor beside it: deletes / budget.
 *
 * BENCH_PACKAGES and BENCH_VERSIONS (default 1,000 each) and BENCH_LATENCY_MS (default 0) change the world.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Scenario } from '../fake-github/scenario.js'
import { SERVER_STYLE, startFakeGitHub } from '../fake-github/server.js'
import { PACKAGE_ROOT, readInputDeclarations, runAction } from '../fake-github/run-action.js'
import { loadConfig } from '../src/config/inputs.js'
import { runRetention } from '../src/run/run.js'

const TOKEN = 'ghp_bench'
const HOUR = 3_600_000
const MAX_RSS = fileURLToPath(new URL('max-rss.mjs', import.meta.url))

export interface OrgSize {
  packages: number
  versions: number
  latencyMs: number
}

export const sizeFromEnv = (): OrgSize => ({
  packages: Number(process.env.BENCH_PACKAGES ?? 1_000),
  versions: Number(process.env.BENCH_VERSIONS ?? 1_000),
  latencyMs: Number(process.env.BENCH_LATENCY_MS ?? 0)
})

/** The organisation: `packages` Maven packages of `versions` versions each, generated when first read. */
export function orgWorld(size: OrgSize, rateLimit: Scenario['rateLimit']): Scenario {
  const newest = new Date(Date.now() - 8 * 24 * HOUR).toISOString()
  return {
    owners: [{ login: 'acme', type: 'Organization' }],
    tokens: [
      {
        value: TOKEN,
        kind: 'classic',
        login: 'octocat',
        scopes: ['read:packages', 'delete:packages', 'repo']
      }
    ],
    packages: Array.from({ length: size.packages }, (_, p) => ({
      owner: 'acme',
      type: 'maven' as const,
      name: `com.acme.pkg-${String(p).padStart(4, '0')}`,
      visibility: 'private' as const,
      versions: [],
      generate: { count: size.versions, firstId: p * size.versions + 1, newest, everyMs: HOUR }
    })),
    rateLimit,
    ...(size.latencyMs > 0 ? { latencyMs: size.latencyMs } : {})
  }
}

export const ORG_INPUTS = {
  owner: 'acme',
  'package-type': 'maven',
  'package-names': '*',
  'keep-last': 500
}

/** The dry run over the whole organisation with a budget that covers its listing. */
export async function orgDryRun(size = sizeFromEnv()) {
  const fake = await startFakeGitHub(orgWorld(size, { limit: 15_000 }), SERVER_STYLE)
  const heapBefore = process.memoryUsage().heapUsed
  const started = performance.now()
  try {
    const run = await runAction({
      fake,
      token: TOKEN,
      timeoutMs: 30 * 60_000,
      inputs: { ...ORG_INPUTS, 'dry-run': true },
      env: { NODE_OPTIONS: `--import=${MAX_RSS}` }
    })
    const seconds = (performance.now() - started) / 1000
    const maxRssKb = Number(/max-rss-kb (\d+)/.exec(run.stderr)?.[1])
    if (run.exitCode !== 0)
      throw new Error(
        `exit ${run.exitCode}\n${run.annotations
          .map(a => a.message)
          .join('\n')
          .slice(-2000)}\n${run.stderr.slice(-2000)}`
      )
    const fakeHeapMb = Math.round((process.memoryUsage().heapUsed - heapBefore) / 1e6)
    return {
      ...size,
      exitCode: run.exitCode,
      seconds: Math.round(seconds * 10) / 10,
      requests: fake.requests.length,
      limited: fake.requests.filter(r => r.status === 403 || r.status === 429).length,
      wouldDelete: Number(run.outputs['deleted-count']),
      actionPeakRssMb: Math.round(maxRssKb / 1024),
      fakeHeapMb
    }
  } finally {
    await fake.close()
  }
}

const quiet = { debug: () => {}, info: () => {}, notice: () => {}, warning: () => {}, error: () => {} }

/** Runs one budget window apart until the backlog is gone (or, `dryRun`, every package was planned once). */
export async function runsUntilDone(budget: number, dryRun: boolean, size = sizeFromEnv(), maxRuns = 2_000) {
  let now = Date.now()
  const fake = await startFakeGitHub(orgWorld(size, { limit: budget }), { now: () => new Date(now) })
  const keep = ORG_INPUTS['keep-last']
  const backlog = size.packages * Math.max(0, size.versions - keep)
  const declared = readInputDeclarations(readFileSync(join(PACKAGE_ROOT, 'action.yml'), 'utf8'))
  const inputs: Record<string, string> = {
    ...Object.fromEntries(Object.entries(ORG_INPUTS).map(([k, v]) => [k, String(v)])),
    token: TOKEN,
    'api-url': fake.url,
    'dry-run': String(dryRun)
  }
  const read = (name: string) =>
    inputs[name] ?? declared.find(d => d.name === name && !d.default?.includes('${{'))?.default ?? ''
  const config = await loadConfig(read, {}, quiet)
  const recordDirectory = mkdtempSync(join(tmpdir(), 'bench-org-'))
  // As docs/large-organizations.md sets it up: a place for the run's state, so that the packages a budget stop
  // left go first next time (the Actions cache does this on a hosted runner).
  process.env.PACKAGE_RETENTION_RUN_STATE_DIR = mkdtempSync(join(tmpdir(), 'bench-org-state-'))
  const planned = new Set<string>()
  const runs: { requests: number; deletes: number; limited: number; planned: number }[] = []
  // Deletes beyond keep-last cannot happen, so the backlog left is what was not yet deleted.
  const left = () => backlog - runs.reduce((n, r) => n + r.deletes, 0)
  try {
    while (runs.length < maxRuns && (dryRun ? planned.size < size.packages : left() > 0)) {
      const from = fake.requests.length
      const { report } = await runRetention(
        // The pace of deletes opened up: the fake counts no secondary limit here.
        { ...config, writesPerWindow: 1_000_000 } as typeof config,
        { log: quiet, group: (_title, step) => step(), recordDirectory }
      )
      report.packages.filter(p => p.plan).forEach(p => planned.add(p.name))
      const sent = fake.requests.slice(from)
      runs.push({
        requests: sent.length,
        deletes: sent.filter(r => r.method === 'DELETE' && r.status === 204).length,
        limited: sent.filter(r => r.status === 403 || r.status === 429).length,
        planned: report.packages.filter(p => p.plan).length
      })
      now += 3_600_000
    }
  } finally {
    await fake.close()
  }
  return {
    ...size,
    budget,
    dryRun,
    done: dryRun ? planned.size === size.packages : left() === 0,
    runs: runs.length,
    floor: dryRun ? undefined : Math.ceil(backlog / budget),
    backlog: dryRun ? undefined : backlog,
    limitedAnswers: runs.reduce((n, r) => n + r.limited, 0),
    firstRuns: runs.slice(0, 3),
    lastRun: runs.at(-1)
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [mode = 'dry-run', budget = '5000', dry] = process.argv.slice(2)
  const result = mode === 'runs' ? await runsUntilDone(Number(budget), dry === 'dry') : await orgDryRun()
  console.log(JSON.stringify(result, null, 2))
}
