import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { PACKAGE_TYPES } from '../../src/types.js'
import { ACTIONS, CLASSIC, activeIds, apiCalls, aWorld, daysAgo, parsed, versions } from './world.js'

const DOWNLOAD_LIMIT =
  'Publicly visible package versions with more than 5000 downloads cannot be deleted. Contact GitHub support for further assistance.'

describe('a run against an organisation', () => {
  it('deletes what the plan says with the fewest requests, and reports it in outputs, summary and plan file', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('npm', 'web', versions(150))
      .start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'web',
      'keep-last': 100,
      'min-age': 0
    })

    expect(run.exitCode).toBe(0)
    expect(activeIds(fake, 'web')).toEqual(Array.from({ length: 100 }, (_, i) => i + 51))
    // The rate budget (free), owner detection, two pages of versions and page 1 again (to see the listing did
    // not change while read), one delete per version, and the one page left listed again to check the run:
    // nothing more.
    const calls = apiCalls(fake)
    expect(calls.filter(c => c.startsWith('GET'))).toEqual([
      'GET /rate_limit',
      'GET /users/acme',
      'GET /orgs/acme/packages/npm/web/versions',
      'GET /orgs/acme/packages/npm/web/versions',
      'GET /orgs/acme/packages/npm/web/versions',
      'GET /orgs/acme/packages/npm/web/versions'
    ])
    expect(calls.filter(c => c.startsWith('DELETE'))).toHaveLength(50)
    expect(calls).toHaveLength(56)
    expect(run.summary).toContain('50 deleted version(s) confirmed gone, every kept image still whole')

    expect(run.outputs['deleted-count']).toBe('50')
    expect(run.outputs['kept-count']).toBe('100')
    expect(run.outputs['skipped-count']).toBe('0')
    expect(run.outputs['failed-count']).toBe('0')
    expect(parsed(run, 'deleted')[0]).toEqual({ package: 'web', id: 1, name: '1.0.0', tags: [] })
    expect(run.summary).toContain('| web | 150 | 50 | 0 | 0 | 100 |')
    expect(run.summary).toContain('keep: among the 100 newest selected')

    const plan = JSON.parse(readFileSync(run.outputs['plan-file'], 'utf8'))
    expect(plan.packages[0].versions).toHaveLength(150)
    expect(plan.packages[0].versions.find((v: { id: number }) => v.id === 1)).toMatchObject({
      action: 'delete',
      outcome: { kind: 'done' }
    })
    // The runner consumes `::add-mask::` commands and masks the value in every later line of the job.
    expect(run.stdout).toContain(`::add-mask::${CLASSIC}`)
    const shown = run.stdout.replace(/^::add-mask::.*$/gm, '')
    for (const text of [
      shown,
      run.stderr,
      run.summary,
      JSON.stringify(run.outputs),
      readFileSync(run.outputs['plan-file'], 'utf8')
    ]) {
      expect(text).not.toContain(CLASSIC)
    }
  })

  it('changes nothing in a dry run, while its outputs list what a real run would delete', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('npm', 'web', versions(5))
      .start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'web',
      'keep-last': 2,
      'min-age': 0,
      'dry-run': true
    })
    expect(run.exitCode).toBe(0)
    expect(parsed(run, 'deleted').map(d => d.id)).toEqual([1, 2, 3])
    expect(activeIds(fake, 'web')).toEqual([1, 2, 3, 4, 5])
    expect(fake.requests.every(r => r.method === 'GET')).toBe(true)
    expect(run.summary).toContain('dry run, nothing changed')
    // It says what it would do, in the log and in its record, and nowhere that a write was sent or done.
    expect(run.stdout).toContain('\nwould delete 3 of 3 (a dry run: nothing was sent)\n')
    expect(run.stdout).not.toMatch(/\bdone\b/)
    const record = readFileSync(run.outputs['journal-file'], 'utf8').trim().split('\n').slice(1)
    expect(record.map(line => (JSON.parse(line) as { event: string }).event)).toEqual([
      'would',
      'would',
      'would'
    ])
  })

  it('caps deletes at max-deletions, oldest first, and leaves the rest for the next run without failing', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('npm', 'web', versions(10))
      .start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'web',
      'keep-last': 0,
      'min-age': 0,
      'max-deletions': 3
    })
    expect(run.exitCode).toBe(0)
    expect(activeIds(fake, 'web')).toEqual([4, 5, 6, 7, 8, 9, 10])
    expect(parsed(run, 'skipped').map(s => [s.id, s.reason?.split(':')[0]])).toEqual([
      [4, 'max-deletions'],
      [5, 'max-deletions'],
      [6, 'max-deletions'],
      [7, 'max-deletions'],
      [8, 'max-deletions'],
      [9, 'max-deletions']
    ])
  })
})

