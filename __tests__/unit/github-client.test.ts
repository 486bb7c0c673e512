import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { GitHubPackagesClient } from '../../src/github/rest-client.js'
import type { Logger, OwnerScope } from '../../src/types.js'
import { startFakeGitHub, type FakeGitHub } from '../../fake-github/server.js'
import { baseScenario, manyVersions, NOW, TOKENS } from '../fake-github/helpers.js'

const quiet: Logger = { debug: () => {}, info: () => {}, warning: () => {}, error: () => {} }
const ACME: OwnerScope = { login: 'acme', kind: 'organization', path: '/orgs/acme' }

let fake: FakeGitHub
let client: GitHubPackagesClient

beforeAll(async () => {
  const scenario = baseScenario()
  scenario.packages.push({
    owner: 'acme',
    type: 'npm',
    name: 'long-history',
    visibility: 'private',
    repository: 'acme/long-history',
    versions: manyVersions(257, 5000)
  })
  fake = await startFakeGitHub(scenario, { now: () => NOW })
  client = new GitHubPackagesClient({ token: TOKENS.all, apiUrl: fake.url, log: quiet })
})
afterAll(() => fake.close())

describe('the API client', () => {
  test('reads every page of a long listing, each version once', async () => {
    const before = fake.requests.length
    const listed = await client.listVersions(ACME, 'npm', 'long-history')
    expect(listed.map(version => version.id).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 257 }, (_, i) => 5000 + i)
    )
    const pages = fake.requests.slice(before).map(request => new URLSearchParams(request.query))
    // Every page is read; page 1 and the last are read again to see that the listing did not move meanwhile.
    expect([...new Set(pages.map(query => query.get('page')))].sort()).toEqual(['1', '2', '3'])
    expect(pages.every(query => query.get('per_page') === '100')).toBe(true)
  })

  test('counts the requests it sends and reads the budget GitHub reports', async () => {
    const counted = client.requestCount
    const before = fake.requests.length
    await client.listVersions(ACME, 'npm', 'web-ui')
    await client.detectOwner('acme')
    expect(client.requestCount - counted).toBe(fake.requests.length - before)
    expect(client.requestCount - counted).toBe(2)
    expect(client.rateLimitRemaining).toEqual(expect.any(Number))
    expect(client.rateLimitRemaining).toBeLessThan(5000)
  })

  test('counts a refused request too, and still reads the budget from its answer', async () => {
    const fresh = new GitHubPackagesClient({ token: TOKENS.all, apiUrl: fake.url, log: quiet })
    await expect(fresh.listVersions(ACME, 'npm', 'no-such-package')).rejects.toThrow(/was not found/)
    expect(fresh.requestCount).toBe(1)
    expect(fresh.rateLimitRemaining).toEqual(expect.any(Number))
  })
  test('counts retries: a 5xx answer and the request that replaces it are two requests', async () => {
    const flaky = await startFakeGitHub(baseScenario({ faults: { rate: 0.3, seed: 1, statuses: [502] } }), {
      now: () => NOW
    })
    try {
      const retrying = new GitHubPackagesClient({ token: TOKENS.all, apiUrl: flaky.url, log: quiet })
      expect(await retrying.listVersions(ACME, 'npm', 'many')).toHaveLength(250)
      expect(flaky.requests.map(request => request.status)).toContain(502)
      expect(retrying.requestCount).toBe(flaky.requests.length)
    } finally {
      await flaky.close()
    }
  })
})
