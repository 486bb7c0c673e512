import { readFile } from 'node:fs/promises'
import { Ajv, type ErrorObject } from 'ajv'
import addFormatsModule from 'ajv-formats'

/** The world the fake serves: owners, tokens, packages and how the service misbehaves. */
export interface Scenario {
  owners: OwnerSpec[]
  tokens: TokenSpec[]
  packages: PackageSpec[]
  /** Repositories: their pull requests, branches, releases, tags and deployments (repositories.ts). */
  repositories?: RepositorySpec[]
  /** Primary budget given to every token; without it 5000/hour (classic), 1000/hour (actions), 60 (anonymous). */
  rateLimit?: RateLimitSpec
  /**
   * `false`: a GitHub Enterprise Server with rate limiting off: no `x-ratelimit-*` headers, no primary limit,
   * and `GET /rate_limit` answers 404 "Rate limiting is not enabled.". Default true.
   */
  rateLimiting?: boolean
  /** Points per window per token and endpoint (method + route template). GET costs 1, writes 5. */
  secondary?: SecondarySpec
  /** Added before every answer. */
  latencyMs?: number
  faults?: FaultSpec
  /** Answers no evidence shows, for testing that the action stays safe if GitHub ever gives them. */
  quirks?: QuirkSpec
}

export interface QuirkSpec {
  /** `/users/{username}/.../versions` ignores `state` and lists active versions for `state=deleted`. */
  usersVersionListIgnoresState?: boolean
  /** Version lists leave out `deleted_at`. */
  omitDeletedAt?: boolean
}

export type OwnerType = 'User' | 'Organization'
export interface OwnerSpec {
  login: string
  type: OwnerType
  id?: number
}

export const SCOPES = ['read:packages', 'write:packages', 'delete:packages', 'repo'] as const
export type Scope = (typeof SCOPES)[number]

/** `classic`: a personal access token (classic). `actions`: a workflow's GITHUB_TOKEN for `repository`. */
export interface TokenSpec {
  value: string
  kind: 'classic' | 'actions'
  login?: string
  scopes?: Scope[]
  repository?: string
  /** How the request log names the token; defaults to `classic:<login>` or `actions:<repository>`. */
  label?: string
  /**
   * A GITHUB_TOKEN's repository permissions, as a workflow's `permissions:` gives them: those left out are
   * `none`. Without it, every permission is given.
   */
  permissions?: Partial<Record<RepositoryPermission, 'read' | 'write' | 'none'>>
}

export const REPOSITORY_PERMISSIONS = ['actions', 'contents', 'deployments', 'pull_requests'] as const
export type RepositoryPermission = (typeof REPOSITORY_PERMISSIONS)[number]

/** A repository's life: timestamps are ISO 8601. */
export interface RepositorySpec {
  /** `owner/name`. */
  full_name: string
  visibility: 'public' | 'private'
  id?: number
  default_branch?: string
  pulls?: {
    number: number
    state: 'open' | 'closed'
    created_at: string
    updated_at: string
    closed_at?: string
    merged_at?: string
    /** `repo`: `owner/name` the head branch lives in; null when that fork was deleted. */
    head: { ref: string; sha: string; repo: string | null }
  }[]
  branches?: { name: string; sha: string }[]
  releases?: {
    id?: number
    tag_name: string
    draft?: boolean
    prerelease?: boolean
    created_at: string
    published_at?: string
  }[]
  tags?: { name: string; sha: string }[]
  /** Environments beyond those deployments name. */
  environments?: string[]
  deployments?: {
    id: number
    sha: string
    ref: string
    environment: string
    task?: string
    created_at: string
    /** Oldest first, as they were created. */
    statuses?: { id?: number; state: DeploymentState; created_at: string }[]
  }[]
}

export const DEPLOYMENT_STATES = [
  'error',
  'failure',
  'inactive',
  'pending',
  'success',
  'queued',
  'in_progress'
] as const
export type DeploymentState = (typeof DEPLOYMENT_STATES)[number]

export const PACKAGE_TYPES = ['npm', 'maven', 'rubygems', 'docker', 'nuget', 'container'] as const
export type PackageType = (typeof PACKAGE_TYPES)[number]

