/**
 * Start-up of a run without a policy: `npx tsx bench/startup.ts [DIST_DIR ...]` runs `node dist/index.js` of
 * each given dist/ (default: this one) as the runner does, a dry run on one npm package of 5 versions against
 * the embedded fake, RUNS times each, interleaved so that the machine's load falls on all alike. Prints the
 * median and the quartiles of the wall time from spawn to exit, and each dist/'s size.
 */
import { cpSync, mkdtempSync, readdirSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { runAction } from '../fake-github/run-action.js'
import { startFakeGitHub } from '../fake-github/server.js'

const TOKEN = 'ghp_bench'
const RUNS = Number(process.env.BENCH_RUNS ?? 21)

const bytes = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce(
    (sum, entry) =>
      sum + (entry.isDirectory() ? bytes(join(dir, entry.name)) : statSync(join(dir, entry.name)).size),
    0
  )

export async function benchStartup(dists = [resolve('dist')]) {
  const fake = await startFakeGitHub({
    owners: [{ login: 'acme', type: 'Organization' }],
    tokens: [
      { value: TOKEN, kind: 'classic', login: 'octocat', scopes: ['read:packages', 'delete:packages'] }
    ],
    packages: [
      {
        owner: 'acme',
        type: 'npm',
        name: 'web',
        visibility: 'private',
        repository: 'acme/app',
        versions: Array.from({ length: 5 }, (_, i) => ({
          id: i + 1,
          name: `1.0.${i}`,
          created_at: new Date(Date.now() - (30 - i) * 86_400_000).toISOString()
        }))
      }
    ]
  })
  const roots = dists.map(dist => {
    const root = mkdtempSync(join(tmpdir(), 'startup-'))
    cpSync('action.yml', join(root, 'action.yml'))
    cpSync(dist, join(root, 'dist'), { recursive: true })
    return root
  })
  const times: number[][] = dists.map(() => [])
  try {
    for (let run = 0; run < RUNS; run++)
      for (const [i, root] of roots.entries()) {
        const start = performance.now()
        const result = await runAction({
          fake,
          root,
          token: TOKEN,
          inputs: {
            owner: 'acme',
            'package-type': 'npm',
            'package-names': 'web',
            'keep-last': 2,
            'dry-run': true
          }
        })
        if (result.exitCode !== 0) throw new Error(`${dists[i]}: exit ${result.exitCode}\n${result.stderr}`)
        times[i].push(performance.now() - start)
      }
  } finally {
    await fake.close()
  }
  return dists.map((dist, i) => {
    const sorted = times[i].sort((a, b) => a - b)
    const at = (q: number) => Math.round(sorted[Math.floor(q * (sorted.length - 1))])
    return { dist, bytes: bytes(dist), runs: RUNS, medianMs: at(0.5), q1Ms: at(0.25), q3Ms: at(0.75) }
  })
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dists = process.argv.slice(2)
  console.log(JSON.stringify(await benchStartup(dists.length > 0 ? dists : undefined), null, 2))
}
