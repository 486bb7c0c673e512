/**
 * The client of the container registry (ghcr.io, or a GitHub Enterprise Server's), read for the structure of
 * images: which manifests an index refers to, and which manifest a referrer points at. With the API client,
 * the only modules that talk HTTP.
 *
 * Every manifest read counts as a download of the package: callers ask only for what a decision needs, and
 * what was read once is remembered by digest (`ManifestCache`). Answers 429, 5xx and network errors are
 * retried; the API token goes only to the registry's own token service over https; and any failure ends as
 * `undefined` with a warning (the caller then deletes nothing that read could protect), never as a crash.
 */
import { HttpClient } from '@actions/http-client'
import { setTimeout as sleep } from 'node:timers/promises'
import { fetch, type Dispatcher } from 'undici'
import { mapWithConcurrency } from './concurrency.js'
import { errorMessage } from '../errors.js'
import { isLoopback } from '../config/urls.js'
import { manifestKey, sha256, type ManifestCache } from './manifest-cache.js'
import type { ImageStructure, Logger, ManifestInfo } from '../types.js'

/** The only digests used: sha256, lower-case hex (as GitHub names container versions). */
export const DIGEST = /^sha256:[0-9a-f]{64}$/
const MANIFEST_CONCURRENCY = 8
const ATTEMPTS = 4
const MAX_RETRY_AFTER_S = 60

const INDEX_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json'
]
/** Manifests that list no other manifest; an OCI 1.1 artifact or image manifest may name a `subject`. */
const LEAF_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.artifact.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
  'application/vnd.docker.distribution.manifest.v1+json'
]
/** ghcr.io answers 404 MANIFEST_UNKNOWN when the stored type is not accepted: list every type it stores. */
export const MANIFEST_ACCEPT = [...INDEX_TYPES, ...LEAF_TYPES].join(', ')

export interface RegistryOptions {
  token: string
  registryUrl: string
  log: Logger
  /** Manifests remembered between runs; none by default. */
  cache?: ManifestCache
  /** Per request, milliseconds; 30 s by default. */
  timeoutMs?: number
  /** First retry delay when the registry names none, milliseconds (doubled each time); 1 s by default. */
  retryDelayMs?: number
}

interface RawManifest {
  mediaType?: string
  manifests?: unknown
  subject?: { digest?: unknown } | null
}

/** An answer that is worth asking again: 429, 5xx, or no answer at all. */
class RetryableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number
  ) {
    super(message)
  }
}

export class RegistryClient {
  /** Manifests read (each one a download of its package). */
  manifestReads = 0
  /** Registry tokens by repository; an entry is dropped when its exchange fails, so it is asked again. */
  private readonly registryTokens = new Map<string, Promise<string | undefined>>()
  /** When each repository's token expires (ms), as the token service said (`expires_in`). */
  private readonly expiries = new Map<string, number>()
  private readonly dispatchers = new Map<string, Dispatcher | undefined>()
  private readonly warned = new Set<string>()
  private readonly registryHost: string

  constructor(private readonly options: RegistryOptions) {
    this.registryHost = new URL(options.registryUrl).hostname
  }

  /** The registry read, as the run names it in messages. */
  get registryUrl(): string {
    return this.options.registryUrl
  }

  /**
   * Reads the given manifests of one container package, and the nested indexes they list, from the cache or
   * the registry. Undefined, with a warning, when any read fails: a partial structure could hide a part of a
   * kept image.
   */
  async readImageStructure(
    owner: string,
    name: string,
    digests: readonly string[]
  ): Promise<ImageStructure | undefined> {
    const repository = `${owner}/${name}`.toLowerCase()
    const structure = new Map<string, ManifestInfo>()
    try {
      let wanted = [...new Set(digests)]
      while (wanted.length > 0) {
        const infos = await this.readAll(repository, wanted)
        wanted.forEach((digest, i) => structure.set(digest, infos[i]))
        const nested = infos.flatMap(info => info.indexChildren ?? [])
        wanted = [...new Set(nested)].filter(digest => !structure.has(digest))
      }
      return structure
    } catch (error) {
      this.options.log.warning(
        `Could not read the image structure of ${name} from ${this.options.registryUrl} (${errorMessage(error)}).`
      )
      return undefined
    }
  }

