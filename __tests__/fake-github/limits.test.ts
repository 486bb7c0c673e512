import { afterEach, describe, expect, test } from '@jest/globals'
import type { Scenario } from '../../fake-github/scenario.js'
import { startFakeGitHub, type FakeGitHub } from '../../fake-github/server.js'
import { baseScenario, call, message, NOW, TOKENS } from './helpers.js'

const started: FakeGitHub[] = []
async function start(extra: Partial<Scenario>): Promise<FakeGitHub> {
  const fake = await startFakeGitHub(baseScenario(extra), { now: () => NOW })
  started.push(fake)
  return fake
}
afterEach(async () => {
  await Promise.all(started.splice(0).map(fake => fake.close()))
})

const many = '/orgs/acme/packages/npm/many/versions'
const activeCount = (fake: FakeGitHub) =>
  fake
    .state()
    .packages.find(p => p.name === 'many')
    ?.versions.filter(v => v.state === 'active').length

describe('primary rate limit', () => {
  test('every answer carries x-ratelimit-*, errors included; defaults 5000 classic, 1000 actions', async () => {
    const fake = await start({})
    const first = await call(fake, 'GET', '/user', TOKENS.read)
    const headers = (name: string) => first.headers.get(`x-ratelimit-${name}`)
    expect([headers('limit'), headers('remaining'), headers('used'), headers('resource')]).toEqual([
      '5000',
      '4999',
      '1',
      'core'
    ])
    expect(Number(headers('reset'))).toBe(NOW.getTime() / 1000 + 3600)
    const notFound = await call(fake, 'GET', '/orgs/acme/packages/npm/nope', TOKENS.read)
    expect([notFound.status, notFound.headers.get('x-ratelimit-remaining')]).toEqual([404, '4998'])
    const actions = await call(fake, 'GET', '/user', TOKENS.actionsApp)
    expect([actions.headers.get('x-ratelimit-limit'), actions.headers.get('x-ratelimit-remaining')]).toEqual([
      '1000',
      '999'
    ])
    const anonymous = await call(fake, 'GET', '/user')
    expect([anonymous.status, anonymous.headers.get('x-ratelimit-limit')]).toEqual([401, '60'])
  })

  test('an exhausted budget answers 403 with remaining 0 until the reset, and changes nothing', async () => {
    const fake = await start({ rateLimit: { limit: 10, remaining: 2, resetAt: '2026-06-01T12:30:00Z' } })
    expect((await call(fake, 'GET', many, TOKENS.all)).headers.get('x-ratelimit-remaining')).toBe('1')
    expect((await call(fake, 'DELETE', `${many}/10000`, TOKENS.all)).status).toBe(204)
    const refused = await call(fake, 'DELETE', `${many}/10001`, TOKENS.all)
    expect(refused.status).toBe(403)
    expect(message(refused)).toBe('API rate limit exceeded for user ID 583231.')
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0')
    expect(refused.headers.get('x-ratelimit-reset')).toBe(String(Date.parse('2026-06-01T12:30:00Z') / 1000))
    expect(activeCount(fake)).toBe(249)
    // Another token has its own budget.
    expect((await call(fake, 'GET', many, TOKENS.read)).status).toBe(200)

    fake.setNow(new Date('2026-06-01T12:30:00Z'))
    const afterReset = await call(fake, 'GET', many, TOKENS.all)
    expect([afterReset.status, afterReset.headers.get('x-ratelimit-remaining')]).toEqual([200, '9'])
  })

  test('GET /rate_limit reports the budget in resources.core and spends none of it', async () => {
    const fake = await start({ rateLimit: { limit: 10, remaining: 4, resetAt: '2026-06-01T12:30:00Z' } })
    const reset = Date.parse('2026-06-01T12:30:00Z') / 1000
    for (let i = 0; i < 3; i++) {
      const status = await call(fake, 'GET', '/rate_limit', TOKENS.all)
      expect(status.status).toBe(200)
      expect((status.body as { resources: { core: unknown } }).resources.core).toEqual({
        limit: 10,
        used: 6,
        remaining: 4,
        reset
      })
      expect(status.headers.get('x-ratelimit-remaining')).toBe('4')
    }
    expect((await call(fake, 'GET', many, TOKENS.all)).headers.get('x-ratelimit-remaining')).toBe('3')
  })

  test('rate limiting off (GitHub Enterprise Server): no x-ratelimit-* headers, no limit, /rate_limit 404', async () => {
    const fake = await start({ rateLimiting: false, rateLimit: { limit: 1 } })
    for (let i = 0; i < 3; i++) {
      const answer = await call(fake, 'GET', many, TOKENS.all)
      expect(answer.status).toBe(200)
      expect([...answer.headers.keys()].filter(h => h.startsWith('x-ratelimit'))).toEqual([])
    }
    const status = await call(fake, 'GET', '/rate_limit', TOKENS.all)
    expect([status.status, message(status)]).toEqual([404, 'Rate limiting is not enabled.'])
    expect([...status.headers.keys()].filter(h => h.startsWith('x-ratelimit'))).toEqual([])
  })

  test('can answer 429 instead', async () => {
    const fake = await start({ rateLimit: { limit: 1, status: 429 } })
    await call(fake, 'GET', '/user', TOKENS.actionsApp)
    const refused = await call(fake, 'GET', many, TOKENS.actionsApp)
    expect([refused.status, message(refused)]).toEqual([
      429,
      'API rate limit exceeded for installation ID 4242.'
    ])
  })
})

