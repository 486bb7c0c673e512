/**
 * What the repository says decides: a closed pull request's event deletes its images, `delete-closed` sweeps
 * closed pull requests' and deleted branches' images, `keep-in-use` keeps releases and what runs now, and a
 * repository the token cannot read deletes nothing.
 */
import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { parse } from 'yaml'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ACTIONS, activeIds, aWorld, daysAgo, imageVersion, indexVersion, parsed } from './world.js'
import type { RepositorySpec, TokenSpec, VersionSpec } from '../../fake-github/scenario.js'

const sha = (c: string) => c.repeat(40)
const short = (c: string) => `sha-${c.repeat(7)}`

/** The images of acme/app, built by docker/metadata-action with its default tags. */
const APP: VersionSpec[] = [
  imageVersion(2, 'pr12-amd64', 1, [], { manifest: { kind: 'image', platform: 'linux/amd64' } }),
  imageVersion(3, 'pr12-arm64', 1, [], { manifest: { kind: 'image', platform: 'linux/arm64' } }),
  indexVersion(1, 'pr12', 1, ['pr-12', short('a')], ['pr12-amd64', 'pr12-arm64']),
  imageVersion(4, 'pr13', 2, ['pr-13']),
  imageVersion(5, 'main', 3, ['main', short('b')]),
  imageVersion(6, 'release', 30, ['v1.2.3', '1.2.3']),
  imageVersion(7, 'feature-a', 40, ['feature-a']),
  imageVersion(8, 'pr14', 50, ['pr-14']),
  imageVersion(9, 'pr10', 200, ['pr-10', short('c')]),
  imageVersion(10, 'pr15', 60, ['pr-15', 'latest']),
  imageVersion(11, 'leftover', 300)
]

const APP_REPOSITORY: RepositorySpec = {
  full_name: 'acme/app',
  visibility: 'private',
  pulls: [
    pull(10, 'closed', 190, { merged: true, ref: 'fix/old' }),
    pull(11, 'closed', 35, { merged: true, ref: 'feature/a' }),
    pull(12, 'closed', 0, { merged: true, ref: 'feature/b' }),
    pull(13, 'open', 2, { ref: 'feature/c' }),
    // From a fork that is gone.
    { ...pull(14, 'closed', 45, { ref: 'patch-1' }), head: { ref: 'patch-1', sha: sha('e'), repo: null } },
    pull(15, 'closed', 55, { ref: 'feature/d' })
  ],
  branches: [
    { name: 'main', sha: sha('b') },
    { name: 'feature/c', sha: sha('f') },
    { name: 'feature/d', sha: sha('d') }
  ],
  releases: [{ tag_name: 'v1.2.3', created_at: daysAgo(30) }]
}

function pull(
  number: number,
  state: 'open' | 'closed',
  closedDaysAgo: number,
  { merged = false, ref }: { merged?: boolean; ref: string }
): NonNullable<RepositorySpec['pulls']>[number] {
  const closed = daysAgo(closedDaysAgo)
  return {
    number,
    state,
    created_at: daysAgo(closedDaysAgo + 5),
    updated_at: closed,
    ...(state === 'closed' && { closed_at: closed }),
    ...(merged && { merged_at: closed }),
    head: { ref, sha: sha('9'), repo: 'acme/app' }
  }
}

function world(token: Partial<TokenSpec> = {}, actionsAdmin = ['acme/app']) {
  return aWorld()
    .withOrganisation('acme')
    .with({
      tokens: [{ value: ACTIONS, kind: 'actions', repository: 'acme/app', ...token }],
      repositories: [APP_REPOSITORY]
    })
    .withPackage('container', 'app', APP, { repository: 'acme/app', actionsAdmin })
}

function event(name: string, payload: unknown): Record<string, string> {
  const path = join(mkdtempSync(join(tmpdir(), 'event-')), 'event.json')
  writeFileSync(path, JSON.stringify(payload))
  return { GITHUB_EVENT_NAME: name, GITHUB_EVENT_PATH: path }
}