  /**
   * The manifests of one container package remembered from earlier runs among these, without reading any, each
   * as complete as a read: with the nested indexes it lists, recursively. A manifest is left out when any of
   * those is not remembered (what it needs is then unknown, as if nothing of it were).
   */
  rememberedStructure(owner: string, name: string, digests: readonly string[]): ImageStructure {
    const known = new Map<string, ManifestInfo>()
    for (const digest of digests)
      this.rememberedGraph(`${owner}/${name}`, digest)?.forEach((info, d) => known.set(d, info))
    return known
  }

  /** A manifest and the nested indexes below it, all from the cache; undefined when any is not there. */
  private rememberedGraph(repository: string, digest: string): ImageStructure | undefined {
    const graph = new Map<string, ManifestInfo>()
    const stack = [digest]
    while (stack.length > 0) {
      const next = stack.pop() as string
      if (graph.has(next)) continue
      const body = this.options.cache?.peek(this.cacheKey(repository, next))
      const info = body === undefined ? undefined : this.cached(next, body)
      if (info === undefined) return undefined
      graph.set(next, info)
      stack.push(...(info.indexChildren ?? []))
    }
    return graph
  }

  private async readAll(repository: string, digests: string[]): Promise<ManifestInfo[]> {
    const cache = this.options.cache
    const infos = digests.map(digest => {
      const body = cache?.get(this.cacheKey(repository, digest))
      return body === undefined ? undefined : this.cached(digest, body)
    })
    const missing = digests.filter((_, i) => infos[i] === undefined)
    // The first read of a repository learns from its 401 challenge where to get a token; the others then
    // use that token instead of each being challenged.
    const first = this.registryTokens.has(repository) ? 0 : Math.min(1, missing.length)
    const read = async (digest: string) => {
      const { info, body } = await this.readManifest(repository, digest)
      cache?.put(this.cacheKey(repository, digest), body)
      return info
    }
    const results = [
      ...(await mapWithConcurrency(missing.slice(0, first), 1, read)),
      ...(await mapWithConcurrency(missing.slice(first), MANIFEST_CONCURRENCY, read))
    ]
    let next = 0
    return infos.map(info => info ?? results[next++])
  }

  /** What a remembered body says; the cache verified it on load. Undefined (read again) if it does not parse. */
  private cached(digest: string, body: string): ManifestInfo | undefined {
    try {
      return parseManifest(digest, body)
    } catch (error) {
      this.options.log.debug(`manifest cache: ${errorMessage(error)}; read again`)
      return undefined
    }
  }

  private cacheKey(repository: string, digest: string): string {
    return manifestKey(new URL(this.options.registryUrl).host, repository, digest)
  }

  /**
   * Reads one manifest by digest. The answer is taken only if the sha256 of its body is that digest and
   * `Docker-Content-Digest`, when sent, names it too: anything else fails the read, never becomes a structure.
   */
  private async readManifest(
    repository: string,
    digest: string
  ): Promise<{ info: ManifestInfo; body: string }> {
    const url = `${this.options.registryUrl}/v2/${repository}/manifests/${digest}`
    const { response, body } = await this.get(repository, url)
    if (response.status !== 200) throw new Error(`manifest ${digest}: HTTP ${response.status}`)
    this.manifestReads++
    const announced = response.headers.get('docker-content-digest')
    if (announced !== null && announced !== digest)
      throw new Error(`manifest ${digest}: the registry says it sent ${announced}`)
    if (sha256(body) !== digest) {
      const schema1 = /^application\/vnd\.docker\.distribution\.manifest\.v1\+/.test(
        response.headers.get('content-type') ?? ''
      )
      throw new Error(
        schema1
          ? `manifest ${digest}: a signed schema 1 manifest, whose digest cannot be checked against its body`
          : `manifest ${digest}: the body's sha256 is not this digest`
      )
    }
    return { info: parseManifest(digest, body, this.options.log, repository), body }
  }

