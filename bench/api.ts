/**
 * The run against the embedded fake API: `npx tsx bench/api.ts`. Measures requests against the minimum,
 * listing 10,000 versions at 100 ms a request, deletes a minute under GitHub's secondary limit, and manifest
 * reads for container images, and the common daily run of 100 deletes at 20 ms a request. The deletes bench
 * (BENCH_DELETES, default 990) runs about five minutes: 170 at once, then 170 more each minute; set
 * BENCH_DELETES=200 for a quick check (about a minute).
 */
import { pathToFileURL } from 'node:url'
import { generateScenario } from '../fake-github/generate.js'
import type { Scenario, VersionSpec } from '../fake-github/scenario.js'
import { startFakeGitHub, type FakeGitHub } from '../fake-github/server.js'
import { runAction } from '../fake-github/run-action.js'
import { GitHubPackagesClient } from '../src/github/rest-client.js'

const TOKEN = 'ghp_bench'
const DAY = 86_400_000
const quiet = { debug: () => {}, info: () => {}, warning: () => {}, error: () => {} }

function world(versionsPerPackage: number[], extra: Partial<Scenario> = {}): Scenario {
  return {
    owners: [{ login: 'acme', type: 'Organization' }],
    tokens: [
      {
        value: TOKEN,
        kind: 'classic',
        login: 'octocat',
        scopes: ['read:packages', 'delete:packages', 'write:packages']
      }
    ],
    packages: versionsPerPackage.map((count, p) => ({
      owner: 'acme',
      type: 'npm',
      name: `pkg-${p}`,
      visibility: 'private',
      versions: Array.from({ length: count }, (_, i): VersionSpec => ({
        id: p * 1_000_000 + i + 1,
        name: `1.0.${i}`,
        created_at: new Date(Date.now() - (count - i + 1) * 60_000 - DAY).toISOString()
      }))
    })),
    ...extra
  }
}

const apiRequests = (fake: FakeGitHub) =>
  fake.requests.filter(r => !r.path.startsWith('/v2/') && r.path !== '/token')

export async function requestsAgainstMinimum() {
  const perPackage = [250, 250, 250]
  const keep = 230
  const fake = await startFakeGitHub(world(perPackage))
  const run = await runAction({
    fake,
    token: TOKEN,
    timeoutMs: 120_000,
    inputs: {
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'pkg-0, pkg-1, pkg-2',
      'keep-last': keep,
      'min-age': 0
    }
  })
  await fake.close()
  const pages = perPackage.reduce((n, count) => n + Math.ceil(count / 100), 0)
  // A stable listing of one page is one request, of two pages three, of more pages two more than there are.
  const listing = (count: number) => {
    const n = Math.ceil(count / 100)
    return n === 1 ? 1 : n === 2 ? 3 : n + 2
  }
  const reads = perPackage.reduce((n, count) => n + listing(count), 0)
  const checks = perPackage.reduce((n, count) => n + listing(Math.min(count, keep)), 0)
  const deletes = perPackage.reduce((n, count) => n + count - keep, 0)
  return {
    exitCode: run.exitCode,
    requests: apiRequests(fake).length,
    minimum: 1 + reads + deletes + checks,
    breakdown: `1 owner detection + ${reads} listing requests (${pages} pages, page 1 and the last again) + ${deletes} deletes + ${checks} listing again to check`
  }
}

/** The common daily run: 100 deletes, every request answered in 20 ms. */
export async function smallRun(count = 100) {
  const fake = await startFakeGitHub(world([count + 1], { latencyMs: 20 }))
  const started = performance.now()
  const run = await runAction({
    fake,
    token: TOKEN,
    timeoutMs: 120_000,
    inputs: { owner: 'acme', 'package-type': 'npm', 'package-names': 'pkg-0', 'keep-last': 1, 'min-age': 0 }
  })
  const seconds = (performance.now() - started) / 1000
  await fake.close()
  return {
    exitCode: run.exitCode,
    deleted: Number(run.outputs['deleted-count']),
    seconds: Math.round(seconds * 100) / 100,
    requests: apiRequests(fake).length
  }
}