const closedEvent = (name: string, number: number) =>
  event(name, {
    action: 'closed',
    number,
    pull_request: {
      number,
      state: 'closed',
      merged: true,
      closed_at: daysAgo(0),
      merged_at: daysAgo(0),
      head: { ref: 'feature/b', repo: { full_name: 'acme/app' } },
      base: { ref: 'main', repo: { full_name: 'acme/app' } }
    },
    repository: { name: 'app', full_name: 'acme/app', owner: { login: 'acme' } }
  })

const ids = (run: Awaited<ReturnType<Awaited<ReturnType<ReturnType<typeof world>['start']>>['run']>>) =>
  parsed(run, 'deleted')
    .map(d => d.id)
    .sort((a, b) => a - b)

describe('a pull request closed event, with only the token', () => {
  it.each(['pull_request', 'pull_request_target'])(
    '%s: deletes exactly that pull request’s images, a multi-arch one whole, whatever their age',
    async name => {
      // The workflow gives packages: write and nothing of the repository: the payload says all.
      const fake = await world({ permissions: {} }).start()
      const run = await fake.run({}, { token: ACTIONS, env: closedEvent(name, 12) })
      expect(run.exitCode).toBe(0)
      expect(ids(run)).toEqual([1, 2, 3])
      expect(activeIds(fake, 'app')).toEqual([4, 5, 6, 7, 8, 9, 10, 11])
      expect(fake.requests.filter(r => r.path.includes('/repos/'))).toEqual([])
      expect(run.stdout).toContain('delete: pull request #12 closed (merged ')
    }
  )
})

describe('delete-closed on a schedule', () => {
  it('deletes closed pull requests’ and deleted branches’ images at any age, and nothing else', async () => {
    const fake = await world({ permissions: { pull_requests: 'read', contents: 'read' } }).start()
    const run = await fake.run(
      { 'package-type': 'container', 'delete-closed': 'pull-requests, branches' },
      { token: ACTIONS }
    )
    expect(run.exitCode).toBe(0)
    // pr-12 with its platforms (1 day old), feature/a (deleted), the fork's pr-14, pr-10 (200 days old). Not the
    // open pr-13, main, the release, pr-15 with latest, nor the untagged leftover.
    expect(ids(run)).toEqual([1, 2, 3, 7, 8, 9])
    const why = (id: number) => run.stdout.split('\n').find(line => line.includes(`delete ${id} `))
    expect(why(7)).toContain('delete: branch feature/a deleted')
    expect(why(8)).toContain('delete: pull request #14 closed')
    expect(run.summary).toContain('pull request #12 closed (merged')
  })
})

describe('keep-in-use', () => {
  const SITE: VersionSpec[] = [
    imageVersion(101, 'site-1.0.0', 100, ['v1.0.0', '1.0.0']),
    imageVersion(102, 'site-1.1.0-rc', 90, ['1.1.0-rc.1']),
    imageVersion(103, 'site-1', 80, [short('1')]),
    imageVersion(104, 'site-2', 70, [short('2')]),
    imageVersion(105, 'site-3', 60, [short('3')]),
    imageVersion(106, 'site-4', 50, [short('4')]),
    imageVersion(107, 'site-5', 40, [short('5')]),
    imageVersion(108, 'site-main', 20, ['main']),
    imageVersion(109, 'site-6', 10, [short('6')])
  ]
  const deployment = (id: number, environment: string, c: string, days: number, ...states: string[]) => ({
    id,
    sha: sha(c),
    ref: 'main',
    environment,
    created_at: daysAgo(days),
    statuses: states.map((state, i) => ({
      state: state as 'success',
      created_at: daysAgo(days, 60 * (i + 1))
    }))
  })
  const SITE_REPOSITORY: RepositorySpec = {
    full_name: 'acme/site',
    visibility: 'private',
    releases: [
      { tag_name: 'v1.0.0', created_at: daysAgo(100) },
      { tag_name: 'v1.1.0-rc.1', prerelease: true, created_at: daysAgo(90) }
    ],
    deployments: [
      deployment(41, 'production', '1', 80, 'in_progress', 'success'),
      deployment(42, 'production', '2', 70, 'in_progress', 'failure'),
      deployment(51, 'staging', '3', 60, 'success'),
      deployment(52, 'staging', '4', 50, 'success', 'inactive')
    ]
  }

  it('with keep-last: 2 keeps every release’s image and what each environment runs now', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .with({
        tokens: [
          {
            value: ACTIONS,
            kind: 'actions',
            repository: 'acme/site',
            permissions: { contents: 'read', deployments: 'read', actions: 'read' }
          }
        ],
        repositories: [SITE_REPOSITORY]
      })
      .withPackage('container', 'site', SITE, { repository: 'acme/site' })
      .start()
    const run = await fake.run(
      { 'package-type': 'container', 'keep-in-use': 'releases, deployments', 'keep-last': 2 },
      { token: ACTIONS, repository: 'acme/site' }
    )
    expect(run.exitCode).toBe(0)
    // 104: production's newer deployment failed; 106: staging's newer one is inactive; 107: nothing.
    expect(ids(run)).toEqual([104, 106, 107])
    const why = (id: number) => run.stdout.split('\n').find(line => line.includes(`keep ${id} `))
    expect(why(101)).toContain('keep: release v1.0.0')
    expect(why(102)).toContain('keep: pre-release release v1.1.0-rc.1')
    expect(why(103)).toContain('keep: deployed to production (deployment 41)')
    expect(why(105)).toContain('keep: deployed to staging (deployment 51)')
  })
})

