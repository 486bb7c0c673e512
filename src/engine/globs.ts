import { Minimatch, type MinimatchOptions } from 'minimatch'
import { errorMessage } from '../errors.js'

/**
 * GitHub tags and versions are case-sensitive (`V1` and `v1` are two tags), so matching is too. `dot` lets
 * `*` match a leading `.`; a leading `!` is an exclusion handled by the list, so minimatch must take it
 * literally; the platform is fixed so that a Windows runner matches exactly as Linux does.
 */
const OPTIONS: MinimatchOptions = {
  dot: true,
  nocase: false,
  nonegate: true,
  nocomment: true,
  platform: 'linux'
}

/** A compiled list of globs, such as `keep-tags`. */
export interface GlobMatcher {
  /** The glob that `value` matches (to name it in reasons), or undefined when the list does not match it. */
  match(value: string): string | undefined
}

/** An input list: items on lines or between commas, but not commas inside `{...}`: `{api,web}` is one. */
export function parseList(text: string): string[] {
  const items: string[] = []
  for (const line of text.split(/\r?\n/)) {
    let depth = 0
    let start = 0
    for (let i = 0; i < line.length; i++) {
      const c = line[i]
      if (c === '{') depth++
      else if (c === '}') depth = Math.max(0, depth - 1)
      else if (c === ',' && depth === 0) {
        items.push(line.slice(start, i))
        start = i + 1
      }
    }
    items.push(line.slice(start))
  }
  return items.map(item => item.trim()).filter(item => item !== '')
}

/**
 * An item written `/.../` (or `/.../i`) is a JavaScript regular expression instead of a glob, anchored: it
 * must match the whole tag or name. No tag, version or package name starts with `/`, so nothing else is
 * taken for one.
 */
const REGEX_ITEM = /^\/(.*)\/([A-Za-z]*)$/s

/** Whether an item (without its `!`) is a regular expression rather than a glob. */
const isRegexItem = (body: string): boolean => body.startsWith('/')

/** Whether an item matches more than one name: a glob with wildcards, braces or classes, or an expression. */
export function isPattern(item: string): boolean {
  return /[*?[\]{}!]/.test(item) || isRegexItem(item)
}

/** An item as its input or rule field names it in a message: the item, then why it is not usable. */
export function itemProblem(item: string): string | undefined {
  const problem = globProblem(item)
  if (problem === undefined) return undefined
  const kind = isRegexItem(item.replace(/^!/, '')) ? 'regular expression' : 'glob'
  return `${JSON.stringify(item)} is not a valid ${kind}: ${problem}`
}

/** Why `pattern` is not a usable glob, in words for an error message; undefined when it is fine. */
export function globProblem(pattern: string): string | undefined {
  const quoted = JSON.stringify(pattern)
  if (pattern === '') return 'a glob is empty'
  const body = pattern.startsWith('!') ? pattern.slice(1) : pattern
  if (body === '') return `${quoted} is empty after "!"`
  if (body.startsWith('!')) return `${quoted} starts with more than one "!"`
  if (isRegexItem(body)) return regexProblem(body)
  const unbalanced = unbalancedBracket(body)
  if (unbalanced !== undefined) return `${quoted} ${unbalanced}`
  try {
    new Minimatch(body, OPTIONS)
  } catch (error) {
    return `${quoted} is not a valid glob (${errorMessage(error)})`
  }
  return undefined
}

/** Compiles `/source/flags`, anchored; throws with the reason when it is not a usable expression. */
function compileRegex(item: string): RegExp {
  const parts = REGEX_ITEM.exec(item)
  if (!parts) throw new Error('a regular expression is written /.../, with i as its only possible flag')
  const [, source, flags] = parts
  if (source === '') throw new Error('it is empty')
  if (flags !== '' && flags !== 'i')
    throw new Error(`flag ${JSON.stringify(flags)}: i is the only flag allowed`)
  let regex: RegExp
  try {
    regex = new RegExp(`^(?:${source})$`, flags)
  } catch (error) {
    throw new Error(errorMessage(error).replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, ''))
  }
  const nested = backtrackingProblem(source)
  if (nested) throw new Error(nested)
  return regex
}

function regexProblem(item: string): string | undefined {
  try {
    compileRegex(item)
    return undefined
  } catch (error) {
    return errorMessage(error)
  }
}

/** What the scan of an expression knows about a group (or the whole expression) so far. */
interface Scope {
  quantifier: boolean
  alternation: boolean
  backreference: boolean
}

