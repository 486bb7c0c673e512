import { describe, expect, it } from '@jest/globals'
import { formatAge, hasAmbiguousMinutes, parseDuration } from '../../src/engine/time.js'

const H = 3600_000
const D = 24 * H

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['30d', 30 * D],
    ['12h', 12 * H],
    ['2w', 14 * D],
    ['1w3d', 10 * D],
    ['1d12h', 36 * H],
    ['90min', 90 * 60_000],
    ['1h30min', 90 * 60_000],
    ['PT5M', 5 * 60_000],
    ['P30D', 30 * D],
    ['PT12H', 12 * H],
    ['P1W', 7 * D],
    ['P1DT6H', 30 * H],
    ['p2d', 2 * D]
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms))

  it.each([
    '',
    '30',
    'd',
    '3 fortnights',
    'P',
    'PT',
    'P1M',
    'P1Y',
    '1.5d',
    '-1d',
    '30days',
    '1m',
    '90m',
    '1h30m'
  ])('%j is not a duration', text => expect(parseDuration(text)).toBeUndefined())
})

describe('hasAmbiguousMinutes', () => {
  it.each([
    ['1m', true],
    ['1h30m', true],
    ['1min', false],
    ['30d', false],
    ['soon', false]
  ])('%s: %s', (text, ambiguous) => expect(hasAmbiguousMinutes(text)).toBe(ambiguous))
})

describe('formatAge', () => {
  it.each([
    [45 * D + 3 * H, '45d'],
    [5 * H, '5h'],
    [90_000, '1m'],
    [2500, '2s'],
    [-5, '0s']
  ])('%d ms reads %s', (ms, text) => expect(formatAge(ms)).toBe(text))
})
