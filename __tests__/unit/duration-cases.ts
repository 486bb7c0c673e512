/** Every duration case the tests know: texts that are durations (with their length) and texts that are not. */
const H = 3600_000
const D = 24 * H

export const DURATIONS: [string, number][] = [
  ['0', 0],
  ['30d', 30 * D],
  ['12h', 12 * H],
  ['2w', 14 * D],
  ['1w3d', 10 * D],
  ['1d12h', 36 * H],
  ['90min', 90 * 60_000],
  ['1h30min', 90 * 60_000],
  ['45s', 45_000],
  ['30D', 30 * D],
  ['1H30MIN', 90 * 60_000],
  [' 7d ', 7 * D],
  ['PT5M', 5 * 60_000],
  ['P30D', 30 * D],
  ['PT12H', 12 * H],
  ['P1W', 7 * D],
  ['P1DT6H', 30 * H],
  ['P1DT2H', 26 * H],
  ['P1W2DT3H4M5S', 9 * D + 3 * H + 4 * 60_000 + 5000],
  ['PT1H30M', 90 * 60_000],
  ['p2d', 2 * D]
]

export const NOT_DURATIONS: string[] = [
  '',
  '30',
  '00',
  'd',
  '3 fortnights',
  'P',
  'PT',
  'P1DT',
  'P1M',
  'P1Y',
  'PT1H2D',
  '1.5d',
  '-1d',
  '30days',
  '1m',
  '90m',
  '1h30m',
  '7 d',
  '1d P1D',
  '٣d'
]
