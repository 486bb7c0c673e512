/**
 * A policy of four rules, run by the bundled action over container packages (multi-architecture images,
 * attestations, cosign signatures, an orphaned signature) and an npm package, checked against plans worked out
 * by hand; and the zero-input run on a registry_package event.
 */
import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { VersionSpec } from '../../fake-github/scenario.js'
import { activeIds, apiCalls, aWorld, daysAgo, digest, parsed } from './world.js'

const POLICY = `# yaml-language-server: $schema=../policy.schema.json
rules:
  - name: releases
    match: ['v*.*.*', '*.*.0']
    keep: forever
  - name: pull requests
    match: ['pr-*', '*-pr-*']
    keep-last: 1
    min-age: 7d
  - name: untagged
    match: untagged
    min-age: 1d
  - name: the rest
    match: ['**']
    packages: ['app', 'web']
    keep-last: 1
    min-age: 30d
`

const image = (
  id: number,
  label: string,
  days: number,
  tags: string[],
  children: string[] = []
): VersionSpec => ({
  id,
  name: digest(label),
  tags,
  created_at: daysAgo(days),
  ...(children.length > 0 && { manifest: { kind: 'index' as const, children: children.map(digest) } })
})
const platform = (id: number, label: string, days: number): VersionSpec => ({
  id,
  name: digest(label),
  tags: [],
  created_at: daysAgo(days, -5),
  manifest: { kind: 'image', platform: label.endsWith('arm64') ? 'linux/arm64' : 'linux/amd64' }
})
const signature = (id: number, label: string, subject: string, days: number): VersionSpec => ({
  id,
  name: digest(label),
  tags: [`sha256-${digest(subject).slice('sha256:'.length)}.sig`],
  created_at: daysAgo(days, 5)
})

const APP: VersionSpec[] = [
  image(1, 'v1', 90, ['v1.0.0', 'latest'], ['v1/amd64', 'v1/arm64', 'v1/att']),
  platform(2, 'v1/amd64', 90),
  platform(3, 'v1/arm64', 90),
  {
    id: 4,
    name: digest('v1/att'),
    tags: [],
    created_at: daysAgo(90, -5),
    manifest: { kind: 'attestation', reference: digest('v1/amd64') }
  },
  signature(5, 'v1/sig', 'v1', 90),
  image(6, 'pr1', 20, ['pr-1'], ['pr1/amd64', 'pr1/arm64']),
  platform(7, 'pr1/amd64', 20),
  platform(8, 'pr1/arm64', 20),
  signature(9, 'pr1/sig', 'pr1', 20),
  image(10, 'pr2', 10, ['pr-2'], ['pr2/amd64']),
  platform(11, 'pr2/amd64', 10),
  image(12, 'pr3', 3, ['pr-3'], ['pr3/amd64']),
  platform(13, 'pr3/amd64', 3),
  image(14, 'dangling-old', 5, []),
  image(15, 'dangling-new', 0.1, []),
  image(16, 'sha-abc', 40, ['sha-abc']),
  image(17, 'sha-def', 35, ['sha-def']),
  image(18, 'main', 2, ['main']),
  signature(19, 'orphan/sig', 'gone', 9.5)
]

const TOOLS: VersionSpec[] = [
  image(30, 'sha-x', 60, ['sha-x']),
  image(31, 'sha-y', 50, ['sha-y']),
  image(32, 'pr-8', 25, ['pr-8']),
  image(33, 'pr-9', 20, ['pr-9']),
  image(34, 'tools-untagged', 3, [])
]

const npm = (id: number, name: string, days: number): VersionSpec => ({ id, name, created_at: daysAgo(days) })
const WEB: VersionSpec[] = [
  npm(40, '2.0.0', 60),
  npm(41, '2.1.0', 50),
  npm(42, '2.1.1-pr-5.1', 20),
  npm(43, '2.1.1-pr-5.2', 10),
  npm(44, '2.1.1-pr-6.1', 3),
  npm(45, '0.0.0-sha.a', 45),
  npm(46, '0.0.0-sha.b', 40),
  npm(47, '0.0.0-sha.c', 5)
]

