/** Durations as users write them in `min-age` and `restore`: `30d`, `12h`, `1w3d`, ISO-8601 `P30D`, `PT12H`. */

const UNIT_MS: Record<string, number> = {
  w: 7 * 24 * 3600_000,
  d: 24 * 3600_000,
  h: 3600_000,
  m: 60_000,
  s: 1000
}

const SHORT = /^(?:\d+[wdhms])+$/
const SHORT_PART = /(\d+)([wdhms])/g
// Years and months are left out on purpose: their length varies, and a retention floor must be exact.
const ISO = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/

/** Milliseconds, or undefined when the text is not a duration. `0` is the explicit "no floor". */
export function parseDuration(text: string): number | undefined {
  const value = text.trim()
  if (value === '0') return 0
  const short = value.toLowerCase()
  if (SHORT.test(short)) {
    let total = 0
    for (const [, amount, unit] of short.matchAll(SHORT_PART)) total += Number(amount) * UNIT_MS[unit]
    return total
  }
  const iso = ISO.exec(value.toUpperCase())
  if (iso && value.length > 1 && !value.toUpperCase().endsWith('T')) {
    const [, w, d, h, m, s] = iso.map(part => Number(part ?? 0))
    return w * UNIT_MS.w + d * UNIT_MS.d + h * UNIT_MS.h + m * UNIT_MS.m + s * UNIT_MS.s
  }
  return undefined
}

/** A short human age for reasons and reports: `45d`, `12h`, `5m`, `30s`. */
export function formatAge(ms: number): string {
  for (const unit of ['d', 'h', 'm'] as const) {
    if (ms >= UNIT_MS[unit]) return `${Math.floor(ms / UNIT_MS[unit])}${unit}`
  }
  return `${Math.max(0, Math.floor(ms / 1000))}s`
}
