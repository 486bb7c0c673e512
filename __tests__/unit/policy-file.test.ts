import { describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readConfig } from '../../src/config/inputs.js'
import { parsePolicyFile } from '../../src/config/policy-file.js'
import { ConfigError } from '../../src/errors.js'
import { POLICY_SCHEMA } from '../../src/config/policy-schema.js'

const BASE: Record<string, string> = {
  token: 'ghp_valid',
  owner: 'acme',
  'package-type': 'container',
  'package-names': 'app',
  'dry-run': 'false',
  'api-url': 'https://api.github.com',
  'registry-url': 'https://ghcr.io'
}
const quiet = { debug: () => undefined, warning: () => undefined }

function configOf(
  inputs: Record<string, string>,
  env: NodeJS.ProcessEnv = { GITHUB_REPOSITORY: 'acme/app' }
) {
  const all = { ...BASE, ...inputs }
  return readConfig(name => all[name] ?? '', env, quiet, undefined, parsePolicyFile)
}

function problemsOf(inputs: Record<string, string>, env?: NodeJS.ProcessEnv): string[] {
  try {
    configOf(inputs, env)
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
  return []
}

const rule = (name: string) => `  - name: ${name}\n`

/** A bad policy, the package type, and the exact messages. */
const BAD_POLICIES: [string, string, string, string[]][] = [
  [
    'keep-last is a word',
    `rules:\n  - name: releases\n    match: ['v*']\n    keep: forever\n  - name: pull requests\n    match: ['pr-*']\n    keep-last: five\n`,
    'container',
    ['policy line 7, rule 2 "pull requests": keep-last: "five" is not a whole number (0 or more)']
  ],
  [
    'keep-last below 0',
    `rules:\n${rule('a')}    match: ['*']\n    keep-last: -1\n`,
    'container',
    ['policy line 4, rule 1 "a": keep-last: -1 is not a whole number (0 or more)']
  ],
  [
    'keep-last a fraction',
    `rules:\n${rule('a')}    match: ['*']\n    keep-last: 2.5\n`,
    'container',
    ['policy line 4, rule 1 "a": keep-last: 2.5 is not a whole number (0 or more)']
  ],
  [
    'min-age a word',
    `rules:\n${rule('a')}    match: ['*']\n    min-age: soon\n`,
    'container',
    ['policy line 4, rule 1 "a": min-age: "soon" is not a duration; use 30d, 12h, 2w or P30D']
  ],
  [
    'min-age a bare number',
    `rules:\n${rule('a')}    match: ['*']\n    min-age: 30\n`,
    'container',
    ['policy line 4, rule 1 "a": min-age: 30 is not a duration; use 30d, 12h, 2w or P30D']
  ],
  [
    'min-age in months',
    `rules:\n${rule('a')}    match: ['*']\n    min-age: P1M\n`,
    'container',
    ['policy line 4, rule 1 "a": min-age: "P1M" is not a duration; use 30d, 12h, 2w or P30D']
  ],
  [
    'an unknown top-level key',
    `rule:\n${rule('a')}    match: ['*']\n    keep-last: 1\n`,
    'container',
    [
      'policy line 1: rules: is missing',
      'policy line 1: unknown key "rule"; allowed: delete-closed, keep-in-use, pull-request-tags, branch-tags, commit-tags, release-tags, repository, rules'
    ]
  ],
  [
    'a typo in a rule key',
    `rules:\n${rule('a')}    match: ['*']\n    keep_last: 1\n`,
    'container',
    [
      'policy line 4, rule 1 "a": unknown key "keep_last"; allowed: name, match, prerelease, order, per, packages, keep, keep-last, min-age'
    ]
  ],
  [
    'a rule without a name',
    `rules:\n  - match: ['*']\n    keep-last: 1\n`,
    'container',
    ['policy line 2, rule 1: name: is missing']
  ],
  [
    'a rule without match',
    `rules:\n${rule('a')}    keep-last: 1\n`,
    'container',
    ['policy line 2, rule 1 "a": match: is missing']
  ],
  [
    'an empty name',
    `rules:\n  - name: ''\n    match: ['*']\n    keep-last: 1\n`,
    'container',
    ['policy line 2, rule 1: name: "" is not a name (a non-empty text)']
  ],
  [
    'a name that is a number',
    `rules:\n  - name: 5\n    match: ['*']\n    keep-last: 1\n`,
    'container',
    ['policy line 2, rule 1: name: 5 is not a name (a non-empty text)']
  ],
  [
    'two rules of one name',
    `rules:\n${rule('a')}    match: ['pr-*']\n    keep-last: 1\n${rule('a')}    match: ['*']\n    keep-last: 2\n`,
    'container',
    ['policy line 5, rule 2 "a": name: "a" is the name of rule 1 too; give each rule its own']
  ],
  [
    'match a word other than untagged',
    `rules:\n${rule('a')}    match: tagged\n    keep-last: 1\n`,
    'container',
    [
      'policy line 3, rule 1 "a": match: "tagged" is neither "untagged", a list of globs (one or more), nor { semver: RANGE }'
    ]
  ],
  [
    'match an empty list',
    `rules:\n${rule('a')}    match: []\n    keep-last: 1\n`,
    'container',
    [
      'policy line 3, rule 1 "a": match: [] is neither "untagged", a list of globs (one or more), nor { semver: RANGE }'
    ]
  ],
  [
    'match with a number in the list',
    `rules:\n${rule('a')}    match: ['v*', 5]\n    keep-last: 1\n`,
    'container',
    ['policy line 3, rule 1 "a": match item 2: 5 is not a glob (a non-empty text)']
  ],
  [
    'match with an unclosed brace',
    `rules:\n${rule('a')}    match: ['{api,web']\n    keep-last: 1\n`,
    'container',
    ['policy line 3, rule 1 "a": match: "{api,web" is not a valid glob: "{api,web" has an unclosed "{"']
  ],
  [
    'packages an empty list',
    `rules:\n${rule('a')}    match: ['*']\n    packages: []\n    keep-last: 1\n`,
    'container',
    ['policy line 4, rule 1 "a": packages: [] is not a list of package names or globs (one or more)']
  ],
  [
    'packages a single name',
    `rules:\n${rule('a')}    match: ['*']\n    packages: app\n    keep-last: 1\n`,
    'container',
    ['policy line 4, rule 1 "a": packages: "app" is not a list of package names or globs (one or more)']
  ],
  [
    'packages with a bad glob',
    `rules:\n${rule('a')}    match: ['*']\n    packages: ['[abc']\n    keep-last: 1\n`,
    'container',
    ['policy line 4, rule 1 "a": packages: "[abc" is not a valid glob: "[abc" has an unclosed "["']
  ],
  [
    'keep other than forever',
    `rules:\n${rule('a')}    match: ['*']\n    keep: always\n`,
    'container',
    ['policy line 4, rule 1 "a": keep: "always" is not "forever" (for a number of versions, use keep-last)']
  ],
  [
    'keep forever with keep-last',
    `rules:\n${rule('a')}    match: ['*']\n    keep: forever\n    keep-last: 3\n`,
    'container',
    ['policy line 4, rule 1 "a": keep: "forever" keeps every match; it cannot go with keep-last or min-age']
  ],
  [
    'a rule that says nothing',
    `rules:\n${rule('a')}    match: ['*']\n`,
    'container',
    [
      'policy line 2, rule 1 "a": says neither keep, keep-last nor min-age; write keep-last: 0 to delete every version it matches'
    ]
  ],
  [
    'no rules',
    `rules: []\n`,
    'container',
    ['policy line 1: rules: [] is not a list of rules (one or more, at most 100)']
  ],
  [
    'rules not a list',
    `rules: keep everything\n`,
    'container',
    ['policy line 1: rules: "keep everything" is not a list of rules (one or more, at most 100)']
  ],
  [
    'a list at the top',
    `- name: a\n  match: ['*']\n`,
    'container',
    ['policy line 1: is not a map with a list of rules (rules: - name: ...)']
  ],
  [
    'only comments',
    `# nothing\n# yet\n`,
    'container',
    ['policy line 1: is not a map with a list of rules (rules: - name: ...)']
  ],
  [
    'not YAML',
    `rules: [\n  - name: a\n`,
    'container',
    [
      'policy line 2: not valid YAML: Block collections are not allowed within flow collections',
      'policy line 2: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]'
    ]
  ],
  [
    'a key twice',
    `rules:\n${rule('a')}    match: ['*']\n    keep-last: 1\n    keep-last: 2\n`,
    'container',
    ['policy line 5: not valid YAML: Map keys must be unique']
  ],
  [
    'a rule that is a text',
    `rules:\n  - pr-*\n`,
    'container',
    ['policy line 2, rule 1: "pr-*" is not a rule (a map: name, match, keep-last, ...)']
  ],
  [
    'several problems at once',
    `rules:\n${rule('a')}    match: ['*']\n    keep-last: x\n    min-age: y\n${rule('b')}    match: [pr-*]\n    kep: forever\n`,
    'container',
    [
      'policy line 4, rule 1 "a": keep-last: "x" is not a whole number (0 or more)',
      'policy line 5, rule 1 "a": min-age: "y" is not a duration; use 30d, 12h, 2w or P30D',
      'policy line 8, rule 2 "b": unknown key "kep"; allowed: name, match, prerelease, order, per, packages, keep, keep-last, min-age'
    ]
  ]
]

describe('a bad policy', () => {
  it.each(BAD_POLICIES)('is refused before any request: %s', (_, policy, type, messages) => {
    expect(problemsOf({ policy, 'package-type': type })).toEqual(messages)
  })

  it('cannot go with the single-rule inputs', () => {
    const policy = `rules:\n${rule('a')}    match: ['*']\n    keep-last: 1\n`
    expect(problemsOf({ policy, 'keep-last': '5', untagged: 'only' })).toEqual([
      'policy: cannot go with keep-last, untagged; a policy says everything in its rules (move them into a rule)'
    ])
  })
})

describe('a policy', () => {
  const policy = `# yaml-language-server: $schema=policy.schema.json
rules:
  - name: releases
    match: ['v*.*.*']
    keep: forever
  - name: pull requests
    match: ['pr-*']
    keep-last: 5
    min-age: 7d
  - name: untagged
    match: untagged
    min-age: 1d
  - name: the rest
    match: ['**']
    packages: ['app', 'api-*']
    keep-last: 20
    min-age: 30d
`
  const DAY = 86_400_000
  const expected = [
    { name: 'releases', match: ['v*.*.*'], keepForever: true, keepLast: 0, minAgeMs: 0, minAgeText: '0' },
    {
      name: 'pull requests',
      match: ['pr-*'],
      keepForever: false,
      keepLast: 5,
      minAgeMs: 7 * DAY,
      minAgeText: '7d'
    },
    { name: 'untagged', match: 'untagged', keepForever: false, keepLast: 0, minAgeMs: DAY, minAgeText: '1d' },
    {
      name: 'the rest',
      match: ['**'],
      packages: ['app', 'api-*'],
      keepForever: false,
      keepLast: 20,
      minAgeMs: 30 * DAY,
      minAgeText: '30d'
    }
  ]

  it('is read inline into its rules, in order, with no single-rule values', () => {
    const config = configOf({ policy })
    expect(config.policy).toEqual({
      packageType: 'container',
      keepLast: 0,
      minAgeMs: 0,
      minAgeText: '0',
      deleteTags: [],
      keepTags: [],
      untagged: undefined,
      rules: expected
    })
  })

  it('is read from a file in the workspace, and named by its path in messages', () => {
    const workspace = mkdtempSync(join(tmpdir(), 'workspace-'))
    writeFileSync(join(workspace, 'retention.yml'), policy)
    writeFileSync(join(workspace, 'bad.yml'), 'rules:\n  - name: a\n    match: x\n    keep-last: 1\n')
    const env = { GITHUB_REPOSITORY: 'acme/app', GITHUB_WORKSPACE: workspace }
    expect(configOf({ policy: 'retention.yml' }, env).policy.rules).toEqual(expected)
    expect(problemsOf({ policy: 'bad.yml' }, env)).toEqual([
      'policy bad.yml line 3, rule 1 "a": match: "x" is neither "untagged", a list of globs (one or more), nor { semver: RANGE }'
    ])
    expect(problemsOf({ policy: '../outside.yml' }, env)).toEqual([
      `policy: "../outside.yml" is outside the workspace (${workspace}); give a path in it, or the policy's YAML`
    ])
    expect(problemsOf({ policy: 'missing.yml' }, env)).toEqual([
      `policy: "missing.yml" cannot be read as a file in the workspace ${workspace} (ENOENT)`
    ])
  })

  it('is read from a workspace folder whose name starts with two dots: inside is by path segments', () => {
    const workspace = mkdtempSync(join(tmpdir(), 'workspace-'))
    mkdirSync(join(workspace, '..cfg'))
    writeFileSync(join(workspace, '..cfg', 'retention.yml'), policy)
    const env = { GITHUB_REPOSITORY: 'acme/app', GITHUB_WORKSPACE: workspace }
    expect(configOf({ policy: '..cfg/retention.yml' }, env).policy.rules).toEqual(expected)
    expect(problemsOf({ policy: '../cfg/retention.yml' }, env)).toEqual([
      `policy: "../cfg/retention.yml" is outside the workspace (${workspace}); give a path in it, or the policy's YAML`
    ])
  })

  it('has its JSON Schema in the repository, as the validation uses it', () => {
    const file = JSON.parse(
      readFileSync(new URL('../../policy.schema.json', import.meta.url), 'utf8')
    ) as unknown
    expect(file).toEqual(POLICY_SCHEMA)
  })
})

describe('a registry_package event', () => {
  const eventFile = (payload: unknown) => {
    const path = join(mkdtempSync(join(tmpdir(), 'event-')), 'event.json')
    writeFileSync(path, JSON.stringify(payload))
    return path
  }
  const published = (packageType: string, name: string) => ({
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_EVENT_NAME: 'registry_package',
    GITHUB_EVENT_PATH: eventFile({
      action: 'published',
      registry_package: { name, package_type: packageType, ecosystem: packageType }
    })
  })

  it('gives the package type and name when neither is given', () => {
    const config = configOf({ 'package-type': '', 'package-names': '' }, published('CONTAINER', 'web'))
    expect(config.packageType).toBe('container')
    expect(config.packageNames).toEqual(['web'])
    expect(configOf({ 'package-type': '', 'package-names': '' }, published('npm', 'ui')).packageType).toBe(
      'npm'
    )
  })

  it('yields to the inputs given, and names no package of another type', () => {
    const env = published('CONTAINER', 'web')
    expect(configOf({ 'package-names': 'api' }, env).packageNames).toEqual(['api'])
    expect(configOf({ 'package-type': 'npm', 'package-names': '' }, env).packageNames).toEqual(['app'])
  })

  it('with a type the action does not know, fails before any request', () => {
    expect(problemsOf({ 'package-type': '' }, published('PYPI', 'lib'))).toEqual([
      'package-type: is empty, and the registry_package event\'s package_type "PYPI" is not one of npm, maven, rubygems, docker, nuget, container'
    ])
  })
})
