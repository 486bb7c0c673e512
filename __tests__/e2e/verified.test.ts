/**
 * Decisions rest only on what was checked: a run that needs no registry never touches one, a manifest that
 * names something other than a digest is a failed read, a crafted run record or a file reached through a link
 * is an input error, and registry tokens are masked in the log. Runs `dist/index.js` as the runner does.
 */
import { describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { activeIds, aWorld, daysAgo, imageVersion, indexVersion, versions } from './world.js'

const errorsOf = (run: { annotations: { level: string; message: string }[] }) =>
  run.annotations.filter(a => a.level === 'error').map(a => a.message)

describe('a run that needs no registry', () => {
  it('runs against an API that is neither api.github.com nor a server /api/v3, without registry-url', async () => {
    // As GitHub Enterprise Cloud with data residency (api.SUBDOMAIN.ghe.com) or any other API base.
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('maven', 'lib', versions(5))
      .start({ apiPath: '', hostname: '127.0.0.1' })
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'maven',
      'package-names': 'lib',
      'keep-last': 2,
      'min-age': 0
    })
    expect([run.exitCode, errorsOf(run)]).toEqual([0, []])
    expect(activeIds(fake, 'lib')).toEqual([4, 5])
    expect(fake.requests.filter(r => r.path.startsWith('/v2') || r.path === '/token')).toEqual([])
  })

  it('derives the registry of a server from api-url alone, and reads it for containers', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('container', 'app', [
        imageVersion(1, 'orphan', 40),
        imageVersion(2, 'v1/amd64', 5),
        indexVersion(3, 'v1', 5, ['v1'], ['v1/amd64'])
      ])
      .start()
    expect(fake.registryUrl).toMatch(/^http:\/\/containers\.localhost:\d+$/)
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'container',
      'package-names': 'app',
      'keep-last': 1,
      'min-age': 0
    })
    expect([run.exitCode, errorsOf(run)]).toEqual([0, []])
    expect(activeIds(fake, 'app')).toEqual([2, 3])
    expect(fake.registry.tokenRequests.every(r => r.credentials && r.host.startsWith('containers.'))).toBe(
      true
    )
    // The registry token the token service gave is masked in the log, as the API token is.
    expect(run.stdout).toContain('::add-mask::ghcr_fake_1')
  })
})

describe('manifests that name something other than a digest', () => {
  it('are a failed read: the untagged versions of the package stay', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('container', 'app', [
        imageVersion(1, 'orphan', 40),
        imageVersion(2, 'v1/amd64', 5),
        indexVersion(3, 'v1', 5, ['v1'], ['v1/amd64'])
      ])
      .start()
    const index = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: '../../v2/_catalog' }]
    }
    fake.registry.answerNext.push({
      status: 200,
      headers: { 'content-type': index.mediaType },
      text: JSON.stringify(index)
    })
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'container',
      'package-names': 'app',
      'keep-last': 1,
      'min-age': 0
    })
    expect(activeIds(fake, 'app')).toEqual([1, 2, 3])
    // The body is not the index asked for, so it is refused before what it names is looked at (the unit tests
    // of the registry client check the names in a body that does hash to its digest).
    expect(run.annotations.map(a => a.message).join('\n')).toContain("the body's sha256 is not this digest")
    expect(fake.requests.some(r => r.path.includes('_catalog'))).toBe(false)
  })
})

describe('restore, given a run record', () => {
  const world = () =>
    aWorld().withOrganisation('acme').withClassicToken('octocat').withPackage('npm', 'web', versions(3))
  const inputs = { owner: 'acme', 'package-type': 'npm', 'package-names': 'web' }
  const header = {
    record: 'package-retention-run',
    owner: 'acme',
    packageType: 'npm',
    mode: 'delete',
    dryRun: false,
    startedAt: daysAgo(1),
    planFile: '/tmp/plan.json'
  }
  const sent = { event: 'sent', package: 'web', id: 1, name: '1.0.0', tags: [] }
  const lines = (...entries: object[]) => entries.map(e => JSON.stringify(e)).join('\n')

  it.each([
    [
      'an owner that is not a string',
      lines({ ...header, owner: 42 }),
      'line 1: "owner" is not a non-empty string'
    ],
    [
      'an unknown package type',
      lines({ ...header, packageType: 'pypi' }),
      'line 1: "packageType" is not one of'
    ],
    [
      'a version id that is not one',
      lines(header, { ...sent, id: '1; 2' }),
      'line 2: "id" is not a version id'
    ],
    [
      'tags that are not a list',
      lines(header, { ...sent, tags: 'v1' }),
      'line 2: "tags" is not a list of strings'
    ],
    ['an unknown event', lines(header, { ...sent, event: 'deleted' }), 'line 2: "event" is not one of'],
    [
      'an outcome without its kind',
      lines(header, { ...sent, event: 'ended', outcome: {} }),
      'line 2: "outcome"'
    ],
    ['a header cut short', '{"record":"package-retention-run","own', 'line 1 is not JSON']
  ])('refuses %s as an input error, before any request', async (_, record, problem) => {
    const fake = await world().start()
    const run = await fake.run({ ...inputs, restore: record })
    expect(run.exitCode).toBe(1)
    expect(run.stderr).not.toMatch(/TypeError|at .*\.js:\d+/)
    expect(errorsOf(run)[0]).toMatch(/^restore: .* is not a run record: /)
    expect(errorsOf(run)[0]).toContain(problem)
    expect(fake.requests).toEqual([])
  })

  it('refuses a record or a policy reached through a link that leaves the workspace', async () => {
    const fake = await world().start()
    const outside = mkdtempSync(join(tmpdir(), 'outside-'))
    writeFileSync(join(outside, 'run.jsonl'), lines(header, sent))
    writeFileSync(join(outside, 'policy.yml'), 'rules:\n  - match: "*"\n    keep-last: 0\n')
    const workspace = mkdtempSync(join(tmpdir(), 'workspace-'))
    mkdirSync(join(workspace, 'records'))
    symlinkSync(join(outside, 'run.jsonl'), join(workspace, 'records', 'run.jsonl'))
    symlinkSync(outside, join(workspace, 'config'))
    const env = { GITHUB_WORKSPACE: workspace }

    const restore = await fake.run({ ...inputs, restore: 'records/run.jsonl' }, { env })
    expect(restore.exitCode).toBe(1)
    expect(errorsOf(restore)[0]).toMatch(
      /^restore: "records\/run.jsonl" is outside the workspace and RUNNER_TEMP .* once links are resolved/
    )
    const policy = await fake.run(
      { owner: 'acme', 'package-type': 'npm', policy: 'config/policy.yml' },
      { env }
    )
    expect(policy.exitCode).toBe(1)
    expect(errorsOf(policy)[0]).toMatch(
      /^policy: "config\/policy.yml" is outside the workspace .* once links/
    )
    expect(fake.requests).toEqual([])
    expect(activeIds(fake, 'web')).toEqual([1, 2, 3])
  })
})
