import { createHash } from 'node:crypto'
import type { FakeGitHub } from '../../fake-github/server.js'
import type { PackageSpec, Scenario, VersionSpec } from '../../fake-github/scenario.js'

/** Tokens of the base scenario. */
export const TOKENS = {
  all: 'ghp_all',
  read: 'ghp_read',
  readDelete: 'ghp_read_delete',
  none: 'ghp_none',
  noRepo: 'ghp_no_repo',
  actionsApp: 'ghs_app',
  actionsOther: 'ghs_other'
}

export const NOW = new Date('2026-06-01T12:00:00Z')

export function digest(label: string): string {
  return `sha256:${createHash('sha256').update(label).digest('hex')}`
}

/** `count` npm versions 1.0.0, 1.0.1, … one minute apart, ids from `firstId`. */
export function manyVersions(count: number, firstId: number): VersionSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    id: firstId + i,
    name: `1.0.${i}`,
    created_at: new Date(Date.parse('2026-01-01T00:00:00Z') + i * 60_000).toISOString()
  }))
}

export const APP = {
  amd64: digest('app/amd64'),
  arm64: digest('app/arm64'),
  attestation: digest('app/attestation'),
  index: digest('app/index'),
  leftover: digest('app/leftover'),
  pr: digest('app/pr-7'),
  signature: digest('app/signature'),
  referrer: digest('app/sbom')
}

/**
 * acme (organisation) and octocat (user) with one package of each kind the tests need. Dates are before
 * NOW; nothing is deleted.
 */
