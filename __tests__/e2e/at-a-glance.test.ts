/**
 * Output people can check at a glance: the log, the job summary, the outputs on every run, what a dry run
 * cannot promise, and the permission a registry needs; each run through dist/index.js as a workflow would.
 */
import { describe, expect, it } from '@jest/globals'
import { CLASSIC, apiCalls, aWorld, imageVersion, indexVersion, parsed, served, versions } from './world.js'

const FULL_DIGEST = /sha256:[0-9a-f]{64}/
const EMPTY = {
  'deleted-count': '0',
  deleted: '[]',
  'restored-count': '0',
  restored: '[]',
  'skipped-count': '0',
  skipped: '[]',
  'failed-count': '0',
  failed: '[]',
  'failed-packages': '[]',
  'kept-count': '0'
}

const containerWorld = () =>
  aWorld()
    .withOrganisation('acme')
    .withClassicToken('octocat')
    .withPackage('container', 'app', [
      imageVersion(1, 'old/amd64', 40),
      indexVersion(2, 'old', 40, ['v1', 'stable'], ['old/amd64']),
      imageVersion(3, 'new/amd64', 1),
      indexVersion(4, 'new', 1, ['v2'], ['new/amd64']),
      imageVersion(5, 'leftover', 30)
    ])

describe('the log', () => {
  it('names every container version by its tags and a short digest, never a bare full digest', async () => {
    const fake = await containerWorld().start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'container',
      'package-names': 'app',
      'keep-last': 1,
      'dry-run': true
    })
    expect(run.exitCode).toBe(0)
    const lines = run.stdout.split('\n').filter(line => /^ {2}(keep|delete) \d+ /.test(line))
    expect(lines).toHaveLength(5)
    for (const line of lines) expect(line).not.toMatch(FULL_DIGEST)
    const short = (label: string) => `${served(fake, label).slice(0, 15)}…`
    expect(lines).toContain(
      `  delete 2 v1, stable (${short('old')}): delete: selected (delete-tags is empty: all tagged versions), 40d old, not among the 1 newest selected`
    )
    expect(lines.find(line => line.startsWith('  delete 5 '))).toContain(` 5 ${short('leftover')}: `)
  })
})

describe('the job summary', () => {
  it('has short digests, an Age column, links to each version and reasons in words', async () => {
    const fake = await containerWorld().start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'container',
      'package-names': 'app',
      'keep-last': 1
    })
    expect(run.exitCode).toBe(0)
    expect(run.summary).not.toMatch(FULL_DIGEST)
    expect(run.summary).toContain('| Version | Age | Why |')
    expect(run.summary).toContain(
      `| [v1, stable (${served(fake, 'old').slice(0, 15)}…)](https://github.com/orgs/acme/packages/container/app/2) | 40d | delete: selected (delete-tags is empty: all tagged versions), 40d old, not among the 1 newest selected |`
    )
    expect(run.summary).toContain(
      `| [v2 (${served(fake, 'new').slice(0, 15)}…)](https://github.com/orgs/acme/packages/container/app/4) | 1d | keep: among the 1 newest selected`
    )
  })

  it('cuts long tables with a line naming how many more the plan file has', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('npm', 'web', versions(260))
      .start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'web',
      'keep-last': 5,
      'min-age': 0,
      'dry-run': true
    })
    expect(run.outputs['deleted-count']).toBe('255')
    expect(run.summary).toContain('| … 55 more in the plan file | | |')
    expect(run.summary).toMatch(/\| \[1\.0\.0\]\(https:\/\/github\.com\/[^)]+\) \| 260d \| delete: /)
  })

  it('fills the Why column of a restore run', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('npm', 'web', versions(4))
      .start()
    const deleting = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'web',
      'keep-last': 2,
      'min-age': 0
    })
    const restoring = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'web',
      restore: deleting.outputs.deleted
    })
    expect(restoring.outputs['restored-count']).toBe('2')
    expect(restoring.summary).toMatch(
      /\| \[1\.0\.0\]\([^)]+\) \| 4d \| restore: requested by id, deleted \ds ago \|/
    )
  })
})

