/**
 * The client of GitHub's REST API for packages (through Octokit with the throttling and retry plugins); with
 * the registry client, the only modules that talk HTTP. It answers in the project's own types and never
 * decides what to delete.
 */
import { getOctokit } from '@actions/github'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import Bottleneck from 'bottleneck'
import { ApiError, errorMessage } from '../errors.js'
import { SlidingWindow } from './pacing.js'
import { NO_ANSWER_STATUS, decodeWrite, type WriteAnswer } from './answers.js'
import { BudgetGauge, BudgetSpent, budgetOfHeaders, budgetOfStatus } from './budget.js'
import type {
  ApiAnswer,
  ListedVersion,
  Logger,
  OwnerScope,
  PackageSummary,
  PackageType,
  WriteVerb
} from '../types.js'

export const API_VERSION = '2022-11-28'
/**
 * GitHub allows 900 points a minute per endpoint and a DELETE costs 5: 180 in any minute. Stay a little under,
 * counted over a sliding minute (retries included), so that the first 170 go at once.
 */
export const WRITES_PER_MINUTE = 170
export const WRITE_WINDOW_MS = 60_000
/** A listing that changes while it is read is read again, at most this many times in all. */
const LISTING_TRIES = 3
const PAGE_SIZE = 100
/**
 * Requests in flight at once, all of a client's together (the throttling plugin's own default is 10). GitHub
 * allows a token 100 concurrent requests; half of it leaves room for other jobs using the same token.
 */
export const REQUEST_CONCURRENCY = 50
const RATE_LIMIT_PATH = '/rate_limit'
/** Retry a secondary-limit answer this many times, waiting as GitHub says, before giving up. */
const SECONDARY_RETRIES = 5
/** Wait for a spent primary budget only when it comes back this soon; otherwise leave work for the next run. */
const MAX_PRIMARY_WAIT_S = 60

export interface ClientOptions {
  token: string
  apiUrl: string
  log: Logger
  /** Pacing of writes; GitHub's limit by default. */
  writesPerWindow?: number
  writeWindowMs?: number
  /** The HTTP client under Octokit; the runner's by default. */
  fetch?: typeof fetch
  /** Once aborted (a cancelled workflow), no request is sent, and no write waiting for its turn is. */
  signal?: AbortSignal
  /** Requests in flight at once, for listing and for writes; REQUEST_CONCURRENCY by default. */
  concurrency?: number
}

/** A request not sent because the run was stopped; its message names the signal. */
export class StoppedError extends Error {
  constructor(reason: unknown) {
    super(`the run was stopped (${typeof reason === 'string' ? reason : 'cancelled'})`)
  }
}

interface GitHubVersion {
  id: number
  name: string
  /** The version's page on GitHub (optional in GitHub's schema). */
  html_url?: string
  created_at: string
  updated_at: string
  deleted_at?: string
  /** Containers: `container.tags`. Docker (`package-type: docker`): `docker.tag`, a list in GitHub's schema. */
  metadata?: {
    container?: { tags?: string[] | null }
    docker?: { tag?: string[] | string; tags?: string[] }
  }
}

type Octokit = ReturnType<typeof getOctokit>
/** Noted on a write's request options, and seen by every try of it. */
interface WriteTries {
  lost: boolean
  /** GitHub's answer to the last try sent, if any. */
  last?: ApiAnswer
}
type RequestHook = Octokit['hook']
type ResponseHeaders = Record<string, string | number | undefined>

export class GitHubPackagesClient {
  /** HTTP requests sent to the API, retries included. */
  requestCount = 0
  /** The primary budget as the answers report it; every request is sent only if it fits. */
  readonly budget = new BudgetGauge()

  private readonly octokit: Octokit
  private readonly packages = new Map<string, Promise<GitHubPackage | undefined>>()

  /** Every write sent, retries included, passes this window. */
  readonly writeWindow: SlidingWindow

