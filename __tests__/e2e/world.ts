/**
 * Scenarios for end-to-end runs, written as sentences:
 *   aWorld().withOrganisation('acme').withPackage('npm', 'web', npmVersions(12)).start()
 * Dates are relative to the real clock, since the bundled action ages versions by it.
 */
import { createHash } from 'node:crypto'
import { afterAll } from '@jest/globals'
import { runAction, type ActionRun, type RunActionOptions } from '../support/run-action.js'
import type { InputValue } from '../../fake-github/run-action.js'
import type {
  PackageSpec,
  PackageType,
  Scenario,
  TokenSpec,
  VersionSpec
} from '../../fake-github/scenario.js'
import { SERVER_STYLE, startFakeGitHub, type FakeGitHub, type FakeOptions } from '../../fake-github/server.js'

export const CLASSIC = 'ghp_e2e_classic'
export const ACTIONS = 'ghs_e2e_actions'
const DAY = 86_400_000

export const daysAgo = (days: number, seconds = 0) =>
  new Date(Date.now() - days * DAY + seconds * 1000).toISOString()
export const digest = (label: string) => `sha256:${createHash('sha256').update(label).digest('hex')}`

/**
 * The digest the fake serves the container version labelled `label` under: the registry names each manifest by
 * the sha256 of its body, so a scenario's `digest(label)` is a label, not the version's name.
 */
export const served = (fake: Pick<FakeGitHub, 'digestOf'>, label: string) => fake.digestOf(digest(label))

/** `count` versions 1.0.0 … one day apart, the newest `newestDaysAgo` days old, ids from `firstId`. */
export function versions(count: number, firstId = 1, newestDaysAgo = 1): VersionSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    id: firstId + i,
    name: `1.0.${i}`,
    created_at: daysAgo(newestDaysAgo + count - 1 - i)
  }))
}

/** A tagged (or untagged) image index over the versions labelled `children`, `days` old. */
export const indexVersion = (
  id: number,
  label: string,
  days: number,
  tags: string[],
  children: string[],
  extra: Partial<VersionSpec> = {}
): VersionSpec => ({
  id,
  name: digest(label),
  tags,
  created_at: daysAgo(days),
  manifest: { kind: 'index', children: children.map(digest) },
  ...extra
})

/** An image manifest (a platform manifest of an index, or an image of its own), pushed just before its index. */
export const imageVersion = (
  id: number,
  label: string,
  days: number,
  tags: string[] = [],
  extra: Partial<VersionSpec> = {}
): VersionSpec => ({ id, name: digest(label), tags, created_at: daysAgo(days, -5), ...extra })

class World {
  private readonly scenario: Scenario = { owners: [], tokens: [], packages: [] }

  withOrganisation(login: string): this {
    this.scenario.owners.push({ login, type: 'Organization' })
    return this
  }

  withUser(login: string): this {
    this.scenario.owners.push({ login, type: 'User' })
    return this
  }

  /** A classic token of `login` with every packages scope. */
  withClassicToken(login: string, value = CLASSIC): this {
    const scopes: TokenSpec['scopes'] = ['read:packages', 'write:packages', 'delete:packages', 'repo']
    this.scenario.tokens.push({ value, kind: 'classic', login, scopes })
    return this
  }

  /** A workflow's GITHUB_TOKEN for `repository`. */
  withActionsToken(repository: string, value = ACTIONS): this {
    this.scenario.tokens.push({ value, kind: 'actions', repository })
    return this
  }

  withPackage(
    type: PackageType,
    name: string,
    versionList: VersionSpec[],
    extra: Partial<PackageSpec> = {}
  ): this {
    const owner = extra.owner ?? this.scenario.owners[0].login
    this.scenario.packages.push({
      owner,
      type,
      name,
      visibility: 'private',
      repository: `${owner}/app`,
      ...extra,
      versions: versionList
    })
    return this
  }

  with(extra: Partial<Scenario>): this {
    Object.assign(this.scenario, extra)
    return this
  }

  get spec(): Scenario {
    return this.scenario
  }

  /**
   * Served as GitHub Enterprise Server is (`http://localhost:PORT/api/v3`), so that the action, given no
   * `registry-url` as in most workflows, derives the fake's registry (`http://containers.localhost:PORT`).
   */
  async start(
    options: Pick<FakeOptions, 'apiPath' | 'hostname' | 'port' | 'registryService'> = {}
  ): Promise<Fake> {
    const fake = await startFakeGitHub(structuredClone(this.scenario), { ...SERVER_STYLE, ...options })
    fakes.push(fake)
    return Object.assign(fake, {
      run: (inputs: Record<string, InputValue>, options: RunOptions = {}) =>
        runAction({ ...options, inputs, fake, token: options.token ?? CLASSIC })
    })
  }
}

type RunOptions = Partial<
  Pick<
    RunActionOptions,
    'token' | 'timeoutMs' | 'killAfterMs' | 'cancelAfterMs' | 'cancelWhen' | 'env' | 'repository'
  >
>

export type Fake = FakeGitHub & {
  run(inputs: Record<string, InputValue>, options?: RunOptions): Promise<ActionRun>
}

const fakes: FakeGitHub[] = []
afterAll(async () => {
  await Promise.all(fakes.map(f => f.close()))
})

export const aWorld = () => new World()

/** Ids of the active versions of a package in the fake's final state. */
export function activeIds(fake: FakeGitHub, name: string): number[] {
  const pkg = fake.state().packages.find(p => p.name === name)
  return (pkg?.versions ?? [])
    .filter(v => v.state === 'active')
    .map(v => v.id)
    .sort((a, b) => a - b)
}

export function parsed<
  T = {
    package: string
    id: number
    name: string
    tags: string[]
    reason?: string
    status?: number
    message?: string
  }
>(run: ActionRun, output: string): T[] {
  return JSON.parse(run.outputs[output] ?? '[]') as T[]
}

/** API requests (not the registries': containers, npm), as `METHOD path` below the API's base (`/api/v3`). */
export function apiCalls(fake: FakeGitHub): string[] {
  return fake.requests
    .filter(r => !r.path.startsWith('/v2/') && !r.path.startsWith('/token') && !r.path.startsWith('/@'))
    .map(r => `${r.method} ${r.path.replace(/^\/api\/v3(?=\/)/, '')}`)
}