/** The plan, by hand: what each rule deletes, by package. */
const DELETED = {
  // pull requests: pr-3 is the newest (and young); pr-1 and pr-2 go with their platform manifests and signature.
  // untagged: the 5-day-old dangling image and the orphaned signature go; the 2-hour-old one stays.
  // the rest: main is the newest; sha-def (35d) and sha-abc (40d) go. releases: v1.0.0 stays whole.
  app: [6, 7, 8, 9, 10, 11, 14, 16, 17, 19],
  // "the rest" does not apply to tools: sha-x and sha-y match no rule and stay; pr-8 goes, pr-9 is the newest PR.
  tools: [32, 34],
  web: [42, 43, 45, 46]
}

const world = () =>
  aWorld()
    .withOrganisation('acme')
    .withClassicToken('octocat')
    .withPackage('container', 'app', APP)
    .withPackage('container', 'tools', TOOLS)
    .withPackage('npm', 'web', WEB)

const allIds = (versions: VersionSpec[]) => versions.map(v => v.id)
const without = (all: number[], gone: number[]) => all.filter(id => !gone.includes(id))
const deletedOf = (run: Parameters<typeof parsed>[0]) =>
  parsed(run, 'deleted')
    .map(d => `${d.package}:${d.id}`)
    .sort()
const named = (map: Record<string, number[]>, packages: string[]) =>
  packages.flatMap(p => map[p].map(id => `${p}:${id}`)).sort()

interface PlanFile {
  packages: { name: string; versions: { id: number; action: string; reasons: string[] }[] }[]
}
const reasonsIn = (plan: PlanFile, pkg: string, id: number) =>
  plan.packages.find(p => p.name === pkg)?.versions.find(v => v.id === id)?.reasons

