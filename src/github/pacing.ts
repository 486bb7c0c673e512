import { setTimeout as sleepFor } from 'node:timers/promises'

/**
 * Pacing by window, not by gap: at most `limit` sends in any `windowMs`, as a sliding window. The first
 * `limit` go at once; then each waits until the send `limit` places before it has left the window.
 */
export class SlidingWindow {
  /** Send times, oldest first; only the last `limit` matter. */
  readonly #sends: number[] = []
  #queue: Promise<void> = Promise.resolve()
  /** No send before this time (ms); a secondary limit's `retry-after` holds every send back. */
  #pausedUntil = 0

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void> = (ms, signal) =>
      sleepFor(ms, undefined, { signal })
  ) {}

  /** Holds every send back for `ms` from now: the answer asked to wait. */
  pause(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.now() + ms)
  }

  /**
   * Resolves when one more send fits in the window, and counts it as sent then. Rejects, counting nothing, once
   * `signal` aborts: a send waiting for its turn, for a pause or for the window, never goes after it.
   */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.#queue.then(async () => {
      signal?.throwIfAborted()
      const paused = this.#pausedUntil - this.now()
      if (paused > 0) await this.sleep(paused, signal)
      const sends = this.#sends
      if (sends.length >= this.limit) {
        const wait = sends[sends.length - this.limit] + this.windowMs - this.now()
        if (wait > 0) await this.sleep(wait, signal)
      }
      signal?.throwIfAborted()
      sends.push(this.now())
      if (sends.length > this.limit) sends.splice(0, sends.length - this.limit)
    })
    this.#queue = turn.catch(() => undefined)
    return turn
  }
}
