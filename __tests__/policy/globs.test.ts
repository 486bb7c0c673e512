import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { Minimatch } from 'minimatch'
import { compileGlobList, globProblem, parseList } from '../../src/engine/globs.js'

describe('parseList', () => {
  it.each([
    ['', []],
    ['latest', ['latest']],
    ['a, b ,c', ['a', 'b', 'c']],
    ['a\nb\r\nc', ['a', 'b', 'c']],
    ['a,\n\n ,b,', ['a', 'b']],
    ['{api,web}-*, v1', ['{api,web}-*', 'v1']],
    ['{a,{b,c}},d', ['{a,{b,c}}', 'd']],
    ['x-{1,2}\n!x-1', ['x-{1,2}', '!x-1']],
    ['{api,web', ['{api,web']],
    ['a}, b', ['a}', 'b']]
  ])('%j → %j', (text, items) => {
    expect(parseList(text)).toEqual(items)
  })
})

describe('globProblem', () => {
  it.each([
    ['pr-*', undefined],
    ['{api,web}-*', undefined],
    ['!pr-*', undefined],
    ['v[0-9]*', undefined],
    ['[]]', undefined],
    ['[[:digit:]]*', undefined],
    ['a\\{b', undefined],
    ['+(a|b)', undefined],
    ['', 'a glob is empty'],
    ['!', '"!" is empty after "!"'],
    ['!!pr-*', '"!!pr-*" starts with more than one "!"'],
    ['{api,web', '"{api,web" has an unclosed "{"'],
    ['api}', '"api}" has an unmatched "}"'],
    ['v[0-9', '"v[0-9" has an unclosed "["'],
    ['v]', '"v]" has an unmatched "]"'],
    ['[[:digit:]', '"[[:digit:]" has an unclosed "["'],
    ['!{a', '"!{a" has an unclosed "{"'],
    [
      '{api, web}',
      '"{api, web}" holds a space or a comma, as no tag or name does; items are separated by newlines or commas (in a policy: a YAML list)'
    ],
    [
      'pr-*, v*',
      '"pr-*, v*" holds a space or a comma, as no tag or name does; items are separated by newlines or commas (in a policy: a YAML list)'
    ],
    [
      'pr-*,v*',
      '"pr-*,v*" holds a space or a comma, as no tag or name does; items are separated by newlines or commas (in a policy: a YAML list)'
    ],
    [
      '<2.0.0',
      '"<2.0.0" starts with "<", as no tag or name does: a comma cut a range in two; a range is written with spaces (semver:>=1.0.0 <2.0.0) or || (semver:<1.0.0 || >=2.0.0)'
    ],
    [
      '!|| 2.x',
      '"!|| 2.x" starts with "|", as no tag or name does: a comma cut a range in two; a range is written with spaces (semver:>=1.0.0 <2.0.0) or || (semver:<1.0.0 || >=2.0.0)'
    ],
    [
      '!semver:^2',
      '"!semver:^2" is a version range, which only delete-tags and keep-tags take (in a policy: match: { semver: RANGE })'
    ]
  ])('%j → %j', (glob, problem) => {
    expect(globProblem(glob)).toBe(problem)
  })

  it('reports a glob minimatch cannot compile', () => {
    expect(globProblem('?(a)'.repeat(300))).toMatch(/is not a valid glob \(pattern has too many extglobs\)$/)
  })

  it('makes compileGlobList throw', () => {
    expect(() => compileGlobList(['ok', '{api,web'])).toThrow('"{api,web" has an unclosed "{"')
  })
})

describe('compileGlobList', () => {
  it.each<[string[], string, string | undefined]>([
    [['v1.*'], 'v1.2.3', 'v1.*'],
    [['v1.*'], 'v1', undefined],
    [['v1.*'], 'v10.0', undefined],
    [['sha256-*.sig'], 'sha256-abc.sig', 'sha256-*.sig'],
    [['sha256-*.sig'], 'sha256-abc.att', undefined],
    [['release/*'], 'release/1.0', 'release/*'],
    [['release/*'], 'release/1.0/x', undefined],
    [['*'], 'anything-at.all', '*'],
    [['*'], 'team/api', undefined],
    [['*'], '.hidden', '*'],
    [['**'], 'team/api', '**'],
    [['{api,web}-*'], 'web-1', '{api,web}-*'],
    [['{api,web}-*'], 'cli-1', undefined],
    [['pr-?'], 'pr-1', 'pr-?'],
    [['pr-?'], 'pr-12', undefined],
    [['v[0-9]*'], 'v3.1', 'v[0-9]*'],
    [['v[0-9]*'], 'vx', undefined],
    [['+(a|b)'], 'abba', '+(a|b)'],
    [['latest'], 'latest', 'latest'],
    [['latest'], 'Latest', undefined],
    [['V1.*'], 'v1.0', undefined],
    [['v1.0.0+build.*'], 'v1.0.0+build.7', 'v1.0.0+build.*'],
    [['#1'], '#1', '#1'],
    [['pr-*', 'v*'], 'v2', 'v*'],
    [['pr-*', '!pr-1'], 'pr-1', undefined],
    [['pr-*', '!pr-1'], 'pr-2', 'pr-*'],
    [['!pr-*'], 'v1', '!pr-*'],
    [['!pr-*'], 'pr-7', undefined],
    [['!pr-*', '!dev'], 'main', '!pr-*, !dev'],
    [['!pr-*', '!dev'], 'dev', undefined],
    [[], 'anything', undefined]
  ])('%j matches %j: %j', (globs, value, match) => {
    expect(compileGlobList(globs).match(value)).toBe(match)
  })

  it('reports the first positive glob that matches', () => {
    expect(compileGlobList(['x*', '*y', 'xy']).match('xy')).toBe('x*')
  })
})

describe('the fast glob test', () => {
  const options = { dot: true, nonegate: true, nocomment: true, platform: 'linux' as const }
  const word = (chars: string[], maxLength: number) =>
    fc.array(fc.constantFrom(...chars), { maxLength }).map(parts => parts.join(''))
  // Globs with `*` and `?` only take the fast path; the others check that the fallback is chosen correctly.
  const simpleGlob = word([...'ab.-*?1+ '], 7)
  const anyGlob = word([...'ab.-*?/{},!+@#[]\\ ', '😀'], 8)
  const value = word([...'ab.-/+ 1', '😀'], 8)

  it.each([
    ['simple', simpleGlob],
    ['any', anyGlob]
  ])('agrees with minimatch on %s globs', (_, glob) => {
    fc.assert(
      fc.property(glob, value, (pattern, text) => {
        const body = pattern.replace(/^!+/, '')
        // An item starting with `/` is a regular expression, not a glob (its properties are in regex.test.ts).
        if (body === '' || body.startsWith('/') || globProblem(body) !== undefined) return
        const expected = new Minimatch(body, options).match(text)
        expect(compileGlobList([body]).match(text) !== undefined).toBe(expected)
      }),
      { numRuns: 10_000 }
    )
  })
})