describe('secondary rate limit', () => {
  test('points per endpoint: the third DELETE is refused with retry-after and changes nothing', async () => {
    const fake = await start({ secondary: { points: 12, windowMs: 60_000 } })
    expect((await call(fake, 'DELETE', `${many}/10000`, TOKENS.all)).status).toBe(204)
    expect((await call(fake, 'DELETE', `${many}/10001`, TOKENS.all)).status).toBe(204)
    const refused = await call(fake, 'DELETE', `${many}/10002`, TOKENS.all)
    expect(refused.status).toBe(403)
    expect(message(refused)).toContain('You have exceeded a secondary rate limit')
    expect(refused.headers.get('retry-after')).toBe('60')
    expect(refused.headers.get('x-ratelimit-remaining')).not.toBeNull()
    expect(activeCount(fake)).toBe(248)

    // Deletes of another package share the endpoint's budget; reads are another endpoint, 1 point each.
    expect(
      (await call(fake, 'DELETE', '/orgs/acme/packages/npm/web-ui/versions/101', TOKENS.all)).status
    ).toBe(403)
    expect((await call(fake, 'GET', `${many}/10002`, TOKENS.all)).status).toBe(200)
    // Another scope's template is another endpoint.
    expect(
      (await call(fake, 'DELETE', '/users/acme/packages/npm/many/versions/10002', TOKENS.all)).status
    ).toBe(204)

    fake.setNow(new Date(NOW.getTime() + 59_000))
    expect((await call(fake, 'DELETE', `${many}/10003`, TOKENS.all)).headers.get('retry-after')).toBe('1')
    fake.setNow(new Date(NOW.getTime() + 60_000))
    expect((await call(fake, 'DELETE', `${many}/10003`, TOKENS.all)).status).toBe(204)
  })

  test('the window slides: a request counts for 60 s after it, not until a fixed minute ends', async () => {
    const fake = await start({ secondary: { points: 12, windowMs: 60_000 } })
    const at = (seconds: number) => fake.setNow(new Date(NOW.getTime() + seconds * 1000))
    at(0)
    expect((await call(fake, 'DELETE', `${many}/10000`, TOKENS.all)).status).toBe(204)
    at(40)
    expect((await call(fake, 'DELETE', `${many}/10001`, TOKENS.all)).status).toBe(204)
    at(61)
    expect((await call(fake, 'DELETE', `${many}/10002`, TOKENS.all)).status).toBe(204)
    // A fixed minute from 60 s would have room for a second delete here; the sliding window still counts 40 s.
    at(70)
    const refused = await call(fake, 'DELETE', `${many}/10003`, TOKENS.all)
    expect([refused.status, refused.headers.get('retry-after')]).toEqual([403, '30'])
  })

  test('GETs cost one point each; can answer 429', async () => {
    const fake = await start({ secondary: { points: 3, windowMs: 1000, status: 429 } })
    for (let i = 0; i < 3; i++) expect((await call(fake, 'GET', many, TOKENS.all)).status).toBe(200)
    const refused = await call(fake, 'GET', many, TOKENS.all)
    expect([refused.status, refused.headers.get('retry-after')]).toEqual([429, '1'])
  })
})

