import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { startFakeGitHub, type FakeGitHub } from '../../fake-github/server.js'
import { baseScenario, call, ids, message, NOW, TOKENS } from './helpers.js'

let fake: FakeGitHub
beforeAll(async () => {
  fake = await startFakeGitHub(baseScenario(), { now: () => NOW })
})
afterAll(() => fake.close())

const versionsOfMany = '/orgs/acme/packages/npm/many/versions'

describe('listing versions', () => {
  // Links name the organisation by id, as GitHub's do.
  const linkedMany = '/organizations/9001/packages/npm/many/versions'

  test('30 per page by default, newest first, with next and last links only on page 1', async () => {
    const answer = await call(fake, 'GET', versionsOfMany, TOKENS.read)
    expect(answer.status).toBe(200)
    expect(ids(answer)).toEqual(Array.from({ length: 30 }, (_, i) => 10_249 - i))
    expect(answer.headers.get('link')).toBe(
      `<${fake.url}${linkedMany}?page=2&per_page=30>; rel="next", <${fake.url}${linkedMany}?page=9&per_page=30>; rel="last"`
    )
  })

  test('a middle page links to next, prev, first and last, keeping the other parameters', async () => {
    const answer = await call(fake, 'GET', `${versionsOfMany}?per_page=100&page=2&state=active`, TOKENS.read)
    const page = (n: number) => `<${fake.url}${linkedMany}?per_page=100&page=${n}&state=active>`
    expect(ids(answer)).toHaveLength(100)
    expect(ids(answer)[0]).toBe(10_149)
    expect(answer.headers.get('link')).toBe(
      `${page(3)}; rel="next", ${page(1)}; rel="prev", ${page(1)}; rel="first", ${page(3)}; rel="last"`
    )
  })

  test('the links lead to the same list', async () => {
    const answer = await call(fake, 'GET', `${linkedMany}?per_page=100&page=2`, TOKENS.read)
    expect(ids(answer)[0]).toBe(10_149)
    expect(
      (await call(fake, 'GET', '/organizations/583231/packages/npm/many/versions', TOKENS.read)).status
    ).toBe(404)
  })

  test('per_page above 100 is capped to 100; the last page has no next link', async () => {
    const answer = await call(fake, 'GET', `${versionsOfMany}?per_page=500&page=3`, TOKENS.read)
    expect(ids(answer)).toEqual(Array.from({ length: 50 }, (_, i) => 10_049 - i))
    expect(answer.headers.get('link')).not.toContain('rel="next"')
    expect(answer.headers.get('link')).toContain('?per_page=100&page=2>; rel="prev"')
  })

  test('a page past the end is an empty list', async () => {
    const answer = await call(fake, 'GET', `${versionsOfMany}?per_page=100&page=7`, TOKENS.read)
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual([])
  })

  test('generated versions are listed, deleted and counted as given ones are', async () => {
    const scenario = baseScenario()
    scenario.packages.push({
      owner: 'acme',
      type: 'maven',
      name: 'big',
      visibility: 'private',
      versions: [{ id: 50_000, name: '0.9.0', created_at: '2025-01-01T00:00:00Z' }],
      generate: { count: 250, firstId: 60_001, newest: '2026-01-01T00:00:00Z', everyMs: 3_600_000 }
    })
    const big = await startFakeGitHub(scenario, { now: () => NOW })
    try {
      const path = '/orgs/acme/packages/maven/big/versions'
      const first = await call(big, 'GET', `${path}?per_page=100`, TOKENS.all)
      expect(ids(first).slice(0, 2)).toEqual([60_250, 60_249])
      expect((first.body as unknown[]).slice(0, 2)).toMatchObject([
        { name: '1.0.249', created_at: '2026-01-01T00:00:00Z' },
        { name: '1.0.248', created_at: '2025-12-31T23:00:00Z' }
      ])
      expect(ids(await call(big, 'GET', `${path}?per_page=100&page=3`, TOKENS.all)).slice(-2)).toEqual([
        60_001, 50_000
      ])
      expect((await call(big, 'DELETE', `${path}/60001`, TOKENS.all)).status).toBe(204)
      const view = await call(big, 'GET', '/orgs/acme/packages/maven/big', TOKENS.all)
      expect(view.body).toMatchObject({ version_count: 250 })
    } finally {
      await big.close()
    }
  })

  test('a short list has no Link header', async () => {
    const answer = await call(fake, 'GET', '/orgs/acme/packages/npm/web-ui/versions', TOKENS.read)
    expect(ids(answer)).toEqual([103, 102, 101])
    expect(answer.headers.get('link')).toBeNull()
  })

  test('version objects are shaped like GitHub’s, containers with their tags', async () => {
    const npm = await call(fake, 'GET', '/orgs/acme/packages/npm/web-ui/versions/103', TOKENS.read)
    expect(npm.body).toEqual({
      id: 103,
      name: '1.1.0',
      url: `${fake.url}/orgs/acme/packages/npm/web-ui/versions/103`,
      package_html_url: 'https://github.com/orgs/acme/packages/npm/package/web-ui',
      created_at: '2026-03-10T08:00:00Z',
      updated_at: '2026-03-11T08:00:00Z',
      html_url: 'https://github.com/orgs/acme/packages/npm/package/web-ui?version=1.1.0',
      metadata: { package_type: 'npm' }
    })
    const image = await call(fake, 'GET', '/orgs/acme/packages/container/app/versions/304', TOKENS.read)
    expect(image.body).toMatchObject({
      id: 304,
      name: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      metadata: { package_type: 'container', container: { tags: ['latest', 'v1.0.0'] } }
    })
  })

  test('container versions of one image are ordered by creation, untagged children included', async () => {
    const answer = await call(fake, 'GET', '/orgs/acme/packages/container/app/versions', TOKENS.read)
    expect(ids(answer)).toEqual([308, 307, 304, 303, 302, 301, 306, 305])
  })

  test('a bad state or package type answers 422 with GitHub’s messages', async () => {
    const state = await call(fake, 'GET', '/orgs/acme/packages/npm/web-ui/versions?state=gone', TOKENS.read)
    expect([state.status, message(state)]).toEqual([422, 'The state parameter is invalid.'])
    const type = await call(fake, 'GET', '/orgs/acme/packages/pypi/web-ui/versions', TOKENS.read)
    expect([type.status, message(type)]).toEqual([422, 'The package_type parameter is invalid.'])
    expect(type.body).toMatchObject({
      status: '422',
      documentation_url: expect.stringContaining('docs.github.com')
    })
  })

  test('unknown package, version, owner and route', async () => {
    const pkg = await call(fake, 'GET', '/orgs/acme/packages/npm/nope/versions', TOKENS.read)
    expect([pkg.status, message(pkg)]).toEqual([404, 'Package not found.'])
    const version = await call(fake, 'GET', '/orgs/acme/packages/npm/web-ui/versions/999', TOKENS.read)
    expect([version.status, message(version)]).toEqual([404, 'Package version not found.'])
    const owner = await call(fake, 'GET', '/orgs/nobody/packages/npm/web-ui/versions', TOKENS.read)
    expect([owner.status, message(owner)]).toEqual([404, 'Not Found'])
    const userAsOrg = await call(fake, 'GET', '/orgs/octocat/packages?package_type=container', TOKENS.read)
    expect(userAsOrg.status).toBe(404)
    const route = await call(fake, 'GET', '/orgs/acme/repos', TOKENS.read)
    expect([route.status, message(route)]).toEqual([404, 'Not Found'])
  })
})