export interface PackageSpec {
  owner: string
  type: PackageType
  /** May contain `/` (container images such as `team/api`). */
  name: string
  visibility: 'public' | 'private'
  id?: number
  /** `owner/repo` the package is linked to; that repository's GITHUB_TOKEN is an admin by default. */
  repository?: string
  /** Repositories whose GITHUB_TOKEN has the Admin role ("Manage Actions access"); defaults to `[repository]`. */
  actionsAdmin?: string[]
  /**
   * Logins whose classic tokens may read this package but not manage it (an outsider on a public package, a
   * member with the Read role): deleting, restoring or listing deleted versions answers 404 `Package not found.`
   */
  readOnlyUsers?: string[]
  /** The whole package was deleted at this time. */
  deleted_at?: string
  /** npm: the package's dist-tags (tag → version) in its registry document; default `latest` → the newest version. */
  distTags?: Record<string, string>
  /** npm: the registry answers this status for the package's document (a read failure, for tests). */
  npmRegistryStatus?: number
  versions: VersionSpec[]
  /** More versions, made only when the package is first read; with them `versions` may be empty. */
  generate?: GeneratedVersions
}

/**
 * `count` versions of a package other than a container, made when the package is first read, so that a world
 * of a million versions costs the fake nothing until a request reaches it: version i (0 the oldest) has id
 * `firstId + i`, name `1.0.i`, and was created `everyMs` after the one before, the newest at `newest`.
 */
export interface GeneratedVersions {
  count: number
  firstId: number
  newest: string
  everyMs: number
}

export interface VersionSpec {
  id: number
  /** Containers: the manifest digest `sha256:<64 hex>`. */
  name: string
  /** Container and docker packages only (`metadata.container.tags`, `metadata.docker.tag`). */
  tags?: string[]
  /**
   * Containers only: the listing sends no tag list for this version (`metadata.container` without `tags`, or
   * `tags: null`), as an answer that lost its metadata would; the version keeps its tags in the registry.
   */
  tagList?: 'missing' | 'null'
  created_at: string
  updated_at?: string
  downloads?: number
  deleted_at?: string
  license?: string
  description?: string
  /** Containers only; an image manifest when absent. */
  manifest?: ManifestSpec
}

/**
 * What a container version's manifest is. `index`: an image index over `children` (digests of versions of
 * the same package). `image`: an image manifest; with `subject` it is an OCI 1.1 referrer of that digest.
 * `format` picks the stored media type: `oci` (default) or `docker` (manifest list, Docker v2 manifest).
 * `attestation`: a buildx attestation manifest about the platform manifest `reference`. `artifact`: an OCI
 * 1.1-rc artifact manifest (`application/vnd.oci.artifact.manifest.v1+json`), optionally about `subject`.
 * `schema1`: a signed Docker schema 1 manifest. The registry serves each only to an `Accept` that lists its type.
 */
export type ManifestSpec =
  | { kind: 'index'; children: string[]; format?: ManifestFormat }
  | { kind: 'image'; platform?: string; subject?: string; format?: ManifestFormat }
  | { kind: 'attestation'; reference: string }
  | { kind: 'artifact'; subject?: string }
  | { kind: 'schema1' }

export type ManifestFormat = 'oci' | 'docker'

export interface RateLimitSpec {
  limit: number
  remaining?: number
  resetAt?: string
  status?: 403 | 429
}

export interface SecondarySpec {
  points: number
  windowMs: number
  status?: 403 | 429
}

export interface FaultSpec {
  /** Share of requests answered with a server error, 0..1. */
  rate: number
  seed: number
  statuses?: number[]
  /** A faulted request waits this long before its error. */
  slowMs?: number
  /**
   * A faulted write (DELETE, POST) is carried out first and only its answer is lost, as when a connection
   * breaks after GitHub acted; other requests fail before they are served, as without it.
   */
  lostWrites?: boolean
  /** Only requests with these methods (`DELETE`, ...) may fault; every request by default. */
  methods?: string[]
}