export function baseScenario(extra: Partial<Scenario> = {}): Scenario {
  const app: PackageSpec = {
    owner: 'acme',
    type: 'container',
    name: 'app',
    visibility: 'private',
    repository: 'acme/app',
    versions: [
      {
        id: 301,
        name: APP.amd64,
        created_at: '2026-05-01T10:00:01Z',
        manifest: { kind: 'image', platform: 'linux/amd64' }
      },
      {
        id: 302,
        name: APP.arm64,
        created_at: '2026-05-01T10:00:02Z',
        manifest: { kind: 'image', platform: 'linux/arm64' }
      },
      {
        id: 303,
        name: APP.attestation,
        created_at: '2026-05-01T10:00:03Z',
        manifest: { kind: 'attestation', reference: APP.amd64 }
      },
      {
        id: 304,
        name: APP.index,
        tags: ['latest', 'v1.0.0'],
        created_at: '2026-05-01T10:00:05Z',
        manifest: { kind: 'index', children: [APP.amd64, APP.arm64, APP.attestation] }
      },
      { id: 305, name: APP.leftover, created_at: '2026-04-01T10:00:00Z' },
      { id: 306, name: APP.pr, tags: ['pr-7'], created_at: '2026-04-20T10:00:00Z' },
      {
        id: 307,
        name: APP.signature,
        tags: [`${APP.index.replace(':', '-')}.sig`],
        created_at: '2026-05-01T10:00:09Z'
      },
      {
        id: 308,
        name: APP.referrer,
        created_at: '2026-05-01T10:00:10Z',
        manifest: { kind: 'image', subject: APP.index }
      }
    ]
  }
  return {
    owners: [
      { login: 'acme', type: 'Organization', id: 9001 },
      { login: 'octocat', type: 'User', id: 583231 }
    ],
    tokens: [
      {
        value: TOKENS.all,
        kind: 'classic',
        login: 'octocat',
        scopes: ['read:packages', 'write:packages', 'delete:packages', 'repo']
      },
      { value: TOKENS.read, kind: 'classic', login: 'octocat', scopes: ['read:packages', 'repo'] },
      {
        value: TOKENS.readDelete,
        kind: 'classic',
        login: 'octocat',
        scopes: ['read:packages', 'delete:packages', 'repo']
      },
      { value: TOKENS.none, kind: 'classic', login: 'octocat', scopes: [] },
      {
        value: TOKENS.noRepo,
        kind: 'classic',
        login: 'octocat',
        scopes: ['read:packages', 'delete:packages']
      },
      { value: TOKENS.actionsApp, kind: 'actions', repository: 'acme/app' },
      { value: TOKENS.actionsOther, kind: 'actions', repository: 'acme/other' }
    ],
    packages: [
      {
        owner: 'acme',
        type: 'npm',
        name: 'web-ui',
        visibility: 'private',
        repository: 'acme/web-ui',
        actionsAdmin: ['acme/web-ui', 'acme/app'],
        versions: [
          { id: 101, name: '1.0.0', created_at: '2026-01-10T08:00:00Z' },
          { id: 102, name: '1.1.0-rc.1', created_at: '2026-02-10T08:00:00Z', license: 'MIT' },
          { id: 103, name: '1.1.0', created_at: '2026-03-10T08:00:00Z', updated_at: '2026-03-11T08:00:00Z' }
        ]
      },
      {
        owner: 'acme',
        type: 'maven',
        name: 'com.acme.core',
        visibility: 'private',
        repository: 'acme/core',
        versions: [
          { id: 201, name: '1.0.0', created_at: '2026-01-05T08:00:00Z' },
          { id: 202, name: '1.1.0-SNAPSHOT', created_at: '2026-02-05T08:00:00Z' }
        ]
      },
      {
        owner: 'acme',
        type: 'maven',
        name: 'com.acme.public',
        visibility: 'public',
        repository: 'acme/public',
        versions: [{ id: 211, name: '2.0.0', created_at: '2026-01-05T08:00:00Z' }]
      },
      app,
      {
        owner: 'acme',
        type: 'container',
        name: 'team/api',
        visibility: 'private',
        versions: [
          { id: 401, name: digest('api/1'), tags: ['v1'], created_at: '2026-03-01T00:00:00Z' },
          { id: 402, name: digest('api/2'), tags: ['v2'], created_at: '2026-03-02T00:00:00Z' }
        ]
      },
      {
        owner: 'acme',
        type: 'npm',
        name: 'sdk',
        visibility: 'public',
        repository: 'acme/sdk',
        versions: [
          { id: 501, name: '1.0.0', created_at: '2026-01-01T00:00:00Z', downloads: 5001 },
          { id: 502, name: '1.1.0', created_at: '2026-02-01T00:00:00Z', downloads: 5000 },
          { id: 503, name: '2.0.0', created_at: '2026-03-01T00:00:00Z', downloads: 3 }
        ]
      },
      {
        owner: 'acme',
        type: 'npm',
        name: 'many',
        visibility: 'private',
        versions: manyVersions(250, 10_000)
      },
      {
        owner: 'octocat',
        type: 'container',
        name: 'tool',
        visibility: 'private',
        versions: [
          { id: 601, name: digest('tool/1'), tags: ['latest'], created_at: '2026-02-01T00:00:00Z' },
          { id: 602, name: digest('tool/2'), created_at: '2026-03-01T00:00:00Z' }
        ]
      }
    ],
    ...extra
  }
}

export interface Answer {
  status: number
  headers: Headers
  body: unknown
}

/** One real HTTP request to the fake; the body parsed as JSON when there is one. */
export async function call(
  fake: Pick<FakeGitHub, 'url'>,
  method: string,
  path: string,
  token?: string,
  headers: Record<string, string> = {}
): Promise<Answer> {
  const response = await fetch(`${fake.url}${path}`, {
    method,
    headers: {
      accept: 'application/vnd.github+json',
      ...(token !== undefined && { authorization: `Bearer ${token}` }),
      ...headers
    }
  })
  const text = await response.text()
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined }
}

export function message(answer: Answer): string | undefined {
  return (answer.body as { message?: string } | undefined)?.message
}

export function ids(answer: Answer): number[] {
  return (answer.body as { id: number }[]).map(item => item.id)
}

/** The state of one package in the fake's dump. */
export function packageState(fake: FakeGitHub, owner: string, name: string) {
  const pkg = fake.state().packages.find(p => p.owner === owner && p.name === name)
  if (!pkg) throw new Error(`no package ${owner}/${name}`)
  return pkg
}

export function versionState(fake: FakeGitHub, owner: string, name: string, id: number) {
  return packageState(fake, owner, name).versions.find(v => v.id === id)
}