describe('owner scopes', () => {
  test('an organisation’s package through /orgs and /users', async () => {
    for (const scope of ['/orgs/acme', '/users/acme', '/users/ACME']) {
      const answer = await call(fake, 'GET', `${scope}/packages/npm/web-ui/versions`, TOKENS.read)
      expect([scope, answer.status, ids(answer)]).toEqual([scope, 200, [103, 102, 101]])
    }
  })

  test('the token’s own packages through /user and /users/{login}, with user URLs', async () => {
    const own = await call(fake, 'GET', '/user/packages/container/tool/versions', TOKENS.read)
    expect(ids(own)).toEqual([602, 601])
    expect((own.body as { url: string }[])[1].url).toBe(
      `${fake.url}/users/octocat/packages/container/tool/versions/601`
    )
    const byLogin = await call(fake, 'GET', '/users/octocat/packages/container/tool', TOKENS.read)
    expect(byLogin.body).toMatchObject({
      name: 'tool',
      owner: { login: 'octocat', type: 'User' },
      version_count: 2
    })
  })

  test('a name with a slash is addressed as %2F and logged as requested', async () => {
    const answer = await call(fake, 'GET', '/orgs/acme/packages/container/team%2Fapi/versions', TOKENS.read)
    expect(ids(answer)).toEqual([402, 401])
    expect((answer.body as { url: string }[])[0].url).toContain('/packages/container/team%2Fapi/versions/402')
    expect(fake.requests.at(-1)).toMatchObject({
      method: 'GET',
      path: '/orgs/acme/packages/container/team%2Fapi/versions',
      status: 200,
      token: 'classic:octocat'
    })
    const unencoded = await call(fake, 'GET', '/orgs/acme/packages/container/team/api/versions', TOKENS.read)
    expect(unencoded.status).toBe(404)
  })

  test('GET /user and GET /users/{login}', async () => {
    const me = await call(fake, 'GET', '/user', TOKENS.none)
    expect(me.body).toMatchObject({ login: 'octocat', id: 583231, type: 'User' })
    const org = await call(fake, 'GET', '/users/acme', TOKENS.read)
    expect(org.body).toMatchObject({ login: 'acme', id: 9001, type: 'Organization' })
    const unknown = await call(fake, 'GET', '/users/nobody', TOKENS.read)
    expect([unknown.status, message(unknown)]).toEqual([404, 'Not Found'])
  })
})

