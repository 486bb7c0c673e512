import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { ANONYMOUS, callerFor, presentedToken } from './auth.js'
import { handlesNpm, npmReply } from './npm.js'
import { ApiError, DOCS_RATE_LIMIT_ENDPOINT, DOCS_RATE_LIMITS, MESSAGES } from './errors.js'
import { FaultInjector, PrimaryLimiter, SecondaryLimiter, requestPoints } from './limits.js'
import { Registry, type Reply } from './oci.js'
import { createRoutes, matchRoute, type Route } from './routes.js'
import { parseScenario, type PackageType, type Scenario, type TokenSpec } from './scenario.js'
import { Store, type StateDump } from './state.js'

export interface FakeOptions {
  /** The fake's clock (ages, the 30-day restore window, rate-limit resets); the real clock by default. */
  now?: () => Date
  /** 0 (default) picks a free port. */
  port?: number
  /**
   * Serve the REST API under this path, as GitHub Enterprise Server does (`/api/v3`); the registry stays at the
   * server's root, standing in for GHES's separate `containers.HOST`. Default: the API at the root, as api.github.com.
   */
  apiPath?: string
  /**
   * The host name in `url`; `127.0.0.1` by default. With `localhost` and an `apiPath`, the registry is served
   * as GHES's `containers.HOST` at `http://containers.localhost:PORT`, the URL the action derives from `url`
   * (`*.localhost` resolves to loopback through `localhost-dns.mjs`, which the harness preloads).
   */
  hostname?: string
  /** `service` in the registry's 401 challenge; `ghcr.io` by default, `containers.HOST` on GHES. */
  registryService?: string
}

/**
 * Served as a GitHub Enterprise Server is: the API at `http://localhost:PORT/api/v3`, from which the action
 * derives the registry `http://containers.localhost:PORT` as it derives `containers.HOST` (no `registry-url`).
 */
export const SERVER_STYLE = { apiPath: '/api/v3', hostname: 'localhost' } as const

export interface RequestLogEntry {
  method: string
  /** As requested, percent-encoding kept. */
  path: string
  /** The raw query string without `?`. */
  query: string
  status: number
  /** The token's label, `anonymous`, `invalid` or, for the registry, `registry`. */
  token: string
  /** When the request arrived, by the fake's clock. */
  time: string
}

export interface FakeGitHub {
  /** REST API base: `http://127.0.0.1:PORT`, plus `apiPath` when given (`http://127.0.0.1:PORT/api/v3`). */
  url: string
  /** OCI registry base: the same server's root (`/v2/` and `/token`), named `containers.localhost` when GHES-style. */
  registryUrl: string
  requests: RequestLogEntry[]
  /** Manifest GETs served by the registry; each counts as a download. */
  readonly manifestReads: number
  /** The most API requests that were being answered at once (latency included), since the start. */
  readonly peakConcurrency: number
  /** The registry itself: scripted answers, the realm its challenges name, the token requests it saw. */
  readonly registry: Registry
  state(): StateDump
  /**
   * The digest a container version named `name` in the scenario is served under: the registry names each
   * manifest by the sha256 of its body, so scenario names are rewritten at load. Other names are returned as given.
   */
  digestOf(name: string): string
  isPullable(owner: string, name: string, tag: string): boolean
  /** Publishes a version of a package now, as a registry client's push does. */
  publish(
    owner: string,
    type: PackageType,
    name: string,
    version: { id: number; name: string; tags?: string[] }
  ): void
  setNow(date: Date): void
  close(): Promise<void>
}

const API_VERSIONS = ['2026-03-10', '2022-11-28']
/** GitHub's secondary limit on concurrent requests of one token (REST and GraphQL together). */
export const MAX_CONCURRENT_REQUESTS = 100
const DEFAULT_API_VERSION = '2022-11-28'

function unsupportedVersion(version: string): ApiError {
  const supported = API_VERSIONS.map((v, i) => `"${v}"${i === 0 ? ' (most recent)' : ''}`).join(', ')
  return new ApiError(
    400,
    `The version you specified in the "X-GitHub-Api-Version" request header, "${version}", is not a supported version. The following versions are currently supported: ${supported}.`,
    'https://docs.github.com/rest/about-the-rest-api/api-versions'
  )
}

/** A GitHub Packages REST API and container registry over an in-memory scenario, on 127.0.0.1. */
class FakeServer {
  readonly requests: RequestLogEntry[] = []
  /** API requests being answered now, per presented token; and the most at once, all tokens together. */
  private readonly inFlight = new Map<string, number>()
  private inFlightTotal = 0
  peakConcurrency = 0
  readonly store: Store
  readonly registry: Registry
  private readonly tokens: Map<string, TokenSpec>
  private readonly routes: Route[]
  private readonly primary: PrimaryLimiter
  private readonly secondary?: SecondaryLimiter
  private readonly faults?: FaultInjector
  /** The server's origin; the API is at `baseUrl + apiPath`. */
  baseUrl = ''
  /** Where the registry is reached (the same server, maybe under another name). */
  registryUrl = ''