  /**
   * GET with the repository's registry token, retried on 429, 5xx and network errors (the registry's
   * `Retry-After` wins); a 401 fetches a fresh token once.
   */
  private async get(repository: string, url: string): Promise<{ response: Response; body: string }> {
    let refreshed = false
    // An expired token is dropped before it is refused: the read is challenged and a new one fetched.
    if ((this.expiries.get(repository) ?? Infinity) <= Date.now()) {
      this.expiries.delete(repository)
      this.registryTokens.delete(repository)
    }
    for (let attempt = 1; ; attempt++) {
      const bearer = await this.registryTokens.get(repository)
      try {
        const response = await this.send(url, bearer ? { authorization: `Bearer ${bearer}` } : {}, {
          accept: MANIFEST_ACCEPT
        })
        if (response.status === 401 && !refreshed) {
          refreshed = bearer !== undefined
          await this.renewToken(repository, bearer, response.headers.get('www-authenticate') ?? '')
          attempt--
          continue
        }
        return { response, body: await this.retryable(response) }
      } catch (error) {
        if (!(error instanceof RetryableError) || attempt >= ATTEMPTS) throw error
        await sleep(error.retryAfterMs ?? (this.options.retryDelayMs ?? 1000) * 2 ** (attempt - 1))
      }
    }
  }

  /** The body of an answer, or a RetryableError for 429, 5xx or a body cut short. */
  private async retryable(response: Response): Promise<string> {
    if (response.status === 429 || response.status >= 500) {
      await response.body?.cancel().catch(() => undefined)
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'))
      if (retryAfterMs !== undefined && retryAfterMs > MAX_RETRY_AFTER_S * 1000)
        throw new Error(`HTTP ${response.status}, retry after ${Math.round(retryAfterMs / 1000)}s`)
      throw new RetryableError(`HTTP ${response.status}`, retryAfterMs)
    }
    try {
      return await response.text()
    } catch (error) {
      throw new RetryableError(errorMessage(error))
    }
  }

  /** One request through the proxy the environment names (`HTTPS_PROXY`, `NO_PROXY`), with a timeout. */
  private async send(url: string, ...headers: Record<string, string>[]): Promise<Response> {
    const origin = new URL(url).origin
    if (!this.dispatchers.has(origin)) this.dispatchers.set(origin, new HttpClient().getAgentDispatcher(url))
    try {
      return await fetch(url, {
        headers: Object.assign({}, ...headers),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
        dispatcher: this.dispatchers.get(origin)
      })
    } catch (error) {
      throw new RetryableError(`${errorMessage(error)} (${origin})`)
    }
  }

  /**
   * Asks for a registry token after a 401, once for all the reads of a repository that were refused with the
   * same token. A failed exchange leaves no token behind, so the next read asks again.
   */
  private async renewToken(repository: string, used: string | undefined, challenge: string): Promise<void> {
    const current = this.registryTokens.get(repository)
    if (current !== undefined && (await current.catch(() => used)) !== used) return
    const exchange = this.exchangeToken(challenge).then(({ token, expiresInS }) => {
      // Renewed a little early: 10 s, or half its life when shorter.
      if (expiresInS !== undefined)
        this.expiries.set(repository, Date.now() + Math.max(expiresInS - 10, expiresInS / 2) * 1000)
      return token
    })
    this.registryTokens.set(repository, exchange)
    try {
      await exchange
    } catch (error) {
      if (this.registryTokens.get(repository) === exchange) this.registryTokens.delete(repository)
      throw error
    }
  }

