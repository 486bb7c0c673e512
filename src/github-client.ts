/**
 * The client of GitHub's REST API for packages (through Octokit with the throttling and retry plugins); with
 * the registry client, the only modules that talk HTTP. It answers in the project's own types and never
 * decides what to delete.
 */
import { getOctokit } from '@actions/github'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import Bottleneck from 'bottleneck'
import { mapWithConcurrency } from './concurrency.js'
import { ApiError, errorMessage } from './errors.js'
import type { ApiAnswer, ListedVersion, Logger, OwnerScope, PackageType } from './types.js'

export const API_VERSION = '2022-11-28'
/** GitHub allows 900 points a minute per endpoint and a DELETE costs 5: 180 a minute. Stay a little under. */
export const WRITES_PER_MINUTE = 170
const PAGE_SIZE = 100
const LIST_CONCURRENCY = 8
/** Retry a secondary-limit answer this many times, waiting as GitHub says, before giving up. */
const SECONDARY_RETRIES = 5
/** Wait for a spent primary budget only when it comes back this soon; otherwise leave work for the next run. */
const MAX_PRIMARY_WAIT_S = 60

export interface ClientOptions {
  token: string
  apiUrl: string
  log: Logger
}

interface GitHubVersion {
  id: number
  name: string
  created_at: string
  updated_at: string
  deleted_at?: string
  metadata?: { container?: { tags?: string[] } }
}

type Octokit = ReturnType<typeof getOctokit>
type RequestHook = Octokit['hook']
type ResponseHeaders = Record<string, string | number | undefined>

export class GitHubPackagesClient {
  /** HTTP requests sent to the API, retries included. */
  requestCount = 0
  /** Requests left in the primary budget, as the last answer told it. */
  rateLimitRemaining?: number

  private readonly octokit: Octokit

