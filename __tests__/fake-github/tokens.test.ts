import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { startFakeGitHub, type FakeGitHub } from '../../fake-github/server.js'
import { baseScenario, call, ids, message, NOW, TOKENS, versionState } from './helpers.js'

let fake: FakeGitHub
beforeEach(async () => {
  fake = await startFakeGitHub(baseScenario(), { now: () => NOW })
})
afterEach(() => fake.close())

const webUi = '/orgs/acme/packages/npm/web-ui'
const INTEGRATION = 'Resource not accessible by integration'

describe('credentials', () => {
  test('no token: 401 Requires authentication; an unknown one: 401 Bad credentials', async () => {
    const missing = await call(fake, 'GET', `${webUi}/versions`)
    expect([missing.status, message(missing)]).toEqual([401, 'Requires authentication'])
    const unknown = await call(fake, 'GET', `${webUi}/versions`, 'ghp_unknown')
    expect([unknown.status, message(unknown)]).toEqual([401, 'Bad credentials'])
    expect(fake.requests.map(r => r.token)).toEqual(['anonymous', 'invalid'])
  })

  test('`Authorization: token X` works as well as Bearer', async () => {
    const answer = await call(fake, 'GET', `${webUi}/versions`, undefined, {
      authorization: `token ${TOKENS.read}`
    })
    expect(answer.status).toBe(200)
  })

  test('classic tokens report their scopes in x-oauth-scopes', async () => {
    const answer = await call(fake, 'GET', '/user', TOKENS.readDelete)
    expect(answer.headers.get('x-oauth-scopes')).toBe('read:packages, delete:packages, repo')
  })
})

describe('classic token scopes', () => {
  test('reading needs read:packages', async () => {
    for (const [path, scopeMessage] of [
      [`${webUi}/versions`, "You need at least read:packages scope to get a package's versions."],
      [`${webUi}/versions/101`, "You need at least read:packages scope to view a package's versions."],
      [webUi, 'You need at least read:packages scope to get a package.'],
      ['/orgs/acme/packages?package_type=npm', 'You need at least read:packages scope to list packages.']
    ]) {
      const answer = await call(fake, 'GET', path, TOKENS.none)
      expect([path, answer.status, message(answer)]).toEqual([path, 403, scopeMessage])
    }
  })

  test('deleting needs read:packages and delete:packages, and changes nothing without them', async () => {
    const answer = await call(fake, 'DELETE', `${webUi}/versions/101`, TOKENS.read)
    expect([answer.status, message(answer)]).toEqual([
      403,
      'You need at least delete:packages and read:packages scopes to delete a package version.'
    ])
    expect(versionState(fake, 'acme', 'web-ui', 101)?.state).toBe('active')
    const whole = await call(fake, 'DELETE', webUi, TOKENS.read)
    expect(whole.status).toBe(403)
    expect((await call(fake, 'DELETE', `${webUi}/versions/101`, TOKENS.readDelete)).status).toBe(204)
  })

  test('restoring needs read:packages and write:packages', async () => {
    await call(fake, 'DELETE', `${webUi}/versions/101`, TOKENS.readDelete)
    const refused = await call(fake, 'POST', `${webUi}/versions/101/restore`, TOKENS.readDelete)
    expect([refused.status, message(refused)]).toEqual([
      403,
      'You need at least write:packages and read:packages scopes to restore a package version.'
    ])
    expect((await call(fake, 'POST', `${webUi}/versions/101/restore`, TOKENS.all)).status).toBe(204)
  })

  test('listing deleted versions needs delete:packages', async () => {
    const refused = await call(fake, 'GET', `${webUi}/versions?state=deleted`, TOKENS.read)
    expect(refused.status).toBe(403)
    const allowed = await call(fake, 'GET', `${webUi}/versions?state=deleted`, TOKENS.readDelete)
    expect([allowed.status, allowed.body]).toEqual([200, []])
  })

  test('private Maven packages need repo as well; without it they look absent', async () => {
    const hidden = await call(fake, 'GET', '/orgs/acme/packages/maven/com.acme.core/versions', TOKENS.noRepo)
    expect([hidden.status, message(hidden)]).toEqual([404, 'Package not found.'])
    const listed = await call(fake, 'GET', '/orgs/acme/packages?package_type=maven', TOKENS.noRepo)
    expect((listed.body as { name: string }[]).map(p => p.name)).toEqual(['com.acme.public'])
    const containers = await call(fake, 'GET', '/orgs/acme/packages/container/app/versions', TOKENS.noRepo)
    expect(containers.status).toBe(200)
  })
})

describe('GITHUB_TOKEN (actions tokens)', () => {
  test('GET /user answers 403 Resource not accessible by integration', async () => {
    const answer = await call(fake, 'GET', '/user', TOKENS.actionsApp)
    expect([answer.status, message(answer)]).toEqual([403, INTEGRATION])
  })

  test('cannot list an owner’s container or npm packages: 400 Invalid argument.', async () => {
    for (const path of [
      '/orgs/acme/packages?package_type=npm',
      '/users/acme/packages?package_type=npm',
      '/orgs/acme/packages?package_type=container'
    ]) {
      const answer = await call(fake, 'GET', path, TOKENS.actionsApp)
      expect([answer.status, message(answer)]).toEqual([400, 'Invalid argument.'])
    }
    const own = await call(fake, 'GET', '/user/packages?package_type=npm', TOKENS.actionsApp)
    expect(own.status).toBe(403)
  })

  test('lists the public packages and its repository’s of the other registries', async () => {
    const maven = await call(fake, 'GET', '/orgs/acme/packages?package_type=maven', TOKENS.actionsApp)
    expect((maven.body as { name: string }[]).map(p => p.name)).toEqual(['com.acme.public'])
  })

  test('reads and deletes versions of packages granting its repository Admin access', async () => {
    const app = await call(fake, 'GET', '/orgs/acme/packages/container/app/versions', TOKENS.actionsApp)
    expect(app.status).toBe(200)
    expect(ids(app)).toContain(305)
    expect(
      (await call(fake, 'DELETE', '/orgs/acme/packages/container/app/versions/305', TOKENS.actionsApp)).status
    ).toBe(204)
    // web-ui lists acme/app among its Actions admins explicitly.
    expect((await call(fake, 'DELETE', `${webUi}/versions/101`, TOKENS.actionsApp)).status).toBe(204)
    expect(fake.requests.at(-1)?.token).toBe('actions:acme/app')
  })

  test('other private packages look absent, and stay untouched', async () => {
    for (const method of ['GET', 'DELETE']) {
      const answer = await call(
        fake,
        method,
        '/orgs/acme/packages/container/app/versions/305',
        TOKENS.actionsOther
      )
      expect([method, answer.status, message(answer)]).toEqual([method, 404, 'Package not found.'])
    }
    expect(versionState(fake, 'acme', 'app', 305)?.state).toBe('active')
  })

  test('public packages: read by anyone; deleting a repository-scoped one answers 403', async () => {
    const read = await call(
      fake,
      'GET',
      '/orgs/acme/packages/maven/com.acme.public/versions',
      TOKENS.actionsOther
    )
    expect(ids(read)).toEqual([211])
    const del = await call(
      fake,
      'DELETE',
      '/orgs/acme/packages/maven/com.acme.public/versions/211',
      TOKENS.actionsOther
    )
    expect([del.status, message(del)]).toEqual([403, INTEGRATION])
    const npm = await call(fake, 'DELETE', '/orgs/acme/packages/npm/sdk/versions/503', TOKENS.actionsOther)
    expect([npm.status, message(npm)]).toEqual([404, 'Package not found.'])
  })
})
