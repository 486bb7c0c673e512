/**
 * The action against the answers GitHub really gives (fake-github/fidelity/): the GITHUB_TOKEN listing 400,
 * docker tags, untrusted "deleted" lists, Enterprise Managed User logins, GitHub Enterprise Server paths and
 * manifests the registry serves only to an Accept that names their type.
 */
import { describe, expect, it } from '@jest/globals'
import { ACTIONS, activeIds, apiCalls, aWorld, daysAgo, digest, parsed, versions } from './world.js'
import type { VersionSpec } from '../../fake-github/scenario.js'

const deletedVersions = (ids: number[], daysDeleted = 3) =>
  versions(4).map(v => (ids.includes(v.id) ? { ...v, deleted_at: daysAgo(daysDeleted) } : v))

describe('GITHUB_TOKEN listing packages', () => {
  it('explains, on GitHub’s 400 Invalid argument., that globs need a classic token', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withActionsToken('acme/app')
      .withPackage('container', 'app', [{ id: 1, name: digest('a'), tags: ['v1'], created_at: daysAgo(3) }])
      .start()
    const run = await fake.run(
      { owner: 'acme', 'package-type': 'container', 'package-names': 'app*', 'min-age': 0 },
      { token: ACTIONS }
    )
    expect(run.exitCode).toBe(1)
    const error = run.annotations.find(a => a.level === 'error')?.message
    expect(error).toContain("package-names: globs need a token that can list acme's packages")
    expect(error).toContain('(GitHub: Invalid argument.)')
    expect(fake.requests.some(r => r.method === 'DELETE')).toBe(false)
  })
})

describe('docker packages', () => {
  it('reads tags from metadata.docker.tag: they are reported and keep-tags protects them', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('docker', 'legacy', [
        { id: 1, name: digest('legacy/1'), tags: ['1.0'], created_at: daysAgo(30) },
        { id: 2, name: digest('legacy/2'), tags: ['latest'], created_at: daysAgo(20) },
        { id: 3, name: digest('legacy/3'), tags: ['1.1'], created_at: daysAgo(10) }
      ])
      .start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'docker',
      'package-names': 'legacy',
      'keep-last': 0,
      'min-age': 0,
      'keep-tags': 'latest'
    })
    expect(run.exitCode).toBe(0)
    expect(activeIds(fake, 'legacy')).toEqual([2])
    expect(
      parsed(run, 'deleted')
        .map(d => [d.id, d.tags])
        .sort()
    ).toEqual([
      [1, ['1.0']],
      [3, ['1.1']]
    ])
  })
})

describe('restoring from a "deleted" list that cannot be trusted', () => {
  it('restores nothing when the /users list ignores state=deleted and returns active versions', async () => {
    const fake = await aWorld()
      .withUser('mona')
      .withClassicToken('octocat')
      .withPackage('npm', 'lib', deletedVersions([2]), { repository: 'mona/lib' })
      .with({ quirks: { usersVersionListIgnoresState: true } })
      .start()
    const run = await fake.run({
      owner: 'mona',
      'package-type': 'npm',
      'package-names': 'lib',
      restore: 'deleted-within:30d'
    })
    expect(run.exitCode).toBe(1)
    expect(run.annotations.find(a => a.level === 'error')?.message).toContain(
      "GitHub's list of deleted versions also holds active versions (ids 4, 3, 1)"
    )
    expect(apiCalls(fake).filter(call => call.endsWith('/restore'))).toEqual([])
    expect(activeIds(fake, 'lib')).toEqual([1, 3, 4])
  })

  it('does not restore versions listed as deleted without deleted_at, and says why', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('npm', 'web', deletedVersions([1, 2]))
      .with({ quirks: { omitDeletedAt: true } })
      .start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'web',
      restore: 'deleted-within:30d'
    })
    expect(run.exitCode).toBe(1)
    expect(apiCalls(fake).filter(call => call.endsWith('/restore'))).toEqual([])
    expect(activeIds(fake, 'web')).toEqual([3, 4])
    const failed = parsed(run, 'failed')
    expect(failed.map(f => f.id).sort()).toEqual([1, 2])
    expect(failed[0].message).toContain('without a deleted_at time')
  })

  it('still restores from a list it can trust', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('npm', 'web', deletedVersions([1, 2]))
      .start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'web',
      restore: '[2]'
    })
    expect(run.exitCode).toBe(0)
    expect(activeIds(fake, 'web')).toEqual([2, 3, 4])
  })
})

