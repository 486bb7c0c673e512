import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readConfig } from '../../src/config/inputs.js'
import { ConfigError } from '../../src/errors.js'
import { BAD_INPUTS, VALID_INPUTS } from './config-cases.js'

const reader = (inputs: Record<string, string>) => (name: string) => inputs[name] ?? ''
const env = { GITHUB_REPOSITORY: 'acme/app' }

function problemsOf(inputs: Record<string, string>): string[] {
  try {
    readConfig(reader({ ...VALID_INPUTS, ...inputs }), env)
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
  return []
}

const RECORD = [
  {
    record: 'package-retention-run',
    owner: 'acme',
    packageType: 'container',
    mode: 'delete',
    dryRun: false,
    startedAt: '2026-12-01T00:00:00.000Z',
    planFile: ''
  },
  { event: 'sent', package: 'app', id: 1, name: 'a', tags: [] },
  { event: 'sent', package: 'app', id: 2, name: 'b', tags: [] },
  { event: 'ended', package: 'app', id: 1, name: 'a', tags: [], outcome: { kind: 'done' } },
  { event: 'sent', package: 'app', id: 3, name: 'c', tags: [] },
  {
    event: 'ended',
    package: 'app',
    id: 3,
    name: 'c',
    tags: [],
    outcome: { kind: 'skipped', reason: 'already-gone', detail: '' }
  },
  { event: 'sent', package: 'app', id: 4, name: 'd', tags: [] }
]
  .map(line => JSON.stringify(line))
  .join('\n')

describe('restore from a run record', () => {
  it('takes what the run deleted and what it sent unanswered, from the content or from a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'record-'))
    writeFileSync(join(dir, 'run.jsonl'), `${RECORD}\n{"event":"ended","pack`)
    // The action writes its record in RUNNER_TEMP, where a later step of the job finds it.
    for (const restore of [RECORD, join(dir, 'run.jsonl')]) {
      const config = readConfig(reader({ ...VALID_INPUTS, restore }), { ...env, RUNNER_TEMP: dir })
      expect(config.restore).toEqual({ kind: 'ids', ids: [1, 2, 4], unsure: [2, 4] })
    }
  })

  it('refuses the record of another owner, a dry run, and a file that is not there', () => {
    expect(problemsOf({ restore: RECORD.replace('"owner":"acme"', '"owner":"other"') })).toEqual([
      expect.stringContaining(
        "is the record of a run on other's container packages, not acme's container packages"
      )
    ])
    expect(problemsOf({ restore: RECORD.replace('"dryRun":false', '"dryRun":true') })).toEqual([
      expect.stringContaining('is not a run record: it is the record of a dry run, which deleted nothing')
    ])
    expect(problemsOf({ restore: 'nowhere/run.jsonl' })).toEqual([
      expect.stringContaining('restore: "nowhere/run.jsonl" is not a readable run record (ENOENT)')
    ])
    expect(problemsOf({ restore: '/nowhere/run.jsonl' })).toEqual([
      expect.stringContaining('restore: "/nowhere/run.jsonl" is outside the workspace and RUNNER_TEMP (')
    ])
  })
})

