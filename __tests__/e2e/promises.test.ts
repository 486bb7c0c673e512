/**
 * The run keeps every promise the plan makes: each case is one way safety leaked between the plan and GitHub,
 * run on dist/index.js against the fake.
 */
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { VersionSpec } from '../../fake-github/scenario.js'
import { shortDigest } from '../../src/engine/images.js'
import {
  ACTIONS,
  activeIds,
  apiCalls,
  aWorld,
  imageVersion,
  indexVersion,
  parsed,
  served,
  versions,
  type Fake
} from './world.js'

/** A digest as the log and the summary show it. */
const short = (fake: Fake, label: string) => shortDigest(served(fake, label))

const index = indexVersion
const platform = (id: number, label: string, days: number, extra: Partial<VersionSpec> = {}) =>
  imageVersion(id, label, days, [], extra)
const container = { owner: 'acme', 'package-type': 'container', 'package-names': 'app', 'min-age': 0 }
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

describe('the run keeps the promises of the plan', () => {
  it('keeps the children of a public index GitHub refuses to delete, and reports it skipped once', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage(
        'container',
        'app',
        [
          platform(1, 'v1/amd64', 30),
          platform(2, 'v1/arm64', 30),
          index(3, 'v1', 30, ['v1'], ['v1/amd64', 'v1/arm64'], { downloads: 9000 }),
          platform(4, 'v2/amd64', 20),
          index(5, 'v2', 20, ['v2'], ['v2/amd64']),
          platform(6, 'v3/amd64', 1),
          index(7, 'v3', 1, ['v3'], ['v3/amd64'])
        ],
        { visibility: 'public' }
      )
      .start()
    const run = await fake.run({ ...container, 'keep-last': 1 })
    expect(run.exitCode).toBe(0)
    // v2 went whole; v1 was refused and still pulls, its children kept.
    expect(activeIds(fake, 'app')).toEqual([1, 2, 3, 6, 7])
    expect(fake.isPullable('acme', 'app', 'v1')).toBe(true)
    const skipped = parsed(run, 'skipped')
    expect(skipped.filter(s => s.id === 3).map(s => s.reason?.split(':')[0])).toEqual(['download-limit'])
    expect(skipped.filter(s => s.id !== 3).map(s => [s.id, s.reason?.split(':')[0]])).toEqual([
      [1, 'image-not-deleted'],
      [2, 'image-not-deleted']
    ])
    expect(skipped.find(s => s.id === 1)?.reason).toContain(`v1 (${short(fake, 'v1')}), id 3`)
    expect(run.summary).toContain('image-not-deleted')
    // The children were never sent a delete.
    const deletes = apiCalls(fake).filter(c => c.startsWith('DELETE'))
    expect(deletes.some(c => c.endsWith('/versions/1') || c.endsWith('/versions/2'))).toBe(false)
  })

  it('fails every delete GitHub answers 404 "Package not found.", deleting and reporting nothing as deleted', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withActionsToken('acme/other')
      .withPackage('npm', 'web', versions(4), { visibility: 'public' })
      .start()
    const run = await fake.run(
      { owner: 'acme', 'package-type': 'npm', 'package-names': 'web', 'keep-last': 1, 'min-age': 0 },
      { token: ACTIONS, repository: 'acme/other' }
    )
    expect(run.exitCode).toBe(1)
    expect(fake.requests.filter(r => r.method === 'DELETE').every(r => r.status === 404)).toBe(true)
    expect(parsed(run, 'deleted')).toEqual([])
    expect(run.outputs['deleted-count']).toBe('0')
    const failed = parsed(run, 'failed')
    expect(failed.map(f => [f.id, f.status])).toEqual([
      [1, 404],
      [2, 404],
      [3, 404]
    ])
    expect(failed[0].message).toContain('Admin role')
    expect(activeIds(fake, 'web')).toEqual([1, 2, 3, 4])
  })

  it('keeps container versions whose tag list GitHub did not send, and says so once per package', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('container', 'app', [
        platform(1, 'old', 40, { tags: ['latest'], tagList: 'null' }),
        platform(2, 'older', 50, { tags: ['stable'], tagList: 'missing' }),
        platform(3, 'dangling', 45),
        platform(4, 'new', 1, { tags: ['v9'] })
      ])
      .start()
    const run = await fake.run({ ...container, 'keep-last': 1, untagged: 'include' })
    expect(run.exitCode).toBe(0)
    expect(activeIds(fake, 'app')).toEqual([1, 2, 4])
    expect(fake.isPullable('acme', 'app', 'latest')).toBe(true)
    const warnings = run.annotations.filter(a => a.level === 'warning' && a.message.includes('no tag list'))
    expect(warnings.map(w => w.message)).toEqual([
      'app: GitHub sent no tag list for 2 version(s); they are kept (tags unknown)'
    ])
    const plan = JSON.parse(readFileSync(run.outputs['plan-file'], 'utf8'))
    expect(plan.packages[0].versions.find((v: { id: number }) => v.id === 1).reasons).toContain(
      'keep: tags unknown'
    )
  })

  it('keeps the children of the kept index in a package whose versions are all untagged', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('container', 'app', [
        platform(1, 'stray-a', 30),
        platform(2, 'stray-b', 20),
        platform(3, 'img/amd64', 2),
        platform(4, 'img/arm64', 2),
        index(5, 'img', 2, [], ['img/amd64', 'img/arm64'])
      ])
      .start()
    const run = await fake.run({ ...container, 'keep-last': 1, untagged: 'only' })
    expect(run.exitCode).toBe(0)
    expect(activeIds(fake, 'app')).toEqual([3, 4, 5])
  })

  it('reports a version someone else deleted between listing and deleting as already gone, not as deleted', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .with({
        tokens: [
          {
            value: 'ghp_e2e_classic',
            kind: 'classic',
            login: 'octocat',
            scopes: ['read:packages', 'write:packages', 'delete:packages', 'repo']
          },
          {
            value: 'ghp_someone',
            kind: 'classic',
            login: 'octocat',
            scopes: ['read:packages', 'delete:packages']
          }
        ]
      })
      .withPackage('npm', 'web', versions(30))
      .with({ latencyMs: 300 })
      .start()
    // As soon as the run's first delete is answered, someone else deletes the newest version it will delete.
    let interfered = false
    const watcher = setInterval(() => {
      if (interfered || !fake.requests.some(r => r.method === 'DELETE')) return
      interfered = true
      void fetch(`${fake.url}/orgs/acme/packages/npm/web/versions/25`, {
        method: 'DELETE',
        headers: { authorization: 'token ghp_someone' }
      })
    }, 5)
    const inputs = {
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'web',
      'keep-last': 5,
      'min-age': 0
    }
    const run = await fake.run(inputs).finally(() => clearInterval(watcher))
    expect(interfered).toBe(true)
    expect(run.exitCode).toBe(0)
    expect(activeIds(fake, 'web')).toEqual([26, 27, 28, 29, 30])
    expect(parsed(run, 'deleted').map(d => d.id)).not.toContain(25)
    expect(run.outputs['deleted-count']).toBe('24')
    expect(parsed(run, 'skipped').map(s => [s.id, s.reason?.split(':')[0]])).toEqual([[25, 'already-gone']])
    expect(run.summary).toContain('deleted by someone else first')
    // Undoing the run brings back what it deleted, not what someone else did.
    // A later step of the same job: the record is where the action wrote it, in the job's RUNNER_TEMP.
    const record = run.outputs['journal-file']
    const undo = await fake.run({ ...inputs, restore: record }, { env: { RUNNER_TEMP: dirname(record) } })
    expect(undo.exitCode).toBe(0)
    expect(undo.outputs['restored-count']).toBe('24')
    expect(activeIds(fake, 'web')).toEqual(
      Array.from({ length: 30 }, (_, i) => i + 1).filter(id => id !== 25)
    )
  }, 60_000)

  it('leaves a record when killed midway, which a restore run accepts to bring back exactly what went', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('npm', 'web', versions(60))
      .with({ latencyMs: 1000 })
      .start()
    const inputs = {
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'web',
      'keep-last': 5,
      'min-age': 0
    }
    const killed = await fake.run(inputs, { killAfterMs: 5000 })
    expect(killed.exitCode).not.toBe(0)
    // Deletes already sent still land, as on GitHub.
    await sleep(1500)
    const gone = fake
      .state()
      .packages[0].versions.filter(v => v.state === 'deleted')
      .map(v => v.id)
    expect(gone.length).toBeGreaterThan(0)
    expect(gone.length).toBeLessThan(55)
    const record = killed.outputs['journal-file']
    expect(record).toMatch(/\.jsonl$/)
    const lines = readFileSync(record, 'utf8').trim().split('\n')
    expect(JSON.parse(lines[0])).toMatchObject({ record: 'package-retention-run', mode: 'delete' })
    expect(readFileSync(killed.outputs['plan-file'], 'utf8')).toContain('"action": "delete"')

    const undo = await fake.run(
      { ...inputs, restore: record },
      { timeoutMs: 90_000, env: { RUNNER_TEMP: dirname(record) } }
    )
    expect(undo.exitCode).toBe(0)
    expect(
      parsed(undo, 'restored')
        .map(r => r.id)
        .sort((a, b) => a - b)
    ).toEqual(gone.sort((a, b) => a - b))
    expect(activeIds(fake, 'web')).toEqual(Array.from({ length: 60 }, (_, i) => i + 1))
  }, 120_000)

  it('takes the oldest across all packages up to max-deletions, not package by package', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      // `a` comes first by name, but its versions are the newer ones.
      .withPackage('npm', 'a', versions(4, 1, 1))
      .withPackage('npm', 'b', versions(4, 101, 20))
      .start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'a, b',
      'keep-last': 1,
      'min-age': 0,
      'max-deletions': 4
    })
    expect(run.exitCode).toBe(0)
    expect(
      parsed(run, 'deleted')
        .map(d => d.id)
        .sort((x, y) => x - y)
    ).toEqual([1, 101, 102, 103])
    expect(activeIds(fake, 'b')).toEqual([104])
    expect(activeIds(fake, 'a')).toEqual([2, 3, 4])
  })

  it('checks the package after the run: names a kept image that lost a part and what others deleted meanwhile', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .with({
        tokens: [
          {
            value: 'ghp_e2e_classic',
            kind: 'classic',
            login: 'octocat',
            scopes: ['read:packages', 'delete:packages']
          },
          {
            value: 'ghp_someone',
            kind: 'classic',
            login: 'octocat',
            scopes: ['read:packages', 'delete:packages']
          }
        ]
      })
      .withPackage('container', 'app', [
        platform(1, 'v1/amd64', 30),
        platform(2, 'v1/arm64', 30),
        index(3, 'v1', 30, ['v1'], ['v1/amd64', 'v1/arm64']),
        platform(4, 'v2/amd64', 1),
        index(5, 'v2', 1, ['v2'], ['v2/amd64'])
      ])
      .with({ latencyMs: 200 })
      .start()
    // While the run deletes v1, someone deletes the platform manifest of v2, which the run keeps.
    let interfered = false
    const watcher = setInterval(() => {
      if (interfered || !fake.requests.some(r => r.method === 'DELETE')) return
      interfered = true
      void fetch(`${fake.url}/orgs/acme/packages/container/app/versions/4`, {
        method: 'DELETE',
        headers: { authorization: 'token ghp_someone' }
      })
    }, 5)
    const run = await fake.run({ ...container, 'keep-last': 1 }).finally(() => clearInterval(watcher))
    expect(interfered).toBe(true)
    expect(run.exitCode).toBe(0)
    expect(activeIds(fake, 'app')).toEqual([5])
    const warnings = run.annotations.filter(a => a.level === 'warning').map(a => a.message)
    expect(warnings).toContain(
      `app: kept image v2 (${short(fake, 'v2')}) lost part(s) no longer listed: ${short(fake, 'v2/amd64')} (id 4)`
    )
    expect(warnings).toContain(
      `app: 1 version(s) went while the run ran, not deleted by it (another run or a person?): ${short(fake, 'v2/amd64')} (id 4)`
    )
    expect(run.summary).toContain('3 deleted version(s) confirmed gone, :warning: 1 problem(s) below')
    expect(run.summary).toContain('Kept image v2')
    const plan = JSON.parse(readFileSync(run.outputs['plan-file'], 'utf8'))
    expect(plan.packages[0].check.brokenImages).toHaveLength(1)
  }, 60_000)
})
