/**
 * What the runner downloads for every job: dist/ at most 4 MB, no source maps, each package in one file only,
 * and the policy parser (yaml, ajv) in chunks of its own that a run without a policy never loads.
 */
import { describe, expect, it } from '@jest/globals'
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { InputValue } from '../../fake-github/run-action.js'
import { PACKAGE_ROOT, runAction } from '../support/run-action.js'
import { aWorld, CLASSIC, versions } from './world.js'

const DIST = join(PACKAGE_ROOT, 'dist')

function files(dir = DIST): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry =>
    entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)]
  )
}
const chunks = () => readdirSync(DIST).filter(name => /^\d+\.index\.js$/.test(name))
const text = (name: string) => readFileSync(join(DIST, name), 'utf8')

/** Texts only one bundled package contains, to find where each package went. */
const MARKERS = {
  yaml: 'LineCounter',
  ajv: 'strictSchema',
  'policy-file.ts': 'is not a list of rules',
  '@actions/cache': 'Cache service responded',
  '@actions/core': 'GITHUB_STEP_SUMMARY'
}

describe('the bundle', () => {
  it('is at most 4 MB in all, without source maps', () => {
    const all = files()
    const bytes = all.reduce((sum, file) => sum + statSync(file).size, 0)
    expect(bytes).toBeLessThanOrEqual(4 * 1024 * 1024)
    expect(all.filter(file => file.endsWith('.map'))).toEqual([])
    for (const file of all.filter(name => name.endsWith('.js')))
      expect(readFileSync(file, 'utf8')).not.toContain('sourceMappingURL')
  })

  it('holds each package once: chunks share no module, and each marker is in one file', async () => {
    const seen = new Map<string, string>()
    for (const chunk of chunks()) {
      const { modules } = (await import(join(DIST, chunk))) as { modules: Record<string, unknown> }
      for (const id of Object.keys(modules)) {
        expect([id, seen.get(id)]).toEqual([id, undefined])
        seen.set(id, chunk)
      }
    }
    const jsFiles = ['index.js', ...chunks()]
    for (const [name, marker] of Object.entries(MARKERS)) {
      const holders = jsFiles.filter(file => text(file).includes(marker))
      expect([name, holders.length]).toEqual([name, 1])
    }
  })

  it('keeps yaml, ajv and the policy parser out of the entry', () => {
    const entry = text('index.js')
    for (const marker of [MARKERS.yaml, MARKERS.ajv, MARKERS['policy-file.ts']])
      expect(entry).not.toContain(marker)
  })

  it('runs without a policy with the parser chunks deleted; a policy then needs them', async () => {
    const root = mkdtempSync(join(tmpdir(), 'bundle-'))
    cpSync(join(PACKAGE_ROOT, 'action.yml'), join(root, 'action.yml'))
    cpSync(DIST, join(root, 'dist'), { recursive: true })
    const parser = chunks().filter(chunk =>
      [MARKERS.yaml, MARKERS.ajv, MARKERS['policy-file.ts']].some(marker => text(chunk).includes(marker))
    )
    expect(parser.length).toBeGreaterThan(0)
    for (const chunk of parser) rmSync(join(root, 'dist', chunk))

    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('npm', 'web', versions(5, 1, 30))
      .start()
    const run = (inputs: Record<string, InputValue>) =>
      runAction({
        fake,
        root,
        token: CLASSIC,
        inputs: { owner: 'acme', 'package-type': 'npm', 'package-names': 'web', 'dry-run': true, ...inputs }
      })
    const withoutPolicy = await run({ 'keep-last': 2 })
    expect(withoutPolicy.exitCode).toBe(0)
    expect(withoutPolicy.outputs['deleted-count']).toBe('3')
    const policy = 'rules:\n  - name: all\n    match: ["*"]\n    keep-last: 1\n'
    expect((await run({ policy })).exitCode).not.toBe(0)
  })

  it('runs on the Node that action.yml names, and says so: the runtime GitHub’s runners start it with', async () => {
    const major = /^\s*using:\s*node(\d+)\s*$/m.exec(
      readFileSync(join(PACKAGE_ROOT, 'action.yml'), 'utf8')
    )?.[1]
    const { version } = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
      version: string
    }
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('npm', 'web', versions(2, 1, 30))
      .start()
    const run = await runAction({
      fake,
      token: CLASSIC,
      inputs: { owner: 'acme', 'package-type': 'npm', 'package-names': 'web', 'keep-last': 5 },
      debug: true
    })
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toMatch(
      new RegExp(`^::debug::package-retention ${version} on Node v${major}\\.\\d+\\.\\d+$`, 'm')
    )
  })

  it('names every package it holds in its notices, with version and licence text', () => {
    const notices = text('licenses.txt')
    const named = (text: string) => new Set(text.match(/^\S+@\d\S*(?=\nLicense: )/gm))
    // The packages the bundle holds files of, by the module list of the build that wrote dist/.
    const stats = JSON.parse(
      readFileSync(join(PACKAGE_ROOT, 'node_modules/.cache/package-retention/bundle-stats.json'), 'utf8')
    ) as { modules: StatsModule[] }
    const bundled = new Set<string>()
    const walk = (modules: StatsModule[] = []): void =>
      modules.forEach(module => {
        const dir = /^(.*\/node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(module.nameForCondition ?? '')?.[1]
        if (dir) {
          const { name, version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<
            string,
            string
          >
          bundled.add(`${name}@${version}`)
        }
        walk(module.modules)
      })
    walk(stats.modules)
    const unnamed = (text: string) => [...bundled].filter(id => !named(text).has(id))
    expect(bundled.size).toBeGreaterThan(50)
    expect(unnamed(notices)).toEqual([])
    expect([...named(notices)].sort()).toEqual([...bundled].sort())
    // Each of the package's own dependencies, at the version installed, is among them.
    const { dependencies } = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>
    }
    for (const [name, version] of Object.entries(dependencies))
      expect(notices).toContain(`\n${name}@${version}\nLicense: `)
    // A notice left out is found.
    const [first, ...rest] = notices.split(`\n${'-'.repeat(80)}\n`)
    expect(unnamed([first, ...rest.slice(1)].join('\n'))).toEqual([rest[0].trim().split('\n')[0]])
    expect(notices).toContain('Copyright 2019 GitHub')
  })
})

interface StatsModule {
  nameForCondition?: string
  modules?: StatsModule[]
}