  constructor(
    private readonly scenario: Scenario,
    readonly clock: { now: () => number },
    readonly apiPath = '',
    registryService?: string
  ) {
    const now = () => this.clock.now()
    this.store = new Store(scenario, now)
    this.tokens = new Map(scenario.tokens.map(t => [t.value, t]))
    this.routes = createRoutes(
      this.store,
      () => this.baseUrl + this.apiPath,
      scenario.quirks,
      scenario.repositories
    )
    this.registry = new Registry(this.store, this.tokens, () => this.registryUrl, registryService)
    this.primary = new PrimaryLimiter(scenario.rateLimit, now)
    if (scenario.secondary) this.secondary = new SecondaryLimiter(scenario.secondary, now)
    if (scenario.faults) this.faults = new FaultInjector(scenario.faults)
  }

  async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrived = new Date(this.clock.now()).toISOString()
    req.resume()
    const url = new URL(req.url ?? '/', this.baseUrl)
    const method = req.method ?? 'GET'
    let label = 'registry'
    let reply: Reply
    const api = !Registry.handles(url.pathname) && !handlesNpm(url.pathname)
    const key = presentedToken(req.headers.authorization) ?? 'anonymous'
    const concurrent = api ? this.enter(key) : 0
    if (this.scenario.latencyMs) await sleep(this.scenario.latencyMs)
    try {
      if (concurrent > MAX_CONCURRENT_REQUESTS)
        throw new ApiError(
          this.secondary?.refusalStatus ?? 403,
          MESSAGES.secondaryRateLimit,
          DOCS_RATE_LIMITS
        )
      if (Registry.handles(url.pathname)) {
        await this.injectFault(method)
        reply = this.registry.handle(
          method,
          url,
          req.headers.authorization,
          req.headers.accept,
          req.headers.host
        )
      } else if (handlesNpm(url.pathname)) {
        label = 'npm'
        await this.injectFault(method)
        reply = npmReply(this.store, this.tokens, method, url, req.headers.authorization)
      } else ({ label, reply } = await this.apiReply(req, method, url))
    } catch (error) {
      if (!(error instanceof ApiError)) throw error
      reply = { status: error.status, headers: error.headers, json: error.body() }
    } finally {
      if (api) this.leave(key)
    }
    this.requests.push({
      method,
      path: url.pathname,
      query: url.search.slice(1),
      status: reply.status,
      token: label,
      time: arrived
    })
    const body =
      reply.text ?? (reply.json === undefined || reply.status === 204 ? '' : JSON.stringify(reply.json))
    res.writeHead(reply.status, {
      ...(reply.text === undefined && body && { 'content-type': 'application/json; charset=utf-8' }),
      ...reply.headers
    })
    res.end(method === 'HEAD' ? undefined : body)
  }

  /**
   * Checks in GitHub's order: API version, credentials, primary budget, route, secondary limit, then an
   * injected fault, all before the handler touches any state. Every answer carries the rate-limit headers.
   */
  private async apiReply(
    req: IncomingMessage,
    method: string,
    url: URL
  ): Promise<{ label: string; reply: Reply }> {
    const headers: Record<string, string> = {}
    let caller = ANONYMOUS
    let reply: Reply
    try {
      const version = String(req.headers['x-github-api-version'] ?? DEFAULT_API_VERSION)
      if (!API_VERSIONS.includes(version)) throw unsupportedVersion(version)
      headers['x-github-api-version-selected'] = version

      const presented = presentedToken(req.headers.authorization)
      const token = presented === undefined ? undefined : this.tokens.get(presented)
      caller = token
        ? callerFor(token, this.store)
        : { ...ANONYMOUS, label: presented ? 'invalid' : 'anonymous' }
      const routePath = this.routePath(url.pathname)
      const budgetKey = token ? token.value : 'anonymous'
      const limited = this.scenario.rateLimiting !== false
      if (method === 'GET' && routePath === '/rate_limit') {
        if (!limited) throw new ApiError(404, MESSAGES.rateLimitingDisabled, DOCS_RATE_LIMIT_ENDPOINT)
        const { headers: now, core } = this.primary.status(budgetKey, caller.defaultLimit)
        Object.assign(headers, now)
        if (presented !== undefined && !token) throw new ApiError(401, MESSAGES.badCredentials)
        const resources = { core, search: { limit: 30, used: 0, remaining: 30, reset: core.reset } }
        return { label: caller.label, reply: { status: 200, headers, json: { resources, rate: core } } }
      }
      const budget = limited ? this.primary.take(budgetKey, caller.defaultLimit) : undefined
      if (budget) Object.assign(headers, budget.headers)
      if (!token)
        throw new ApiError(401, presented ? MESSAGES.badCredentials : MESSAGES.requiresAuthentication)
      if (token.kind === 'classic') headers['x-oauth-scopes'] = (token.scopes ?? []).join(', ')
      if (budget?.allowed === false)
        throw new ApiError(
          this.primary.refusalStatus,
          `API rate limit exceeded for ${caller.rateLimitedAs}.`,
          DOCS_RATE_LIMITS
        )

      const match = routePath === undefined ? undefined : matchRoute(this.routes, method, routePath)
      if (!match) throw new ApiError(404, MESSAGES.notFound)
      const slowed = this.secondary?.take(
        `${token.value} ${method} ${match.route.template}`,
        requestPoints(method)
      )
      if (slowed?.retryAfterSeconds !== undefined)
        throw new ApiError(
          this.secondary?.refusalStatus ?? 403,
          MESSAGES.secondaryRateLimit,
          DOCS_RATE_LIMITS,
          {
            'retry-after': String(slowed.retryAfterSeconds)
          }
        )
      const routeUrl = new URL(url)
      routeUrl.pathname = match.path
      const handle = () => match.route.handle({ params: match.params, url: routeUrl, token })
      if (this.scenario.faults?.lostWrites && method !== 'GET' && method !== 'HEAD') {
        // The write is carried out, and only its answer is lost (a connection cut after GitHub acted).
        try {
          reply = handle()
        } finally {
          await this.injectFault(method)
        }
      } else {
        await this.injectFault(method)
        reply = handle()
      }
    } catch (error) {
      if (!(error instanceof ApiError)) throw error
      reply = { status: error.status, headers: error.headers, json: error.body() }
    }
    return { label: caller.label, reply: { ...reply, headers: { ...headers, ...reply.headers } } }
  }

  /** Counts a request of `key` in flight; returns how many of its requests are now. */
  private enter(key: string): number {
    const mine = (this.inFlight.get(key) ?? 0) + 1
    this.inFlight.set(key, mine)
    this.peakConcurrency = Math.max(this.peakConcurrency, ++this.inFlightTotal)
    return mine
  }

  private leave(key: string): void {
    this.inFlight.set(key, (this.inFlight.get(key) ?? 1) - 1)
    this.inFlightTotal--
  }

  /** The path below the API base, or undefined when the request is not under it. */
  private routePath(path: string): string | undefined {
    if (!this.apiPath) return path
    return path.startsWith(`${this.apiPath}/`) ? path.slice(this.apiPath.length) : undefined
  }

  /** A faulted request is answered before anything is read or changed, so faults never alter state. */
  private async injectFault(method: string): Promise<void> {
    const fault = this.faults?.draw(method)
    if (!fault) return
    if (fault.delayMs) await sleep(fault.delayMs)
    throw new ApiError(fault.status, STATUS_CODES[fault.status] ?? 'Server Error')
  }
}