describe('listing packages', () => {
  test('filters by type and visibility, with package objects', async () => {
    const npm = await call(fake, 'GET', '/orgs/acme/packages?package_type=npm', TOKENS.read)
    expect((npm.body as { name: string }[]).map(p => p.name)).toEqual(['many', 'sdk', 'web-ui'])
    const publicNpm = await call(
      fake,
      'GET',
      '/orgs/acme/packages?package_type=npm&visibility=public',
      TOKENS.read
    )
    expect(publicNpm.body).toEqual([
      expect.objectContaining({
        id: expect.any(Number),
        name: 'sdk',
        package_type: 'npm',
        visibility: 'public',
        version_count: 3,
        url: `${fake.url}/orgs/acme/packages/npm/sdk`,
        html_url: 'https://github.com/orgs/acme/packages/npm/package/sdk',
        created_at: '2026-01-01T00:00:00Z',
        updated_at: '2026-03-01T00:00:00Z'
      })
    ])
  })

  test('paginates, and refuses pages beyond 10000 items', async () => {
    const first = await call(fake, 'GET', '/orgs/acme/packages?package_type=npm&per_page=2', TOKENS.read)
    expect(first.headers.get('link')).toContain('&per_page=2&page=2>; rel="next"')
    const deepest = await call(
      fake,
      'GET',
      '/orgs/acme/packages?package_type=npm&per_page=100&page=100',
      TOKENS.read
    )
    expect([deepest.status, deepest.body]).toEqual([200, []])
    const tooDeep = await call(
      fake,
      'GET',
      '/orgs/acme/packages?package_type=npm&per_page=100&page=101',
      TOKENS.read
    )
    expect([tooDeep.status, message(tooDeep)]).toEqual([
      400,
      'The per_page and page parameters are invalid. The value of per_page multipled by page cannot be greater than 10000.'
    ])
  })

  test('a missing or bad package_type answers 422', async () => {
    const missing = await call(fake, 'GET', '/orgs/acme/packages', TOKENS.read)
    expect([missing.status, message(missing)]).toEqual([422, 'The package_type parameter is invalid.'])
  })

  test('/user/packages lists the token’s own', async () => {
    const answer = await call(fake, 'GET', '/user/packages?package_type=container', TOKENS.read)
    expect((answer.body as { name: string }[]).map(p => p.name)).toEqual(['tool'])
  })
})

describe('API versions', () => {
  test('2022-11-28 and 2026-03-10 are served; an unknown version answers 400', async () => {
    for (const version of ['2022-11-28', '2026-03-10']) {
      const answer = await call(fake, 'GET', '/user', TOKENS.read, { 'x-github-api-version': version })
      expect([answer.status, answer.headers.get('x-github-api-version-selected')]).toEqual([200, version])
    }
    const bad = await call(fake, 'GET', '/user', TOKENS.read, { 'x-github-api-version': 'v3' })
    expect(bad.status).toBe(400)
    expect(message(bad)).toContain('"v3", is not a supported version')
  })
})
