/**
 * The rate budget, as an organisation's nightly run meets it: the run plans its listing, deletes and check
 * within what GitHub reports left, less the reserve, sends nothing past it, says what is left, and the next
 * run (a window later) picks up where it stopped.
 */
import { describe, expect, it } from '@jest/globals'
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { aWorld, activeIds, parsed, versions, type Fake } from './world.js'
import type { ActionRun } from '../support/run-action.js'

/** `count` Maven packages `lib-00` … of `perPackage` versions each (ids 1000 apart). */
function organisation(count: number, perPackage: number, limit: number) {
  let world = aWorld().withOrganisation('acme').withClassicToken('octocat')
  for (let i = 0; i < count; i++)
    world = world.withPackage(
      'maven',
      `lib-${String(i).padStart(2, '0')}`,
      versions(perPackage, 1 + i * 1000)
    )
  return world.with({ rateLimit: { limit } })
}

const nightly = { owner: 'acme', 'package-type': 'maven', 'package-names': '*', 'keep-last': 10 }

/** Answers GitHub gives a spent primary budget: 403 or 429 with remaining 0. */
const primaryLimited = (fake: Fake, from = 0) =>
  fake.requests.slice(from).filter(r => (r.status === 403 || r.status === 429) && !r.path.startsWith('/v2/'))

const annotations = (run: ActionRun, level: string) =>
  run.annotations.filter(a => a.level === level).map(a => a.message)