export async function startFakeGitHub(scenario: Scenario, options: FakeOptions = {}): Promise<FakeGitHub> {
  const clock = { now: () => (options.now ? options.now().getTime() : Date.now()) }
  const apiPath = (options.apiPath ?? '').replace(/\/+$/, '')
  const hostname = options.hostname ?? '127.0.0.1'
  const ghesStyle = apiPath !== '' && hostname === 'localhost'
  const service = options.registryService ?? (ghesStyle ? 'containers.localhost' : undefined)
  const fake = new FakeServer(parseScenario(scenario), clock, apiPath, service)
  const server = createServer((req, res) => {
    fake.serve(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' })
      res.end(error instanceof Error ? (error.stack ?? error.message) : String(error))
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as AddressInfo
  fake.baseUrl = `http://${hostname}:${port}`
  fake.registryUrl = ghesStyle ? `http://containers.${hostname}:${port}` : fake.baseUrl

  return {
    url: fake.baseUrl + apiPath,
    registryUrl: fake.registryUrl,
    requests: fake.requests,
    get manifestReads() {
      return fake.registry.manifestReads
    },
    get peakConcurrency() {
      return fake.peakConcurrency
    },
    registry: fake.registry,
    state: () => fake.store.dump(),
    digestOf: name => fake.store.digests.get(name) ?? name,
    isPullable: (owner, name, tag) => fake.store.isPullable(owner, name, tag),
    publish: (owner, type, name, version) => {
      const known = fake.store.owner(owner)
      const pkg = known && fake.store.find(known, type, name)
      if (!pkg) throw new Error(`no ${type} package ${owner}/${name} to publish to`)
      fake.store.publish(pkg, version)
    },
    setNow: date => {
      clock.now = () => date.getTime()
    },
    // Closing twice (a test that restarts its registry, then the harness's own clean-up) is closing once.
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve()
        server.close(error => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      })
  }
}
