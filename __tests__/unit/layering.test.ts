/**
 * The rules of the house, read from the import lines of every file under src/, by folder:
 * - engine/ is the pure plan: it imports only engine/, types, errors and pure packages, never I/O;
 * - only github/ talks HTTP (an HTTP library, or fetch);
 * - config/ reads inputs and sends nothing: nothing from github/;
 * - report/ builds what users read from data: only report/publish.ts, the one place that writes outputs, the
 *   summary and files, imports anything beyond report/, engine/, types, errors and pure packages.
 * `planted` feeds the same checks a file that breaks each rule, so the checks are shown to fail.
 */
import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const SRC = fileURLToPath(new URL('../../src/', import.meta.url))
const HTTP =
  /^(?:node:)?(?:http|https|http2|net|tls|dgram)$|^undici$|^@octokit\/|^@actions\/(?:github|http-client|cache)$/
/** Packages the engine may import: pure computation, no I/O. */
const PURE_PACKAGES = /^(?:minimatch|re2js|semver)$/

interface SourceFile {
  /** Path under src/, with forward slashes: `engine/policy.ts`. */
  path: string
  text: string
}

function sourceFiles(folder = SRC): SourceFile[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap(entry => {
    const full = join(folder, entry.name)
    if (entry.isDirectory()) return sourceFiles(full)
    if (!entry.name.endsWith('.ts')) return []
    return [{ path: relative(SRC, full).split('\\').join('/'), text: readFileSync(full, 'utf8') }]
  })
}

/** Every module specifier a file imports or re-exports, statically or dynamically. */
function importsOf(text: string): string[] {
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s+['"]([^'"]+)['"]/gm),
    ...text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm),
    ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)
  ]
  return specifiers.map(match => match[1])
}

/** A relative specifier as a path under src/ (`../github/pacing.js` from `run/x.ts` → `github/pacing.ts`). */
function target(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined
  return normalize(join(dirname(from), specifier))
    .split('\\')
    .join('/')
    .replace(/\.js$/, '.ts')
}

const folderOf = (path: string): string => (path.includes('/') ? path.split('/')[0] : '')

function breaches(files: readonly SourceFile[]): string[] {
  return files.flatMap(({ path, text }) => {
    const folder = folderOf(path)
    const found: string[] = []
    for (const specifier of importsOf(text)) {
      const inSrc = target(path, specifier)
      if (folder !== 'github' && inSrc === undefined && HTTP.test(specifier))
        found.push(`${path} imports ${specifier}: only github/ talks HTTP`)
      if (folder === 'engine') {
        const allowed =
          inSrc === undefined
            ? PURE_PACKAGES.test(specifier)
            : folderOf(inSrc) === 'engine' || inSrc === 'types.ts' || inSrc === 'errors.ts'
        if (!allowed)
          found.push(
            `${path} imports ${specifier}: engine/ imports only engine/, types, errors and pure packages`
          )
      }
      if (folder === 'config' && inSrc !== undefined && folderOf(inSrc) === 'github')
        found.push(`${path} imports ${specifier}: config/ sends nothing`)
      if (folder === 'report' && path !== 'report/publish.ts') {
        const pure =
          inSrc === undefined
            ? PURE_PACKAGES.test(specifier)
            : ['report', 'engine'].includes(folderOf(inSrc)) || inSrc === 'types.ts' || inSrc === 'errors.ts'
        if (!pure) found.push(`${path} imports ${specifier}: only report/publish.ts writes`)
      }
    }
    if (folder !== 'github' && /\bfetch\(/.test(text))
      found.push(`${path} calls fetch: only github/ talks HTTP`)
    return found
  })
}

const files = sourceFiles()

describe('the layering of src/', () => {
  it('reads every folder and the import lines it checks', () => {
    const folders = new Set(files.map(file => folderOf(file.path)))
    expect([...folders].sort()).toEqual(['', 'config', 'engine', 'github', 'report', 'run'])
    expect(importsOf(files.find(file => file.path === 'github/rest-client.ts')!.text)).toContain(
      '@actions/github'
    )
  })

  it('holds: the engine is pure, only github/ talks HTTP, config/ sends nothing, report/ writes in one place', () => {
    expect(breaches(files)).toEqual([])
  })

  it.each([
    ['engine/planted.ts', "import { readFileSync } from 'node:fs'"],
    ['engine/planted.ts', "import { RegistryClient } from '../github/registry-client.js'"],
    ['engine/planted.ts', "const run = await import('../run/run.js')"],
    ['engine/planted.ts', "import * as core from '@actions/core'"],
    ['run/planted.ts', "import { fetch } from 'undici'"],
    ['report/planted.ts', 'await fetch(url)'],
    ['report/report.ts', "import { writeFileSync } from 'node:fs'"],
    ['report/report.ts', "import * as core from '@actions/core'"],
    ['report/report.ts', "import { RunJournal } from '../run/record.js'"],
    ['config/planted.ts', "import type { Answer } from '../github/rest-client.js'"]
  ])('fails on a planted %s: %s', (path, text) => {
    expect(breaches([{ path, text }])).toHaveLength(1)
  })
})
