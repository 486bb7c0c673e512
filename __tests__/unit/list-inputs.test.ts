/**
 * Every list input, with items of every kind, is either refused before any request or selects exactly what
 * the documentation's reading of it selects (docs/policies.md, "Lists"). The reading is written out here, from
 * the docs' words, and each list is read by the action's own path: its inputs, or a policy file.
 */
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import semver from 'semver'
import { readConfig } from '../../src/config/inputs.js'
import { parsePolicyFile } from '../../src/config/policy-file.js'
import { compileGlobList } from '../../src/engine/globs.js'
import { policyFor } from '../../src/engine/policy.js'
import { compileMatchList } from '../../src/engine/versions.js'
import { ConfigError } from '../../src/errors.js'
import { resolvePackageNames, type PackageReader } from '../../src/run/inventory.js'
import type { RetentionPolicy } from '../../src/types.js'
import { VALID_INPUTS } from './config-cases.js'

const VALUES = [
  '0.9.0',
  '1.0.0',
  '1.5.0',
  '2.0.0',
  '2.1.0-rc.1',
  'v2.0.0',
  '3.0.0',
  'latest',
  'pr-1',
  'pr-12',
  'PR-7',
  'v1',
  '12',
  '1.a',
  'a-b',
  'rc'
]

type Selection = string[] | 'refused'

// The reading the docs give, step by step.

/** Items are separated by newlines or commas, except commas inside {...}; spaces around an item are dropped. */
const splitList = (text: string): string[] =>
  text
    .split(/\r?\n/)
    .flatMap(line => line.split(/,(?![^{]*\})/))
    .map(item => item.trim())
    .filter(item => item !== '')

/** A glob: `*` any run of characters, `?` one, `{a,b}` either; the rest as written. */
function globTest(glob: string): (value: string) => boolean {
  const braces = /^\{([^,{}]*),([^,{}]*)\}(.*)$/.exec(glob)
  const alternatives = braces ? [braces[1] + braces[3], braces[2] + braces[3]] : [glob]
  const regexes = alternatives.map(
    a =>
      new RegExp(
        `^${[...a].map(c => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^$()|[\]\\-]/, '\\$&'))).join('')}$`
      )
  )
  return value => regexes.some(r => r.test(value))
}