/**
 * Refuses the shapes that can make a backtracking matcher take exponential time: a quantifier that can repeat
 * (`*`, `+`, `{2,}`, `{1,5}`) applied to a group that holds a quantifier or an alternation (`(a+)+`,
 * `(\w*\d)*`, `(a|ab)*`), or to a backreference. This refuses some safe shapes too (`(\.\d+)*`, `(a|b)+`);
 * each has an accepted rewrite (`[ab]+`, or a fixed count). Other shapes cost at most polynomial time in the
 * length of a tag or name. The source is known to compile.
 */
export function backtrackingProblem(source: string): string | undefined {
  const stack: Scope[] = [{ quantifier: false, alternation: false, backreference: false }]
  /** The atom the next quantifier applies to: a closed group's scope, a backreference, or a plain atom. */
  let last: Scope | undefined
  for (let i = 0; i < source.length; i++) {
    const c = source[i]
    const scope = stack[stack.length - 1]
    if (c === '\\') {
      const backreference = /^(?:[1-9]|k<)/.test(source.slice(i + 1, i + 3))
      if (backreference) scope.backreference = true
      last = { quantifier: false, alternation: false, backreference }
      i = source[i + 1] === 'k' && source[i + 2] === '<' ? source.indexOf('>', i) : i + 1
    } else if (c === '[') {
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++
      last = { quantifier: false, alternation: false, backreference: false }
    } else if (c === '(') {
      stack.push({ quantifier: false, alternation: false, backreference: false })
      // Skip a group's prefix: `(?:`, `(?=`, `(?!`, `(?<=`, `(?<!`, `(?<name>`.
      if (source[i + 1] === '?')
        i = source[i + 2] !== '<' ? i + 2 : /[=!]/.test(source[i + 3]) ? i + 3 : source.indexOf('>', i)
      last = undefined
    } else if (c === ')') {
      const group = stack.pop() as Scope
      const parent = stack[stack.length - 1]
      parent.quantifier ||= group.quantifier
      parent.alternation ||= group.alternation
      parent.backreference ||= group.backreference
      last = group
    } else if (c === '|') {
      scope.alternation = true
      last = undefined
    } else if (c === '*' || c === '+' || c === '?' || (c === '{' && QUANTIFIER.test(source.slice(i)))) {
      const braces = c === '{' ? QUANTIFIER.exec(source.slice(i)) : null
      // The most times it may repeat: `{n}` n, `{n,}` no bound, `{n,m}` m.
      const most = braces
        ? braces[2] === ''
          ? Infinity
          : Number(braces[2] ?? braces[1])
        : c === '?'
          ? 1
          : Infinity
      const repeats = most > 1
      if (braces) i += braces[0].length - 1
      if (source[i + 1] === '?') i++
      if (repeats && last && (last.quantifier || last.alternation || last.backreference))
        return last.backreference && !last.quantifier && !last.alternation
          ? 'a repeated backreference can take exponential time to match'
          : 'a repeated group that holds a quantifier or "|" (like (a+)+ or (a|b)*) can take exponential time to match; write it without the nesting, e.g. [ab]* for (a|b)*'
      scope.quantifier = true
      last = undefined
    } else {
      last = { quantifier: false, alternation: false, backreference: false }
    }
  }
  return undefined
}

/** `{n}`, `{n,}` or `{n,m}` at the start: the count, and the upper bound (empty for none). */
const QUANTIFIER = /^\{(\d+)(?:,(\d*))?\}/

/**
 * Minimatch takes an unbalanced `{`, `}`, `[` or `]` literally, so `{api,web` would silently match nothing:
 * report it instead.
 */
function unbalancedBracket(glob: string): string | undefined {
  let braces = 0
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]
    if (c === '\\') i++
    else if (c === '[') {
      const close = classEnd(glob, i)
      if (close === -1) return 'has an unclosed "["'
      i = close
    } else if (c === ']') return 'has an unmatched "]"'
    else if (c === '{') braces++
    else if (c === '}') {
      if (braces === 0) return 'has an unmatched "}"'
      braces--
    }
  }
  return braces > 0 ? 'has an unclosed "{"' : undefined
}

/** The index of the `]` that closes the class opened at `open`, or -1. A `]` first in a class is literal. */
function classEnd(glob: string, open: number): number {
  let i = open + 1
  if (glob[i] === '!' || glob[i] === '^') i++
  if (glob[i] === ']') i++
  for (; i < glob.length; i++) {
    if (glob[i] === '\\') i++
    else if (glob[i] === '[' && glob[i + 1] === ':') {
      const close = glob.indexOf(':]', i + 2)
      if (close === -1) return -1
      i = close + 1
    } else if (glob[i] === ']') return i
  }
  return -1
}

type Test = (value: string) => boolean