describe('readConfig', () => {
  it.each(BAD_INPUTS)('refuses %j with its exact message', (inputs, message) => {
    expect(problemsOf(inputs)).toEqual([message])
  })

  it('reports every bad input at once, one message each', () => {
    expect(problemsOf({ 'keep-last': 'ten', 'min-age': 'soon', 'dry-run': 'maybe' })).toEqual([
      'keep-last: "ten" is not a whole number (0 or more)',
      'min-age: "soon" is not a duration; use 30d, 12h, 2w or P30D',
      'dry-run: "maybe" is not true or false'
    ])
  })

  it('turns valid inputs into one typed, frozen config', () => {
    const config = readConfig(
      reader({
        ...VALID_INPUTS,
        'package-names': 'app-*\n{api,web}, !legacy-*',
        'keep-last': '3',
        'min-age': '1w3d',
        'delete-tags': 'pr-*, sha-*',
        'keep-tags': 'latest',
        'dry-run': 'true',
        'max-deletions': '50',
        'api-url': 'https://ghe.example.com/api/v3/'
      }),
      env
    )
    expect(config).toEqual({
      token: 'ghp_valid',
      owner: 'acme',
      packageType: 'container',
      packageNames: ['app-*', '{api,web}', '!legacy-*'],
      policy: {
        packageType: 'container',
        keepLast: 3,
        minAgeMs: 10 * 24 * 3600_000,
        minAgeText: '1w3d',
        deleteTags: ['pr-*', 'sha-*'],
        keepTags: ['latest'],
        untagged: 'include'
      },
      dryRun: true,
      maxDeletions: 50,
      rateLimitReserve: { percent: 10 },
      apiUrl: 'https://ghe.example.com/api/v3',
      registryUrl: 'https://ghcr.io',
      restore: undefined
    })
    expect(Object.isFrozen(config)).toBe(true)
    expect(Object.isFrozen(config.policy)).toBe(true)
  })

  it('accepts logins of Enterprise Managed Users: handle_shortcode', () => {
    expect(readConfig(reader({ ...VALID_INPUTS, owner: 'octocat_acme' }), env).owner).toBe('octocat_acme')
  })

  it('takes the repository name when package-names is empty, and leaves untagged unset for other types', () => {
    const config = readConfig(reader({ ...VALID_INPUTS, 'package-names': '', 'package-type': 'npm' }), env)
    expect(config.packageNames).toEqual(['app'])
    expect(config.policy.untagged).toBeUndefined()
  })

  it.each([
    [{}, { percent: 10 }, undefined],
    [{ 'rate-limit-reserve': '500', shard: '2/4' }, { requests: 500 }, { index: 2, count: 4 }],
    [{ 'rate-limit-reserve': '0%', shard: '1/1' }, { percent: 0 }, { index: 1, count: 1 }],
    [{ 'rate-limit-reserve': '0', shard: '100/100' }, { requests: 0 }, { index: 100, count: 100 }]
  ])('reads rate-limit-reserve and shard %j', (inputs, reserve, shard) => {
    const config = readConfig(reader({ ...VALID_INPUTS, ...inputs }), env)
    expect([config.rateLimitReserve, config.shard]).toEqual([reserve, shard])
  })

  it.each([
    ['123, 456', { kind: 'ids', ids: [123, 456] }],
    ['[{"package":"app","id":7,"name":"sha256:a","tags":[]},{"id":8}]', { kind: 'ids', ids: [7, 8] }],
    ['deleted-within:7d', { kind: 'deleted-within', windowMs: 7 * 24 * 3600_000, windowText: '7d' }]
  ])('reads restore %j', (restore, expected) => {
    expect(readConfig(reader({ ...VALID_INPUTS, restore }), env).restore).toEqual(expected)
  })
})

describe('registry-url', () => {
  const registryOf = (inputs: Record<string, string>) =>
    readConfig(reader({ ...VALID_INPUTS, 'registry-url': '', ...inputs }), env).registryUrl

  it.each([
    ['https://api.github.com', 'https://ghcr.io'],
    ['https://github.example.com/api/v3', 'https://containers.github.example.com'],
    ['https://github.example.com:8443/api/v3/', 'https://containers.github.example.com:8443'],
    ['https://api.octocorp.ghe.com', 'https://containers.octocorp.ghe.com'],
    ['https://api.octocorp.ghe.com/', 'https://containers.octocorp.ghe.com'],
    ['http://localhost:8080/api/v3', 'http://containers.localhost:8080']
  ])('defaults from api-url %s to %s', (apiUrl, registryUrl) => {
    expect(registryOf({ 'api-url': apiUrl })).toBe(registryUrl)
  })

  it('keeps a given registry-url', () => {
    expect(
      registryOf({ 'api-url': 'https://github.example.com/api/v3', 'registry-url': 'https://r.example.com/' })
    ).toBe('https://r.example.com')
  })

  it.each([
    ['https://api.github.com', 'https://npm.pkg.github.com'],
    ['https://github.example.com/api/v3', 'https://npm.github.example.com'],
    ['http://localhost:8080/api/v3', 'http://npm.localhost:8080'],
    ['https://api.octocorp.ghe.com', 'https://npm.octocorp.ghe.com']
  ])('npm: defaults from api-url %s to %s', (apiUrl, registryUrl) => {
    expect(registryOf({ 'api-url': apiUrl, 'package-type': 'npm' })).toBe(registryUrl)
  })

  it('asks for registry-url when api-url names no known GitHub and the packages are containers or npm', () => {
    expect(
      problemsOf({
        'api-url': 'https://gitea.example.com/api',
        'registry-url': '',
        'package-type': 'container'
      })
    ).toEqual([
      `registry-url: "" has no default for api-url https://gitea.example.com/api; give the container registry's URL`
    ])
    expect(
      problemsOf({ 'api-url': 'https://gitea.example.com/api', 'registry-url': '', 'package-type': 'maven' })
    ).toEqual([])
    expect(
      problemsOf({ 'api-url': 'https://gitea.example.com/api', 'registry-url': '', 'package-type': 'npm' })
    ).toEqual([
      `registry-url: "" has no default for api-url https://gitea.example.com/api; give the npm registry's URL`
    ])
    // Only api.SUBDOMAIN.ghe.com itself: another host that merely ends in ghe.com has no default.
    expect(
      problemsOf({ 'api-url': 'https://api.evil-ghe.com', 'registry-url': '', 'package-type': 'container' })
    ).toHaveLength(1)
  })
})

