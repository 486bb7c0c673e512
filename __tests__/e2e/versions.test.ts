/**
 * Versions as versions, run by the bundled action: the README's three rules (old majors by precedence,
 * pre-releases by age, the newest patch of every minor), each alone and all together, keep-last per minor over
 * container tags with a backport, and npm's dist-tags, kept, or the package held back when they cannot be read.
 */
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import type { VersionSpec } from '../../fake-github/scenario.js'
import { activeIds, aWorld, daysAgo, digest, parsed } from './world.js'

const npmVersion = (id: number, name: string, days: number): VersionSpec => ({
  id,
  name,
  created_at: daysAgo(days)
})

/** A library with two backports (1.8.1 and 1.9.2 published after 2.3.0; 2.2.2 after 2.3.1) and pre-releases. */
const LIB: VersionSpec[] = [
  npmVersion(1, '1.8.0', 200),
  npmVersion(2, '1.9.0', 180),
  npmVersion(3, '1.9.1', 150),
  npmVersion(4, '2.0.0-rc.1', 130),
  npmVersion(5, '2.0.0', 120),
  npmVersion(6, '2.1.0', 100),
  npmVersion(7, '2.2.0', 80),
  npmVersion(8, '2.2.1', 60),
  npmVersion(9, '2.3.0', 40),
  npmVersion(10, '1.9.2', 30),
  npmVersion(14, '1.8.1', 25),
  npmVersion(11, '2.3.1', 20),
  npmVersion(15, '2.2.2', 15),
  npmVersion(12, '3.0.0-beta.1', 10),
  npmVersion(13, '3.0.0-beta.2', 3)
]
const ALL = LIB.map(v => v.id).sort((a, b) => a - b)

const OLD_MAJORS = `
  - name: old majors
    match: { semver: '<2.0.0' }
    order: semver
    keep-last: 2`
const PRE_RELEASES = `
  - name: pre-releases
    match: ['**']
    prerelease: only
    min-age: 14d`
const PATCHES = `
  - name: patches
    match: { semver: '>=2.0.0' }
    order: semver
    per: minor
    keep-last: 1`

const world = () =>
  aWorld()
    .withOrganisation('acme')
    .withClassicToken('octocat')
    .withPackage('npm', 'lib', LIB, { distTags: { latest: '2.3.1', next: '3.0.0-beta.2' } })

interface PlanFile {
  packages: { name: string; versions: { id: number; action: string; reasons: string[] }[] }[]
}
const reasons = (run: { outputs: Record<string, string> }, pkg: string, id: number) =>
  (JSON.parse(readFileSync(run.outputs['plan-file'], 'utf8')) as PlanFile).packages
    .find(p => p.name === pkg)
    ?.versions.find(v => v.id === id)?.reasons
const deletedIds = (run: Parameters<typeof parsed>[0]) =>
  parsed(run, 'deleted')
    .map(d => d.id)
    .sort((a, b) => a - b)
const without = (gone: number[]) => ALL.filter(id => !gone.includes(id))

describe('versions as versions in a policy', () => {
  it('old majors: the 2 highest 1.x versions stay, whenever they were published', async () => {
    const fake = await world().start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'lib',
      policy: `rules:${OLD_MAJORS}`
    })
    expect(run.exitCode).toBe(0)
    // By creation time the 2 newest would be the backports 1.8.1 and 1.9.2; by version, 1.9.2 and 1.9.1.
    expect(deletedIds(run)).toEqual([1, 2, 14])
    expect(activeIds(fake, 'lib')).toEqual(without([1, 2, 14]))
    expect(reasons(run, 'lib', 3)).toEqual(['keep: rule "old majors": among the 2 highest versions'])
    expect(reasons(run, 'lib', 14)).toEqual([
      'delete: rule "old majors": 25d old, not among the 2 highest versions'
    ])
    expect(reasons(run, 'lib', 5)).toEqual(['keep: no rule matches'])
  })

  it('pre-releases: those older than 14 days go, the young ones and every release stay', async () => {
    const fake = await world().start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'lib',
      policy: `rules:${PRE_RELEASES}`
    })
    expect(run.exitCode).toBe(0)
    expect(deletedIds(run)).toEqual([4])
    expect(reasons(run, 'lib', 12)).toEqual(['keep: rule "pre-releases": younger than 14d (10d old)'])
    expect(reasons(run, 'lib', 13)).toEqual([
      'keep: rule "pre-releases": younger than 14d (3d old)',
      'keep: dist-tag next'
    ])
    expect(reasons(run, 'lib', 5)).toEqual(['keep: no rule matches'])
  })

  it('patches: the highest patch of every 2.x minor stays, a backport 2.2.2 published after 2.3.1 included', async () => {
    const fake = await world().start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'lib',
      policy: `rules:${PATCHES}`
    })
    expect(run.exitCode).toBe(0)
    expect(deletedIds(run)).toEqual([7, 8, 9])
    expect(reasons(run, 'lib', 11)).toEqual([
      'keep: rule "patches": newest 1 of line 2.3',
      'keep: dist-tag latest'
    ])
    expect(reasons(run, 'lib', 15)).toEqual(['keep: rule "patches": newest 1 of line 2.2'])
    expect(reasons(run, 'lib', 8)).toEqual([
      'delete: rule "patches": 60d old, not among the newest 1 of line 2.2'
    ])
    // Pre-releases are in no range that names none: 2.0.0-rc.1 and 3.0.0-beta.* stay.
    expect(reasons(run, 'lib', 4)).toEqual(['keep: no rule matches'])
  })

  it('all three as one policy, as docs/versions.md writes it: what the page says it deletes, and no warning', async () => {
    const page = readFileSync(new URL('../../docs/versions.md', import.meta.url), 'utf8')
    const policy = /```yaml\n([\s\S]*?)```/.exec(page)?.[1] ?? ''
    const promised = (/All three in one policy \([^)]*\) delete ([\s\S]*?)\. Each row/.exec(page)?.[1] ?? '')
      .split(/,\s*|\s+and\s+/)
      .map(name => LIB.find(v => v.name === name)?.id)
    const fake = await world().start()
    const run = await fake.run({ owner: 'acme', 'package-type': 'npm', 'package-names': 'lib', policy })
    expect(run.exitCode).toBe(0)
    expect(run.annotations.filter(a => a.level !== 'notice')).toEqual([])
    expect(deletedIds(run)).toEqual([1, 2, 4, 7, 8, 9, 14])
    expect(promised.sort((a = 0, b = 0) => a - b)).toEqual([1, 2, 4, 7, 8, 9, 14])
    expect(activeIds(fake, 'lib')).toEqual([3, 5, 6, 10, 11, 12, 13, 15])
  })
})

