/**
 * The first run does what the words say: defaults, policy-file warnings and durations, and npm names as users
 * write them, run through dist/index.js as a workflow would.
 */
import { describe, expect, it } from '@jest/globals'
import { activeIds, apiCalls, aWorld, daysAgo, imageVersion, parsed, versions } from './world.js'

const warnings = (run: { annotations: { level: string; message: string }[] }) =>
  run.annotations.filter(a => a.level === 'warning').map(a => a.message)

describe('defaults that do what the words say', () => {
  it('under `untagged: only` with a min-age and no keep-last, deletes every untagged image past it', async () => {
    const untagged = Array.from({ length: 12 }, (_, i) => imageVersion(100 + i, `leftover-${i}`, 8 + i))
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('container', 'app', [
        imageVersion(1, 'release', 30, ['v1']),
        imageVersion(2, 'young', 2),
        ...untagged
      ])
      .start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'container',
      'package-names': 'app',
      untagged: 'only',
      'min-age': '7d'
    })
    expect(run.exitCode).toBe(0)
    expect(run.outputs['deleted-count']).toBe('12')
    expect(activeIds(fake, 'app')).toEqual([1, 2])

    // Everywhere else the default count stays: ten of twelve tagged images are kept.
    const tagged = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage(
        'container',
        'app',
        Array.from({ length: 12 }, (_, i) => imageVersion(1 + i, `image-${i}`, 10 + i, [`v${i}`]))
      )
      .start()
    const other = await tagged.run({ owner: 'acme', 'package-type': 'container', 'package-names': 'app' })
    expect(other.outputs['deleted-count']).toBe('2')
  })

  it('warns, naming the rule and its line, when a policy rule has no age floor', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('npm', 'web', versions(5))
      .start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'web',
      'dry-run': true,
      policy: [
        'rules:',
        '  - name: releases',
        "    match: ['1.*']",
        '    keep-last: 2',
        '  - name: the rest',
        "    match: ['**']",
        '    keep-last: 1',
        '    min-age: 30d'
      ].join('\n')
    })
    expect(run.exitCode).toBe(0)
    expect(warnings(run)).toEqual([
      'policy line 2, rule 1 "releases": has no min-age, so it sets no age floor: a version pushed a moment ago may be deleted'
    ])
  })

  it('accepts in a policy file the durations the min-age input accepts', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('npm', 'web', [
        { id: 1, name: '1.0.0', created_at: daysAgo(0, -3 * 3600) },
        { id: 2, name: '1.0.1', created_at: daysAgo(0, -3600) },
        { id: 3, name: '1.0.2', created_at: daysAgo(0, -60) }
      ])
      .start()
    for (const minAge of ['90min', '1h30min', 'PT1H30M', 'P0DT2H']) {
      const run = await fake.run({
        owner: 'acme',
        'package-type': 'npm',
        'package-names': 'web',
        'dry-run': true,
        policy: `rules:\n  - name: all\n    match: ['**']\n    keep-last: 0\n    min-age: ${minAge}\n`
      })
      expect(run.exitCode).toBe(0)
      expect(parsed(run, 'deleted').map(d => d.id)).toEqual([1])
    }
  })
})

describe('npm names as users write them', () => {
  const world = () =>
    aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('npm', 'web-ui', versions(4))
      .withPackage('npm', 'web-legacy', versions(4, 10))
      .withPackage('npm', 'api', versions(4, 20))
      .start()

  it('takes `@acme/web-ui` of owner acme as the package web-ui', async () => {
    const fake = await world()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': '@acme/web-ui',
      'keep-last': 1,
      'min-age': 0
    })
    expect(run.exitCode).toBe(0)
    expect(activeIds(fake, 'web-ui')).toEqual([4])
    expect(parsed(run, 'deleted').every(d => d.package === 'web-ui')).toBe(true)
  })

  it('takes scoped globs and exclusions in the owner scope without the scope', async () => {
    const fake = await world()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': '@acme/web-*\n!@acme/web-legacy',
      'keep-last': 1,
      'min-age': 0,
      'dry-run': true
    })
    expect(run.exitCode).toBe(0)
    expect([...new Set(parsed(run, 'deleted').map(d => d.package))]).toEqual(['web-ui'])
  })

  it('refuses another scope before any request', async () => {
    const fake = await world()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': '@other/web-ui'
    })
    expect(run.exitCode).toBe(1)
    expect(run.annotations.filter(a => a.level === 'error').map(a => a.message)).toEqual([
      `package-names: "@other/web-ui" is in the npm scope @other, but GitHub keeps acme's npm packages in the scope @acme; write @acme/web-ui (or web-ui), or change owner`,
      '1 input(s) are invalid; nothing was requested or changed.'
    ])
    expect(apiCalls(fake)).toEqual([])
  })
})