  /**
   * Exchanges the API token for a registry token at the realm a 401's `WWW-Authenticate` names. The API token
   * goes only to an https realm on the registry's own host (http on loopback, for tests); any other realm is
   * asked without it, with a warning.
   */
  private async exchangeToken(challenge: string): Promise<{ token: string; expiresInS?: number }> {
    const field = (key: string): string | undefined => new RegExp(`${key}="([^"]*)"`).exec(challenge)?.[1]
    const realm = field('realm')
    if (!realm) throw new Error('HTTP 401 without a Bearer realm')
    const url = new URL(realm)
    for (const key of ['service', 'scope']) {
      const value = field(key)
      if (value) url.searchParams.set(key, value)
    }
    const trusted = await this.trustedRealm(url)
    if (!trusted && !this.warned.has(url.origin)) {
      this.warned.add(url.origin)
      this.options.log.warning(
        `The registry ${this.options.registryUrl} names the token service ${url.origin}, which is not ${this.registryHost} over https; it is asked without credentials, so only public images can be read.`
      )
    }
    const basic = Buffer.from(`package-retention:${this.options.token}`).toString('base64')
    const response = await this.send(url.href, trusted ? { authorization: `Basic ${basic}` } : {})
    const text = await this.retryable(response)
    if (!response.ok) throw new Error(`registry token: HTTP ${response.status}`)
    let body: { token?: string; access_token?: string; expires_in?: number }
    try {
      body = JSON.parse(text) as typeof body
    } catch {
      throw new Error('registry token: the answer is not JSON')
    }
    const token = body.token ?? body.access_token
    if (!token) throw new Error('registry token: the answer holds no token')
    this.options.log.setSecret?.(token)
    return { token, ...(typeof body.expires_in === 'number' && { expiresInS: body.expires_in }) }
  }

  private async trustedRealm(realm: URL): Promise<boolean> {
    if (realm.hostname !== this.registryHost) return false
    return realm.protocol === 'https:' || (realm.protocol === 'http:' && (await isLoopback(realm.hostname)))
  }
}

/**
 * What a verified manifest body says: its children when it is an index (and which of them are indexes), its
 * `subject` when it is a referrer. Throws when it is not a manifest or names anything but sha256 digests.
 */
export function parseManifest(digest: string, body: string, log?: Logger, repository = ''): ManifestInfo {
  let manifest: RawManifest
  try {
    manifest = JSON.parse(body) as RawManifest
  } catch {
    throw new Error(`manifest ${digest}: not JSON`)
  }
  if (typeof manifest !== 'object' || manifest === null) throw new Error(`manifest ${digest}: not an object`)
  const mediaType = typeof manifest.mediaType === 'string' ? manifest.mediaType : ''
  const info: ManifestInfo = { children: [], mediaType }
  if (INDEX_TYPES.includes(mediaType) || (!mediaType && Array.isArray(manifest.manifests))) {
    const entries: unknown = manifest.manifests ?? []
    if (!Array.isArray(entries)) throw new Error(`manifest ${digest}: its "manifests" is not a list`)
    const listed = entries as { digest?: unknown; mediaType?: unknown }[]
    info.children = listed.map(m => checkedDigest(digest, m?.digest))
    const nested = listed.filter(m => INDEX_TYPES.includes(String(m.mediaType))).map(m => m.digest as string)
    if (nested.length > 0) info.indexChildren = nested
  } else if (!LEAF_TYPES.includes(mediaType)) {
    log?.debug(
      `manifest ${digest} of ${repository}: media type ${mediaType || 'unknown'}, taken as having no parts`
    )
  }
  if (manifest.subject !== undefined) info.subject = checkedDigest(digest, manifest.subject?.digest)
  return info
}

/**
 * A digest named by a manifest (a child, a subject), checked before it goes into a URL, a cache key or a plan:
 * anything but a sha256 digest makes the read fail.
 */
function checkedDigest(manifest: string, value: unknown): string {
  if (typeof value === 'string' && DIGEST.test(value)) return value
  throw new Error(
    `manifest ${manifest}: names ${String(JSON.stringify(value))}, which is not a sha256 digest`
  )
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds; undefined when absent or unreadable. */
function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now())
}