describe('a policy of four rules', () => {
  it('plans containers and npm as worked out by hand, and a dry run changes nothing', async () => {
    const fake = await world().start()
    const containers = await fake.run({
      owner: 'acme',
      'package-type': 'container',
      'package-names': 'app, tools',
      policy: POLICY,
      'dry-run': true
    })
    expect(containers.exitCode).toBe(0)
    expect(deletedOf(containers)).toEqual(named(DELETED, ['app', 'tools']))
    const npmRun = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'web',
      policy: POLICY,
      'dry-run': true
    })
    expect(npmRun.exitCode).toBe(0)
    expect(deletedOf(npmRun)).toEqual(named(DELETED, ['web']))
    expect(fake.requests.filter(r => r.method === 'DELETE')).toEqual([])

    const plan = JSON.parse(readFileSync(containers.outputs['plan-file'], 'utf8')) as PlanFile
    expect(reasonsIn(plan, 'app', 1)).toEqual(['keep: rule "releases": kept forever'])
    expect(reasonsIn(plan, 'app', 4)).toEqual(['keep: platform manifest of kept image v1.0.0'])
    expect(reasonsIn(plan, 'app', 5)).toEqual(['keep: signature of kept image v1.0.0'])
    expect(reasonsIn(plan, 'app', 10)).toEqual([
      'delete: rule "pull requests": 10d old, not among the 1 newest'
    ])
    // pr-2 is a deletion candidate of a private package, so its manifest is read (a read's download costs
    // nothing there): its platform manifest goes with it, and takes no place as an untagged image.
    expect(reasonsIn(plan, 'app', 11)).toEqual(['delete: platform manifest of deleted image pr-2'])
    expect(reasonsIn(plan, 'app', 12)).toEqual([
      'keep: rule "pull requests": among the 1 newest',
      'keep: rule "pull requests": younger than 7d (3d old)'
    ])
    expect(reasonsIn(plan, 'app', 15)?.[0]).toMatch(/^keep: rule "untagged": younger than 1d \(2h old\)$/)
    expect(reasonsIn(plan, 'app', 17)).toEqual(['delete: rule "the rest": 35d old, not among the 1 newest'])
    expect(reasonsIn(plan, 'app', 19)?.[0]).toMatch(
      /^delete: rule "untagged": orphaned signature of sha256:\w+, 9d old$/
    )
    expect(reasonsIn(plan, 'tools', 30)).toEqual(['keep: no rule matches'])
    expect(containers.summary).toContain('keep: rule "releases": kept forever')
  })

  it('gives each reason in the plan file as data too: codes beside the texts, in the same order', async () => {
    const fake = await world().start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'container',
      'package-names': 'app, tools',
      policy: POLICY,
      'dry-run': true
    })
    expect(run.exitCode).toBe(0)
    const plan = JSON.parse(readFileSync(run.outputs['plan-file'], 'utf8')) as {
      packages: { name: string; versions: { id: number; reasons: string[]; codes: unknown[] }[] }[]
    }
    const codesOf = (pkg: string, id: number) =>
      plan.packages.find(p => p.name === pkg)?.versions.find(v => v.id === id)?.codes
    expect(codesOf('app', 1)).toEqual([{ kind: 'keep-forever', rule: 'releases' }])
    expect(codesOf('app', 4)).toEqual([
      { kind: 'part-of-kept-image', part: 'platform manifest', image: 'v1.0.0' }
    ])
    expect(codesOf('app', 10)).toEqual([
      {
        kind: 'selected',
        rule: 'pull requests',
        selection: { by: 'match' },
        age: '10d',
        notAmong: { n: 1, order: 'created' }
      }
    ])
    expect(codesOf('app', 11)).toEqual([
      { kind: 'part-of-deleted-image', part: 'platform manifest', image: 'pr-2' }
    ])
    expect(codesOf('app', 12)).toEqual([
      { kind: 'keep-last', rule: 'pull requests', n: 1, order: 'created' },
      { kind: 'younger-than', rule: 'pull requests', minAge: '7d', age: '3d' }
    ])
    expect(codesOf('app', 19)).toEqual([
      {
        kind: 'selected',
        rule: 'untagged',
        selection: { by: 'orphan', part: 'signature', subject: expect.stringMatching(/^sha256:\w{64}$/) },
        age: '9d'
      }
    ])
    expect(codesOf('tools', 30)).toEqual([{ kind: 'no-rule' }])
    for (const pkg of plan.packages)
      for (const version of pkg.versions) expect(version.codes).toHaveLength(version.reasons.length)
  })

  it('deletes exactly that for real, and every tag left still pulls', async () => {
    const fake = await world().start()
    // The policy as a file in the workspace.
    const workspace = mkdtempSync(join(tmpdir(), 'workspace-'))
    writeFileSync(join(workspace, 'retention.yml'), POLICY)
    const env = { GITHUB_WORKSPACE: workspace }
    const containers = await fake.run(
      { owner: 'acme', 'package-type': 'container', 'package-names': 'app, tools', policy: 'retention.yml' },
      { env }
    )
    expect(containers.exitCode).toBe(0)
    const npmRun = await fake.run(
      { owner: 'acme', 'package-type': 'npm', 'package-names': 'web', policy: 'retention.yml' },
      { env }
    )
    expect(npmRun.exitCode).toBe(0)

    expect(activeIds(fake, 'app')).toEqual(without(allIds(APP), DELETED.app))
    expect(activeIds(fake, 'tools')).toEqual(without(allIds(TOOLS), DELETED.tools))
    expect(activeIds(fake, 'web')).toEqual(without(allIds(WEB), DELETED.web))
    for (const tag of ['v1.0.0', 'latest', 'pr-3', 'main'])
      expect(fake.isPullable('acme', 'app', tag)).toBe(true)
    expect(containers.outputs['deleted-count']).toBe(String(DELETED.app.length + DELETED.tools.length))
    expect(containers.outputs['failed-count']).toBe('0')

    // Restore undoes the run, as it does for the single-rule inputs.
    const undo = await fake.run(
      {
        owner: 'acme',
        'package-type': 'container',
        'package-names': 'app, tools',
        policy: 'retention.yml',
        restore: containers.outputs.deleted
      },
      { env }
    )
    expect(undo.exitCode).toBe(0)
    expect(activeIds(fake, 'app')).toEqual(allIds(APP))
    expect(activeIds(fake, 'tools')).toEqual(allIds(TOOLS))
  })

  it('honours max-deletions: the oldest go first, and every tag left still pulls', async () => {
    const fake = await world().start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'container',
      'package-names': 'app',
      policy: POLICY,
      'max-deletions': 2
    })
    expect(run.exitCode).toBe(0)
    // sha-abc (40 days) and sha-def (35 days) are the oldest images the policy deletes.
    expect(parsed(run, 'deleted').map(d => d.id)).toEqual([16, 17])
    expect(new Set(parsed(run, 'skipped').map(d => d.reason))).toEqual(
      new Set(['max-deletions: over max-deletions (2); left for the next run'])
    )
    expect(activeIds(fake, 'app')).toEqual(without(allIds(APP), [16, 17]))
    for (const tag of ['v1.0.0', 'latest', 'pr-1', 'pr-2', 'pr-3', 'main'])
      expect(fake.isPullable('acme', 'app', tag)).toBe(true)
  })

  it('refuses a bad policy before any request, naming the line, the rule and the field', async () => {
    const fake = await world().start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'container',
      'package-names': 'app',
      policy: POLICY.replace('keep-last: 1\n    min-age: 7d', 'keep-last: five\n    min-age: 7d'),
      'keep-tags': 'latest'
    })
    expect(run.exitCode).toBe(1)
    expect(run.annotations.filter(a => a.level === 'error').map(a => a.message)).toEqual([
      'policy: cannot go with keep-tags; a policy says everything in its rules (move them into a rule)',
      'policy line 8, rule 2 "pull requests": keep-last: "five" is not a whole number (0 or more)',
      '2 input(s) are invalid; nothing was requested or changed.'
    ])
    expect(fake.requests).toEqual([])
  })
})