describe('delete-closed, keep-in-use and a closed pull request’s event', () => {
  const eventEnv = (name: string, payload: unknown) => {
    const path = join(mkdtempSync(join(tmpdir(), 'event-')), 'event.json')
    writeFileSync(path, JSON.stringify(payload))
    return { ...env, GITHUB_EVENT_NAME: name, GITHUB_EVENT_PATH: path }
  }
  const closed = {
    action: 'closed',
    pull_request: { number: 12, closed_at: '2026-11-30T10:00:00Z', merged_at: '2026-11-30T10:00:00Z' }
  }
  const only = { token: 'ghs_x', owner: 'acme', 'dry-run': 'false', 'api-url': 'https://api.github.com' }

  it('on a closed pull request with only the token: that pull request’s container images, nothing else', () => {
    const config = readConfig(reader(only), eventEnv('pull_request_target', closed))
    expect(config.packageType).toBe('container')
    expect(config.packageNames).toEqual(['app'])
    expect(config.policy).toMatchObject({ keepLast: 0, minAgeMs: 0, untagged: 'exclude' })
    expect(config.policy.repository).toMatchObject({
      deleteClosed: ['pull-requests'],
      keepInUse: [],
      only: true,
      event: { number: 12, state: 'closed', mergedAt: '2026-11-30T10:00:00Z' }
    })
  })

  it('an event that is not a close, or rule inputs given, leave the run as it was', () => {
    const opened = readConfig(
      reader({ ...only, 'package-type': 'container' }),
      eventEnv('pull_request', { ...closed, action: 'opened' })
    )
    expect(opened.policy.repository).toBeUndefined()
    const given = readConfig(
      reader({ ...only, 'package-type': 'container', 'keep-last': '3' }),
      eventEnv('pull_request', closed)
    )
    expect(given.policy.repository).toBeUndefined()
    expect(given.policy.keepLast).toBe(3)
  })

  it('delete-closed with other inputs adds to them; with templates and repository as given', () => {
    const config = readConfig(
      reader({
        ...VALID_INPUTS,
        'delete-closed': 'branches',
        'keep-in-use': 'deployments',
        'branch-tags': 'branch-{branch}',
        'commit-tags': '{sha}, sha-{sha:7}',
        repository: 'acme/web'
      }),
      env
    )
    expect(config.policy.keepLast).toBe(10)
    expect(config.policy.repository).toEqual({
      repository: 'acme/web',
      workflowRepository: 'acme/app',
      deleteClosed: ['branches'],
      keepInUse: ['deployments'],
      templates: {
        pullRequest: ['pr-{number}'],
        branch: ['branch-{branch}'],
        commit: ['{sha}', 'sha-{sha:7}'],
        release: ['{tag}', '{version}']
      },
      only: false
    })
  })

  it('takes them from the top of a policy file, and refuses them as inputs beside it', async () => {
    const { parsePolicyFile } = await import('../../src/config/policy-file.js')
    const policy =
      'delete-closed: [pull-requests]\nkeep-in-use: [releases]\nrules:\n  - name: all\n    match: ["**"]\n    keep-last: 5\n'
    const config = readConfig(
      reader({ ...VALID_INPUTS, 'keep-last': '', 'min-age': '', policy }),
      env,
      undefined,
      undefined,
      parsePolicyFile
    )
    expect(config.policy.repository).toMatchObject({
      deleteClosed: ['pull-requests'],
      keepInUse: ['releases'],
      only: false
    })
    expect(config.policy.rules).toHaveLength(1)
    expect(() =>
      readConfig(
        reader({ ...VALID_INPUTS, 'keep-last': '', 'min-age': '', policy, 'delete-closed': 'branches' }),
        env,
        undefined,
        undefined,
        parsePolicyFile
      )
    ).toThrow('policy: cannot go with delete-closed')
  })
})