describe('the rate budget', () => {
  it('a stop for the budget exits 0 and says what is left and when the budget resets', async () => {
    // 30 packages and 20 requests: the listing itself does not fit.
    const fake = await organisation(30, 12, 20).start()
    const run = await fake.run(nightly)
    expect(run.exitCode).toBe(0)
    expect(primaryLimited(fake)).toEqual([])
    // 20 requests, 2 kept back (10%): the owner, the package list, then as many packages as can be cleaned, each
    // listed (1), its 2 deletes and its check (1); the 26 packages not reached wait for the next run.
    const spent = fake.requests.filter(r => r.path !== '/api/v3/rate_limit')
    expect(spent).toHaveLength(18)
    expect(spent.filter(r => r.method === 'DELETE' && r.status === 204)).toHaveLength(8)
    expect(run.outputs['deleted-count']).toBe('8')
    expect(run.outputs['pending-packages']).toBe('26')
    expect(run.outputs['pending-versions']).toBe('0')
    const reset = run.outputs['rate-limit-reset']
    expect(reset).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/)
    expect(Date.parse(reset) - Date.now()).toBeGreaterThan(50 * 60_000)
    expect(run.summary).toContain(
      `:hourglass: **Stopped for the API rate budget**: 26 package(s) and 0 planned deletion(s) are left for the next run, which takes the packages in name order (nothing remembers which were not reached: no cache service, and PACKAGE_RETENTION_RUN_STATE_DIR not set); the budget resets at ${reset}`
    )
    expect(run.summary).toContain('| lib-29 | not reached: rate budget | 0 | 0 | 0 | 0 |')
    expect(annotations(run, 'warning')).toContain(
      `Stopped for the API rate budget: 26 package(s) left for the next run (4 served), 0 planned deletion(s) not sent; nothing remembers which were not reached (no cache service, and PACKAGE_RETENTION_RUN_STATE_DIR not set), so the next run takes the packages in name order. The budget resets at ${reset}.`
    )
    expect(parsed(run, 'failed-packages')).toEqual([])
  })

  it('a budget smaller than the listing of every package deletes in every run, and runs converge', async () => {
    // Spent on listing alone, 18 requests would list 16 of the 30 packages and delete nothing, run after run.
    const fake = await organisation(30, 12, 20).start()
    const env = { PACKAGE_RETENTION_RUN_STATE_DIR: await mkdtemp(join(tmpdir(), 'run-state-')) }
    const names = Array.from({ length: 30 }, (_, i) => `lib-${String(i).padStart(2, '0')}`)
    const left = () => names.reduce((n, name) => n + activeIds(fake, name).length, 0)
    const deleted: number[] = []
    while (left() > 300 && deleted.length < 12) {
      const from = fake.requests.length
      const run = await fake.run(nightly, { env })
      expect([run.exitCode, primaryLimited(fake, from)]).toEqual([0, []])
      deleted.push(Number(run.outputs['deleted-count']))
      fake.setNow(new Date(Date.parse(run.outputs['rate-limit-reset']) + 1000))
    }
    // 60 deletes, 8 a window (4 packages of 4 requests each: listing, 2 deletes, check): 8 runs, the floor.
    expect(left()).toBe(300)
    expect(deleted).toEqual([8, 8, 8, 8, 8, 8, 8, 4])
  }, 60_000)

  it('a stop for the budget leaves one package unfinished, not each of those it listed', async () => {
    // 6 packages of 30 versions, 20 to delete in each; 60 requests, 54 after the reserve: the owner, the list,
    // two packages whole (listing, 20 deletes, check), and the third listed beside them takes what is left.
    const fake = await organisation(6, 30, 60).start()
    const run = await fake.run(nightly)
    expect(run.exitCode).toBe(0)
    const names = Array.from({ length: 6 }, (_, i) => `lib-${String(i).padStart(2, '0')}`)
    const counts = names.map(name => activeIds(fake, name).length)
    expect(counts.slice(0, 2)).toEqual([10, 10])
    expect(counts[2]).toBeGreaterThan(10)
    expect(counts.slice(3)).toEqual([30, 30, 30])
    expect(run.outputs['pending-packages']).toBe('4')
  })

  it('no budget known (GitHub Enterprise Server, rate limiting off) is no limit, without a word', async () => {
    const fake = await organisation(3, 12, 1).with({ rateLimiting: false }).start()
    const run = await fake.run(nightly)
    expect(run.exitCode).toBe(0)
    expect(fake.requests.find(r => r.path === '/api/v3/rate_limit')?.status).toBe(404)
    expect(run.outputs['deleted-count']).toBe('6')
    expect([run.outputs['pending-packages'], run.outputs['rate-limit-reset']]).toEqual(['0', ''])
    expect(run.annotations).toEqual([])
    // A debug line says what GitHub answered; nothing else speaks of a budget.
    const said = run.stdout.split('\n').filter(line => !line.startsWith('::debug::'))
    expect(said.filter(line => /rate/i.test(line))).toEqual([])
  })

  it('a rate-limit-reserve of a number keeps that many requests back', async () => {
    const fake = await organisation(2, 12, 1000)
      .with({ rateLimit: { limit: 1000, remaining: 12 } })
      .start()
    const run = await fake.run({ ...nightly, 'rate-limit-reserve': 5 })
    expect(run.exitCode).toBe(0)
    // 12 left, 5 kept: the owner, the list, two listings; the first package's two deletes and its check, held
    // for it; the other package's deletes would need its check too.
    const spent = fake.requests.filter(r => r.path !== '/api/v3/rate_limit')
    expect(spent.map(r => r.method)).toEqual(['GET', 'GET', 'GET', 'GET', 'DELETE', 'DELETE', 'GET'])
    expect(run.outputs['deleted-count']).toBe('2')
    expect(primaryLimited(fake)).toEqual([])
  })

  it(
    'runs a window apart converge with no primary-limit answer (12 Maven packages of 20, keep-last 10, 60 an hour)',
    async () => {
      // Each run's deletes stay within one pacing window (170 a minute), so the runs follow each other at once.
      const fake = await organisation(12, 20, 60).start()
      const names = Array.from({ length: 12 }, (_, i) => `lib-${String(i).padStart(2, '0')}`)
      const left = () => names.reduce((n, name) => n + activeIds(fake, name).length, 0)
      const runs: { deleted: number; pending: string; limited: number }[] = []
      while (left() > 120 && runs.length < 12) {
        const from = fake.requests.length
        const run = await fake.run(nightly)
        expect([run.exitCode, run.exitCode === 0 ? '' : run.stdout.slice(-2000) + run.stderr]).toEqual([
          0,
          ''
        ])
        expect(parsed(run, 'failed')).toEqual([])
        runs.push({
          deleted: Number(run.outputs['deleted-count']),
          pending: run.outputs['pending-packages'],
          limited: primaryLimited(fake, from).length
        })
        // The next run a window later: after the reset the run reported.
        fake.setNow(new Date(Date.parse(run.outputs['rate-limit-reset']) + 1000))
      }
      expect(left()).toBe(120)
      expect(runs.every(r => r.limited === 0)).toBe(true)
      expect(runs.every(r => r.deleted > 0)).toBe(true)
      // 120 deletes at a few dozen a window: within eight windows.
      expect(runs.length).toBeLessThanOrEqual(8)
      expect(runs.at(-1)?.pending).toBe('0')
    },
    3 * 60_000
  )
})

