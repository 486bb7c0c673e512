import { describe, expect, it } from '@jest/globals'
import { activeIds, aWorld, parsed, versions } from './world.js'

const inputs = { owner: 'acme', 'package-type': 'npm', 'package-names': 'web', 'keep-last': 5, 'min-age': 0 }
/** What any correct run of `inputs` over versions(30) leaves: the five newest. */
const PLANNED_TO_STAY = [26, 27, 28, 29, 30]

describe('a run under faults and limits', () => {
  it('ends exactly as planned despite 5% server errors and a tight secondary limit', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('npm', 'web', versions(30))
      // 30 points in 3 s: six deletes, where the action's pace would send about nine.
      .with({
        faults: { rate: 0.05, seed: 7, statuses: [500, 502] },
        secondary: { points: 30, windowMs: 3000 }
      })
      .start()
    const run = await fake.run(inputs, { timeoutMs: 90_000 })
    expect(run.exitCode).toBe(0)
    expect(activeIds(fake, 'web')).toEqual(PLANNED_TO_STAY)
    expect(run.outputs['deleted-count']).toBe('25')
    expect(run.outputs['failed-count']).toBe('0')
    // The test is only worth something if both kinds of trouble really happened.
    const statuses = fake.requests.map(r => r.status)
    expect(statuses.filter(s => s >= 500).length).toBeGreaterThan(0)
    expect(statuses.filter(s => s === 403 || s === 429).length).toBeGreaterThan(0)
  }, 120_000)

  it('converges to the same final state when killed halfway and started again', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('npm', 'web', versions(30))
      // Slow answers, so that the kill lands while the deletes are under way.
      .with({ latencyMs: 1000 })
      .start()
    // Three answers come before the first delete (the owner, the listing, npm's dist-tags), a second each.
    const killed = await fake.run(inputs, { killAfterMs: 6000 })
    expect(killed.exitCode).not.toBe(0)
    // Deletes already sent still land, as on GitHub: let them before counting.
    await new Promise(resolve => setTimeout(resolve, 1500))
    const leftAfterKill = activeIds(fake, 'web').length
    expect(leftAfterKill).toBeGreaterThan(5)
    expect(leftAfterKill).toBeLessThan(30)

    const again = await fake.run(inputs)
    expect(again.exitCode).toBe(0)
    expect(activeIds(fake, 'web')).toEqual(PLANNED_TO_STAY)
    expect(Number(again.outputs['deleted-count'])).toBe(leftAfterKill - 5)
  }, 60_000)

  it('lets two runs on the same package at once both finish without a failure', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('npm', 'web', versions(30))
      .start()
    const [a, b] = await Promise.all([fake.run(inputs), fake.run(inputs)])
    expect([a.exitCode, b.exitCode]).toEqual([0, 0])
    expect(activeIds(fake, 'web')).toEqual(PLANNED_TO_STAY)
    expect(parsed(a, 'failed')).toEqual([])
    expect(parsed(b, 'failed')).toEqual([])
    // Each version went once; the run that came second found it gone and counted it as done.
    expect(Number(a.outputs['deleted-count']) + Number(b.outputs['deleted-count'])).toBeGreaterThanOrEqual(25)
  }, 60_000)

  it('stops before the primary budget runs out, leaving the rest for the next run without failing', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('npm', 'web', versions(30))
      .with({ rateLimit: { limit: 5000, remaining: 20 } })
      .start()
    const run = await fake.run({ ...inputs, 'rate-limit-reserve': 10 })
    expect(run.exitCode).toBe(0)
    // 20 requests: owner, one page, then deletes until 10 remain for the rest of the job (less the check).
    const deleted = Number(run.outputs['deleted-count'])
    expect(deleted).toBeGreaterThanOrEqual(5)
    expect(deleted).toBeLessThanOrEqual(8)
    const skipped = parsed(run, 'skipped')
    expect(skipped).toHaveLength(25 - deleted)
    expect(skipped.every(s => s.reason?.startsWith('rate-limit:'))).toBe(true)
    // Not silently: the run ends with a warning saying how much is left.
    expect(run.annotations.filter(a => a.level === 'warning').map(a => a.message)).toContain(
      `Stopped by the API rate limit: ${25 - deleted} version(s) not deleted, left for the next run.`
    )
    expect(fake.requests.every(r => r.status < 400)).toBe(true)
  })
})