interface CompiledGlob {
  text: string
  /** Undefined for a regular expression, which `fastTest` is then. */
  minimatch: Minimatch | undefined
  /** The same test without minimatch, for globs simple enough to have an exact fast one. */
  fastTest: Test | undefined
}

/**
 * Compiles a list once: items starting with `!` exclude. A value matches when it matches a positive glob and
 * no negative one; a list of negatives only means "everything except". Throws on a malformed glob.
 */
export function compileGlobList(globs: readonly string[]): GlobMatcher {
  return new GlobList(globs)
}

class GlobList implements GlobMatcher {
  readonly #positives: CompiledGlob[] = []
  readonly #negatives: CompiledGlob[] = []
  /** What a list of negatives only reports as the match: the negatives, as written. */
  readonly #everythingExcept: string | undefined

  constructor(globs: readonly string[]) {
    for (const text of globs) {
      const problem = globProblem(text)
      if (problem !== undefined) throw new Error(problem)
      const negative = text.startsWith('!')
      const body = negative ? text.slice(1) : text
      let glob: CompiledGlob
      if (isRegexItem(body)) {
        const regex = compileRegex(body)
        glob = { text, minimatch: undefined, fastTest: value => regex.test(value) }
      } else {
        const minimatch = new Minimatch(body, OPTIONS)
        glob = { text, minimatch, fastTest: fastTest(minimatch) }
      }
      ;(negative ? this.#negatives : this.#positives).push(glob)
    }
    if (this.#positives.length === 0 && this.#negatives.length > 0) {
      this.#everythingExcept = this.#negatives.map(glob => glob.text).join(', ')
    }
  }

  match(value: string): string | undefined {
    if (this.#positives.length === 0 && this.#negatives.length === 0) return undefined
    const fast = fastPathApplies(value)
    for (const glob of this.#negatives) if (matches(glob, value, fast)) return undefined
    if (this.#positives.length === 0) return this.#everythingExcept
    for (const glob of this.#positives) if (matches(glob, value, fast)) return glob.text
    return undefined
  }
}

/**
 * Minimatch walks its pattern on every call (a few hundred ns), and the engine tests a million versions
 * against several globs. So a glob that is, after brace expansion, only printable ASCII, `*` and `?` is also
 * compiled to a fast exact test. Path separators, classes, escapes and extglobs stay with minimatch, and so
 * do the values where path rules apply (a `/`, `.`, `..`, the empty string). A property test checks that both
 * agree.
 */
function fastTest(minimatch: Minimatch): Test | undefined {
  const globs = minimatch.globSet
  if (globs.length === 0 || !globs.every(glob => SIMPLE_GLOB.test(glob))) return undefined
  const tests = globs.map(glob => (glob.includes('?') ? regexTest(glob) : piecesTest(glob.split('*'))))
  if (tests.length === 1) return tests[0]
  return value => tests.some(test => test(value))
}

/** Printable ASCII without the characters that make classes, escapes, extglobs, braces or path separators. */
const SIMPLE_GLOB = /^[\x20-\x27\x2a-\x2e\x30-\x5a\x5e-\x7a~]*$/

function regexTest(glob: string): Test {
  const source = glob.replace(/[*?.+^$]/g, token =>
    token === '*' ? '.*' : token === '?' ? '.' : `\\${token}`
  )
  const regex = new RegExp(`^${source}$`, 'su')
  return value => regex.test(value)
}

/** Whether a value is the pieces joined by any strings; the common shapes get a test of their own. */
function piecesTest(pieces: string[]): Test {
  const [head, ...rest] = pieces
  const tail = rest.pop()
  if (tail === undefined) return value => value === head
  const least = head.length + tail.length
  if (rest.length === 0) {
    if (tail === '') return value => value.startsWith(head)
    if (head === '') return value => value.endsWith(tail)
    return value => value.length >= least && value.startsWith(head) && value.endsWith(tail)
  }
  if (rest.length === 1 && head === '' && tail === '') {
    const [middle] = rest
    return value => value.includes(middle)
  }
  return value => {
    if (value.length < least || !value.startsWith(head) || !value.endsWith(tail)) return false
    // Each middle piece at its first place leaves the most room for the next ones.
    const end = value.length - tail.length
    let from = head.length
    for (const piece of rest) {
      const at = value.indexOf(piece, from)
      if (at === -1 || at + piece.length > end) return false
      from = at + piece.length
    }
    return true
  }
}

function fastPathApplies(value: string): boolean {
  return value !== '' && value !== '.' && value !== '..' && !value.includes('/')
}

function matches(glob: CompiledGlob, value: string, fast: boolean): boolean {
  if (glob.minimatch === undefined || (fast && glob.fastTest !== undefined))
    return (glob.fastTest as Test)(value)
  return glob.minimatch.match(value)
}