describe('owners', () => {
  it("uses /user for the token's own packages and /users/{login} for another user's", async () => {
    const fake = await aWorld()
      .withUser('octocat')
      .withUser('hubot')
      .withClassicToken('octocat')
      .withPackage('npm', 'mine', versions(3), { owner: 'octocat' })
      .withPackage('npm', 'theirs', versions(3, 11), { owner: 'hubot', visibility: 'public' })
      .start()
    const own = await fake.run({
      owner: 'octocat',
      'package-type': 'npm',
      'package-names': 'mine',
      'keep-last': 1,
      'min-age': 0
    })
    expect(own.exitCode).toBe(0)
    expect(apiCalls(fake)).toContain('DELETE /user/packages/npm/mine/versions/1')
    expect(activeIds(fake, 'mine')).toEqual([3])

    const other = await fake.run({
      owner: 'hubot',
      'package-type': 'npm',
      'package-names': 'theirs',
      'keep-last': 1,
      'min-age': 0,
      'dry-run': true
    })
    expect(other.exitCode).toBe(0)
    expect(apiCalls(fake)).toContain('GET /users/hubot/packages/npm/theirs/versions')
  })

  it('works with GITHUB_TOKEN, for which GET /user answering 403 is normal', async () => {
    const fake = await aWorld()
      .withUser('octocat')
      .withActionsToken('octocat/app')
      .withPackage('container', 'app', [
        { id: 1, name: `sha256:${'1'.repeat(64)}`, tags: ['v1'], created_at: daysAgo(30) },
        { id: 2, name: `sha256:${'2'.repeat(64)}`, tags: ['v2'], created_at: daysAgo(20) }
      ])
      .start()
    const run = await fake.run(
      { owner: 'octocat', 'package-type': 'container', 'keep-last': 1, 'min-age': 0 },
      { token: ACTIONS }
    )
    expect(run.stdout.split('\n').filter(l => l.startsWith('::error'))).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(activeIds(fake, 'app')).toEqual([2])
  })
})

describe('package names', () => {
  const world = () =>
    aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('npm', 'svc-api', versions(3, 1))
      .withPackage('npm', 'svc-web', versions(3, 11))
      .withPackage('npm', 'svc-legacy', versions(3, 21))
      .withPackage('npm', 'tools', versions(3, 31))

  it('matches globs against the owner’s packages, with exclusions, and warns for a glob that matches nothing', async () => {
    const fake = await world().start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'svc-*, !svc-legacy\nnope-*',
      'keep-last': 2,
      'min-age': 0
    })
    expect(run.exitCode).toBe(0)
    expect(run.annotations).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        message: `package-names: "nope-*" matches none of acme's npm packages`
      })
    )
    expect(activeIds(fake, 'svc-api')).toEqual([2, 3])
    expect(activeIds(fake, 'svc-web')).toEqual([12, 13])
    expect(activeIds(fake, 'svc-legacy')).toEqual([21, 22, 23])
    expect(activeIds(fake, 'tools')).toEqual([31, 32, 33])
  })

  it('explains that globs need a classic token when GITHUB_TOKEN cannot list packages', async () => {
    const fake = await world().withActionsToken('acme/app').start()
    const run = await fake.run(
      { owner: 'acme', 'package-type': 'npm', 'package-names': 'svc-*', 'min-age': 0 },
      { token: ACTIONS }
    )
    expect(run.exitCode).toBe(1)
    expect(run.annotations.find(a => a.level === 'error')?.message).toContain(
      "package-names: globs need a token that can list acme's packages: a classic token with read:packages"
    )
  })

  it('says the token may lack access when a named package is not found', async () => {
    const fake = await world().start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'ghost, tools',
      'keep-last': 1,
      'min-age': 0
    })
    expect(run.exitCode).toBe(1)
    expect(run.annotations.find(a => a.level === 'error')?.message).toContain(
      'npm package "ghost" of acme was not found. It may exist while the token lacks access'
    )
    // One package failing to list does not stop the others.
    expect(activeIds(fake, 'tools')).toEqual([33])
  })

  it('fails a dry run too when a named package is not found, as the command line exits 1', async () => {
    const fake = await world().start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'ghost',
      'dry-run': true
    })
    expect(run.exitCode).toBe(1)
    expect(run.annotations.find(a => a.level === 'error')?.message).toContain(
      'npm package "ghost" of acme was not found'
    )
    expect(fake.requests.every(r => r.method === 'GET')).toBe(true)
  })
})