export async function listingAtLatency() {
  const fake = await startFakeGitHub(world([10_000], { latencyMs: 100 }))
  const client = new GitHubPackagesClient({
    token: TOKEN,
    apiUrl: fake.url,
    log: quiet
  })
  const scope = { login: 'acme', kind: 'organization' as const, path: '/orgs/acme' }
  let started = performance.now()
  const listed = await client.listVersions(scope, 'npm', 'pkg-0')
  const parallelMs = performance.now() - started

  // The page-by-page way: follow rel="next" one request at a time.
  started = performance.now()
  let url: string | undefined = `${fake.url}/orgs/acme/packages/npm/pkg-0/versions?per_page=100&page=1`
  let sequentialCount = 0
  while (url) {
    const response = await fetch(url, { headers: { authorization: `token ${TOKEN}` } })
    sequentialCount += ((await response.json()) as unknown[]).length
    url = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1]
  }
  const sequentialMs = performance.now() - started
  await fake.close()
  return {
    versions: listed.length,
    requests: client.requestCount,
    parallelMs: Math.round(parallelMs),
    sequentialMs: Math.round(sequentialMs),
    sequentialVersions: sequentialCount,
    share: `${Math.round((parallelMs / sequentialMs) * 100)}%`
  }
}

export async function deletesPerMinute(count: number) {
  // GitHub's secondary limit: 900 points a minute per endpoint, a DELETE costing 5.
  const fake = await startFakeGitHub(world([count + 1], { secondary: { points: 900, windowMs: 60_000 } }))
  const started = performance.now()
  const run = await runAction({
    fake,
    token: TOKEN,
    timeoutMs: 10 * 60_000,
    inputs: { owner: 'acme', 'package-type': 'npm', 'package-names': 'pkg-0', 'keep-last': 1, 'min-age': 0 }
  })
  const minutes = (performance.now() - started) / 60_000
  const deletes = fake.requests.filter(r => r.method === 'DELETE')
  const limited = fake.requests.filter(r => r.status === 403 || r.status === 429).length
  // The most deletes the fake saw in any 60 s (its window), to show the pace never went over.
  const times = deletes.map(r => Date.parse(r.time)).sort((a, b) => a - b)
  let busiest = 0
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= 60_000) j++
    busiest = Math.max(busiest, i - j + 1)
  }
  await fake.close()
  return {
    exitCode: run.exitCode,
    deleted: Number(run.outputs['deleted-count']),
    deleteRequests: deletes.length,
    minutes: Math.round(minutes * 100) / 100,
    perMinute: Math.round(Number(run.outputs['deleted-count']) / minutes),
    busiestMinute: busiest,
    limitHits: limited
  }
}

async function manifestReads() {
  const scenario = generateScenario({
    seed: 11,
    containerBuilds: 40,
    multiArchShare: 0.6,
    signedShare: 0.5,
    token: TOKEN
  })
  const app = scenario.packages.find(p => p.type === 'container')!
  const fake = await startFakeGitHub(scenario)
  const run = await runAction({
    fake,
    token: TOKEN,
    timeoutMs: 120_000,
    inputs: {
      owner: 'acme',
      'package-type': 'container',
      'package-names': 'app',
      untagged: 'only',
      'min-age': 0,
      'dry-run': true
    }
  })
  await fake.close()
  const tagged = app.versions.filter(v => (v.tags ?? []).some(t => !/^sha256-[0-9a-f]{64}\./.test(t))).length
  const untagged = app.versions.filter(v => (v.tags ?? []).length === 0).length
  return {
    exitCode: run.exitCode,
    versions: app.versions.length,
    tagged,
    untagged,
    manifestReads: fake.manifestReads
  }
}

export async function benchApi() {
  return {
    requests: await requestsAgainstMinimum(),
    smallRun: await smallRun(),
    listing: await listingAtLatency(),
    manifests: await manifestReads(),
    deletes: await deletesPerMinute(Number(process.env.BENCH_DELETES ?? 990))
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchApi(), null, 2))
}