const dateTime = { type: 'string', format: 'date-time' }
const repository = { type: 'string', pattern: '^[^/\\s]+/[^/\\s]+$' }
const digest = { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' }
const count = { type: 'integer', minimum: 0 }
const limitStatus = { enum: [403, 429] }
const format = { enum: ['oci', 'docker'] }
const sha1 = { type: 'string', pattern: '^[0-9a-f]{40}$' }
const named = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'sha'],
  properties: { name: { type: 'string', minLength: 1 }, sha: sha1 }
}

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['owners', 'tokens', 'packages'],
  properties: {
    owners: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['login', 'type'],
        properties: {
          login: { type: 'string', minLength: 1 },
          type: { enum: ['User', 'Organization'] },
          id: { type: 'integer', minimum: 1 }
        }
      }
    },
    tokens: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['value', 'kind'],
        properties: {
          value: { type: 'string', minLength: 1 },
          kind: { enum: ['classic', 'actions'] },
          login: { type: 'string', minLength: 1 },
          scopes: { type: 'array', items: { enum: SCOPES } },
          repository,
          label: { type: 'string' },
          permissions: {
            type: 'object',
            additionalProperties: false,
            properties: Object.fromEntries(
              REPOSITORY_PERMISSIONS.map(p => [p, { enum: ['read', 'write', 'none'] }])
            )
          }
        }
      }
    },
    packages: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['owner', 'type', 'name', 'visibility', 'versions'],
        properties: {
          owner: { type: 'string' },
          type: { enum: PACKAGE_TYPES },
          name: { type: 'string', minLength: 1 },
          visibility: { enum: ['public', 'private'] },
          id: { type: 'integer', minimum: 1 },
          repository,
          actionsAdmin: { type: 'array', items: repository },
          readOnlyUsers: { type: 'array', items: { type: 'string', minLength: 1 } },
          deleted_at: dateTime,
          distTags: { type: 'object', additionalProperties: { type: 'string', minLength: 1 } },
          npmRegistryStatus: { type: 'integer', minimum: 100, maximum: 599 },
          generate: {
            type: 'object',
            additionalProperties: false,
            required: ['count', 'firstId', 'newest', 'everyMs'],
            properties: {
              count: { type: 'integer', minimum: 1 },
              firstId: { type: 'integer', minimum: 1 },
              newest: dateTime,
              everyMs: { type: 'integer', minimum: 1000 }
            }
          },
          versions: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['id', 'name', 'created_at'],
              properties: {
                id: { type: 'integer', minimum: 1 },
                name: { type: 'string', minLength: 1 },
                tags: { type: 'array', items: { type: 'string', minLength: 1 } },
                tagList: { enum: ['missing', 'null'] },
                created_at: dateTime,
                updated_at: dateTime,
                downloads: count,
                deleted_at: dateTime,
                license: { type: 'string' },
                description: { type: 'string' },
                manifest: {
                  oneOf: [
                    {
                      type: 'object',
                      additionalProperties: false,
                      required: ['kind', 'children'],
                      properties: {
                        kind: { const: 'index' },
                        children: { type: 'array', items: digest },
                        format
                      }
                    },
                    {
                      type: 'object',
                      additionalProperties: false,
                      required: ['kind'],
                      properties: {
                        kind: { const: 'image' },
                        platform: { type: 'string', pattern: '^[a-z0-9]+/[a-z0-9]+(/[a-z0-9]+)?$' },
                        subject: digest,
                        format
                      }
                    },
                    {
                      type: 'object',
                      additionalProperties: false,
                      required: ['kind', 'reference'],
                      properties: { kind: { const: 'attestation' }, reference: digest }
                    },
                    {
                      type: 'object',
                      additionalProperties: false,
                      required: ['kind'],
                      properties: { kind: { const: 'artifact' }, subject: digest }
                    },
                    {
                      type: 'object',
                      additionalProperties: false,
                      required: ['kind'],
                      properties: { kind: { const: 'schema1' } }
                    }
                  ]
                }
              }
            }
          }
        }
      }
    },
    repositories: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['full_name', 'visibility'],
        properties: {
          full_name: repository,
          visibility: { enum: ['public', 'private'] },
          id: { type: 'integer', minimum: 1 },
          default_branch: { type: 'string', minLength: 1 },
          pulls: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['number', 'state', 'created_at', 'updated_at', 'head'],
              properties: {
                number: { type: 'integer', minimum: 1 },
                state: { enum: ['open', 'closed'] },
                created_at: dateTime,
                updated_at: dateTime,
                closed_at: dateTime,
                merged_at: dateTime,
                head: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['ref', 'sha', 'repo'],
                  properties: {
                    ref: { type: 'string' },
                    sha: sha1,
                    repo: { oneOf: [repository, { type: 'null' }] }
                  }
                }
              }
            }
          },
          branches: { type: 'array', items: named },
          tags: { type: 'array', items: named },
          releases: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['tag_name', 'created_at'],
              properties: {
                id: { type: 'integer', minimum: 1 },
                tag_name: { type: 'string', minLength: 1 },
                draft: { type: 'boolean' },
                prerelease: { type: 'boolean' },
                created_at: dateTime,
                published_at: dateTime
              }
            }
          },
          environments: { type: 'array', items: { type: 'string', minLength: 1 } },
          deployments: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['id', 'sha', 'ref', 'environment', 'created_at'],
              properties: {
                id: { type: 'integer', minimum: 1 },
                sha: sha1,
                ref: { type: 'string', minLength: 1 },
                environment: { type: 'string', minLength: 1 },
                task: { type: 'string', minLength: 1 },
                created_at: dateTime,
                statuses: {
                  type: 'array',
                  items: {
                    type: 'object',
                    additionalProperties: false,
                    required: ['state', 'created_at'],
                    properties: {
                      id: { type: 'integer', minimum: 1 },
                      state: { enum: DEPLOYMENT_STATES },
                      created_at: dateTime
                    }
                  }
                }
              }
            }
          }
        }
      }
    },
    rateLimit: {
      type: 'object',
      additionalProperties: false,
      required: ['limit'],
      properties: { limit: count, remaining: count, resetAt: dateTime, status: limitStatus }
    },
    rateLimiting: { type: 'boolean' },
    secondary: {
      type: 'object',
      additionalProperties: false,
      required: ['points', 'windowMs'],
      properties: { points: count, windowMs: { type: 'integer', minimum: 1 }, status: limitStatus }
    },
    latencyMs: count,
    faults: {
      type: 'object',
      additionalProperties: false,
      required: ['rate', 'seed'],
      properties: {
        rate: { type: 'number', minimum: 0, maximum: 1 },
        seed: { type: 'integer' },
        statuses: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 500, maximum: 599 } },
        slowMs: count,
        lostWrites: { type: 'boolean' },
        methods: { type: 'array', items: { type: 'string', minLength: 1 } }
      }
    },
    quirks: {
      type: 'object',
      additionalProperties: false,
      properties: {
        usersVersionListIgnoresState: { type: 'boolean' },
        omitDeletedAt: { type: 'boolean' }
      }
    }
  }
}