  constructor(private readonly options: ClientOptions) {
    const { log } = options
    // Registered before the throttling and retry plugins, this hook sits inside them: it sees every request
    // sent, retries included. getOctokit's own fetch stays in place, and with it the runner's proxy settings.
    const countRequests = (octokit: { hook: RequestHook }) => {
      octokit.hook.wrap('request', async (request, requestOptions) => {
        this.requestCount++
        try {
          const response = await request(requestOptions)
          this.noteRateLimit(response.headers)
          return response
        } catch (error) {
          this.noteRateLimit((error as { response?: { headers?: ResponseHeaders } }).response?.headers)
          throw error
        }
      })
    }
    this.octokit = getOctokit(
      options.token,
      {
        baseUrl: options.apiUrl,
        headers: { 'x-github-api-version': API_VERSION },
        log: { debug: () => {}, info: log.debug, warn: log.warning, error: log.warning },
        throttle: {
          // One write queue per client, paced under the secondary limit (the plugin's default is 60 a minute).
          write: new Bottleneck.Group({ maxConcurrent: 4, minTime: Math.ceil(60_000 / WRITES_PER_MINUTE) }),
          onRateLimit: (retryAfter: number, request: { method: string; url: string }) => {
            if (retryAfter > MAX_PRIMARY_WAIT_S) return false
            log.warning(
              `Rate limit spent; waiting ${retryAfter}s for it to reset (${request.method} ${request.url}).`
            )
            return true
          },
          onSecondaryRateLimit: (
            retryAfter: number,
            request: { method: string; url: string },
            _o,
            count: number
          ) => {
            log.warning(
              `Secondary rate limit hit; retrying in ${retryAfter}s (${request.method} ${request.url}).`
            )
            return count < SECONDARY_RETRIES
          }
        },
        // 429 is the throttling plugin's to handle; retrying it here too would wait twice for one answer.
        // 400/401/403/404/410/422/451 mean the same on every try.
        retry: { doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] }
      },
      countRequests,
      throttling,
      retry
    )
  }

  /** Organisation, another user, or the token's own user (whose private packages only `/user` serves). */
  async detectOwner(login: string): Promise<OwnerScope> {
    const owner = await this.get<{ login: string; type: string }>(`/users/${encodeURIComponent(login)}`, {
      404: `owner: "${login}" is neither a user nor an organisation on ${this.options.apiUrl}`
    })
    if (owner.type === 'Organization')
      return { login: owner.login, kind: 'organization', path: `/orgs/${owner.login}` }
    try {
      const self = await this.get<{ login: string }>('/user')
      if (self.login.toLowerCase() === owner.login.toLowerCase()) {
        return { login: owner.login, kind: 'token-user', path: '/user' }
      }
    } catch (error) {
      // GITHUB_TOKEN and app tokens answer 403 here: they are simply not a user's token.
      if (!(error instanceof ApiError && error.status === 403)) throw error
    }
    return { login: owner.login, kind: 'user', path: `/users/${owner.login}` }
  }

  /** Every package of one type the owner has; needed only for globs in package-names. */
  async listPackageNames(scope: OwnerScope, type: PackageType): Promise<string[]> {
    const packages = await this.listAllPages<{ name: string }>(
      `${scope.path}/packages`,
      { package_type: type },
      {
        403: `package-names: globs need a token that can list ${scope.login}'s packages: a classic token with read:packages (GITHUB_TOKEN cannot list packages). Name the packages exactly, or pass a classic token.`
      }
    )
    return [...new Set(packages.map(p => p.name))].sort()
  }

  /** All versions of a package (`deleted`: those deleted in the last 30 days), oldest-first order not assumed. */
  async listVersions(
    scope: OwnerScope,
    type: PackageType,
    name: string,
    state: 'active' | 'deleted' = 'active'
  ): Promise<ListedVersion[]> {
    const raw = await this.listAllPages<GitHubVersion>(
      `${packagePath(scope, type, name)}/versions`,
      { state },
      {
        404: notFoundMessage(scope, type, name)
      }
    )
    const byId = new Map<number, ListedVersion>()
    for (const v of raw) {
      byId.set(v.id, {
        id: v.id,
        name: v.name,
        tags: v.metadata?.container?.tags ?? [],
        createdAt: v.created_at,
        updatedAt: v.updated_at,
        ...(v.deleted_at ? { deletedAt: v.deleted_at } : {})
      })
    }
    return [...byId.values()]
  }

  deleteVersion(scope: OwnerScope, type: PackageType, name: string, id: number): Promise<ApiAnswer> {
    return this.write('DELETE', `${packagePath(scope, type, name)}/versions/${id}`)
  }

  restoreVersion(scope: OwnerScope, type: PackageType, name: string, id: number): Promise<ApiAnswer> {
    return this.write('POST', `${packagePath(scope, type, name)}/versions/${id}/restore`)
  }

  /** Page 1, then (once its Link header names the last page) the rest in parallel: no request is wasted. */
  private async listAllPages<T>(
    path: string,
    query: Record<string, string>,
    messages: Messages
  ): Promise<T[]> {
    const page = (n: number) =>
      this.request<T[]>('GET', path, { ...query, per_page: String(PAGE_SIZE), page: String(n) }, messages)
    const first = await page(1)
    const last = lastPage(first.headers.link)
    const rest = await mapWithConcurrency(range(2, last), LIST_CONCURRENCY, async n => (await page(n)).data)
    return [first.data, ...rest].flat()
  }

  private async get<T>(path: string, messages: Messages = {}): Promise<T> {
    return (await this.request<T>('GET', path, {}, messages)).data
  }

  private async write(method: 'DELETE' | 'POST', path: string): Promise<ApiAnswer> {
    try {
      const response = await this.octokit.request(`${method} ${path}`)
      return { status: response.status, message: '' }
    } catch (error) {
      return answerOf(error)
    }
  }

  private async request<T>(
    method: string,
    path: string,
    query: Record<string, string>,
    messages: Messages
  ): Promise<{ data: T; headers: Record<string, string | undefined> }> {
    try {
      const search = new URLSearchParams(query).toString()
      const response = await this.octokit.request(`${method} ${path}${search ? `?${search}` : ''}`)
      return { data: response.data as T, headers: response.headers as Record<string, string | undefined> }
    } catch (error) {
      const { status, message } = answerOf(error)
      throw new ApiError(
        status,
        messages[status]
          ? `${messages[status]} (GitHub: ${message})`
          : `${method} ${path}: ${status} ${message}`
      )
    }
  }

  private noteRateLimit(headers: ResponseHeaders | undefined): void {
    const remaining = headers?.['x-ratelimit-remaining']
    if (remaining !== undefined) this.rateLimitRemaining = Number(remaining)
  }
}

type Messages = Partial<Record<number, string>>

export function packagePath(scope: OwnerScope, type: PackageType, name: string): string {
  return `${scope.path}/packages/${type}/${encodeURIComponent(name)}`
}

function notFoundMessage(scope: OwnerScope, type: PackageType, name: string): string {
  return `${type} package "${name}" of ${scope.login} was not found. It may exist while the token lacks access: GITHUB_TOKEN needs the Admin role for this repository in the package's "Manage Actions access"; a classic token needs read:packages (and delete:packages to delete)`
}

/** The status and GitHub's message of a failed Octokit request; status 0 when no answer came at all. */
export function answerOf(error: unknown): ApiAnswer {
  if (typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number') {
    const data = (error as { response?: { data?: unknown } }).response?.data
    const message =
      typeof data === 'object' && data !== null && 'message' in data
        ? String(data.message)
        : errorMessage(error)
    return { status: error.status, message }
  }
  return { status: 0, message: errorMessage(error) }
}

function lastPage(link: string | undefined): number {
  const match = link && /[?&]page=(\d+)[^>]*>;\s*rel="last"/.exec(link)
  return match ? Number(match[1]) : 1
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i)
}
