import type { FaultSpec, RateLimitSpec, SecondarySpec } from './scenario.js'
import { seededRandom } from './prng.js'

const HOUR_MS = 3_600_000

interface Bucket {
  limit: number
  remaining: number
  resetMs: number
}

export interface PrimaryVerdict {
  allowed: boolean
  headers: Record<string, string>
}

/** The hourly request budget of each token, reported in `x-ratelimit-*` on every answer. */
export class PrimaryLimiter {
  private readonly buckets = new Map<string, Bucket>()

  constructor(
    private readonly config: RateLimitSpec | undefined,
    private readonly now: () => number
  ) {}

  get refusalStatus(): number {
    return this.config?.status ?? 403
  }

  /** Spends one request of `key`'s budget unless it is exhausted. */
  take(key: string, defaultLimit: number): PrimaryVerdict {
    const bucket = this.bucket(key, defaultLimit)
    const allowed = bucket.remaining > 0
    if (allowed) bucket.remaining -= 1
    return { allowed, headers: headersOf(bucket) }
  }

  /**
   * `GET /rate_limit`: the budget of `key` as it stands, without spending any of it (GitHub: "Accessing this
   * endpoint does not count against your REST API rate limit"), with the same headers as every answer.
   */
  status(key: string, defaultLimit: number): { headers: Record<string, string>; core: RateLimitStatus } {
    const bucket = this.bucket(key, defaultLimit)
    const core = {
      limit: bucket.limit,
      used: bucket.limit - bucket.remaining,
      remaining: bucket.remaining,
      reset: Math.ceil(bucket.resetMs / 1000)
    }
    return { headers: headersOf(bucket), core }
  }

  private bucket(key: string, defaultLimit: number): Bucket {
    const now = this.now()
    let bucket = this.buckets.get(key)
    if (!bucket) {
      const limit = this.config?.limit ?? defaultLimit
      const resetMs = this.config?.resetAt ? Date.parse(this.config.resetAt) : now + HOUR_MS
      bucket = { limit, remaining: Math.min(limit, this.config?.remaining ?? limit), resetMs }
      this.buckets.set(key, bucket)
    }
    if (now >= bucket.resetMs) {
      bucket.remaining = bucket.limit
      bucket.resetMs = now + HOUR_MS
    }
    return bucket
  }
}

/** One resource of `GET /rate_limit`'s answer (`resources.core`). */
export interface RateLimitStatus {
  limit: number
  used: number
  remaining: number
  reset: number
}

function headersOf(bucket: Bucket): Record<string, string> {
  return {
    'x-ratelimit-limit': String(bucket.limit),
    'x-ratelimit-remaining': String(bucket.remaining),
    'x-ratelimit-used': String(bucket.limit - bucket.remaining),
    'x-ratelimit-reset': String(Math.ceil(bucket.resetMs / 1000)),
    'x-ratelimit-resource': 'core'
  }
}

/** Points a request costs against the per-endpoint secondary limit: reads 1, writes 5. */
export function requestPoints(method: string): number {
  return method === 'GET' || method === 'HEAD' ? 1 : 5
}

/** GitHub's secondary limit: points per sliding window for each token and endpoint. */
export class SecondaryLimiter {
  private readonly spent = new Map<string, { time: number; points: number }[]>()

  constructor(
    private readonly config: SecondarySpec,
    private readonly now: () => number
  ) {}

  get refusalStatus(): number {
    return this.config.status ?? 403
  }

  /** Records the request's points, or returns how many seconds to wait when they do not fit. */
  take(key: string, points: number): { retryAfterSeconds?: number } {
    const now = this.now()
    const log = (this.spent.get(key) ?? []).filter(entry => entry.time + this.config.windowMs > now)
    this.spent.set(key, log)
    let used = log.reduce((sum, entry) => sum + entry.points, 0)
    if (used + points <= this.config.points) {
      log.push({ time: now, points })
      return {}
    }
    // Wait until enough of the oldest entries have left the window for this request to fit.
    let freeAt = now
    for (const entry of log) {
      if (used + points <= this.config.points) break
      used -= entry.points
      freeAt = entry.time + this.config.windowMs
    }
    return { retryAfterSeconds: Math.max(1, Math.ceil((freeAt - now) / 1000)) }
  }
}

/** Decides, from a seeded sequence, which requests fail with a server error. */
export class FaultInjector {
  private readonly random: () => number

  constructor(private readonly config: FaultSpec) {
    this.random = seededRandom(config.seed)
  }

  /** Draws for one request (of `method`): the status to fail it with, or undefined to serve it. */
  draw(method: string): { status: number; delayMs: number } | undefined {
    if (this.config.methods !== undefined && !this.config.methods.includes(method)) return undefined
    const statuses = this.config.statuses ?? [500, 502]
    if (this.random() >= this.config.rate) return undefined
    return { status: statuses[Math.floor(this.random() * statuses.length)], delayMs: this.config.slowMs ?? 0 }
  }
}
