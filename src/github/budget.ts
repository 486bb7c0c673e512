/**
 * The primary rate budget, as GitHub reports it: `x-ratelimit-limit`, `-remaining` and `-reset` on every
 * answer, and `resources.core` of `GET /rate_limit`, which costs nothing. A GitHub Enterprise Server with rate
 * limiting off sends no such headers and answers `/rate_limit` with 404: then no budget is known, and none is
 * kept to. The gauge turns what the answers said into one plain number, the requests this run may still send.
 */
import type { RateBudget } from '../types.js'

type Headers = Record<string, string | number | undefined>

/** The budget an answer's headers report; undefined when they do not report one (rate limiting off). */
export function budgetOfHeaders(headers: Headers | undefined): RateBudget | undefined {
  const read = (name: string) => wholeNumber(headers?.[`x-ratelimit-${name}`])
  return budgetOf(read('limit'), read('remaining'), read('reset'))
}

/** The budget in `GET /rate_limit`'s answer (`resources.core`); undefined when it has none. */
export function budgetOfStatus(body: unknown): RateBudget | undefined {
  const core = (body as { resources?: { core?: Record<string, unknown> } } | undefined)?.resources?.core
  return budgetOf(wholeNumber(core?.limit), wholeNumber(core?.remaining), wholeNumber(core?.reset))
}

function budgetOf(limit?: number, remaining?: number, reset?: number): RateBudget | undefined {
  if (limit === undefined || remaining === undefined || reset === undefined) return undefined
  return { limit, remaining, reset }
}

function wholeNumber(value: unknown): number | undefined {
  const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value
  return typeof number === 'number' && Number.isSafeInteger(number) && number >= 0 ? number : undefined
}

/** A request the run did not send: the rate budget, less the reserve, is spent. */
export class BudgetSpent extends Error {
  constructor(readonly resetAt: string | undefined) {
    super(
      `not sent: the API rate budget, less the reserve, is spent${resetAt ? ` (it resets at ${resetAt})` : ''}`
    )
  }
}

/**
 * What this run may still spend of the primary budget: what the newest answer left, less the requests in
 * flight (which that answer did not count yet), the reserve, and what is held for a later step (the check
 * after the run); within a share of the budget when the run is one of several (a matrix shard).
 */
export class BudgetGauge {
  private last: RateBudget | undefined
  private inFlight = 0
  private sent = 0
  private reserve = 0
  private allowance = Infinity
  private held = 0

  /** The budget as last reported; undefined while none is known (rate limiting off, or no answer yet). */
  get budget(): RateBudget | undefined {
    return this.last
  }

  /** When the budget resets, ISO 8601; undefined when no budget is known. */
  get resetAt(): string | undefined {
    return this.last && new Date(this.last.reset * 1000).toISOString()
  }

  /**
   * From now on keep `reserve` requests back, and send at most a `1/share` part of what the budget reports
   * now, less the reserve (each of `share` jobs sharing the token takes its own part).
   */
  keep(reserve: number, share = 1): void {
    this.reserve = reserve
    if (this.last) this.allowance = this.sent + Math.floor(Math.max(0, this.last.remaining - reserve) / share)
  }

  /** An answer's report. Answers arrive out of order: within one window the lowest remaining is the newest. */
  note(budget: RateBudget | undefined): void {
    if (budget === undefined) return
    const last = this.last
    if (last === undefined || budget.reset > last.reset) this.last = budget
    else if (budget.reset === last.reset && budget.remaining < last.remaining) this.last = budget
  }

  /** Requests this run may still send: Infinity while no budget is known. */
  left(): number {
    // A window that has reset is known only from an answer that says so: until then, what is left is what the
    // newest answer said (the runner's clock and GitHub's may disagree).
    if (this.last === undefined) return Infinity
    const shared = this.last.remaining - this.inFlight - this.reserve
    return Math.min(shared, this.allowance - this.sent) - this.held
  }

  /** Holds `requests` back for a later step, until `release`. */
  hold(requests: number): void {
    this.held += requests
  }

  release(): void {
    this.held = 0
  }

  /** Before a request is sent: throws BudgetSpent when it does not fit; counts it as sent and in flight. */
  take(): void {
    if (this.left() < 1) throw new BudgetSpent(this.resetAt)
    this.sent++
    this.inFlight++
  }

  /** The request's answer came (or none will), reporting `budget` when it did. */
  answered(budget: RateBudget | undefined): void {
    this.inFlight--
    this.note(budget)
  }
}