describe('versions as versions in the single-rule inputs', () => {
  const image = (id: number, tags: string[], days: number): VersionSpec => ({
    id,
    name: digest(`versions-${id}`),
    tags,
    created_at: daysAgo(days)
  })
  const APP = [
    image(1, ['v2.1.0'], 100),
    image(2, ['v2.1.1'], 90),
    image(3, ['v2.2.0'], 80),
    image(4, ['v2.3.0'], 60),
    image(5, ['v2.3.1', 'latest'], 40),
    image(6, ['v2.2.1'], 30), // a backport, published after 2.3.1
    image(7, ['v1.5.0'], 20),
    image(8, ['nightly'], 10)
  ]

  it('keep-last-per: minor keeps the highest image of every line; keep-tags semver:RANGE protects', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('container', 'app', APP)
      .start()
    const inputs = {
      owner: 'acme',
      'package-type': 'container',
      'package-names': 'app',
      'delete-tags': 'semver:>=2.0.0',
      order: 'semver',
      'keep-last-per': 'minor',
      'keep-last': 1
    }
    const dry = await fake.run({ ...inputs, 'dry-run': true })
    expect(dry.exitCode).toBe(0)
    expect(deletedIds(dry)).toEqual([1, 3, 4])
    expect(reasons(dry, 'app', 6)).toEqual(['keep: newest 1 of line 2.2'])
    expect(reasons(dry, 'app', 3)?.[0]).toBe(
      'delete: selected by delete-tags "semver:>=2.0.0", 80d old, not among the newest 1 of line 2.2'
    )
    expect(reasons(dry, 'app', 7)).toEqual(['keep: not selected by delete-tags'])

    const run = await fake.run({ ...inputs, 'keep-tags': 'semver:~2.1.0 <2.1.1' })
    expect(run.exitCode).toBe(0)
    expect(deletedIds(run)).toEqual([3, 4])
    expect(reasons(run, 'app', 1)).toEqual(['keep: tag "v2.1.0" matches keep-tags "semver:~2.1.0 <2.1.1"'])
    expect(activeIds(fake, 'app')).toEqual([1, 2, 5, 6, 7, 8])
  })

  it('refuses an order, a line or a range that is not one, before any request', async () => {
    const fake = await aWorld().withOrganisation('acme').withClassicToken('octocat').start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'lib',
      order: 'version',
      'keep-last-per': 'patch',
      'delete-tags': 'semver:>=banana'
    })
    expect(run.exitCode).not.toBe(0)
    expect(run.stdout).toContain('order: "version" is not one of created, semver')
    expect(run.stdout).toContain('keep-last-per: "patch" is not one of major, minor')
    expect(run.stdout).toContain('delete-tags: "semver:>=banana" is not a node-semver range')
    expect(fake.requests).toEqual([])
  })
})

describe("npm's dist-tags", () => {
  const CLI = [1, 2, 3, 4, 5, 6].map(i => npmVersion(20 + i, `1.0.${i - 1}`, 40 - i))

  it('keeps every version a dist-tag points at; a package whose dist-tags cannot be read keeps everything, and the run fails', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('npm', 'cli', CLI, { distTags: { latest: '1.0.2', beta: '1.0.4' } })
      .withPackage('npm', 'broken', versions6(), { npmRegistryStatus: 500 })
      .start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'cli, broken',
      'keep-last': 1
    })
    expect(run.exitCode).not.toBe(0)
    // cli: the newest (keep-last 1) and the two that dist-tags point at stay.
    expect(activeIds(fake, 'cli')).toEqual([23, 25, 26])
    expect(reasons(run, 'cli', 23)).toEqual(['keep: dist-tag latest'])
    expect(reasons(run, 'cli', 25)).toEqual(['keep: dist-tag beta'])
    // broken: nothing deleted, and the run says why.
    expect(activeIds(fake, 'broken')).toEqual([31, 32, 33, 34, 35, 36])
    expect(fake.requests.filter(r => r.method === 'DELETE' && r.path.includes('/broken/'))).toEqual([])
    expect(run.stdout).toContain('broken: the npm registry http://npm.localhost:')
    expect(run.stdout).toMatch(
      /answered HTTP 500 for @acme\/broken's dist-tags: nothing of this package is deleted in this run/
    )
    expect(run.summary).toContain('broken')
  })
})

function versions6(): VersionSpec[] {
  return [1, 2, 3, 4, 5, 6].map(i => npmVersion(30 + i, `0.${i}.0`, 60 - i))
}
