import { afterEach, describe, expect, test } from '@jest/globals'
import type { Scenario } from '../../fake-github/scenario.js'
import { startFakeGitHub, type FakeGitHub } from '../../fake-github/server.js'
import { APP, baseScenario, call, ids, message, NOW, packageState, TOKENS, versionState } from './helpers.js'

let fake: FakeGitHub
async function start(scenario: Scenario = baseScenario()): Promise<FakeGitHub> {
  fake = await startFakeGitHub(scenario, { now: () => NOW })
  return fake
}
afterEach(() => fake.close())

const DAY = 86_400_000
const webUi = '/orgs/acme/packages/npm/web-ui'
const app = '/orgs/acme/packages/container/app'
const del = (path: string) => call(fake, 'DELETE', path, TOKENS.all)
const restore = (path: string) => call(fake, 'POST', `${path}/restore`, TOKENS.all)

describe('deleting versions', () => {
  test('204; the version moves to state=deleted with deleted_at; again: 404', async () => {
    await start()
    expect((await del(`${webUi}/versions/102`)).status).toBe(204)
    expect(ids(await call(fake, 'GET', `${webUi}/versions`, TOKENS.all))).toEqual([103, 101])
    const deleted = await call(fake, 'GET', `${webUi}/versions?state=deleted`, TOKENS.all)
    expect(deleted.body).toEqual([
      expect.objectContaining({ id: 102, name: '1.1.0-rc.1', deleted_at: '2026-06-01T12:00:00Z' })
    ])
    expect(versionState(fake, 'acme', 'web-ui', 102)).toMatchObject({
      state: 'deleted',
      deleted_at: '2026-06-01T12:00:00Z'
    })

    const again = await del(`${webUi}/versions/102`)
    expect([again.status, message(again)]).toEqual([404, 'Package version not found.'])
    const gone = await call(fake, 'GET', `${webUi}/versions/102`, TOKENS.all)
    expect(gone.status).toBe(404)
  })

  test('a version id of another package is not found', async () => {
    await start()
    const answer = await del(`${webUi}/versions/201`)
    expect([answer.status, message(answer)]).toEqual([404, 'Package version not found.'])
  })

  test('public package: more than 5000 downloads answers 400; exactly 5000 can go', async () => {
    await start()
    const popular = await del('/orgs/acme/packages/npm/sdk/versions/501')
    expect([popular.status, message(popular)]).toEqual([
      400,
      'Publicly visible package versions with more than 5000 downloads cannot be deleted. Contact GitHub support for further assistance.'
    ])
    expect(versionState(fake, 'acme', 'sdk', 501)?.state).toBe('active')
    expect((await del('/orgs/acme/packages/npm/sdk/versions/502')).status).toBe(204)
    const whole = await del('/orgs/acme/packages/npm/sdk')
    expect([whole.status, message(whole)]).toEqual([
      400,
      'Publicly visible packages with a version with more than 5000 downloads cannot be deleted. Contact GitHub support for further assistance.'
    ])
  })

  test('maven: the last version cannot be deleted', async () => {
    await start()
    const maven = '/orgs/acme/packages/maven/com.acme.core'
    expect((await del(`${maven}/versions/201`)).status).toBe(204)
    const last = await del(`${maven}/versions/202`)
    expect([last.status, message(last)]).toEqual([
      400,
      'You cannot delete the last version of a package. You must delete the package instead.'
    ])
    expect(versionState(fake, 'acme', 'com.acme.core', 202)?.state).toBe('active')
  })

  test('container: the last tagged version cannot be deleted, untagged ones can', async () => {
    await start()
    const api = '/orgs/acme/packages/container/team%2Fapi'
    expect((await del(`${api}/versions/401`)).status).toBe(204)
    const last = await del(`${api}/versions/402`)
    expect([last.status, message(last)]).toEqual([
      400,
      'You cannot delete the last tagged version of a package. You must delete the package instead.'
    ])
    for (const id of [301, 302, 303, 305, 306, 307])
      expect([id, (await del(`${app}/versions/${id}`)).status]).toEqual([id, 204])
    expect((await del(`${app}/versions/304`)).status).toBe(400)
    expect((await del(`${app}/versions/308`)).status).toBe(204)
  })

  test('npm: deleting the last version deletes the package, which then answers 404', async () => {
    await start()
    for (const id of [101, 102, 103]) expect((await del(`${webUi}/versions/${id}`)).status).toBe(204)
    expect(packageState(fake, 'acme', 'web-ui')).toMatchObject({
      state: 'deleted',
      deleted_at: '2026-06-01T12:00:00Z'
    })
    for (const path of [webUi, `${webUi}/versions`]) {
      const answer = await call(fake, 'GET', path, TOKENS.all)
      expect([answer.status, message(answer)]).toEqual([404, 'Package not found.'])
    }
    const listed = await call(fake, 'GET', '/orgs/acme/packages?package_type=npm', TOKENS.all)
    expect((listed.body as { name: string }[]).map(p => p.name)).not.toContain('web-ui')
  })
})