describe('on a registry_package event', () => {
  const event = (payload: unknown) => {
    const path = join(mkdtempSync(join(tmpdir(), 'event-')), 'event.json')
    writeFileSync(path, JSON.stringify(payload))
    return { GITHUB_EVENT_NAME: 'registry_package', GITHUB_EVENT_PATH: path }
  }

  const published = (name: string) =>
    event({
      action: 'published',
      registry_package: { name, package_type: 'CONTAINER', ecosystem: 'CONTAINER', namespace: 'acme' }
    })

  it('needs no input at all: the package type and name come from the event, the rest from the defaults', async () => {
    const fake = await world().start()
    const run = await fake.run({}, { env: published('app') })
    expect(run.exitCode).toBe(0)
    // keep-last 10 keeps all seven tagged images with their parts, min-age 7d the young untagged ones: only the
    // orphaned signature (10 days old) goes. No other package is read.
    expect(parsed(run, 'deleted').map(d => `${d.package}:${d.id}`)).toEqual(['app:19'])
    expect(apiCalls(fake).filter(call => /\/packages\/(?!container\/app\b)/.test(call))).toEqual([])
  })

  it('yields to the inputs given', async () => {
    const fake = await world().start()
    const run = await fake.run({ 'keep-last': 1, 'min-age': '7d' }, { env: published('tools') })
    expect(run.exitCode).toBe(0)
    // The newest tagged image stays, and the untagged one, younger than 7d.
    expect(activeIds(fake, 'tools')).toEqual([33, 34])
    expect(activeIds(fake, 'app')).toEqual(allIds(APP))
  })

  it('without package-type on any other event, fails before any request', async () => {
    const fake = await world().start()
    const run = await fake.run({ owner: 'acme', 'package-names': 'app' })
    expect(run.exitCode).toBe(1)
    expect(run.annotations[0].message).toBe(
      'package-type: is empty; give one of npm, maven, rubygems, docker, nuget, container (only a registry_package event supplies it)'
    )
    expect(fake.requests).toEqual([])
  })
})
