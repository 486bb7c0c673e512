/**
 * The Migrating page's tables (docs/migrating.md) name other actions' inputs and ours: every input of theirs must
 * exist in their action.yml as recorded in __tests__/fixtures/peer-inputs.json, every input of ours in our
 * action.yml, and every input of theirs has a row. The Recipes table links only to snippets that exist, and
 * every relative link of the README and the docs pages reaches a file and, where it names one, a heading.
 */
import { describe, expect, it } from '@jest/globals'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { parse } from 'yaml'
import { POLICY_SCHEMA } from '../../src/config/policy-schema.js'

const ROOT = join(import.meta.dirname, '..', '..')
const README = readFileSync(join(ROOT, 'README.md'), 'utf8')
const MIGRATING = readFileSync(join(ROOT, 'docs', 'migrating.md'), 'utf8')

interface PeerInputs {
  actions: { table: string; repository: string; path: string; commit: string; inputs: string[] }[]
}
const PEERS = JSON.parse(
  readFileSync(join(ROOT, '__tests__', 'fixtures', 'peer-inputs.json'), 'utf8')
) as PeerInputs
const OURS = Object.keys((parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { inputs: object }).inputs)
const RULE_KEYS = Object.keys(POLICY_SCHEMA.properties.rules.items.properties)

/** The text of a `## ` section, up to the next one. */
function section(markdown: string, title: string): string {
  const start = `\n${markdown}`.indexOf(`\n## ${title}\n`)
  if (start === -1) return ''
  const end = markdown.indexOf('\n## ', start + 1)
  return markdown.slice(start, end === -1 ? undefined : end)
}

/** Backticked spans of a table cell. */
const codes = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map(m => m[1])
/** The input a span names, when it is written `name` or `name: value` with a kebab-case name. */
const named = (code: string, kebabOnly: boolean): string | undefined => {
  const match = /^([a-z][a-z0-9]*(?:-[a-z0-9]+)*)(:.*)?$/s.exec(code)
  if (!match) return undefined
  return kebabOnly && !match[1].includes('-') && match[2] === undefined ? undefined : match[1]
}

/** Every mismatch between the Migrating page's tables (one `## ` a peer), the recorded peer inputs and ours. */
function migrationProblems(markdown: string, peers: PeerInputs, ours: readonly string[]): string[] {
  const problems: string[] = []
  const tables = markdown.split('\n## ').slice(1)
  const titles = tables.map(table => table.split('\n')[0].trim())
  for (const peer of peers.actions)
    if (!titles.includes(peer.table)) problems.push(`no table for ${peer.table}`)
  for (const table of tables) {
    const title = table.split('\n')[0].trim()
    const peer = peers.actions.find(p => p.table === title)
    if (!peer) {
      problems.push(`${title}: not an action recorded in peer-inputs.json`)
      continue
    }
    const rows = table
      .split('\n')
      .filter(line => line.startsWith('|'))
      .slice(2)
      .map(line => line.slice(1, -1).split(/(?<!\\)\|/))
    const rowed = new Set<string>()
    for (const [theirs, here, difference] of rows) {
      for (const code of codes(theirs)) {
        rowed.add(code)
        if (!peer.inputs.includes(code)) problems.push(`${title}: \`${code}\` is not an input of theirs`)
      }
      for (const code of codes(here)) {
        const name = named(code, false)
        if (name === undefined || !ours.includes(name))
          problems.push(`${title}, row ${codes(theirs).join()}: \`${code}\` is not an input of ours`)
      }
      for (const code of codes(difference ?? '')) {
        const name = named(code, true)
        if (name !== undefined && ![...ours, ...peer.inputs, ...RULE_KEYS].includes(name))
          problems.push(`${title}, row ${codes(theirs).join()}: \`${code}\` is an input of neither action`)
      }
    }
    for (const input of peer.inputs) if (!rowed.has(input)) problems.push(`${title}: no row for \`${input}\``)
  }
  return problems
}

/** GitHub's anchor for a heading: lower case, without punctuation but `-` and `_`, spaces as `-`. */
const anchor = (heading: string): string =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-')

