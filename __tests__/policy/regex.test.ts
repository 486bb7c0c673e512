/**
 * Items written `/.../` are anchored expressions in RE2's syntax, matched in linear time; what RE2 does not
 * take, and what compiles past the size cap, is refused before any request. Properties over generated
 * expression trees, against JavaScript's matcher on the syntax both share.
 */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { RE2JS } from 're2js'
import { MAX_EXPRESSION_SIZE, compileGlobList, isPattern, itemProblem } from '../../src/engine/globs.js'

type Node =
  | { kind: 'atom'; text: string }
  | { kind: 'seq'; items: Node[] }
  | { kind: 'alt'; items: Node[]; capture: boolean }
  | { kind: 'group'; item: Node; capture: boolean }
  | { kind: 'quant'; item: Node; quantifier: string; lazy: boolean }

const QUANTIFIERS = ['*', '+', '?', '{2}', '{1}', '{0,1}', '{1,3}', '{2,}', '{0}']

const tree: fc.Arbitrary<Node> = fc.letrec<{ node: Node }>(tie => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('a', 'b', '-', '\\d', '[ab]', '.', '\\.').map(text => ({ kind: 'atom' as const, text })),
    fc.array(tie('node'), { minLength: 2, maxLength: 3 }).map(items => ({ kind: 'seq' as const, items })),
    fc
      .record({ items: fc.array(tie('node'), { minLength: 2, maxLength: 3 }), capture: fc.boolean() })
      .map(r => ({ kind: 'alt' as const, ...r })),
    fc.record({ item: tie('node'), capture: fc.boolean() }).map(r => ({ kind: 'group' as const, ...r })),
    fc
      .record({ item: tie('node'), quantifier: fc.constantFrom(...QUANTIFIERS), lazy: fc.boolean() })
      .map(r => ({ kind: 'quant' as const, ...r }))
  )
})).node

function render(node: Node): string {
  switch (node.kind) {
    case 'atom':
      return node.text
    case 'seq':
      return node.items.map(render).join('')
    case 'alt':
      return `(${node.capture ? '' : '?:'}${node.items.map(render).join('|')})`
    case 'group':
      return `(${node.capture ? '' : '?:'}${render(node.item)})`
    case 'quant': {
      // A quantifier applies to one atom: anything else is wrapped in a group first.
      const inner = ['atom', 'alt', 'group'].includes(node.item.kind)
        ? render(node.item)
        : `(?:${render(node.item)})`
      return `${inner}${node.quantifier}${node.lazy ? '?' : ''}`
    }
  }
}

const value = fc.string({ unit: fc.constantFrom('a', 'b', 'A', '-', '1', '.', 'x'), maxLength: 8 })

