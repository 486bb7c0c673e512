/**
 * A matrix of jobs over one organization: `shard: K/N` gives each job a stable share of the packages, so that
 * N jobs at once, with one token, serve each package once and send each DELETE once.
 */
import { expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { aWorld, activeIds, parsed, versions } from './world.js'

const NAMES = Array.from({ length: 12 }, (_, i) => `lib-${String(i).padStart(2, '0')}`)

it('four shards at once delete each version once, each job naming its shard', async () => {
  let world = aWorld().withOrganisation('acme').withClassicToken('octocat')
  NAMES.forEach((name, i) => (world = world.withPackage('maven', name, versions(14, 1 + i * 100))))
  const fake = await world.with({ secondary: { points: 900, windowMs: 60_000 } }).start()
  const inputs = { owner: 'acme', 'package-type': 'maven', 'package-names': '*', 'keep-last': 10 }
  const runs = await Promise.all([1, 2, 3, 4].map(k => fake.run({ ...inputs, shard: `${k}/4` })))

  expect(runs.map(r => r.exitCode)).toEqual([0, 0, 0, 0])
  runs.forEach((run, k) => {
    expect(run.summary).toContain(`## Package retention: acme (maven, shard ${k + 1}/4)`)
    expect(parsed(run, 'failed')).toEqual([])
  })
  // Every package served by exactly one job, every DELETE sent once, and the organisation clean.
  const served = runs.flatMap(run => [...new Set(parsed(run, 'deleted').map(d => d.package))])
  expect(served.sort()).toEqual(NAMES)
  const deletes = fake.requests.filter(r => r.method === 'DELETE').map(r => r.path)
  expect(deletes).toHaveLength(12 * 4)
  expect(new Set(deletes).size).toBe(deletes.length)
  expect(fake.requests.filter(r => r.status >= 400)).toEqual([])
  for (const name of NAMES) expect(activeIds(fake, name)).toHaveLength(10)
})

it('the nightly matrix of docs/large-organizations.md runs as written, as a dry run of each shard', async () => {
  const page = readFileSync(new URL('../../docs/large-organizations.md', import.meta.url), 'utf8')
  const block = /```yaml\n([\s\S]*?)```/.exec(page)?.[1] ?? ''
  const workflow = parse(block) as {
    jobs: { retention: { strategy: { 'fail-fast': boolean; matrix: { shard: number[] } }; steps: Step[] } }
  }
  const job = workflow.jobs.retention
  expect(job.strategy['fail-fast']).toBe(false)
  let world = aWorld().withOrganisation('acme').withClassicToken('octocat')
  NAMES.forEach((name, i) => (world = world.withPackage('maven', name, versions(14, 1 + i * 100))))
  const fake = await world.start()
  const runs = await Promise.all(
    job.strategy.matrix.shard.map(shard => {
      const inputs = Object.fromEntries(
        Object.entries(job.steps[0].with)
          .filter(([name]) => name !== 'token')
          .map(([name, value]) => [name, String(value).replace('${{ matrix.shard }}', String(shard))])
      )
      return fake.run({ ...inputs, 'dry-run': true })
    })
  )
  expect(runs.map(r => r.exitCode)).toEqual([0, 0, 0, 0])
  const planned = runs.flatMap(run => parsed(run, 'deleted').map(d => `${d.package} ${d.id}`))
  expect(planned).toHaveLength(12 * 4)
  expect(new Set(planned).size).toBe(planned.length)
  runs.forEach((run, k) => expect(run.summary).toContain(`(maven, shard ${k + 1}/4) — dry run`))
  expect(fake.requests.filter(r => r.method !== 'GET')).toEqual([])
})

interface Step {
  with: Record<string, string | number>
}