const ajv = new Ajv({ allErrors: true })
addFormatsModule.default(ajv)
const validateShape = ajv.compile(schema)

/** Why a scenario file was refused; `problems` names each offending field. */
export class ScenarioError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid scenario:\n${problems.map(p => `  - ${p}`).join('\n')}`)
  }
}

/** Checks a parsed JSON value and returns it typed, or throws a ScenarioError listing every problem. */
export function parseScenario(value: unknown): Scenario {
  if (!validateShape(value)) throw new ScenarioError(shapeProblems(validateShape.errors ?? []))
  const scenario = value as unknown as Scenario
  const problems = consistencyProblems(scenario)
  if (problems.length > 0) throw new ScenarioError(problems)
  return scenario
}

export async function loadScenario(path: string): Promise<Scenario> {
  const text = await readFile(path, 'utf8')
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new ScenarioError([`${path} is not JSON: ${(error as Error).message}`])
  }
  try {
    return parseScenario(json)
  } catch (error) {
    if (error instanceof ScenarioError) throw new ScenarioError(error.problems.map(p => `${path}: ${p}`))
    throw error
  }
}

function fieldName(instancePath: string): string {
  const name = instancePath
    .split('/')
    .slice(1)
    .map(part => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '')
  return name || 'scenario'
}

function shapeProblems(errors: ErrorObject[]): string[] {
  // The manifest's oneOf reports every branch's complaint; its own summary says more.
  const relevant = errors.filter(e => !e.schemaPath.includes('/oneOf/'))
  return [
    ...new Set(
      relevant.map(e => {
        const extra = e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})` : ''
        const allowed = e.keyword === 'enum' ? `: ${(e.params.allowedValues as unknown[]).join(', ')}` : ''
        const message =
          e.keyword === 'oneOf' ? 'must be {kind: index|image|attestation|artifact|schema1, ...}' : e.message
        return `${fieldName(e.instancePath)} ${message}${extra}${allowed}`
      })
    )
  ]
}

