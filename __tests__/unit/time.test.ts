import { describe, expect, it } from '@jest/globals'
import { formatAge, hasAmbiguousMinutes, parseDuration } from '../../src/engine/time.js'
import { DURATIONS, NOT_DURATIONS } from './duration-cases.js'

const H = 3600_000
const D = 24 * H

describe('parseDuration', () => {
  it.each(DURATIONS)('%j is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms))

  it.each(NOT_DURATIONS)('%j is not a duration', text => expect(parseDuration(text)).toBeUndefined())
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