  constructor(private readonly options: ClientOptions) {
    const { log, signal } = options
    this.writeWindow = new SlidingWindow(
      options.writesPerWindow ?? WRITES_PER_MINUTE,
      options.writeWindowMs ?? WRITE_WINDOW_MS
    )
    // Registered before the throttling and retry plugins, this hook sits inside them: it sees every request
    // sent, retries included, and paces every write. getOctokit's own fetch stays in place (unless a test
    // injects one), and with it the runner's proxy settings. Once the run is stopped, nothing more is sent: not a
    // read, not a write waiting in the window, not a retry.
    const countRequests = (octokit: { hook: RequestHook }) => {
      octokit.hook.wrap('request', async (request, requestOptions) => {
        const method = String(requestOptions.method ?? 'GET').toUpperCase()
        try {
          signal?.throwIfAborted()
          if (method !== 'GET' && method !== 'HEAD') await this.writeWindow.take(signal)
        } catch (error) {
          throw signal?.aborted ? new StoppedError(signal.reason) : error
        }
        // GET /rate_limit costs no budget; every other request is sent only while the budget covers it.
        const free = method === 'GET' && String(requestOptions.url) === RATE_LIMIT_PATH
        if (!free) this.budget.take()
        this.requestCount++
        let headers: ResponseHeaders | undefined
        try {
          const response = await request(requestOptions)
          headers = response.headers
          return response
        } catch (error) {
          headers = (error as { response?: { headers?: ResponseHeaders } }).response?.headers
          const tries = (requestOptions.request as { tries?: WriteTries } | undefined)?.tries
          const answer = answerOf(error)
          if (tries !== undefined) {
            tries.last = answer
            if (answer.status === NO_ANSWER_STATUS || answer.status >= 500) tries.lost = true
          }
          throw error
        } finally {
          if (free) this.budget.note(budgetOfHeaders(headers))
          else this.budget.answered(budgetOfHeaders(headers))
        }
      })
    }
    this.octokit = getOctokit(
      options.token,
      {
        baseUrl: options.apiUrl,
        headers: { 'x-github-api-version': API_VERSION },
        ...(options.fetch ? { request: { fetch: options.fetch } } : {}),
        log: { debug: () => {}, info: log.debug, warn: log.warning, error: log.warning },
        throttle: {
          // The plugin reads this group as it reads the others, though its types leave it out.
          ...{
            global: new Bottleneck.Group({
              maxConcurrent: this.concurrency,
              minTime: 0
            })
          },
          // Writes are paced by writeWindow; the plugin's own queue (one a second by default) would only slow them.
          write: new Bottleneck.Group({ maxConcurrent: this.concurrency, minTime: 0 }),
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
            // Every write waits with this one: the limit is the token's, for all of its jobs.
            this.writeWindow.pause(retryAfter * 1000)
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

  /** Requests in flight at once: listing pages, writes. */
  get concurrency(): number {
    return this.options.concurrency ?? REQUEST_CONCURRENCY
  }

  /**
   * Requests this run may still send: what the newest answer left, less the requests in flight, the reserve,
   * the share of other jobs and what is held for the check after the run; undefined when no budget is known.
   */
  get rateLimitRemaining(): number | undefined {
    const left = this.budget.left()
    return Number.isFinite(left) ? left : undefined
  }

  /**
   * Reads the budget from `GET /rate_limit` (`resources.core`), which costs none of it. A server with rate
   * limiting off answers 404 "Rate limiting is not enabled.": no budget is known then, and none is kept to.
   */
  async readRateBudget(): Promise<void> {
    try {
      this.budget.note(budgetOfStatus(await this.get<unknown>(RATE_LIMIT_PATH)))
    } catch (error) {
      if (error instanceof BudgetSpent) throw error
      this.options.log.debug(`${errorMessage(error)}; the answers' headers tell the budget`)
    }
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

  /**
   * Every package of one type the owner has, with its `version_count` and `updated_at`; needed only for globs
   * in package-names. Sorted by name, each once.
   */
  async listPackageNames(scope: OwnerScope, type: PackageType): Promise<PackageSummary[]> {
    const globsHint = `package-names: globs need a token that can list ${scope.login}'s packages: a classic token with read:packages (GITHUB_TOKEN cannot list packages). Name the packages exactly, or pass a classic token.`
    const packages = await this.listAllPages<{ name: string; version_count?: unknown; updated_at?: unknown }>(
      `${scope.path}/packages`,
      { package_type: type },
      // GITHUB_TOKEN is refused with 400 "Invalid argument."; a classic token without read:packages with 403.
      { 400: globsHint, 403: globsHint },
      p => p.name
    )
    const byName = new Map<string, PackageSummary>()
    for (const p of packages)
      byName.set(p.name, {
        name: p.name,
        ...(Number.isSafeInteger(p.version_count) ? { versionCount: p.version_count as number } : {}),
        ...(typeof p.updated_at === 'string' ? { updatedAt: p.updated_at } : {})
      })
    return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
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
      { 404: notFoundMessage(scope, type, name) },
      v => String(v.id)
    )
    const byId = new Map<number, ListedVersion>()
    for (const v of raw) {
      const tags = tagsOf(v, type)
      byId.set(v.id, {
        id: v.id,
        name: v.name,
        tags: tags ?? [],
        // A container version without a tag list may be tagged: say so rather than read it as untagged.
        ...(tags === undefined ? { tagsUnknown: true } : {}),
        createdAt: v.created_at,
        updatedAt: v.updated_at,
        ...(typeof v.html_url === 'string' ? { htmlUrl: v.html_url } : {}),
        ...(v.deleted_at ? { deletedAt: v.deleted_at } : {})
      })
    }
    return [...byId.values()]
  }

  /**
   * A package's visibility (`public`, `private`, `internal`), read once a run; undefined when GitHub does not
   * say or cannot be asked (callers treat that as public). A manifest read counts as a download, which matters
   * only for public versions (the 5,000 limit).
   */
  async packageVisibility(scope: OwnerScope, type: PackageType, name: string): Promise<string | undefined> {
    const { visibility } = (await this.packageOf(scope, type, name)) ?? {}
    return typeof visibility === 'string' ? visibility : undefined
  }

  /** The repository (`owner/name`) a package is linked to; undefined when it has none or GitHub does not say. */
  async packageRepository(scope: OwnerScope, type: PackageType, name: string): Promise<string | undefined> {
    const fullName = (await this.packageOf(scope, type, name))?.repository?.full_name
    return typeof fullName === 'string' ? fullName : undefined
  }

  /** A package as GitHub describes it, read once a run; undefined when it cannot be read. */
  private packageOf(scope: OwnerScope, type: PackageType, name: string): Promise<GitHubPackage | undefined> {
    const key = `${type}/${name}`
    let known = this.packages.get(key)
    if (known === undefined) {
      known = this.get<GitHubPackage>(packagePath(scope, type, name)).catch(() => undefined)
      this.packages.set(key, known)
    }
    return known
  }

  deleteVersion(scope: OwnerScope, type: PackageType, name: string, id: number): Promise<WriteAnswer> {
    return this.write('delete', 'DELETE', `${packagePath(scope, type, name)}/versions/${id}`)
  }

  restoreVersion(scope: OwnerScope, type: PackageType, name: string, id: number): Promise<WriteAnswer> {
    return this.write('restore', 'POST', `${packagePath(scope, type, name)}/versions/${id}/restore`)
  }

  /**
   * Page 1, then the last page, then all the pages between at once (within the client's bound); then
   * page 1 and the last page again. Pages are addressed by number, so a version deleted or added meanwhile
   * shifts the others between pages and one could be missed. Such a change moves the last page (or page 1, for
   * a change before the last page was read), or shows as a duplicate or a short page: the listing is then read
   * again, and when it keeps changing the package is not planned. One page costs one request, two pages three,
   * more pages two more than there are.
   */
  private async listAllPages<T>(
    path: string,
    query: Record<string, string>,
    messages: Messages,
    keyOf: (item: T) => string
  ): Promise<T[]> {
    const page = (n: number) =>
      this.request<T[]>('GET', path, { ...query, per_page: String(PAGE_SIZE), page: String(n) }, messages)
    for (let attempt = 1; ; attempt++) {
      const first = await page(1)
      const last = lastPage(first.headers.link)
      if (last === 1) return first.data
      const end = await page(last)
      const middle = await Promise.all(range(2, last - 1).map(async n => (await page(n)).data))
      // With no page between, a change after the last page was read changes nothing already read.
      const [firstAgain, endAgain] = await Promise.all([page(1), last > 2 ? page(last) : end])
      const items = [first.data, ...middle, end.data].flat()
      const keys = new Set(items.map(keyOf))
      const stable =
        keys.size === items.length &&
        [first.data, ...middle].every(p => p.length === PAGE_SIZE) &&
        lastPage(firstAgain.headers.link) === last &&
        sameKeys(first.data, firstAgain.data, keyOf) &&
        sameKeys(end.data, endAgain.data, keyOf)
      if (stable) return items
      if (attempt >= LISTING_TRIES) {
        throw new ApiError(
          0,
          `the listing of ${path} changed while it was read, ${attempt} times (another run or a person is deleting or pushing); nothing is planned for it in this run, so nothing of it is deleted`
        )
      }
      this.options.log.warning(`The listing of ${path} changed while it was read; reading it again.`)
    }
  }

  private async get<T>(path: string, messages: Messages = {}): Promise<T> {
    return (await this.request<T>('GET', path, {}, messages)).data
  }

  /** A write's answer, decoded; `afterLostAnswer` when an earlier try of it (retried) got a server error or none. */
  private async write(verb: WriteVerb, method: 'DELETE' | 'POST', path: string): Promise<WriteAnswer> {
    const tries: WriteTries = { lost: false }
    try {
      const response = await this.octokit.request(`${method} ${path}`, { request: { tries } })
      return decodeWrite(verb, { status: response.status, message: '' })
    } catch (error) {
      // Stopped before a retry: the answer is the last try's; stopped before any try: never sent.
      if (error instanceof StoppedError)
        return tries.last ? decodeWrite(verb, tries.last) : { kind: 'not-sent', message: error.message }
      // Not sent: the budget is spent. Answered as GitHub answers a spent budget, so the rest waits too.
      if (error instanceof BudgetSpent) return { kind: 'rate-limited', status: 0, message: error.message }
      const answer = answerOf(error)
      return decodeWrite(verb, tries.lost ? { ...answer, afterLostAnswer: true } : answer)
    }
  }

  /** One request, counted, paced and retried; a failure is an ApiError with `messages[status]` when given. */
  async request<T>(
    method: string,
    path: string,
    query: Record<string, string>,
    messages: Messages
  ): Promise<{ data: T; headers: Record<string, string | undefined> }> {
    try {
      const search = new URLSearchParams(query).toString()
      // The body is parsed here: Octokit's parser calls back for every value (to keep integers past 2^53, which
      // GitHub's ids are not) and took ten times as long on a page of versions, on the path of every listing.
      const response = await this.octokit.request(`${method} ${path}${search ? `?${search}` : ''}`, {
        request: { parseSuccessResponseBody: false }
      })
      const body = await new Response(response.data as ReadableStream<Uint8Array>).text()
      return { data: JSON.parse(body) as T, headers: response.headers as Record<string, string | undefined> }
    } catch (error) {
      if (error instanceof StoppedError || error instanceof BudgetSpent) throw error
      const { status, message } = answerOf(error)
      throw new ApiError(
        status,
        status === NO_ANSWER_STATUS
          ? `${method} ${path}: no answer from ${this.options.apiUrl} (${message})`
          : messages[status]
            ? `${messages[status]} (GitHub: ${message})`
            : `${method} ${path}: ${status} ${message}`
      )
    }
  }
}

export type Messages = Partial<Record<number, string>>

interface GitHubPackage {
  visibility?: unknown
  repository?: { full_name?: unknown } | null
}

/** A version's tags; undefined when a container version came without its tag list (missing or null). */
function tagsOf(version: GitHubVersion, type: PackageType): string[] | undefined {
  const { container, docker } = version.metadata ?? {}
  if (type === 'container') return Array.isArray(container?.tags) ? container.tags : undefined
  const dockerTags = docker?.tag ?? docker?.tags ?? []
  return typeof dockerTags === 'string' ? [dockerTags] : dockerTags
}

export function packagePath(scope: OwnerScope, type: PackageType, name: string): string {
  return `${scope.path}/packages/${type}/${encodeURIComponent(name)}`
}

function notFoundMessage(scope: OwnerScope, type: PackageType, name: string): string {
  return `${type} package "${name}" of ${scope.login} was not found. It may exist while the token lacks access: GITHUB_TOKEN needs the Admin role for this repository in the package's "Manage Actions access"; a classic token needs read:packages (and delete:packages to delete)${REPOSITORY_SCOPED.has(type) ? `, and repo: ${type} packages take their permissions from their repository` : ''}`
}

/**
 * Registries whose packages take their permissions from a repository, so that a classic token needs `repo`
 * too (GitHub's "About permissions for GitHub Packages": Maven and Gradle, both `maven` here, and the old
 * Docker registry, docker.pkg.github.com; containers, npm, NuGet and RubyGems have granular permissions).
 */
export const REPOSITORY_SCOPED: ReadonlySet<PackageType> = new Set(['maven', 'docker'])

/**
 * The status and GitHub's message of a failed Octokit request; status 0 when no answer came at all. Octokit
 * gives a request that got no answer (a name that does not resolve, a refused connection) status 500 and no
 * response: that is no answer, not a server error.
 */
export function answerOf(error: unknown): ApiAnswer {
  const response = (error as { response?: { data?: unknown } } | null)?.response
  if (
    typeof error === 'object' &&
    error !== null &&
    'status' in error &&
    typeof error.status === 'number' &&
    response
  ) {
    const data = response.data
    const message =
      typeof data === 'object' && data !== null && 'message' in data
        ? String(data.message)
        : errorMessage(error)
    return { status: error.status, message }
  }
  return { status: NO_ANSWER_STATUS, message: errorMessage(error) }
}

function lastPage(link: string | undefined): number {
  const match = link && /[?&]page=(\d+)[^>]*>;\s*rel="last"/.exec(link)
  return match ? Number(match[1]) : 1
}

function sameKeys<T>(a: readonly T[], b: readonly T[], keyOf: (item: T) => string): boolean {
  return a.length === b.length && a.every((item, i) => keyOf(item) === keyOf(b[i]))
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i)
}
