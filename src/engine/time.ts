/**
 * Time, in one place: GitHub's timestamps (read fast, for a million versions), durations as users write them
 * in `min-age` and `restore` (`30d`, `12h`, `1w3d`, ISO-8601 `P30D`, `PT12H`), and ages as reasons show them.
 */
import type { PackageVersion } from '../types.js'

export const DAY_MS = 86_400_000

const UNIT_MS: Record<string, number> = {
  w: 7 * 24 * 3600_000,
  d: DAY_MS,
  h: 3600_000,
  min: 60_000,
  m: 60_000,
  s: 1000
}

// `m` alone is refused: one minute or one month? Minutes are written `min`.
const SHORT_PART = /(\d+)(w|d|h|min|s)/g
const WITH_BARE_M = /^(?:\d+(?:w|d|h|min|m|s))+$/
// Years and months are left out on purpose: their length varies, and a retention floor must be exact.
const ISO = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/

/** Either case of each letter, for a pattern that must work without flags (JSON Schema has none). */
const anyCase = (letters: string): string =>
  [...letters].map(c => `[${c.toLowerCase()}${c.toUpperCase()}]`).join('')
const number = (unit: string) => `\\d+${anyCase(unit)}`
const TIME_PART = `${anyCase('t')}(?:${number('h')}(?:${number('m')})?(?:${number('s')})?|${number('m')}(?:${number('s')})?|${number('s')})`
const DATE_PART = `(?:${number('w')}(?:${number('d')})?|${number('d')})`

/**
 * Every duration `parseDuration` reads, as one regular expression without flags: `0`; short parts such as
 * `30d`, `1h30min` (w, d, h, min, s, any case); ISO-8601 weeks, days, hours, minutes and seconds (`P30D`,
 * `PT12H`, `P1DT2H`, not empty, not ending in `T`); space around is allowed. The policy file's schema uses
 * this very pattern, so a policy and the inputs accept the same durations.
 */
export const DURATION_PATTERN = `^\\s*(?:0|(?:\\d+(?:${anyCase('min')}|[wWdDhHsS]))+|${anyCase('p')}(?:${DATE_PART}(?:${TIME_PART})?|${TIME_PART}))\\s*$`
const DURATION = new RegExp(DURATION_PATTERN)

/** Whether a text would be a duration but for a bare `m` (`1m`, `1h30m`), which could mean minutes or months. */
export function hasAmbiguousMinutes(text: string): boolean {
  return !DURATION.test(text) && WITH_BARE_M.test(text.trim().toLowerCase())
}

/** Milliseconds, or undefined when the text is not a duration. `0` is the explicit "no floor". */
export function parseDuration(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined
  const value = text.trim()
  if (value === '0') return 0
  const short = value.toLowerCase()
  if (!short.startsWith('p')) {
    let total = 0
    for (const [, amount, unit] of short.matchAll(SHORT_PART)) total += Number(amount) * UNIT_MS[unit]
    return total
  }
  const [, w, d, h, m, s] = (ISO.exec(value.toUpperCase()) ?? []).map(part => Number(part ?? 0))
  return w * UNIT_MS.w + d * UNIT_MS.d + h * UNIT_MS.h + m * UNIT_MS.m + s * UNIT_MS.s
}

/** A short human age for reasons and reports: `45d`, `12h`, `5m`, `30s`. */
export function formatAge(ms: number): string {
  for (const unit of ['d', 'h', 'm'] as const) {
    if (ms >= UNIT_MS[unit]) return `${Math.floor(ms / UNIT_MS[unit])}${unit}`
  }
  return `${Math.max(0, Math.floor(ms / 1000))}s`
}

/**
 * Milliseconds since the epoch; an unreadable time sorts as the newest and protects its version. GitHub's
 * `2024-05-01T12:34:56Z` is read by hand: Date.parse is the slowest step on a million versions. Anything
 * else, and any field out of range, is left to Date.parse.
 */
export function parseTime(iso: string): number {
  if (looksLikeGitHubTime(iso)) {
    const year = digits(iso, 0, 4)
    const month = digits(iso, 5, 7)
    const day = digits(iso, 8, 10)
    const hours = digits(iso, 11, 13)
    const minutes = digits(iso, 14, 16)
    const seconds = digits(iso, 17, 19)
    const valid = year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31
    if (valid && hours >= 0 && hours < 24 && minutes >= 0 && minutes < 60 && seconds >= 0 && seconds < 60) {
      return (((daysSinceEpoch(year, month, day) * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000
    }
  }
  const time = Date.parse(iso)
  return Number.isNaN(time) ? Infinity : time
}

/** The shape of `2024-05-01T12:34:56Z`; its digits are checked as they are read. */
function looksLikeGitHubTime(iso: string): boolean {
  return (
    iso.length === 20 &&
    iso[4] === '-' &&
    iso[7] === '-' &&
    iso[10] === 'T' &&
    iso[13] === ':' &&
    iso[16] === ':' &&
    iso[19] === 'Z'
  )
}

/** The number written in `text` from `from` to `to`, or -1 if a char there is not a digit. */
function digits(text: string, from: number, to: number): number {
  let value = 0
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 48
    if (digit < 0 || digit > 9) return -1
    value = value * 10 + digit
  }
  return value
}

/** Days since 1970-01-01 (proleptic Gregorian); a day past the month's end rolls over, as in Date.parse. */
function daysSinceEpoch(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yearOfEra = y - era * 400
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  return era * 146_097 + dayOfEra - 719_468
}

/** Newest first by creation time, then by id (at the same instant the higher id is the newer). */
export function newestFirst(versions: readonly PackageVersion[]): {
  sorted: PackageVersion[]
  times: Float64Array
} {
  const count = versions.length
  const inputTimes = new Float64Array(count)
  for (let i = 0; i < count; i++) inputTimes[i] = parseTime(versions[i].createdAt)
  const compare = (a: number, b: number): number =>
    inputTimes[b] - inputTimes[a] || versions[b].id - versions[a].id
  let ordered = true
  for (let i = 1; i < count && ordered; i++) ordered = compare(i - 1, i) <= 0
  // GitHub lists newest first, so sorting is usually a check (and otherwise mostly merging runs).
  if (ordered) return { sorted: versions.slice(), times: inputTimes }
  const order = new Array<number>(count)
  for (let i = 0; i < count; i++) order[i] = i
  order.sort(compare)
  const sorted = new Array<PackageVersion>(count)
  const times = new Float64Array(count)
  for (let i = 0; i < count; i++) {
    sorted[i] = versions[order[i]]
    times[i] = inputTimes[order[i]]
  }
  return { sorted, times }
}
