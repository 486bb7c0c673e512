/** Items written `/.../`: anchored regular expressions, for those who come from other actions with them. */
import { describe, expect, it } from '@jest/globals'
import { activeIds, aWorld, daysAgo, parsed, versions } from './world.js'

const world = () =>
  aWorld()
    .withOrganisation('acme')
    .withClassicToken('octocat')
    .withPackage('npm', 'web-ui', versions(5, 1, 10))
    .withPackage('npm', 'web-api', versions(5, 11, 10))
    .withPackage('npm', 'web-ui-legacy', versions(5, 21, 10))

describe('regular expressions in package-names, delete-tags, keep-tags and a rule’s match', () => {
  it('selects packages and versions by anchored expressions', async () => {
    const fake = await world().start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': '/web-(ui|api)/',
      'delete-tags': '/1\\.0\\.[0-2]/',
      'keep-tags': '/1\\.0\\.1/',
      'keep-last': 0,
      'min-age': 0
    })
    expect(run.exitCode).toBe(0)
    // Anchored: web-ui-legacy is not web-ui; 1.0.3 and 1.0.4 are not selected; 1.0.1 is protected.
    expect(activeIds(fake, 'web-ui')).toEqual([2, 4, 5])
    expect(activeIds(fake, 'web-api')).toEqual([12, 14, 15])
    expect(activeIds(fake, 'web-ui-legacy')).toEqual([21, 22, 23, 24, 25])
    expect(run.summary).toContain('keep-tags')
  })

  it('takes an expression with the i flag in a policy rule’s match', async () => {
    const fake = await world().start()
    const policy = [
      'rules:',
      '  - name: recent',
      "    match: ['/1\\.0\\.[34]/']",
      '    keep: forever',
      '  - name: the rest',
      "    match: ['/.*/i']",
      '    keep-last: 0'
    ].join('\n')
    const run = await fake.run({ owner: 'acme', 'package-type': 'npm', 'package-names': 'web-ui', policy })
    expect(run.exitCode).toBe(0)
    expect(activeIds(fake, 'web-ui')).toEqual([4, 5])
  })

  it('refuses an expression that does not compile, or that RE2 does not take, before any request', async () => {
    const fake = await world().start()
    const policy = "rules:\n  - name: pull requests\n    match: ['/pr-(\\d+/']\n    keep-last: 0\n"
    const run = await fake.run({ owner: 'acme', 'package-type': 'npm', 'package-names': 'web-ui', policy })
    expect(run.exitCode).toBe(1)
    expect(run.annotations.filter(a => a.level === 'error').map(a => a.message)).toEqual([
      'policy line 3, rule 1 "pull requests": match: "/pr-(\\\\d+/" is not a valid regular expression: missing closing ): `pr-(\\d+` (the syntax is RE2\'s: no lookaround, no backreferences)',
      '1 input(s) are invalid; nothing was requested or changed.'
    ])
    const lookahead = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'web-ui',
      'delete-tags': '/1\\.0\\.(?!1)\\d/'
    })
    expect(lookahead.exitCode).toBe(1)
    expect(lookahead.annotations.map(a => a.message)[0]).toBe(
      'delete-tags: "/1\\\\.0\\\\.(?!1)\\\\d/" is not a valid regular expression: invalid or unsupported Perl syntax: `(?!` (the syntax is RE2\'s: no lookaround, no backreferences)'
    )
    expect(fake.requests).toEqual([])
  })

  it('takes a repeated group that a backtracking matcher could not', async () => {
    const fake = await world().start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'web-ui',
      'delete-tags': '/1(\\.\\d+)*/',
      'keep-tags': '/(\\d+\\.)+[02]/',
      'keep-last': 0,
      'min-age': 0
    })
    expect(run.exitCode).toBe(0)
    // 1.0.0 and 1.0.2 by keep-tags; 1.0.4 because the dist-tag latest points at it.
    expect(activeIds(fake, 'web-ui')).toEqual([1, 3, 5])
  })

  it('matches in linear time: ten .* over 400 long names', async () => {
    const names = Array.from(
      { length: 400 },
      (_, i) => `${'1.0.0-'.padEnd(120, 'a')}${i}${i % 2 ? 'x' : 'y'}`
    )
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage(
        'maven',
        'com.acme.lib',
        names.map((name, i) => ({ id: i + 1, name, created_at: daysAgo(400 - i) }))
      )
      .start()
    const run = await fake.run(
      {
        owner: 'acme',
        'package-type': 'maven',
        'package-names': 'com.acme.lib',
        'keep-tags': '/.*.*.*.*.*.*.*.*.*.*x/',
        'keep-last': 0,
        'min-age': 0,
        'dry-run': true
      },
      { timeoutMs: 60_000 }
    )
    expect(run.exitCode).toBe(0)
    const deleted = parsed(run, 'deleted').map(d => d.name)
    expect(deleted.sort()).toEqual(names.filter(name => name.endsWith('y')).sort())
  }, 70_000)
})
