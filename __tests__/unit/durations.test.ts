/**
 * The policy file's schema and the input parser accept exactly the same durations: every known case, and
 * many generated strings built from the characters durations are made of.
 */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { parsePolicyFile } from '../../src/config/policy-file.js'
import { readConfig } from '../../src/config/inputs.js'
import { parseDuration } from '../../src/engine/time.js'
import { DURATIONS, NOT_DURATIONS } from './duration-cases.js'

/** Whether a policy file takes the text as a rule's min-age (schema and parser together). */
const policyTakes = (text: string): boolean =>
  parsePolicyFile(
    JSON.stringify({ rules: [{ name: 'a', match: ['*'], 'keep-last': 1, 'min-age': text }] }),
    'policy'
  ).rules !== undefined

/** Whether the min-age input takes the text. */
const inputTakes = (text: string): boolean => {
  const inputs: Record<string, string> = {
    token: 't',
    owner: 'acme',
    'package-type': 'npm',
    'package-names': 'web',
    'min-age': text,
    'dry-run': 'false',
    'api-url': 'https://api.github.com'
  }
  try {
    readConfig(name => inputs[name] ?? '', {}, { debug: () => {}, warning: () => {} })
    return true
  } catch {
    return false
  }
}

describe('durations: one pattern for the inputs and the policy schema', () => {
  it.each(DURATIONS.filter(([text]) => text.trim() !== ''))('%j is taken by both', text => {
    expect(inputTakes(text)).toBe(true)
    expect(policyTakes(text)).toBe(true)
  })

  // An empty input means the default; a policy cannot say "nothing", so the empty text is left out.
  it.each(NOT_DURATIONS.filter(text => text !== ''))('%j is refused by both', text => {
    expect(inputTakes(text)).toBe(false)
    expect(policyTakes(text)).toBe(false)
  })

  it('agree on generated strings', () => {
    const piece = fc.constantFrom(
      ...'0123456789'.split(''),
      '12',
      'w',
      'd',
      'h',
      'm',
      'min',
      's',
      'W',
      'D',
      'H',
      'M',
      'S',
      'P',
      'p',
      'T',
      't',
      'Y',
      ' ',
      '.',
      '-'
    )
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 8 }), pieces => {
        const text = pieces.join('')
        if (text.trim() === '') return
        const parsed = parseDuration(text) !== undefined
        expect(policyTakes(text)).toBe(parsed)
        expect(inputTakes(text)).toBe(parsed)
      }),
      { numRuns: 5000 }
    )
  })
})