describe('when GitHub cannot be reached', () => {
  it('says so, with no HTTP status GitHub never sent, and changes nothing', async () => {
    const fake = await aWorld().withOrganisation('acme').withClassicToken('octocat').start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'nuget',
      'package-names': 'web',
      'api-url': 'https://api.github.invalid'
    })
    expect(run.exitCode).toBe(1)
    const error = run.annotations.find(a => a.level === 'error')?.message
    expect(error).toMatch(
      /^GET \/users\/acme: no answer from https:\/\/api\.github\.invalid \(getaddrinfo \w+ api\.github\.invalid\)$/
    )
    expect(run.stdout).not.toMatch(/\b500\b/)
  })
})

describe('every package type', () => {
  it.each(PACKAGE_TYPES)('deletes old %s versions and keeps the newest', async type => {
    const list = versions(4).map((v, i) =>
      type === 'container' ? { ...v, name: `sha256:${String(i).repeat(64)}`, tags: [`v${i}`] } : v
    )
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage(type, 'lib', list)
      .start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': type,
      'package-names': 'lib',
      'keep-last': 1,
      'min-age': 0
    })
    expect(run.exitCode).toBe(0)
    expect(activeIds(fake, 'lib')).toEqual([4])
    expect(run.outputs['deleted-count']).toBe('3')
  })
})

describe('when GitHub refuses', () => {
  it('skips public versions over 5,000 downloads with a warning, deletes the rest and succeeds', async () => {
    const list = versions(6).map(v => (v.id === 2 || v.id === 4 ? { ...v, downloads: 12_000 } : v))
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('npm', 'sdk', list, { visibility: 'public' })
      .start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'sdk',
      'keep-last': 1,
      'min-age': 0
    })
    expect(run.exitCode).toBe(0)
    expect(activeIds(fake, 'sdk')).toEqual([2, 4, 6])
    expect(parsed(run, 'skipped').map(s => [s.id, s.reason])).toEqual([
      [2, 'download-limit: public version with more than 5,000 downloads; GitHub refuses to delete it'],
      [4, 'download-limit: public version with more than 5,000 downloads; GitHub refuses to delete it']
    ])
    expect(run.annotations.filter(a => a.level === 'warning').map(a => a.message)).toEqual([
      'min-age: "0" sets no age floor: a version pushed a moment ago may be deleted',
      'sdk 1.0.1: public version with more than 5,000 downloads; GitHub refuses to delete it',
      'sdk 1.0.3: public version with more than 5,000 downloads; GitHub refuses to delete it'
    ])
    expect(DOWNLOAD_LIMIT).toContain('5000 downloads')
  })

  it('fails the step, naming the missing scope, when the token may not delete', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .with({
        tokens: [{ value: 'ghp_read', kind: 'classic', login: 'octocat', scopes: ['read:packages', 'repo'] }]
      })
      .withPackage('npm', 'web', versions(3))
      .start()
    const run = await fake.run(
      { owner: 'acme', 'package-type': 'npm', 'package-names': 'web', 'keep-last': 1, 'min-age': 0 },
      { token: 'ghp_read' }
    )
    expect(run.exitCode).toBe(1)
    const failed = parsed(run, 'failed')
    expect(failed.map(f => [f.id, f.status])).toEqual([
      [1, 403],
      [2, 403]
    ])
    expect(failed[0].message).toContain('A classic token needs read:packages and delete:packages')
    expect(activeIds(fake, 'web')).toEqual([1, 2, 3])
  })
})