/** One item's test, or undefined when the docs say it is refused. */
function itemTest(item: string, ranges: boolean): ((value: string) => boolean) | undefined {
  const body = item.startsWith('!') ? item.slice(1) : item
  if (body === '' || body.startsWith('!')) return undefined
  if (body.startsWith('semver:')) {
    const range = body.slice('semver:'.length)
    if (!ranges || range.trim() === '' || semver.validRange(range) === null) return undefined
    return value => semver.valid(value) !== null && semver.satisfies(value, range)
  }
  if (body.startsWith('/')) {
    const written = /^\/(.*)\/([A-Za-z]*)$/s.exec(body)
    // RE2's syntax: no lookaround, no backreferences.
    if (!written || written[1] === '' || !['', 'i'].includes(written[2])) return undefined
    if (/\(\?<?[=!]|\\[1-9]/.test(written[1])) return undefined
    try {
      const regex = new RegExp(`^(?:${written[1]})$`, written[2])
      return value => regex.test(value)
    } catch {
      return undefined // it does not compile
    }
  }
  // No tag or name starts with a range's <, >, =, ~, ^ or |, or holds a space or a comma.
  if (/^[<>=~^|]/.test(body) || /\s/.test(body) || body.split(/,(?![^{]*\})/).length > 1) return undefined
  return globTest(body)
}

/** A value is selected when an item selects it and no `!` item does; `!` items alone: everything else. */
function reference(items: string[], ranges: boolean): Selection {
  if (items.length === 0) return 'refused'
  const tests = items.map(item => ({ negative: item.startsWith('!'), test: itemTest(item, ranges) }))
  if (tests.some(t => t.test === undefined)) return 'refused'
  const positives = tests.filter(t => !t.negative)
  const negatives = tests.filter(t => t.negative)
  return VALUES.filter(
    v => (positives.length === 0 || positives.some(t => t.test?.(v))) && !negatives.some(t => t.test?.(v))
  )
}

// The action's reading.

const quiet = { debug: () => {}, warning: () => {}, info: () => {}, error: () => {} }

function configOf(inputs: Record<string, string>) {
  try {
    return readConfig(
      name => ({ ...VALID_INPUTS, ...inputs })[name] ?? '',
      { GITHUB_REPOSITORY: 'acme/app' },
      quiet
    )
  } catch (error) {
    if (error instanceof ConfigError) return undefined
    throw error
  }
}

async function actionReads(kind: string, text: string, items: string[]): Promise<Selection> {
  if (kind === 'delete-tags' || kind === 'keep-tags') {
    const config = configOf({ [kind]: text })
    if (!config) return 'refused'
    const list = compileMatchList(kind === 'delete-tags' ? config.policy.deleteTags : config.policy.keepTags)
    return VALUES.filter(v => list.match(v) !== undefined)
  }
  if (kind === 'package-names') {
    const config = configOf({ 'package-names': text })
    if (!config) return 'refused'
    const client = {
      listPackageNames: () => Promise.resolve(VALUES.map(name => ({ name })))
    } as unknown as PackageReader
    const scope = { login: 'acme', kind: 'organization' as const, path: '/orgs/acme' }
    const names = (await resolvePackageNames(client, scope, 'container', config.packageNames, quiet)).map(
      p => p.name
    )
    return VALUES.filter(v => names.includes(v))
  }
  const field =
    kind === 'match'
      ? `match: ${JSON.stringify(items)}`
      : `match: ['**']\n    packages: ${JSON.stringify(items)}`
  const read = parsePolicyFile(
    `rules:\n  - name: r\n    ${field}\n    keep-last: 0\n    min-age: 1d\n`,
    'policy'
  )
  if (read.rules === undefined) return 'refused'
  if (kind === 'match') {
    const list = compileGlobList(read.rules[0].match as string[])
    return VALUES.filter(v => list.match(v) !== undefined)
  }
  const policy = { rules: read.rules } as unknown as RetentionPolicy
  return VALUES.filter(v => policyFor(policy, v).rules?.length === 1)
}

// Items of every kind, and lists of them.

const word = (chars: string, minLength: number, maxLength: number) =>
  fc.array(fc.constantFrom(...chars), { minLength, maxLength }).map(parts => parts.join(''))
const glob = word('12.0-vpra*?', 1, 5)
const braces = fc
  .tuple(word('12.0-vpra', 0, 3), word('12.0-vpra', 1, 3), word('12.0-vpra*', 0, 3))
  .map(([a, b, rest]) => `{${a},${b}}${rest}`)
const expression = fc.constantFrom(
  '/\\d+\\.\\d+\\.\\d+/',
  '/pr-\\d{1,2}/',
  '/PR-\\d+/i',
  '/v?2\\..*/',
  '/[a-z]+(-[a-z]+)?/',
  '/1(\\.\\d+)*/',
  '/(?=1).*/',
  '/(1)\\1/',
  '/pr-(\\d+/',
  '/x/g',
  '//'
)
const range = fc
  .constantFrom(
    '>=1.0.0 <2.0.0',
    '^2',
    '<1.0.0 || >=3.0.0',
    '>=1.0.0,<2.0.0',
    '>=1.0.0, <2.0.0',
    '~1.5',
    ' ^1',
    '>=banana',
    ''
  )
  .map(r => `semver:${r}`)
const stray = fc.constantFrom('<2.0.0', '>=1', '|| 2.x', 'pr-* v*', '!', '!!pr-*', '{1, 2}.0')
const item = fc
  .tuple(fc.boolean(), fc.oneof(glob, braces, expression, range, stray))
  .map(([negative, body]) => (negative ? `!${body}` : body))
const separator = fc.constantFrom(',', ', ', ' ,', '\n', ' \n ', ',\n', ',,', '\r\n')

/** An input's text: items between separators, with separators before and after too. */
const inputText = fc
  .tuple(fc.array(fc.tuple(item, separator), { minLength: 1, maxLength: 4 }), separator, fc.boolean())
  .map(([pairs, last, around]) => {
    const text = pairs.map(([i, s], n) => (n === pairs.length - 1 ? i : i + s)).join('')
    return around ? `${last}${text}${last}` : text
  })
/** A policy's YAML list: one item an entry, sometimes two written in one by mistake. */
const yamlList = fc.array(
  fc.oneof(
    { arbitrary: item, weight: 4 },
    { arbitrary: fc.tuple(item, separator, item).map(([a, s, b]) => a + s + b), weight: 1 }
  ),
  { minLength: 1, maxLength: 3 }
)

describe('every list input', () => {
  it.each(['delete-tags', 'keep-tags', 'package-names'])(
    '%s: refused before any request, or selects what the docs read',
    async kind => {
      await fc.assert(
        fc.asyncProperty(inputText, async text => {
          const expected = reference(splitList(text), kind !== 'package-names')
          expect(await actionReads(kind, text, [])).toEqual(expected)
        }),
        { numRuns: 400 }
      )
    }
  )

  it.each(['match', 'packages'])('a rule’s %s: refused, or selects what the docs read', async kind => {
    await fc.assert(
      fc.asyncProperty(yamlList, async items => {
        expect(await actionReads(kind, '', items)).toEqual(reference(items, false))
      }),
      { numRuns: 400 }
    )
  })

  // The generators reach both sides: counted on a fixed sample, so that the count cannot flake while the
  // properties above still draw new inputs on every run.
  it.each([
    [
      'an input',
      fc.sample(inputText, { numRuns: 400, seed: 1 }).map(text => reference(splitList(text), true))
    ],
    ['a YAML list', fc.sample(yamlList, { numRuns: 400, seed: 1 }).map(items => reference(items, false))]
  ])('%s is refused often, and selects often', (_, readings) => {
    const refused = readings.filter(r => r === 'refused').length
    expect(Math.min(refused, readings.length - refused)).toBeGreaterThan(60)
  })

  it.each<[string, string, Selection]>([
    ['delete-tags', 'semver:>=1.0.0,<2.0.0', 'refused'],
    ['delete-tags', 'semver:>=1.0.0, <2.0.0', 'refused'],
    ['delete-tags', 'semver:>=1.0.0 <2.0.0', ['1.0.0', '1.5.0']],
    ['delete-tags', '!semver:>=2.0.0', VALUES.filter(v => !['2.0.0', 'v2.0.0', '3.0.0'].includes(v))],
    ['keep-tags', 'pr-*, !semver:>=0.0.0, !/pr-1/', ['pr-12']],
    ['package-names', 'semver:^1', 'refused'],
    ['delete-tags', 'semver:^1, !semver:1.5.x', ['1.0.0']],
    ['keep-tags', 'pr-1 pr-12', 'refused']
  ])('%s: %j → %j', async (kind, text, selection) => {
    expect(await actionReads(kind, text, [])).toEqual(selection)
    expect(reference(splitList(text), kind !== 'package-names')).toEqual(selection)
  })
})

it('docs/policies.md quotes the message a range cut at a comma gets', () => {
  let problems: string[] = []
  try {
    readConfig(
      name => ({ ...VALID_INPUTS, 'delete-tags': 'semver:>=1.0.0,<2.0.0' })[name] ?? '',
      { GITHUB_REPOSITORY: 'acme/app' },
      quiet
    )
  } catch (error) {
    problems = (error as ConfigError).problems
  }
  const docs = readFileSync(new URL('../../docs/policies.md', import.meta.url), 'utf8').replace(/\s+/g, ' ')
  expect(problems).toHaveLength(1)
  expect(docs).toContain(`\`${problems[0]}\``)
})