describe('restoring', () => {
  test('within 30 days: 204 and active again, same id; after 30 days: 404', async () => {
    await start()
    await del(`${webUi}/versions/101`)
    await del(`${webUi}/versions/102`)
    fake.setNow(new Date(NOW.getTime() + 30 * DAY))
    expect((await restore(`${webUi}/versions/101`)).status).toBe(204)
    expect(ids(await call(fake, 'GET', `${webUi}/versions`, TOKENS.all))).toEqual([103, 101])

    fake.setNow(new Date(NOW.getTime() + 30 * DAY + 1000))
    const late = await restore(`${webUi}/versions/102`)
    expect([late.status, message(late)]).toEqual([404, 'Package version not found.'])
    expect((await call(fake, 'GET', `${webUi}/versions?state=deleted`, TOKENS.all)).body).toEqual([])
  })

  test('restoring a version that is not deleted answers 404', async () => {
    await start()
    const answer = await restore(`${webUi}/versions/103`)
    expect([answer.status, message(answer)]).toEqual([404, 'Package version not found.'])
  })

  test('a name taken by an active version answers 400', async () => {
    const scenario = baseScenario()
    scenario.packages[0].versions.push({
      id: 104,
      name: '1.1.0',
      created_at: '2026-03-09T08:00:00Z',
      deleted_at: '2026-05-20T00:00:00Z'
    })
    await start(scenario)
    const answer = await restore(`${webUi}/versions/104`)
    expect([answer.status, message(answer)]).toEqual([
      400,
      'Active package version already exists with given name.'
    ])
    expect(versionState(fake, 'acme', 'web-ui', 104)?.state).toBe('deleted')
  })

  test('a restored image leaves its tags where they were pushed since', async () => {
    await start()
    await del(`${app}/versions/306`)
    await del(`${app}/versions/305`)
    expect((await restore(`${app}/versions/306`)).status).toBe(204)
    expect(versionState(fake, 'acme', 'app', 306)).toMatchObject({ state: 'active', tags: ['pr-7'] })
    expect(fake.isPullable('acme', 'app', 'pr-7')).toBe(true)
  })

  test('restoring the version that took an npm package down brings the package back', async () => {
    await start()
    for (const id of [101, 102, 103]) await del(`${webUi}/versions/${id}`)
    expect((await restore(`${webUi}/versions/103`)).status).toBe(204)
    expect(packageState(fake, 'acme', 'web-ui').state).toBe('active')
    expect(ids(await call(fake, 'GET', `${webUi}/versions`, TOKENS.all))).toEqual([103])
  })

  test('a deleted package is restored with its package route; an active one answers 404', async () => {
    await start()
    expect((await del(webUi)).status).toBe(204)
    expect((await call(fake, 'GET', webUi, TOKENS.all)).status).toBe(404)
    expect((await restore(webUi)).status).toBe(204)
    expect(ids(await call(fake, 'GET', `${webUi}/versions`, TOKENS.all))).toEqual([103, 102, 101])
    const again = await restore(webUi)
    expect([again.status, message(again)]).toEqual([404, 'Package not found.'])
  })

  test('deleting the last npm version and restoring the package brings that version back', async () => {
    await start()
    for (const id of [101, 102]) await del(`${webUi}/versions/${id}`)
    fake.setNow(new Date(NOW.getTime() + DAY))
    await del(`${webUi}/versions/103`)
    expect((await restore(webUi)).status).toBe(204)
    expect(ids(await call(fake, 'GET', `${webUi}/versions`, TOKENS.all))).toEqual([103])
  })

  test('isPullable follows deletes and restores of an image’s children', async () => {
    await start()
    expect(fake.isPullable('acme', 'app', 'latest')).toBe(true)
    await del(`${app}/versions/302`)
    expect(fake.isPullable('acme', 'app', 'latest')).toBe(false)
    expect(fake.isPullable('acme', 'app', 'v1.0.0')).toBe(false)
    await restore(`${app}/versions/302`)
    expect(fake.isPullable('acme', 'app', 'latest')).toBe(true)
    expect(fake.isPullable('acme', 'app', 'nope')).toBe(false)
    expect(fake.digestOf(APP.arm64)).toBe(versionState(fake, 'acme', 'app', 302)?.name)
  })
})
