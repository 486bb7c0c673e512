import { afterAll, describe, expect, it } from '@jest/globals'
import { GitHubPackagesClient } from '../../src/github/rest-client.js'
import { startFakeGitHub, type FakeGitHub } from '../../fake-github/server.js'
import type { Scenario } from '../../fake-github/scenario.js'

const TOKEN = 'ghp_listing'
const scenario = (count: number): Scenario => ({
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
  ]
})
const scope = { login: 'acme', kind: 'organization' as const, path: '/orgs/acme' }
const fakes: FakeGitHub[] = []
afterAll(() => Promise.all(fakes.map(f => f.close())))

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