describe('outputs on every run', () => {
  it('sets zeros and empty lists when the run stops before planning', async () => {
    const fake = await aWorld().withOrganisation('acme').withClassicToken('octocat').start()
    const badToken = await fake.run(
      { owner: 'acme', 'package-type': 'npm', 'package-names': 'web' },
      { token: 'ghp_not_a_token' }
    )
    expect(badToken.exitCode).toBe(1)
    expect(badToken.outputs).toMatchObject(EMPTY)
    expect(badToken.summary).toContain(':x: ')

    const badInput = await fake.run({ owner: 'acme', 'package-type': 'npm', 'keep-last': 'ten' })
    expect(badInput.exitCode).toBe(1)
    expect(badInput.outputs).toMatchObject(EMPTY)
  })

  it('counts failed versions apart from packages that could not be listed, and fails the step', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('npm', 'web', versions(4))
      .start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'web, wbe',
      'keep-last': 2,
      'min-age': 0
    })
    expect(run.exitCode).toBe(1)
    expect(run.outputs['deleted-count']).toBe('2')
    expect(run.outputs['failed-count']).toBe('0')
    expect(parsed(run, 'failed')).toEqual([])
    const failedPackages = JSON.parse(run.outputs['failed-packages']) as {
      package: string
      message: string
    }[]
    expect(failedPackages.map(p => p.package)).toEqual(['wbe'])
    expect(failedPackages[0].message).toContain('npm package "wbe" of acme was not found')
    expect(run.summary).toContain('| wbe | :x: not listed or planned | 0 | 0 | 0 | 0 |')
    expect(run.summary).toContain('1 package(s) could not be listed or planned')
  })
})

describe('a dry run does not promise what GitHub may refuse', () => {
  it('marks the would-be deletes of a public package, not those of a private one', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('npm', 'open', versions(3), { visibility: 'public' })
      .withPackage('npm', 'closed', versions(3, 10))
      .start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'open, closed',
      'keep-last': 1,
      'min-age': 0,
      'dry-run': true
    })
    expect(run.exitCode).toBe(0)
    const deleted = parsed<{ package: string; mayBeRefused?: boolean }>(run, 'deleted')
    expect(deleted.filter(d => d.package === 'open').every(d => d.mayBeRefused === true)).toBe(true)
    expect(deleted.filter(d => d.package === 'closed').some(d => 'mayBeRefused' in d)).toBe(false)
    expect(run.summary).toContain(':warning: may be refused (public); delete: ')
    expect(run.annotations.some(a => a.level === 'warning' && a.message.startsWith('open: public:'))).toBe(
      true
    )
  })
})

describe('the repo scope', () => {
  const token = (scopes: ('read:packages' | 'delete:packages' | 'write:packages' | 'repo')[]) => ({
    value: CLASSIC,
    kind: 'classic' as const,
    login: 'octocat',
    scopes
  })

  it('is needed for a private maven package, and the failure says so', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .with({ tokens: [token(['read:packages', 'delete:packages'])] })
      .withPackage('maven', 'com.acme.lib', versions(3))
      .start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'maven',
      'package-names': 'com.acme.lib',
      'keep-last': 1,
      'min-age': 0
    })
    expect(run.exitCode).toBe(1)
    expect(run.outputs['failed-packages']).toContain(
      'and repo: maven packages take their permissions from their repository'
    )
  })

  it('is not needed for NuGet and RubyGems packages, whose permissions are their own', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .with({ tokens: [token(['read:packages', 'delete:packages'])] })
      .withPackage('nuget', 'Acme.Lib', versions(3))
      .withPackage('rubygems', 'acme-lib', versions(3, 10))
      .start()
    for (const [type, name] of [
      ['nuget', 'Acme.Lib'],
      ['rubygems', 'acme-lib']
    ]) {
      const run = await fake.run({
        owner: 'acme',
        'package-type': type,
        'package-names': name,
        'keep-last': 1,
        'min-age': 0
      })
      expect(run.exitCode).toBe(0)
      expect(run.outputs['deleted-count']).toBe('2')
    }
    expect(apiCalls(fake).filter(c => c.startsWith('DELETE'))).toHaveLength(4)
  })
})