describe('regular expression items', () => {
  it('takes every expression of the shared syntax up to the size cap, and matches a whole value as JavaScript does', () => {
    fc.assert(
      fc.property(
        tree,
        fc.boolean(),
        fc.array(value, { minLength: 1, maxLength: 10 }),
        (node, ignoreCase, values) => {
          const source = render(node)
          const item = `/${source}/${ignoreCase ? 'i' : ''}`
          const size = RE2JS.compile(source).programSize()
          if (size > MAX_EXPRESSION_SIZE) {
            expect(itemProblem(item)).toContain(
              `it compiles to ${size} instructions, more than ${MAX_EXPRESSION_SIZE}`
            )
            return
          }
          expect(itemProblem(item)).toBeUndefined()
          const reference = new RegExp(`^(?:${source})$`, ignoreCase ? 'i' : '')
          const list = compileGlobList([item])
          const excluded = compileGlobList([`!${item}`])
          for (const v of values) {
            expect(list.match(v) !== undefined).toBe(reference.test(v))
            expect(excluded.match(v) !== undefined).toBe(!reference.test(v))
          }
        }
      ),
      { numRuns: 1000 }
    )
  })

  it('names any expression that does not compile, and never throws', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom('a', '(', ')', '[', ']', '*', '+', '?', '{', '}', '\\', '|', '1'),
          maxLength: 10
        }),
        source => {
          let compiles = true
          try {
            RE2JS.compile(source)
          } catch {
            compiles = false
          }
          const problem = itemProblem(`/${source}/`)
          if (!compiles || source === '') expect(problem).toMatch(/is not a valid regular expression: /)
          if (!compiles) expect(problem).toContain("(the syntax is RE2's: no lookaround, no backreferences)")
          if (problem === undefined) expect(() => compileGlobList([`/${source}/`])).not.toThrow()
          else expect(() => compileGlobList([`/${source}/`])).toThrow()
        }
      ),
      { numRuns: 1000 }
    )
  })

  it.each([
    ['/1\\.0\\.(?!1)\\d/', 'invalid or unsupported Perl syntax: `(?!`'],
    ['/(?=v)v1/', 'invalid or unsupported Perl syntax: `(?=`'],
    ['/(?<=v)1/', 'invalid named capture'],
    ['/(a)\\1/', 'invalid escape sequence: `\\1`'],
    ['/(?<x>a)\\k<x>/', 'invalid escape sequence: `\\k`'],
    ['/v(1/', 'missing closing ): `v(1`'],
    ['/pr-[/', 'missing closing ]: `[`'],
    ['/a{1001}/', 'invalid repeat count: `{1001}`'],
    ['/\\d{23}/', 'it compiles to 25 instructions, more than 24'],
    ['/v1/g', 'flag "g": i is the only flag allowed'],
    ['//', 'it is empty'],
    ['/v1', 'a regular expression is written /.../']
  ])('%s is refused: %s', (item, why) => {
    expect(itemProblem(item)).toContain(why)
    expect(itemProblem(item)).toMatch(/^".*" is not a valid regular expression: /)
  })

  it.each([
    '/v\\d+\\.\\d+\\.\\d+/',
    '/pr-\\d+/i',
    '/(?:api|web)-v\\d+/',
    '/[a-z]+(-[a-z]+){0,1}/',
    '/(ab){3}/',
    '/[(+]*/',
    '/1(\\.\\d+)*/',
    '/(a+)+/',
    '/(a|aa)+b/',
    '/(?P<n>v)\\d/',
    '/\\d{22}/',
    '/.*.*.*.*.*.*.*.*.*.*x/'
  ])('%s is accepted', item => expect(itemProblem(item)).toBeUndefined())

  it('is anchored, counts as a pattern (so package names are listed), and is told from a glob', () => {
    const list = compileGlobList(['/v\\d+/'])
    expect(['v1', 'v12', 'xv1', 'v1x', 'V1'].map(v => list.match(v) !== undefined)).toEqual([
      true,
      true,
      false,
      false,
      false
    ])
    expect(compileGlobList(['/v\\d+/i']).match('V1')).toBe('/v\\d+/i')
    expect(isPattern('/^app$/')).toBe(true)
    expect(isPattern('app')).toBe(false)
    expect(itemProblem('v1.*')).toBeUndefined()
    expect(itemProblem('{a,b')).toBe('"{a,b" is not a valid glob: "{a,b" has an unclosed "{"')
  })
})

describe('the examples of docs/policies.md', () => {
  it.each([
    ['/v\\d+\\.\\d+\\.\\d+/', 11],
    ['/sha-[0-9a-f]+/', 8]
  ])('%s compiles to %i instructions, within the cap', (item, size) => {
    expect(RE2JS.compile(item.slice(1, -1)).programSize()).toBe(size)
    expect(itemProblem(item)).toBeUndefined()
  })

  it('refuses /sha-[0-9a-f]{40}/ for its size', () => {
    expect(itemProblem('/sha-[0-9a-f]{40}/')).toContain('it compiles to 46 instructions, more than 24')
  })

  it.each([
    '/(\\.\\d+)*/',
    '/(a|ab)+/',
    '/.*.*-.*/',
    '/\\d\\w[[:alpha:]]\\pL/',
    '/a*?/',
    '/a{2,4}/',
    '/(?P<name>a)/',
    '/(?<name>a)/',
    '/.*-rc.*/',
    '/pr-\\d+/i'
  ])('accepts %s', item => expect(itemProblem(item)).toBeUndefined())

  it.each(['/(?=a)a/', '/a(?!b)/', '/(?<=a)b/', '/(?<!a)b/', '/(a)\\1/', '/(?<name>a)\\k<name>/'])(
    'refuses %s, naming RE2’s syntax',
    item => expect(itemProblem(item)).toContain("(the syntax is RE2's: no lookaround, no backreferences)")
  )
})
