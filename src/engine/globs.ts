import { Minimatch, type MinimatchOptions } from 'minimatch'
import { RE2JS } from 're2js'
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
  return text
    .split(/\r?\n/)
    .flatMap(splitAtCommas)
    .map(item => item.trim())
    .filter(item => item !== '')
}

/** A line cut at each comma that is not inside `{...}`. */
function splitAtCommas(line: string): string[] {
  const items: string[] = []
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
  return items
}

/**
 * An item written `/.../` (or `/.../i`) is a regular expression in RE2's syntax instead of a glob, anchored: it
 * must match the whole tag or name. No tag, version or package name starts with `/`, so nothing else is
 * taken for one.
 */
const REGEX_ITEM = /^\/(.*)\/([A-Za-z]*)$/s

/**
 * The most instructions an expression may compile to (RE2's program size: about one a character, a class or
 * a group; `x{n}` counts x n times). RE2 matches in time linear in the length of a name times this size, so
 * the cap bounds the time any accepted expression takes: BENCHMARKS.md measures the worst.
 */
export const MAX_EXPRESSION_SIZE = 24

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

/** How an input item names a range: `semver:>=2.0.0` in delete-tags or keep-tags. */
export const SEMVER_ITEM = 'semver:'

/** The characters a range starts with (`<2.0.0`, `>=1`, `~1.2`, `^1`, `|| 2.x`), which no tag or name has. */
const RANGE_START = /^[<>=~^|]/

/** Why `pattern` is not a usable glob, in words for an error message; undefined when it is fine. */
export function globProblem(pattern: string): string | undefined {
  const quoted = JSON.stringify(pattern)
  if (pattern === '') return 'a glob is empty'
  const body = pattern.startsWith('!') ? pattern.slice(1) : pattern
  if (body === '') return `${quoted} is empty after "!"`
  if (body.startsWith('!')) return `${quoted} starts with more than one "!"`
  if (isRegexItem(body)) return regexProblem(body)
  if (body.startsWith(SEMVER_ITEM))
    return `${quoted} is a version range, which only delete-tags and keep-tags take (in a policy: match: { semver: RANGE })`
  if (RANGE_START.test(body))
    return `${quoted} starts with "${body[0]}", as no tag or name does: a comma cut a range in two; a range is written with spaces (semver:>=1.0.0 <2.0.0) or || (semver:<1.0.0 || >=2.0.0)`
  if (/\s/.test(body) || splitAtCommas(body).length > 1)
    return `${quoted} holds a space or a comma, as no tag or name does; items are separated by newlines or commas (in a policy: a YAML list)`
  const unbalanced = unbalancedBracket(body)
  if (unbalanced !== undefined) return `${quoted} ${unbalanced}`
  try {
    new Minimatch(body, OPTIONS)
  } catch (error) {
    return `${quoted} is not a valid glob (${errorMessage(error)})`
  }
  return undefined
}

/** Compiles `/source/flags` into an anchored test; throws with the reason when it is not a usable expression. */
function compileRegex(item: string): Test {
  const parts = REGEX_ITEM.exec(item)
  if (!parts) throw new Error('a regular expression is written /.../, with i as its only possible flag')
  const [, source, flags] = parts
  if (source === '') throw new Error('it is empty')
  if (flags !== '' && flags !== 'i')
    throw new Error(`flag ${JSON.stringify(flags)}: i is the only flag allowed`)
  let regex: RE2JS
  try {
    regex = RE2JS.compile(source, flags === 'i' ? RE2JS.CASE_INSENSITIVE : 0)
  } catch (error) {
    const why = errorMessage(error).replace(/^error parsing regexp: /, '')
    throw new Error(`${why} (the syntax is RE2's: no lookaround, no backreferences)`)
  }
  const size = regex.programSize()
  if (size > MAX_EXPRESSION_SIZE)
    throw new Error(
      `it compiles to ${size} instructions, more than ${MAX_EXPRESSION_SIZE} (about one a character, a class or a group; x{n} counts x n times)`
    )
  return value => regex.matcher(value).matches()
}

function regexProblem(item: string): string | undefined {
  try {
    compileRegex(item)
    return undefined
  } catch (error) {
    return errorMessage(error)
  }
}

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

export type Test = (value: string) => boolean

interface CompiledGlob {
  text: string
  /** Undefined for an expression or a range, which `fastTest` is then. */
  minimatch: Minimatch | undefined
  /** The same test without minimatch, for globs simple enough to have an exact fast one. */
  fastTest: Test | undefined
}

/**
 * Compiles a list once: items starting with `!` exclude. A value matches when it matches a positive item and
 * no negative one; a list of negatives only means "everything except". Throws on a malformed item.
 */
export function compileGlobList(globs: readonly string[], compileOther?: ItemCompiler): GlobMatcher {
  return new GlobList(globs, compileOther)
}

/** Compiles an item's body that is neither a glob nor an expression (a `semver:` range), or returns undefined. */
export type ItemCompiler = (body: string) => Test | undefined

class GlobList implements GlobMatcher {
  readonly #positives: CompiledGlob[] = []
  readonly #negatives: CompiledGlob[] = []
  /** What a list of negatives only reports as the match: the negatives, as written. */
  readonly #everythingExcept: string | undefined

  constructor(globs: readonly string[], compileOther: ItemCompiler | undefined) {
    for (const text of globs) {
      const negative = text.startsWith('!')
      const body = negative ? text.slice(1) : text
      const other = compileOther?.(body)
      const problem = other ? undefined : globProblem(text)
      if (problem !== undefined) throw new Error(problem)
      let glob: CompiledGlob
      if (other) glob = { text, minimatch: undefined, fastTest: other }
      else if (isRegexItem(body)) glob = { text, minimatch: undefined, fastTest: compileRegex(body) }
      else {
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
