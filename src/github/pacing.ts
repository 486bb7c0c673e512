import { setTimeout as sleepFor } from 'node:timers/promises'

/**
 * Pacing by window, not by gap: at most `limit` sends in any `windowMs`, as a sliding window. The first
 * `limit` go at once; then each waits until the send `limit` places before it has left the window.
 */
export class SlidingWindow {
  /** Send times, oldest first; only the last `limit` matter. */
  readonly #sends: number[] = []
  #queue: Promise<void> = Promise.resolve()

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void> = (ms, signal) =>
      sleepFor(ms, undefined, { signal })
  ) {}

  /**
   * Resolves when one more send fits in the window, and counts it as sent then. Rejects, counting nothing, once
   * `signal` aborts: a send waiting for its turn, or for the window, never goes after it.
   */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.#queue.then(async () => {
      signal?.throwIfAborted()
      const sends = this.#sends
      if (sends.length >= this.limit) {
        const wait = sends[sends.length - this.limit] + this.windowMs - this.now()
        if (wait > 0) await this.sleep(wait, signal)
        signal?.throwIfAborted()
      }
      sends.push(this.now())
      if (sends.length > this.limit) sends.splice(0, sends.length - this.limit)
    })
    this.#queue = turn.catch(() => undefined)
    return turn
  }
}
