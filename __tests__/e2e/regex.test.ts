/** Items written `/.../`: anchored regular expressions, for those who come from other actions with them. */
import { describe, expect, it } from '@jest/globals'
import { activeIds, aWorld, versions } from './world.js'

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

  it('refuses an expression that does not compile, or could backtrack for ever, before any request', async () => {
    const fake = await world().start()
    const policy = "rules:\n  - name: pull requests\n    match: ['/pr-(\\d+/']\n    keep-last: 0\n"
    const run = await fake.run({ owner: 'acme', 'package-type': 'npm', 'package-names': 'web-ui', policy })
    expect(run.exitCode).toBe(1)
    expect(run.annotations.filter(a => a.level === 'error').map(a => a.message)).toEqual([
      'policy line 3, rule 1 "pull requests": match: "/pr-(\\\\d+/" is not a valid regular expression: Unterminated group',
      '1 input(s) are invalid; nothing was requested or changed.'
    ])
    const nested = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'web-ui',
      'delete-tags': '/(\\d+\\.)+\\d+/'
    })
    expect(nested.exitCode).toBe(1)
    expect(nested.annotations.map(a => a.message)[0]).toContain(
      'delete-tags: "/(\\\\d+\\\\.)+\\\\d+/" is not a valid regular expression: a repeated group that holds a quantifier'
    )
    expect(fake.requests).toEqual([])
  })
})
