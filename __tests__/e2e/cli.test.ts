/** The command line (`dist/cli/index.js`, the package's `bin`) against the embedded fake, as a user runs it. */
import { describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { actionNode, ended, LOCALHOST_DNS, PACKAGE_ROOT, type CommandRun } from '../support/run-action.js'
import { activeIds, aWorld, CLASSIC, daysAgo, versions, type Fake } from './world.js'

function runCli(args: string[], env: Record<string, string> = {}, cwd = PACKAGE_ROOT): Promise<CommandRun> {
  const child = spawn(
    actionNode(),
    [...LOCALHOST_DNS, join(PACKAGE_ROOT, 'dist', 'cli', 'index.js'), ...args],
    {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }
    }
  )
  return ended(child)
}

const against = (fake: Fake) => ['--api-url', fake.url]

const world = () =>
  aWorld()
    .withOrganisation('acme')
    .withClassicToken('octocat')
    .withPackage('npm', 'web', versions(5, 1, 10))
    .withPackage('container', 'app', [
      { id: 20, name: `sha256:${'a'.repeat(64)}`, tags: ['pr-1'], created_at: daysAgo(40) },
      { id: 21, name: `sha256:${'b'.repeat(64)}`, tags: ['v1.0.0'], created_at: daysAgo(30) }
    ])

const rules = `rules:\n  - name: releases\n    match: ['v*']\n    keep: forever\n  - name: pull requests\n    match: ['pr-*']\n    keep-last: 0\n`

