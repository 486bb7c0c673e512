/**
 * Items written `/.../` are anchored JavaScript regular expressions; the shapes that can backtrack
 * exponentially are refused before any request. Properties over generated expression trees.
 */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { backtrackingProblem, compileGlobList, isPattern, itemProblem } from '../../src/engine/globs.js'

type Node =
  | { kind: 'atom'; text: string }
  | { kind: 'seq'; items: Node[] }
  | { kind: 'alt'; items: Node[]; capture: boolean }
  | { kind: 'group'; item: Node; capture: boolean }
  | { kind: 'quant'; item: Node; quantifier: string; lazy: boolean }

const QUANTIFIERS = ['*', '+', '?', '{2}', '{1}', '{0,1}', '{1,3}', '{2,}', '{0}']
/** Whether a quantifier lets its atom repeat (match more than once). */
const repeats = (quantifier: string): boolean => !['?', '{1}', '{0,1}', '{0}'].includes(quantifier)

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

function some(node: Node, test: (node: Node) => boolean): boolean {
  if (test(node)) return true
  if (node.kind === 'seq' || node.kind === 'alt') return node.items.some(item => some(item, test))
  if (node.kind === 'group' || node.kind === 'quant') return some(node.item, test)
  return false
}

/** The rule as the README states it: a repeating quantifier over something holding a quantifier or "|". */
const nested = (node: Node): boolean =>
  some(
    node,
    n =>
      n.kind === 'quant' &&
      repeats(n.quantifier) &&
      some(n.item, inner => inner.kind === 'quant' || inner.kind === 'alt')
  )

const value = fc.string({ unit: fc.constantFrom('a', 'b', 'A', '-', '1', '.', 'x'), maxLength: 8 })

describe('regular expression items', () => {
  it('refuses exactly the expressions where a repeated part holds a quantifier or an alternation', () => {
    fc.assert(
      fc.property(tree, node => {
        const source = render(node)
        expect(() => new RegExp(source)).not.toThrow()
        expect(backtrackingProblem(source) !== undefined).toBe(nested(node))
        expect(itemProblem(`/${source}/`) !== undefined).toBe(nested(node))
      }),
      { numRuns: 5000 }
    )
  })

  it('an accepted item matches a whole value exactly when the expression does, i ignoring case', () => {
    fc.assert(
      fc.property(
        tree.filter(node => !nested(node)),
        fc.boolean(),
        fc.array(value, { minLength: 1, maxLength: 10 }),
        (node, ignoreCase, values) => {
          const source = render(node)
          const item = `/${source}/${ignoreCase ? 'i' : ''}`
          const reference = new RegExp(`^(?:${source})$`, ignoreCase ? 'i' : '')
          const list = compileGlobList([item])
          const excluded = compileGlobList([`!${item}`])
          for (const v of values) {
            expect(list.match(v) !== undefined).toBe(reference.test(v))
            expect(excluded.match(v) !== undefined).toBe(!reference.test(v))
          }
        }
      ),
      { numRuns: 2000 }
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
            new RegExp(source)
          } catch {
            compiles = false
          }
          const problem = itemProblem(`/${source}/`)
          if (!compiles || source === '') expect(problem).toMatch(/is not a valid regular expression: /)
          if (problem === undefined) expect(() => compileGlobList([`/${source}/`])).not.toThrow()
          else expect(() => compileGlobList([`/${source}/`])).toThrow()
        }
      ),
      { numRuns: 3000 }
    )
  })

  it.each([
    ['/(a+)+/', 'a repeated group that holds a quantifier'],
    ['/(a*)*b/', 'a repeated group that holds a quantifier'],
    ['/(a|aa)+/', 'a repeated group that holds a quantifier or "|"'],
    ['/(.*-){2,}x/', 'a repeated group that holds a quantifier'],
    ['/(\\w+\\s?)+$/', 'a repeated group that holds a quantifier'],
    ['/((ab)?c)*/', 'a repeated group that holds a quantifier'],
    ['/(a)\\1+/', 'a repeated backreference'],
    ['/(?<x>a)\\k<x>*/', 'a repeated backreference'],
    ['/v(1/', 'Unterminated group'],
    ['/pr-[/', 'Unterminated character class'],
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
    '/[(+]*/'
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