describe('incremental runs', () => {
  const stateDirectory = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'run-state-'))
    return { dir, env: { PACKAGE_RETENTION_RUN_STATE_DIR: dir } }
  }
  /** The GET requests that listed a package's versions, by package. */
  const listings = (fake: Fake, from: number) =>
    fake.requests
      .slice(from)
      .map(r => /^\/api\/v3\/orgs\/acme\/packages\/maven\/([^/]+)\/versions/.exec(r.path)?.[1])
      .filter(name => name !== undefined)

  it(
    'a quiet night costs at most 10 requests, and a publish lists only its package (60 Maven packages)',
    async () => {
      const { env } = await stateDirectory()
      // 12 versions each, so that the first run's deletes (two a package, at GitHub's pace) take seconds.
      const fake = await organisation(60, 12, 5000).start()
      const first = await fake.run(nightly, { env, timeoutMs: 180_000 })
      expect(first.exitCode).toBe(0)
      expect(first.outputs['deleted-count']).toBe('120')

      const from = fake.requests.length
      const quiet = await fake.run(nightly, { env })
      expect(quiet.exitCode).toBe(0)
      const spent = fake.requests.slice(from)
      expect(spent.length).toBeLessThanOrEqual(10)
      // The budget read (free), the owner and the package list.
      expect(spent.map(r => r.path.replace(/\?.*/, ''))).toEqual([
        '/api/v3/rate_limit',
        '/api/v3/users/acme',
        '/api/v3/orgs/acme/packages'
      ])
      expect(spent.filter(r => r.method !== 'GET')).toEqual([])
      expect(listings(fake, from)).toEqual([])
      expect([quiet.outputs['deleted-count'], quiet.outputs['kept-count']]).toEqual(['0', '600'])
      expect(quiet.summary).toContain('| lib-07 | 10, unchanged: not listed | 0 | 0 | 0 | 10 |')
      expect(quiet.stdout).toContain('lib-07: unchanged since the last run (10 versions, updated ')

      // One version published to lib-07: that package alone is listed, and its oldest kept version goes.
      fake.publish('acme', 'maven', 'lib-07', { id: 7013, name: '1.0.12' })
      const at = fake.requests.length
      const third = await fake.run(nightly, { env })
      expect(third.exitCode).toBe(0)
      expect(new Set(listings(fake, at))).toEqual(new Set(['lib-07']))
      expect(parsed(third, 'deleted').map(d => d.id)).toEqual([7003])
      expect(activeIds(fake, 'lib-07')).toEqual(Array.from({ length: 10 }, (_, i) => 7004 + i))
      expect(third.outputs['kept-count']).toBe('600')
    },
    15 * 60_000
  )

  it('a remembered state that does not match the package list, or is not of this owner, lists', async () => {
    const { dir, env } = await stateDirectory()
    const fake = await organisation(3, 12, 5000).start()
    expect((await fake.run(nightly, { env })).outputs['deleted-count']).toBe('6')
    const [file] = await readdir(dir)
    const state = JSON.parse(await readFile(join(dir, file), 'utf8')) as {
      owner: string
      packages: Record<string, { versionCount: number }>
    }
    expect(Object.keys(state.packages)).toEqual(['lib-00', 'lib-01', 'lib-02'])

    // A count that lies: the package list's own pair differs, so lib-01 is listed (and nothing more goes).
    state.packages['lib-01'].versionCount = 9
    await writeFile(join(dir, file), JSON.stringify(state))
    let from = fake.requests.length
    const lied = await fake.run(nightly, { env })
    expect(listings(fake, from)).toEqual(['lib-01'])
    expect(lied.outputs['deleted-count']).toBe('0')

    // Another owner's state under this owner's name: believed for nothing, every package listed.
    await writeFile(join(dir, file), JSON.stringify({ ...state, owner: 'other' }))
    from = fake.requests.length
    await fake.run(nightly, { env })
    expect(listings(fake, from).sort()).toEqual(['lib-00', 'lib-01', 'lib-02'])
  })

  it('the packages a budget stop left are listed first by the next run', async () => {
    const { env } = await stateDirectory()
    const fake = await organisation(30, 12, 20).start()
    const stopped = await fake.run(nightly, { env })
    expect(stopped.outputs['pending-packages']).toBe('26')
    expect(annotations(stopped, 'warning')).toContainEqual(
      expect.stringContaining('the packages not reached go first next time')
    )
    // The summary says the same as the log.
    expect(stopped.summary).toContain(
      'are left for the next run, which takes the packages not reached first;'
    )
    const reached = new Set(listings(fake, 0))
    fake.setNow(new Date(Date.parse(stopped.outputs['rate-limit-reset']) + 1000))
    const from = fake.requests.length
    // A new policy: every package is listed again (the packages served first have something to delete too),
    // and the ones not reached go first.
    await fake.run({ ...nightly, 'keep-last': 9 }, { env })
    // Each package the next run serves is listed, then listed again by the check after its deletes.
    const next = [...new Set(listings(fake, from))]
    const unreached = Array.from({ length: 30 }, (_, i) => `lib-${String(i).padStart(2, '0')}`).filter(
      n => !reached.has(n)
    )
    expect(next).toEqual(unreached.slice(0, next.length))
    expect(next.length).toBeGreaterThanOrEqual(3)
  })
})
