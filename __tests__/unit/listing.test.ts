import { afterAll, describe, expect, it } from '@jest/globals'
import { GitHubPackagesClient, REQUEST_CONCURRENCY } from '../../src/github/rest-client.js'
import { startFakeGitHub, type FakeGitHub } from '../../fake-github/server.js'
import type { Scenario } from '../../fake-github/scenario.js'

const TOKEN = 'ghp_listing'
const scenario = (count: number, extra: Partial<Scenario> = {}): Scenario => ({
  owners: [{ login: 'acme', type: 'Organization' }],
  tokens: [{ value: TOKEN, kind: 'classic', login: 'octocat', scopes: ['read:packages', 'delete:packages'] }],
  packages: [
    {
      owner: 'acme',
      type: 'npm',
      name: 'web',
      visibility: 'private',
      versions: Array.from({ length: count }, (_, i) => ({
        id: i + 1,
        name: `1.0.${i}`,
        created_at: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString().replace('.000', '')
      }))
    }
  ],
  ...extra
})
const scope = { login: 'acme', kind: 'organization' as const, path: '/orgs/acme' }
const fakes: FakeGitHub[] = []
afterAll(() => Promise.all(fakes.map(f => f.close())))

const quiet = { debug: () => {}, info: () => {}, warning: () => {}, error: () => {} }

/**
 * A client whose page-3 reads first let someone else delete a version on page 1 (the newest ones), as another
 * run would while the pages are read: `times` times at most.
 */
async function interfered(times: number, victim = (n: number) => 350 - n + 1) {
  const fake = await startFakeGitHub(scenario(350))
  fakes.push(fake)
  const warnings: string[] = []
  let interferences = 0
  let requests = 0
  const client = new GitHubPackagesClient({
    token: TOKEN,
    apiUrl: fake.url,
    log: { debug: () => {}, info: () => {}, warning: m => warnings.push(m), error: () => {} },
    fetch: async (url, init) => {
      requests++
      if (String(url).includes('page=3') && interferences < times) {
        interferences++
        await fetch(`${fake.url}/orgs/acme/packages/npm/web/versions/${victim(interferences)}`, {
          method: 'DELETE',
          headers: { authorization: `token ${TOKEN}` }
        })
      }
      return fetch(url, init)
    }
  })
  return { client, warnings, requests: () => requests }
}

describe('listing a package whose versions change while it is read', () => {
  it('reads a stable listing of four pages in six requests', async () => {
    const { client, requests } = await interfered(0)
    const listed = await client.listVersions(scope, 'npm', 'web')
    expect(listed).toHaveLength(350)
    expect(requests()).toBe(6)
  })

  it('notices a version deleted meanwhile and reads the listing again, missing none', async () => {
    const { client, warnings, requests } = await interfered(1)
    const listed = await client.listVersions(scope, 'npm', 'web')
    expect(listed.map(v => v.id).sort((a, b) => a - b)).toEqual(Array.from({ length: 349 }, (_, i) => i + 1))
    expect(warnings).toEqual([
      'The listing of /orgs/acme/packages/npm/web/versions changed while it was read; reading it again.'
    ])
    expect(requests()).toBe(12)
  })

  it('notices a version deleted further down the listing, after its last page was read', async () => {
    const { client, warnings } = await interfered(1, () => 160)
    const listed = await client.listVersions(scope, 'npm', 'web')
    expect(listed).toHaveLength(349)
    expect(listed.some(v => v.id === 160)).toBe(false)
    expect(warnings).toHaveLength(1)
  })

  it('gives the package up when the listing keeps changing', async () => {
    const { client } = await interfered(10)
    await expect(client.listVersions(scope, 'npm', 'web')).rejects.toThrow(
      'changed while it was read, 3 times'
    )
  })
})

describe('listing the pages between the first and the last at once', () => {
  it('sends them together, within the bound, and lists every version once', async () => {
    const fake = await startFakeGitHub(scenario(7_000))
    fakes.push(fake)
    // The pages between are held until as many are in flight as the bound allows: fewer would never be let go.
    let inFlight = 0
    let peak = 0
    let release = () => {}
    const bound = new Promise<void>(resolve => (release = resolve))
    const client = new GitHubPackagesClient({
      token: TOKEN,
      apiUrl: fake.url,
      log: quiet,
      fetch: async (url, init) => {
        const page = Number(/[?&]page=(\d+)/.exec(String(url))?.[1])
        const between = page > 1 && page < 70
        if (between) peak = Math.max(peak, ++inFlight)
        if (peak === REQUEST_CONCURRENCY) release()
        try {
          if (between) await bound
          return await fetch(url, init)
        } finally {
          if (between) inFlight--
        }
      }
    })
    const listed = await client.listVersions(scope, 'npm', 'web')
    expect(listed.map(v => v.id).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 7_000 }, (_, i) => i + 1)
    )
    // 70 pages: page 1, the last, the 68 between, page 1 and the last again.
    expect(client.requestCount).toBe(72)
    expect(peak).toBe(REQUEST_CONCURRENCY)
  })

  it('holds every listing of a client to one bound', async () => {
    const fake = await startFakeGitHub(scenario(2_000, { latencyMs: 50 }))
    fakes.push(fake)
    const client = new GitHubPackagesClient({
      token: TOKEN,
      apiUrl: fake.url,
      log: quiet,
      concurrency: 6
    })
    const lists = await Promise.all([1, 2, 3].map(() => client.listVersions(scope, 'npm', 'web')))
    expect(lists.map(l => l.length)).toEqual([2_000, 2_000, 2_000])
    expect(fake.peakConcurrency).toBeLessThanOrEqual(6)
  })

  it('notices a version deleted while the pages between are in flight, and reads the listing again', async () => {
    const fake = await startFakeGitHub(scenario(2_500, { latencyMs: 50 }))
    fakes.push(fake)
    const warnings: string[] = []
    let deleted = false
    const client = new GitHubPackagesClient({
      token: TOKEN,
      apiUrl: fake.url,
      log: { ...quiet, warning: m => warnings.push(m) },
      fetch: async (url, init) => {
        // Once page 13 is asked for, the others between are on their way: some are read before the delete.
        if (/[?&]page=13(&|$)/.test(String(url)) && !deleted) {
          deleted = true
          await fetch(`${fake.url}/orgs/acme/packages/npm/web/versions/1200`, {
            method: 'DELETE',
            headers: { authorization: `token ${TOKEN}` }
          })
        }
        return fetch(url, init)
      }
    })
    const listed = await client.listVersions(scope, 'npm', 'web')
    expect(listed.map(v => v.id).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 2_500 }, (_, i) => i + 1).filter(id => id !== 1200)
    )
    expect(warnings).toEqual([
      'The listing of /orgs/acme/packages/npm/web/versions changed while it was read; reading it again.'
    ])
    // Two readings of 25 pages, each 27 requests.
    expect(client.requestCount).toBe(54)
  })
})
