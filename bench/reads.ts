/**
 * Container manifest reads per run, on the bundled action against the embedded fake: `npx tsx bench/reads.ts`.
 * Every manifest read is a download of the package; each case counts the reads and checks the outcome.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createHash } from 'node:crypto'
import { generateScenario } from '../fake-github/generate.js'
import type { Scenario, VersionSpec } from '../fake-github/scenario.js'
import { SERVER_STYLE, startFakeGitHub, type FakeGitHub } from '../fake-github/server.js'
import { runAction } from '../fake-github/run-action.js'
import { largePackageWorld, NOTHING_TO_DELETE } from './large-package.js'

const TOKEN = 'ghp_bench'
const DAY = 86_400_000
const CONTAINER = { owner: 'acme', 'package-type': 'container', 'package-names': 'app' }
const digest = (label: string) => `sha256:${createHash('sha256').update(label).digest('hex')}`
const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString()

function world(
  versions: VersionSpec[],
  extra: Partial<Scenario> = {},
  visibility: 'public' | 'private' = 'private'
): Scenario {
  return {
    owners: [{ login: 'acme', type: 'Organization' }],
    tokens: [
      { value: TOKEN, kind: 'classic', login: 'octocat', scopes: ['read:packages', 'delete:packages'] }
    ],
    packages: [{ owner: 'acme', type: 'container', name: 'app', visibility, versions }],
    ...extra
  }
}

const versionState = (fake: FakeGitHub, id: number) =>
  fake.state().packages[0].versions.find(v => v.id === id)?.state

/** 10,000 versions, half tagged, and a policy that deletes nothing; 100 ms a request (bench/large-package.ts). */
async function noOp() {
  const fake = await startFakeGitHub(largePackageWorld(), SERVER_STYLE)
  const started = performance.now()
  const run = await runAction({ fake, token: TOKEN, timeoutMs: 120_000, inputs: NOTHING_TO_DELETE })
  const runMs = performance.now() - started
  // Reading the 100 pages one after another, following rel="next".
  const sequentialStarted = performance.now()
  let url: string | undefined = `${fake.url}/orgs/acme/packages/container/app/versions?per_page=100&page=1`
  while (url) {
    const response = await fetch(url, { headers: { authorization: `token ${TOKEN}` } })
    await response.json()
    url = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1]
  }
  const sequentialMs = performance.now() - sequentialStarted
  await fake.close()
  return {
    exitCode: run.exitCode,
    reads: fake.manifestReads,
    runMs: Math.round(runMs),
    pagesOneByOneMs: Math.round(sequentialMs),
    share: `${Math.round((runMs / sequentialMs) * 100)}%`
  }
}

/** A public release at exactly 5,000 downloads, beyond keep-last, and a newer one kept. */
async function releaseAt5000() {
  const fake = await startFakeGitHub(
    world(
      [
        { id: 1, name: digest('old'), tags: ['v1'], created_at: daysAgo(40), downloads: 5000 },
        { id: 2, name: digest('new'), tags: ['v2'], created_at: daysAgo(1) }
      ],
      {},
      'public'
    ),
    SERVER_STYLE
  )
  const run = await runAction({ fake, token: TOKEN, inputs: { ...CONTAINER, 'keep-last': 1, 'min-age': 0 } })
  await fake.close()
  return {
    exitCode: run.exitCode,
    reads: fake.manifestReads,
    releaseDeleted: versionState(fake, 1) === 'deleted'
  }
}

/** A public index over 5,000 downloads that GitHub refuses to delete, with two platform manifests. */
async function refusedIndex() {
  const fake = await startFakeGitHub(
    world(
      [
        { id: 1, name: digest('v1/amd64'), tags: [], created_at: daysAgo(40) },
        { id: 2, name: digest('v1/arm64'), tags: [], created_at: daysAgo(40) },
        {
          id: 3,
          name: digest('v1'),
          tags: ['v1'],
          created_at: daysAgo(40),
          downloads: 9000,
          manifest: { kind: 'index', children: [digest('v1/amd64'), digest('v1/arm64')] }
        },
        { id: 4, name: digest('v2'), tags: ['v2'], created_at: daysAgo(1) }
      ],
      {},
      'public'
    ),
    SERVER_STYLE
  )
  const run = await runAction({ fake, token: TOKEN, inputs: { ...CONTAINER, 'keep-last': 1, 'min-age': 0 } })
  await fake.close()
  return {
    exitCode: run.exitCode,
    reads: fake.manifestReads,
    pullable: fake.isPullable('acme', 'app', 'v1')
  }
}

/** A generated history read cold, then again with the cache warm after a fifth more versions were pushed. */
async function warmCache() {
  const dir = await mkdtemp(join(tmpdir(), 'bench-manifests-'))
  const env = { PACKAGE_RETENTION_MANIFEST_CACHE_DIR: dir }
  const later = generateScenario({
    seed: 11,
    containerBuilds: 50,
    multiArchShare: 0.6,
    signedShare: 0.5,
    token: TOKEN
  })
  // The same history before its newest fifth of versions were pushed.
  const earlier = structuredClone(later)
  const app = earlier.packages.find(p => p.type === 'container')!
  const times = app.versions.map(v => Date.parse(v.created_at)).sort((a, b) => a - b)
  const cutoff = times[Math.floor(times.length * 0.8)]
  app.versions = app.versions.filter(v => Date.parse(v.created_at) < cutoff)
  const inputs = { ...CONTAINER, untagged: 'only', 'min-age': 0, 'dry-run': true }
  const cold = await startFakeGitHub(earlier, SERVER_STYLE)
  const coldRun = await runAction({ fake: cold, token: TOKEN, env, inputs })
  await cold.close()
  const warm = await startFakeGitHub(later, SERVER_STYLE)
  const warmRun = await runAction({ fake: warm, token: TOKEN, env, inputs })
  await warm.close()
  const line = (stdout: string) => /manifest cache: .*/.exec(stdout)?.[0]
  return {
    versions: [app.versions.length, later.packages.find(p => p.type === 'container')!.versions.length],
    exitCodes: [coldRun.exitCode, warmRun.exitCode],
    coldReads: cold.manifestReads,
    warmReads: warm.manifestReads,
    coldLine: line(coldRun.stdout),
    warmLine: line(warmRun.stdout)
  }
}

export async function benchReads() {
  return {
    noOp: await noOp(),
    releaseAt5000: await releaseAt5000(),
    refusedIndex: await refusedIndex(),
    warmCache: await warmCache()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchReads(), null, 2))
}