function consistencyProblems(scenario: Scenario): string[] {
  const problems: string[] = []
  const owners = new Map<string, OwnerSpec>()
  for (const owner of scenario.owners) {
    const key = owner.login.toLowerCase()
    if (owners.has(key)) problems.push(`owners: ${owner.login} is listed twice`)
    owners.set(key, owner)
  }

  const tokenValues = new Set<string>()
  scenario.tokens.forEach((token, i) => {
    const at = `tokens[${i}]`
    if (tokenValues.has(token.value)) problems.push(`${at}.value is used by another token`)
    tokenValues.add(token.value)
    if (token.kind === 'classic') {
      if (!token.login) problems.push(`${at}: a classic token needs a login`)
      else if (owners.get(token.login.toLowerCase())?.type === 'Organization')
        problems.push(`${at}.login ${token.login} is an organisation; a token belongs to a user`)
    } else if (!token.repository) problems.push(`${at}: an actions token needs a repository (owner/repo)`)
  })

  const packageKeys = new Set<string>()
  const versionIds = new Set<number>()
  /** Ranges of generated ids, each from its first to one past its last. */
  const generated: [number, number][] = []
  scenario.packages.forEach((pkg, i) => {
    const at = `packages[${i}]`
    if (!owners.has(pkg.owner.toLowerCase())) problems.push(`${at}.owner ${pkg.owner} is not in owners`)
    const key = `${pkg.owner.toLowerCase()}/${pkg.type}/${pkg.name}`
    if (packageKeys.has(key))
      problems.push(`${at}: ${pkg.type} package ${pkg.owner}/${pkg.name} is listed twice`)
    packageKeys.add(key)

    if (pkg.versions.length === 0 && !pkg.generate) problems.push(`${at}: versions must not be empty`)
    if (pkg.generate) {
      if (pkg.type === 'container') problems.push(`${at}.generate is for packages other than containers`)
      const { firstId, count } = pkg.generate
      if (generated.some(([from, to]) => firstId < to && from < firstId + count))
        problems.push(`${at}.generate: ids ${firstId}..${firstId + count - 1} overlap another package's`)
      generated.push([firstId, firstId + count])
    }
    const activeNames = new Set<string>()
    const activeTags = new Set<string>()
    pkg.versions.forEach((version, j) => {
      const vat = `${at}.versions[${j}]`
      if (versionIds.has(version.id)) problems.push(`${vat}.id ${version.id} is used by another version`)
      versionIds.add(version.id)
      if (pkg.type === 'container' && !/^sha256:[0-9a-f]{64}$/.test(version.name))
        problems.push(`${vat}.name must be a digest sha256:<64 hex> for a container`)
      if (pkg.type !== 'container' && version.manifest)
        problems.push(`${vat}: manifest is for container packages only`)
      if (pkg.type !== 'container' && pkg.type !== 'docker' && version.tags)
        problems.push(`${vat}: tags are for container and docker packages only`)
      if (pkg.type !== 'container' && version.tagList)
        problems.push(`${vat}: tagList is for container packages only`)
      if (version.deleted_at) return
      if (activeNames.has(version.name))
        problems.push(`${vat}.name ${version.name} is used by another active version`)
      activeNames.add(version.name)
      for (const tag of version.tags ?? []) {
        if (activeTags.has(tag)) problems.push(`${vat}: tag ${tag} is already on another active version`)
        activeTags.add(tag)
      }
    })
    if (pkg.type === 'container') problems.push(...manifestProblems(pkg, at))
  })
  for (const id of versionIds)
    if (generated.some(([from, to]) => from <= id && id < to))
      problems.push(`version id ${id} is also a generated one`)
  return problems
}

/** Every digest a manifest names must be a version of the package, and no manifest may refer back to itself. */
function manifestProblems(pkg: PackageSpec, at: string): string[] {
  const problems: string[] = []
  const byName = new Map(pkg.versions.map(v => [v.name, v]))
  const refs = (manifest: ManifestSpec | undefined): string[] => {
    if (!manifest) return []
    if (manifest.kind === 'index') return manifest.children
    if (manifest.kind === 'image' || manifest.kind === 'artifact')
      return manifest.subject ? [manifest.subject] : []
    if (manifest.kind === 'schema1') return []
    return [manifest.reference]
  }
  pkg.versions.forEach((version, j) => {
    for (const ref of refs(version.manifest))
      if (!byName.has(ref))
        problems.push(`${at}.versions[${j}].manifest names ${ref}, which is not a version`)
  })
  const visiting = new Set<string>()
  const done = new Set<string>()
  const cyclic = (name: string): boolean => {
    if (done.has(name)) return false
    if (visiting.has(name)) return true
    visiting.add(name)
    const found = refs(byName.get(name)?.manifest).some(cyclic)
    visiting.delete(name)
    done.add(name)
    return found
  }
  for (const version of pkg.versions)
    if (cyclic(version.name)) problems.push(`${at}: manifest ${version.name} refers to itself through others`)
  return problems
}