describe('concurrent requests', () => {
  test('more than 100 at once of one token: the ones over are refused as a secondary limit', async () => {
    const fake = await start({ latencyMs: 300 })
    const answers = await Promise.all([
      ...Array.from({ length: 102 }, () => call(fake, 'GET', many, TOKENS.all)),
      call(fake, 'GET', many, TOKENS.read)
    ])
    const refused = answers.filter(a => a.status === 403)
    expect(refused).toHaveLength(2)
    expect(message(refused[0])).toContain('You have exceeded a secondary rate limit')
    // The other token's request counts for its own limit only.
    expect(answers.at(-1)?.status).toBe(200)
    expect(fake.peakConcurrency).toBe(103)
  })
})

describe('faults', () => {
  const deleteAll = async (fake: FakeGitHub) => {
    const statuses: number[] = []
    for (let id = 10_000; id < 10_040; id++)
      statuses.push((await call(fake, 'DELETE', `${many}/${id}`, TOKENS.all)).status)
    return statuses
  }

  test('faulted requests answer 5xx and change nothing; the same seed faults the same requests', async () => {
    const faults = { rate: 0.3, seed: 42, statuses: [500, 502, 503] }
    const fake = await start({ faults })
    const statuses = await deleteAll(fake)
    const faulted = statuses.filter(s => s >= 500)
    expect(faulted.length).toBeGreaterThan(4)
    expect(faulted.length).toBeLessThan(25)
    expect(new Set(faulted).size).toBeGreaterThan(1)
    expect(statuses.filter(s => s !== 204 && s < 500)).toEqual([])

    const versions = fake.state().packages.find(p => p.name === 'many')?.versions ?? []
    statuses.forEach((status, i) => {
      const version = versions.find(v => v.id === 10_000 + i)
      expect([10_000 + i, version?.state]).toEqual([10_000 + i, status === 204 ? 'deleted' : 'active'])
    })
    expect(await deleteAll(await start({ faults }))).toEqual(statuses)
    expect(await deleteAll(await start({ faults: { ...faults, seed: 43 } }))).not.toEqual(statuses)
  })

  test('slowMs delays faulted answers; faults reach the registry too', async () => {
    const fake = await start({ faults: { rate: 1, seed: 1, statuses: [502], slowMs: 60 } })
    const began = Date.now()
    const answer = await call(fake, 'GET', '/v2/')
    expect([answer.status, message(answer)]).toEqual([502, 'Bad Gateway'])
    expect(Date.now() - began).toBeGreaterThanOrEqual(55)
  })
})

test('latencyMs delays every answer', async () => {
  const fake = await start({ latencyMs: 80 })
  const began = Date.now()
  await Promise.all([call(fake, 'GET', '/user', TOKENS.read), call(fake, 'GET', many, TOKENS.read)])
  const elapsed = Date.now() - began
  expect(elapsed).toBeGreaterThanOrEqual(75)
  expect(elapsed).toBeLessThan(1000)
})
