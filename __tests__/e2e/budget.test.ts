/**
 * The rate budget, as an organisation's nightly run meets it: the run plans its listing, deletes and check
 * within what GitHub reports left, less the reserve, sends nothing past it, says what is left, and the next
 * run (a window later) picks up where it stopped.
 */
import { describe, expect, it } from '@jest/globals'
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
    // 20 requests, 2 kept back (10%): the owner, the package list, 16 packages listed; 14 not reached, and
    // the 16 listed have nothing left to delete with.
    expect(fake.requests.filter(r => r.path !== '/api/v3/rate_limit')).toHaveLength(18)
    expect(run.outputs['pending-packages']).toBe('30')
    expect(Number(run.outputs['pending-versions'])).toBe(16 * 2)
    const reset = run.outputs['rate-limit-reset']
    expect(reset).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/)
    expect(Date.parse(reset) - Date.now()).toBeGreaterThan(50 * 60_000)
    expect(run.summary).toContain(
      `:hourglass: **Stopped for the API rate budget**: 30 package(s) and 32 planned deletion(s) are left for the next run, which takes the packages not reached first; the budget resets at ${reset}`
    )
    expect(run.summary).toContain('| lib-29 | not reached: rate budget | 0 | 0 | 0 | 0 |')
    expect(annotations(run, 'warning')).toContain(
      `Stopped for the API rate budget: 30 package(s) left for the next run (0 served), 32 planned deletion(s) not sent; the packages not reached go first next time. The budget resets at ${reset}.`
    )
    expect(parsed(run, 'failed-packages')).toEqual([])
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
    // 12 left, 5 kept: the owner, the list, two listings; one delete, and the check of its package held for it;
    // the next delete, of the other package, would need its check too.
    const spent = fake.requests.filter(r => r.path !== '/api/v3/rate_limit')
    expect(spent.map(r => r.method)).toEqual(['GET', 'GET', 'GET', 'GET', 'DELETE', 'GET'])
    expect(run.outputs['deleted-count']).toBe('1')
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