describe('the Migrating tables', () => {
  it('record where each peer input list was read', () => {
    expect(PEERS.actions.map(a => a.table)).toEqual([
      'actions/delete-package-versions',
      'snok/container-retention-policy v3',
      'snok/container-retention-policy v2',
      'dataaxiom/ghcr-cleanup-action'
    ])
    for (const peer of PEERS.actions) {
      expect(peer.commit).toMatch(/^[0-9a-f]{40}$/)
      expect(peer.path).toMatch(/^action\.ya?ml$/)
      expect(peer.inputs.length).toBeGreaterThan(5)
    }
  })

  it('name only inputs that exist, theirs and ours, and give every input of theirs a row', () => {
    expect(migrationProblems(MIGRATING, PEERS, OURS)).toEqual([])
  })

  it('catch a wrong table', () => {
    const planted = [
      '# Migrating',
      '',
      '## actions/delete-package-versions',
      '',
      '| Their input | Here | Difference |',
      '|---|---|---|',
      '| `min-version-to-keep` | `keep-last` | Typo in theirs. |',
      '| `num-old-versions-to-delete` | `keep-n` | Not ours. |',
      '| `ignore-versions` | `keep-tags` | Mentions `keep-forever`, which nobody has. |',
      '',
      '## someone/else',
      '',
      '| Their input | Here | Difference |',
      '|---|---|---|',
      '| `x` | `owner` | |',
      ''
    ].join('\n')
    const peers: PeerInputs = { actions: PEERS.actions.slice(0, 2) }
    expect(migrationProblems(planted, peers, OURS)).toEqual([
      'no table for snok/container-retention-policy v3',
      'actions/delete-package-versions: `min-version-to-keep` is not an input of theirs',
      'actions/delete-package-versions, row num-old-versions-to-delete: `keep-n` is not an input of ours',
      'actions/delete-package-versions, row ignore-versions: `keep-forever` is an input of neither action',
      'actions/delete-package-versions: no row for `package-version-ids`',
      'actions/delete-package-versions: no row for `owner`',
      'actions/delete-package-versions: no row for `package-name`',
      'actions/delete-package-versions: no row for `package-type`',
      'actions/delete-package-versions: no row for `min-versions-to-keep`',
      'actions/delete-package-versions: no row for `delete-only-pre-release-versions`',
      'actions/delete-package-versions: no row for `delete-only-untagged-versions`',
      'actions/delete-package-versions: no row for `token`',
      'someone/else: not an action recorded in peer-inputs.json'
    ])
  })
})

/** GitHub's anchors for the headings of a Markdown file, outside code blocks. */
function anchorsOf(markdown: string): Set<string> {
  const outside = markdown.replace(/^```[\s\S]*?^```/gm, '')
  return new Set([...outside.matchAll(/^#{1,6} (.+)$/gm)].map(m => anchor(m[1])))
}

/** The README and every page of docs/, by path from the repository's root. */
const PAGES = ['README.md', ...readdirSync(join(ROOT, 'docs')).map(name => join('docs', name))]

/** Every relative link of a page (outside code blocks) that reaches no file, or no heading of it. */
function brokenLinks(page: string, markdown = readFileSync(join(ROOT, page), 'utf8')): string[] {
  const text = markdown.replace(/^```[\s\S]*?^```/gm, '')
  const broken: string[] = []
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/.test(target)) continue
    const [path, fragment] = target.split('#')
    const file = path === '' ? page : relative(ROOT, join(ROOT, dirname(page), path))
    const linked =
      path === '' ? markdown : existsSync(join(ROOT, file)) ? readFileSync(join(ROOT, file), 'utf8') : null
    if (linked === null) broken.push(`${page}: ${target} (no file ${file})`)
    else if (fragment !== undefined && !anchorsOf(linked).has(fragment))
      broken.push(`${page}: ${target} (no heading #${fragment} in ${file})`)
  }
  return broken
}

describe('the README’s links', () => {
  const headings = anchorsOf(README)

  it('Recipes lists twelve tasks, each linked to a snippet', () => {
    const links = [...section(README, 'Recipes').matchAll(/^\| [^|]+ \| \[[^\]]+\]\(([^)]+)\) \|$/gm)]
    expect(links).toHaveLength(12)
    for (const [, target] of links) {
      const [path, fragment] = target.split('#')
      expect(anchorsOf(readFileSync(join(ROOT, path || 'README.md'), 'utf8'))).toContain(fragment)
    }
    expect(headings.size).toBeGreaterThan(10)
  })

  it('links every page of docs/', () => {
    const linked = new Set([...README.matchAll(/\]\((docs\/[^)#]+)/g)].map(m => m[1]))
    expect(PAGES.filter(page => page !== 'README.md' && !linked.has(page))).toEqual([])
  })

  it('every relative link of the README and the docs pages reaches a file and its heading', () => {
    expect(PAGES.length).toBeGreaterThan(5)
    expect(PAGES.flatMap(page => brokenLinks(page))).toEqual([])
  })

  it('catch a link to a missing heading or file', () => {
    const planted =
      '# A\n\n[x](#nowhere) [y](missing.md) [z](../README.md#no-such) [ok](#a) [up](../README.md#tokens)\n'
    expect(brokenLinks('docs/planted.md', planted)).toEqual([
      'docs/planted.md: #nowhere (no heading #nowhere in docs/planted.md)',
      'docs/planted.md: missing.md (no file docs/missing.md)',
      'docs/planted.md: ../README.md#no-such (no heading #no-such in README.md)'
    ])
  })
})