describe('the command line', () => {
  it('previews the plan with its reasons and the counts, and changes nothing without --delete', async () => {
    const fake = await world().start()
    const run = await runCli(
      [
        '--owner',
        'acme',
        '--package-type',
        'npm',
        '--package-names',
        'web',
        '--keep-last',
        '2',
        '--min-age',
        '0',
        ...against(fake)
      ],
      { GITHUB_TOKEN: CLASSIC }
    )
    expect(run.stderr).toBe(
      'warning: --min-age: "0" sets no age floor: a version pushed a moment ago may be deleted\n'
    )
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('web: 5 versions, 3 to delete')
    expect(run.stdout).toContain('keep   5 1.0.4: keep: among the 2 newest selected')
    expect(run.stdout).toContain(
      'delete 1 1.0.0: delete: selected (delete-tags is empty: all versions), 14d old, not among the 2 newest selected'
    )
    expect(run.stdout).toContain(
      'Dry run: would delete 3, kept 2, skipped 0, failed 0 (give --delete to delete)'
    )
    expect(fake.requests.filter(r => r.method !== 'GET')).toEqual([])
    expect(activeIds(fake, 'web')).toEqual([1, 2, 3, 4, 5])
  })

  it('deletes with --delete, and reads a policy file from the current directory', async () => {
    const fake = await world().start()
    const dir = mkdtempSync(join(tmpdir(), 'cli-'))
    writeFileSync(join(dir, 'retention.yml'), rules)
    const run = await runCli(
      [
        '--owner=acme',
        '--package-type=container',
        '--package-names=app',
        '--policy=retention.yml',
        '--delete',
        ...against(fake)
      ],
      { GITHUB_TOKEN: CLASSIC },
      dir
    )
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('keep   21 v1.0.0')
    expect(run.stdout).toContain('keep: rule "releases": kept forever')
    expect(run.stdout).toContain('delete 20 pr-1')
    expect(run.stdout).toContain('Deleted 1, kept 1, skipped 0, failed 0')
    expect(activeIds(fake, 'app')).toEqual([21])
  })

  it('refuses bad flags with the action’s messages, before any request', async () => {
    const fake = await world().start()
    const run = await runCli(
      ['--owner', 'acme', '--package-type', 'pip', '--keep-last', 'ten', ...against(fake)],
      {
        GITHUB_TOKEN: CLASSIC
      }
    )
    expect(run.code).toBe(2)
    expect(run.stderr.split('\n')).toEqual([
      '--package-type: "pip" is not one of npm, maven, rubygems, docker, nuget, container',
      '--package-names: "" names no package; give names or globs separated by newlines or commas',
      '--keep-last: "ten" is not a whole number (0 or more)',
      '3 problem(s); nothing was requested or changed.',
      ''
    ])
    expect(fake.requests).toEqual([])
  })

  it('speaks of flags and of GITHUB_TOKEN in the environment, one message per problem', async () => {
    const bare = await runCli(['--owner', 'acme'])
    expect(bare.code).toBe(2)
    expect(bare.stderr.split('\n')).toEqual([
      'GITHUB_TOKEN: is not set; export a token in the environment (a classic token with read:packages and delete:packages)',
      '--package-type: is empty; give one of npm, maven, rubygems, docker, nuget, container',
      '--package-names: "" names no package; give names or globs separated by newlines or commas',
      '3 problem(s); nothing was requested or changed.',
      ''
    ])
    expect(bare.stderr).not.toMatch(/workflow|registry_package|input/)
    const emptyNames = await runCli(['--owner', 'acme', '--package-type', 'npm', '--package-names', ''], {
      GITHUB_TOKEN: CLASSIC
    })
    expect(emptyNames.stderr.split('\n')).toEqual([
      '--package-names: "" names no package; give names or globs separated by newlines or commas',
      '1 problem(s); nothing was requested or changed.',
      ''
    ])
    const fake = await world().start()
    const policyAndRule = await runCli(
      ['--owner', 'acme', '--package-type', 'npm', '--policy', rules, '--keep-last', '3', ...against(fake)],
      { GITHUB_TOKEN: CLASSIC }
    )
    expect(policyAndRule.stderr).toContain(
      '--policy: cannot go with --keep-last; a policy says everything in its rules'
    )
    expect(fake.requests).toEqual([])
  })

  it('shows the usage for no flags (exit 2), -h and --help (exit 0), and the version for --version', async () => {
    const help = await runCli(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(
      /^Usage: package-retention --owner LOGIN --package-type TYPE --package-names NAMES /
    )
    expect(await runCli(['-h'])).toEqual(help)
    const bare = await runCli([])
    expect(bare.code).toBe(2)
    expect(bare.stderr).toBe(help.stdout)
    const { version } = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
      version: string
    }
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' })
  })

  it('lists every flag it takes in the usage, the required ones without brackets', async () => {
    const { stdout } = await runCli(['--help'])
    const synopsis = stdout.split('\n\n')[0]
    const flags = [...synopsis.matchAll(/(\[?)--([a-z-]+)/g)].map(([, bracket, name]) => `${bracket}${name}`)
    const inputs = Object.keys(
      (parse(readFileSync(join(PACKAGE_ROOT, 'action.yml'), 'utf8')) as { inputs: object }).inputs
    )
    const required = ['owner', 'package-type', 'package-names']
    expect(flags.sort()).toEqual(
      [...inputs.filter(name => name !== 'token'), 'delete', 'verbose', 'help', 'version']
        .map(name => (required.includes(name) ? name : `[${name}`))
        .sort()
    )
    // The flags an unknown one is told about are the same list.
    const unknown = await runCli(['--keep', '3'])
    const listed = /the flags are (.*)\n/
      .exec(unknown.stderr)?.[1]
      .split(', ')
      .map(flag => flag.slice(2))
    expect(listed?.sort()).toEqual(flags.map(flag => flag.replace('[', '')).sort())
    for (const line of synopsis.split('\n')) expect(line.length).toBeLessThanOrEqual(110)
  })

  it('runs the bundle on the Node that action.yml names, and says which with --verbose', async () => {
    const fake = await world().start()
    const run = await runCli(
      ['--owner', 'acme', '--package-type', 'npm', '--package-names', 'web', '--verbose', ...against(fake)],
      { GITHUB_TOKEN: CLASSIC }
    )
    const major = /^\s*using:\s*node(\d+)\s*$/m.exec(
      readFileSync(join(PACKAGE_ROOT, 'action.yml'), 'utf8')
    )?.[1]
    expect(run.stderr).toMatch(new RegExp(`^debug: package-retention \\S+ on Node v${major}\\.`, 'm'))
  })

  it('says what a dry run would do, never that a write was done', async () => {
    const fake = await world().start()
    const run = await runCli(
      [
        '--owner=acme',
        '--package-type=npm',
        '--package-names=web',
        '--keep-last=2',
        '--min-age=0',
        '--verbose',
        ...against(fake)
      ],
      { GITHUB_TOKEN: CLASSIC }
    )
    expect(run.code).toBe(0)
    expect(run.stderr).toContain('\nwould delete 3 of 3 (a dry run: nothing was sent)\n')
    expect(run.stderr).not.toMatch(/\bdone\b/)
  })

  it('exits 1 for a dry run whose package is not found, as the action fails its step', async () => {
    const fake = await world().start()
    const run = await runCli(
      ['--owner=acme', '--package-type=npm', '--package-names=ghost', ...against(fake)],
      {
        GITHUB_TOKEN: CLASSIC
      }
    )
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('ghost: npm package "ghost" of acme was not found')
    expect(fake.requests.every(r => r.method === 'GET')).toBe(true)
  })

  it('says GitHub could not be reached, with no HTTP status it never sent', async () => {
    const run = await runCli(
      ['--owner=acme', '--package-type=nuget', '--package-names=web', '--api-url=https://api.github.invalid'],
      { GITHUB_TOKEN: CLASSIC }
    )
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(
      /^error: GET \/users\/acme: no answer from https:\/\/api\.github\.invalid \(getaddrinfo \w+ api\.github\.invalid\)\n$/
    )
  })

  it('refuses a plain-http api-url with one message, not one for the registry it cannot derive', async () => {
    const run = await runCli(
      ['--owner=acme', '--package-type=npm', '--package-names=web', '--api-url=http://example.com'],
      {
        GITHUB_TOKEN: CLASSIC
      }
    )
    expect(run.code).toBe(2)
    expect(run.stderr.split('\n')).toEqual([
      '--api-url: "http://example.com" is plain http, which only loopback hosts may use (localhost, *.localhost, 127.0.0.0/8, [::1]); give an https URL',
      '1 problem(s); nothing was requested or changed.',
      ''
    ])
  })

  it('--help shows an example for each way the action is started', async () => {
    const help = await runCli(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('GITHUB_TOKEN')
    for (const trigger of [
      'On a schedule',
      'After a publish (registry_package)',
      'By hand (workflow_dispatch)'
    ])
      expect(help.stdout).toContain(trigger)
    expect(help.stdout).toContain('--restore RECORD.jsonl --delete')
  })

  it('--help’s examples run as written, against the fake (the token and the API URL given)', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('container', 'app-web', [
        { id: 30, name: `sha256:${'c'.repeat(64)}`, tags: ['v1'], created_at: daysAgo(20) }
      ])
      .withPackage('npm', 'web-ui', versions(12, 40, 10))
      .withPackage('container', 'app', [
        { id: 20, name: `sha256:${'a'.repeat(64)}`, tags: ['pr-1'], created_at: daysAgo(40) },
        { id: 21, name: `sha256:${'b'.repeat(64)}`, tags: ['v1.0.0'], created_at: daysAgo(30) }
      ])
      .start()
    const { stdout } = await runCli(['--help'])
    // Each example: a line that starts with the token, and the lines it continues onto.
    const commands = stdout
      .replace(/ \\\n\s+/g, ' ')
      .split('\n')
      .map(line => line.trim())
      .filter(line => line.startsWith('GITHUB_TOKEN=ghp_... package-retention '))
    expect(commands).toHaveLength(4)
    const dir = mkdtempSync(join(tmpdir(), 'cli-examples-'))
    writeFileSync(
      join(dir, 'retention.yml'),
      rules.replace('keep-last: 0\n', 'keep-last: 0\n    min-age: 7d\n')
    )
    const outcomes: string[] = []
    for (const command of commands) {
      const words = command
        .replace('GITHUB_TOKEN=ghp_... package-retention ', '')
        .match(/'[^']*'|\S+/g)!
        .map(word => word.replace(/^'(.*)'$/, '$1'))
      const run = await runCli([...words, ...against(fake)], { GITHUB_TOKEN: CLASSIC, RUNNER_TEMP: dir }, dir)
      expect([command, run.code, run.stderr]).toEqual([command, 0, ''])
      // The undo example reads the record the run before it left, as RECORD.jsonl.
      const record = /^record: (.+)$/m.exec(run.stdout)?.[1]
      if (record) writeFileSync(join(dir, 'RECORD.jsonl'), readFileSync(record))
      outcomes.push(/^(Dry run: would delete|Deleted|Restored) \d+/m.exec(run.stdout)?.[0] ?? run.stdout)
    }
    expect(activeIds(fake, 'app')).toEqual([20, 21])
    expect(outcomes).toEqual(['Dry run: would delete 0', 'Deleted 2', 'Deleted 1', 'Restored 1'])
  })

  it('takes the token only from GITHUB_TOKEN, and knows only the inputs as flags', async () => {
    const onTheLine = await runCli(['--token', CLASSIC])
    expect(onTheLine.code).toBe(2)
    expect(onTheLine.stderr).toContain('--token: give the token in GITHUB_TOKEN, not on the command line')
    const unknown = await runCli(['--keep', '3'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('--keep is not a flag; the flags are --owner, --package-type,')
  })

  // Each of these once deleted, or could: a switch given a value, a repeated flag, a stray word.
  it.each([
    [
      ['--delete=false'],
      '--delete=false: --delete takes no value; a run is a dry run unless --delete is given'
    ],
    [['--delete=no'], '--delete=no: --delete takes no value; a run is a dry run unless --delete is given'],
    [
      ['--delete=true'],
      '--delete=true: --delete takes no value; a run is a dry run unless --delete is given'
    ],
    [
      ['--delete', 'false'],
      '--delete false: --delete takes no value; a run is a dry run unless --delete is given'
    ],
    [['--delete', 'no'], '--delete no: --delete takes no value; a run is a dry run unless --delete is given'],
    [
      ['--verbose', 'yes'],
      '--verbose yes: --verbose takes no value; a run is a dry run unless --delete is given'
    ],
    [['--keep-last=0', 'web'], '"web" is not a flag (--name value)'],
    [
      ['--dry-run=false'],
      '--dry-run=false: --dry-run takes no value; a run is a dry run unless --delete is given'
    ],
    [['--delete', '--dry-run'], '--delete and --dry-run contradict each other'],
    [['--delete', '--delete'], '--delete is given twice'],
    [['--delete', '--keep-last', '5', '--keep-last', '0'], '--keep-last is given twice'],
    [['--no-delete'], '--no-delete is not a flag; the flags are'],
    [['-d'], '-d is not a flag; the flags are'],
    [
      ['--keep-last=0', '--delete', '--min-age'],
      '--min-age needs a value (--min-age VALUE or --min-age=VALUE)'
    ],
    [
      ['--delete', '--min-age', '--keep-last=0'],
      '--min-age needs a value (--min-age VALUE or --min-age=VALUE)'
    ]
  ])('%j is an error before any request, never a delete', async (flags, message) => {
    const fake = await world().start()
    // Everything else would delete every version of web.
    const rule = flags.some(flag => /^--(keep-last|min-age)/.test(flag))
      ? []
      : ['--keep-last=0', '--min-age=0']
    const run = await runCli(
      [
        '--owner',
        'acme',
        '--package-type',
        'npm',
        '--package-names',
        'web',
        ...rule,
        ...against(fake),
        ...flags
      ],
      { GITHUB_TOKEN: CLASSIC }
    )
    expect(run.stderr).toContain(message)
    expect(run.code).toBe(2)
    expect(fake.requests).toEqual([])
    expect(activeIds(fake, 'web')).toEqual([1, 2, 3, 4, 5])
  })

  it('--dry-run alone is a dry run', async () => {
    const fake = await world().start()
    const run = await runCli(
      [
        '--owner',
        'acme',
        '--package-type',
        'npm',
        '--package-names',
        'web',
        '--keep-last',
        '0',
        '--min-age',
        '0',
        '--dry-run',
        ...against(fake)
      ],
      { GITHUB_TOKEN: CLASSIC }
    )
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('Dry run: would delete 4')
    expect(activeIds(fake, 'web')).toEqual([1, 2, 3, 4, 5])
  })

  it('is the package’s bin, bundled like the action', () => {
    const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
      bin: Record<string, string>
    }
    expect(pkg.bin).toEqual({ 'package-retention': 'dist/cli/index.js' })
    expect(
      readFileSync(join(PACKAGE_ROOT, 'dist', 'cli', 'index.js'), 'utf8').startsWith('#!/usr/bin/env node\n')
    ).toBe(true)
  })
})