describe('a repository the token cannot read', () => {
  it('deletes nothing and fails, naming the repository and the permission', async () => {
    // A GITHUB_TOKEN of another repository, given the Admin role on the package: acme/app is private to it.
    const fake = await world({ repository: 'acme/tools' }, ['acme/tools']).start()
    const run = await fake.run(
      { 'package-type': 'container', 'package-names': 'app', 'delete-closed': 'pull-requests' },
      { token: ACTIONS, repository: 'acme/tools' }
    )
    expect(run.exitCode).not.toBe(0)
    expect(activeIds(fake, 'app')).toEqual(APP.map(v => v.id).sort((a, b) => a - b))
    const errors = run.annotations.filter(a => a.level === 'error').map(a => a.message)
    expect(errors.join('\n')).toMatch(/repository acme\/app was not found.*pull-requests: read.*repo/)
  })

  it('a missing permission (403) holds the package back, keep-in-use too', async () => {
    const fake = await world({ permissions: { contents: 'read' } }).start()
    const run = await fake.run(
      { 'package-type': 'container', 'keep-in-use': 'releases, deployments', 'keep-last': 0, 'min-age': 0 },
      { token: ACTIONS }
    )
    expect(run.exitCode).not.toBe(0)
    expect(parsed(run, 'deleted')).toEqual([])
    expect(run.annotations.map(a => a.message).join('\n')).toContain(
      'repository acme/app refused the read: give the workflow `permissions: actions: read`'
    )
  })
})

describe('the recipes of docs/repository-life.md', () => {
  const page = readFileSync(new URL('../../docs/repository-life.md', import.meta.url), 'utf8')
  const recipes = [
    ...page
      .split('\n## Recipes\n')[1]
      .split('\n## ')[0]
      .matchAll(/```yaml\n([\s\S]*?)```/g)
  ].map(
    ([, text]) =>
      parse(text) as {
        on: Record<string, unknown>
        permissions: Record<string, string>
        jobs: { clean: { steps: { uses: string; with?: Record<string, string | number> }[] } }
      }
  )

  it('has one per event', () => {
    expect(recipes.map(r => Object.keys(r.on)[0])).toEqual(['pull_request_target', 'schedule', 'schedule'])
  })

  it.each(recipes.map(r => [Object.keys(r.on)[0], r] as const))(
    '%s: runs as a dry run with the permissions it gives',
    async (on, recipe) => {
      const permissions = Object.fromEntries(
        Object.entries(recipe.permissions)
          .filter(([name]) => name !== 'packages')
          .map(([name, level]) => [name.replace('-', '_'), level as 'read'])
      )
      const fake = await world({ permissions }).start()
      const env = on === 'schedule' ? { GITHUB_EVENT_NAME: 'schedule' } : closedEvent(on, 12)
      const run = await fake.run(
        { ...recipe.jobs.clean.steps[0].with, 'dry-run': true },
        { token: ACTIONS, env }
      )
      expect(run.exitCode).toBe(0)
      expect(parsed(run, 'deleted').length).toBeGreaterThan(0)
      expect(activeIds(fake, 'app')).toEqual(APP.map(v => v.id).sort((a, b) => a - b))
    }
  )
})