describe('owners and hosts', () => {
  it('accepts an Enterprise Managed User login with its _shortcode', async () => {
    const fake = await aWorld()
      .withUser('octocat_acme')
      .withClassicToken('octocat_acme')
      .withPackage('npm', 'lib', versions(4), { repository: 'octocat_acme/lib' })
      .start()
    const run = await fake.run({
      owner: 'octocat_acme',
      'package-type': 'npm',
      'package-names': 'lib',
      'keep-last': 1,
      'min-age': 0
    })
    expect(run.exitCode).toBe(0)
    expect(activeIds(fake, 'lib')).toEqual([4])
  })

  it('works against GitHub Enterprise Server: API under /api/v3, paginated, registry on its own base', async () => {
    const amd64 = digest('ghes/amd64')
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('npm', 'many', versions(150))
      .withPackage('container', 'app', [
        { id: 9001, name: digest('ghes/orphan'), created_at: daysAgo(40) },
        { id: 9002, name: amd64, created_at: daysAgo(5) },
        {
          id: 9003,
          name: digest('ghes/index'),
          tags: ['v1'],
          created_at: daysAgo(5),
          manifest: { kind: 'index', children: [amd64] }
        }
      ])
      .start()
    expect(fake.url).toMatch(/^http:\/\/localhost:\d+\/api\/v3$/)
    const npm = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'many',
      'keep-last': 140,
      'min-age': 0
    })
    expect(npm.exitCode).toBe(0)
    expect(npm.outputs['deleted-count']).toBe('10')
    const containers = await fake.run({
      owner: 'acme',
      'package-type': 'container',
      'package-names': 'app',
      'keep-last': 1,
      'min-age': 0
    })
    expect(containers.exitCode).toBe(0)
    expect(activeIds(fake, 'app')).toEqual([9002, 9003])
    // The registries (containers, npm) are on their own base, outside /api/v3.
    expect(fake.requests.some(r => r.path === '/@acme%2Fmany' && r.status === 200)).toBe(true)
    const api = fake.requests.filter(
      r => !r.path.startsWith('/v2') && r.path !== '/token' && !r.path.startsWith('/@')
    )
    expect(api.every(r => r.path.startsWith('/api/v3/') && r.status < 400)).toBe(true)
    // Both pages are read (the listing is read again to check it did not change, and after the run).
    const pages = api.filter(r => r.path === '/api/v3/orgs/acme/packages/npm/many/versions')
    expect(new Set(pages.map(r => new URLSearchParams(r.query).get('page')))).toEqual(new Set(['1', '2']))
    expect(fake.requests.some(r => r.path.startsWith('/v2/acme/app/manifests/'))).toBe(true)
  })
})

describe('manifests the registry serves only to an Accept naming their type', () => {
  const world = (extra: VersionSpec[]) =>
    aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('container', 'app', [
        { id: 1, name: digest('art/orphan'), created_at: daysAgo(40) },
        { id: 2, name: digest('art/amd64'), created_at: daysAgo(5) },
        {
          id: 3,
          name: digest('art/index'),
          tags: ['v1'],
          created_at: daysAgo(5),
          manifest: { kind: 'index', children: [digest('art/amd64')] }
        },
        {
          id: 4,
          name: digest('art/sbom'),
          tags: ['sbom-v1'],
          created_at: daysAgo(4),
          manifest: { kind: 'artifact' }
        },
        ...extra
      ])
      .start()
  const inputs = {
    owner: 'acme',
    'package-type': 'container',
    'package-names': 'app',
    'keep-last': 3,
    'min-age': 0
  }

  it('reads tagged OCI artifact manifests, so the real leftover can go', async () => {
    const fake = await world([])
    const run = await fake.run(inputs)
    expect(run.exitCode).toBe(0)
    // No warning but the one min-age 0 always gives: every manifest was read.
    const warnings = run.annotations.filter(a => a.level === 'warning' && !a.message.startsWith('min-age:'))
    expect(warnings).toEqual([])
    expect(activeIds(fake, 'app')).toEqual([2, 3, 4])
  })

  it('takes a signed Docker schema 1 manifest as a failed read: its digest cannot be checked, so nothing rests on it', async () => {
    const old = { id: 5, name: digest('art/old'), tags: ['v0'], created_at: daysAgo(900) }
    const fake = await world([{ ...old, manifest: { kind: 'schema1' } }])
    const run = await fake.run(inputs)
    expect(run.annotations.map(a => a.message)).toEqual(
      expect.arrayContaining([expect.stringContaining('a signed schema 1 manifest')])
    )
    expect(activeIds(fake, 'app')).toEqual([1, 2, 3, 4, 5])
  })
})
