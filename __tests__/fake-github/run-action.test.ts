import { afterAll, describe, expect, test } from '@jest/globals'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { evaluateExpressions, inputEnv, readInputDeclarations } from '../../fake-github/run-action.js'
import { startFakeGitHub } from '../../fake-github/server.js'
import {
  PACKAGE_ROOT,
  parseAnnotations,
  parseOutputFile,
  prepareActionEnv,
  runAction
} from '../support/run-action.js'
import { baseScenario, NOW, TOKENS, versionState } from './helpers.js'

const ACTION_YML = `
name: Sample
inputs:
  token:
    default: \${{ github.token }}
  owner:
    default: \${{ github.repository_owner }}
  package-type:
    required: true
  package-names:
    default: \${{ github.event.repository.name }}
  keep-last:
    default: 10
  api-url:
    default: \${{ github.api_url }}
  registry-url:
    default: https://ghcr.io
  untagged:
    required: false
runs:
  using: node24
  main: dist/index.js
`

const context = { token: 'ghp_x', repository: 'acme/app', apiUrl: 'http://127.0.0.1:1' }

const temporary: string[] = []
afterAll(() => Promise.all(temporary.map(dir => rm(dir, { recursive: true, force: true }))))

/** A package root holding the sample action.yml and, if given, a dist/index.js. */
async function actionRoot(script?: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'action-root-'))
  temporary.push(root)
  await writeFile(join(root, 'action.yml'), ACTION_YML)
  if (script) {
    await mkdir(join(root, 'dist'))
    await writeFile(join(root, 'dist', 'index.js'), script)
  }
  return root
}

describe('GITHUB_OUTPUT parsing', () => {
  test('name=value lines and multi-line name<<DELIMITER blocks, as @actions/core writes them', () => {
    const text = [
      'deleted-count=3',
      'skipped-count=0',
      'deleted<<ghadelimiter_5b1c2f4e-0d7a-4c36-9d0e-1f2a3b4c5d6e',
      '[{"package":"app","id":305,"name":"sha256:ab","tags":[]},',
      ' {"package":"app","id":306,"name":"sha256:cd","tags":["pr-7"]}]',
      'ghadelimiter_5b1c2f4e-0d7a-4c36-9d0e-1f2a3b4c5d6e',
      'empty<<EOF',
      'EOF',
      'plan-file=/tmp/plan=1.json',
      ''
    ].join('\n')
    expect(parseOutputFile(text)).toEqual({
      'deleted-count': '3',
      'skipped-count': '0',
      deleted:
        '[{"package":"app","id":305,"name":"sha256:ab","tags":[]},\n {"package":"app","id":306,"name":"sha256:cd","tags":["pr-7"]}]',
      empty: '',
      'plan-file': '/tmp/plan=1.json'
    })
    expect(parseOutputFile('a=1\r\nb<<X\r\ntwo\r\nX\r\n')).toEqual({ a: '1', b: 'two' })
  })

  test('malformed files are refused, not half read', () => {
    expect(() => parseOutputFile('deleted<<EOF\n[1]\n')).toThrow(
      "GITHUB_OUTPUT: deleted's value never ends with EOF"
    )
    expect(() => parseOutputFile('just text')).toThrow('GITHUB_OUTPUT line 1 is neither')
  })
})

describe('annotation parsing', () => {
  test('::error/::warning/::notice with properties, unescaped; other commands ignored', () => {
    const stdout = [
      '::group::Plan app',
      '::debug::keep-last: "2"',
      'keep 304 sha256:ab: keep: newest',
      '::warning file=src/policy.ts,line=12,title=Rate limit%3A secondary::Waiting 60 s%0Athen retrying at 100%25',
      '::endgroup::',
      '::error::app: Package not found.',
      '::notice title=Dry run%2C nothing deleted::3 versions would be deleted',
      '::add-mask::***',
      'literal %250A stays ::warning::not a command'
    ].join('\n')
    expect(parseAnnotations(stdout)).toEqual([
      {
        level: 'warning',
        message: 'Waiting 60 s\nthen retrying at 100%',
        properties: { file: 'src/policy.ts', line: '12', title: 'Rate limit: secondary' }
      },
      { level: 'error', message: 'app: Package not found.', properties: {} },
      {
        level: 'notice',
        message: '3 versions would be deleted',
        properties: { title: 'Dry run, nothing deleted' }
      }
    ])
    expect(parseAnnotations('::warning::100%250A%0D%0A')[0].message).toBe('100%0A\r\n')
  })
})

describe('runner environment', () => {
  test('action.yml defaults with github.* expressions', () => {
    expect(
      evaluateExpressions('${{ github.repository_owner }}/${{github.event.repository.name}}', context)
    ).toBe('acme/app')
    expect(() => evaluateExpressions('${{ secrets.TOKEN }}', context)).toThrow(
      'cannot evaluate ${{ secrets.TOKEN }}'
    )
    expect(() => evaluateExpressions('${{ github.nope }}', context)).toThrow()
  })

  test('INPUT_<NAME> for each declared input: upper-cased, hyphens kept, defaults evaluated', () => {
    const env = inputEnv(
      readInputDeclarations(ACTION_YML),
      { 'package-type': 'container', 'keep-last': 2 },
      context
    )
    expect(env).toEqual({
      INPUT_TOKEN: 'ghp_x',
      INPUT_OWNER: 'acme',
      'INPUT_PACKAGE-TYPE': 'container',
      'INPUT_PACKAGE-NAMES': 'app',
      'INPUT_KEEP-LAST': '2',
      'INPUT_API-URL': 'http://127.0.0.1:1',
      'INPUT_REGISTRY-URL': 'https://ghcr.io'
    })
    expect(() => inputEnv(readInputDeclarations(ACTION_YML), { 'keep-lats': 1 }, context)).toThrow(
      'action.yml declares no input keep-lats'
    )
  })

  test('the package root holds action.yml', () => {
    expect(existsSync(join(PACKAGE_ROOT, 'package.json'))).toBe(true)
  })

  test('prepareActionEnv: GitHub variables, fresh command files, only the inputs a workflow gives', async () => {
    const root = await actionRoot()
    const fake = {
      url: 'http://127.0.0.1:9',
      registryUrl: 'http://127.0.0.1:9',
      state: () => ({ packages: [] })
    }
    const prepared = await prepareActionEnv({
      root,
      fake,
      token: 'ghp_t',
      repository: 'octo/tool',
      inputs: { 'package-type': 'npm' },
      env: { EXTRA: '1' }
    })
    const { env } = prepared
    temporary.push(prepared.workDir)
    // action.yml's default, not the fake's registry: the harness adds no input a workflow would not give.
    expect(env['INPUT_REGISTRY-URL']).toBe('https://ghcr.io')
    expect(env).toMatchObject({
      'INPUT_PACKAGE-NAMES': 'tool',
      INPUT_OWNER: 'octo',
      GITHUB_ACTIONS: 'true',
      GITHUB_API_URL: 'http://127.0.0.1:9',
      GITHUB_REPOSITORY: 'octo/tool',
      GITHUB_REPOSITORY_OWNER: 'octo',
      RUNNER_TEMP: join(prepared.workDir, 'runner-temp'),
      EXTRA: '1'
    })
    expect(env.RUNNER_DEBUG).toBeUndefined()
    expect(env.NODE_OPTIONS).toBeUndefined()
    expect(await readFile(env.GITHUB_OUTPUT, 'utf8')).toBe('')
    expect(await readFile(env.GITHUB_STEP_SUMMARY, 'utf8')).toBe('')
    expect(JSON.parse(await readFile(env.GITHUB_EVENT_PATH, 'utf8'))).toMatchObject({
      repository: { name: 'tool' }
    })
  })
})

/** A stand-in for dist/index.js that uses the fake over HTTP and writes what a real action writes. */
const STAND_IN = `
const fs = require('fs')
const env = process.env
;(async () => {
  const url = env['INPUT_API-URL'] + '/orgs/' + env.INPUT_OWNER + '/packages/container/app/versions/305'
  const answer = await fetch(url, { method: 'DELETE', headers: { authorization: 'Bearer ' + env.INPUT_TOKEN } })
  fs.appendFileSync(env.GITHUB_OUTPUT, 'deleted-count=1\\ndeleted<<END\\n[{"id":305}]\\nEND\\n')
  fs.appendFileSync(env.GITHUB_STEP_SUMMARY, '## Deleted\\n' + answer.status + '\\n')
  console.log('::warning title=Registry::reading ' + env['INPUT_REGISTRY-URL'])
  process.exitCode = answer.status === 204 ? 0 : 1
})()
`

test('runAction runs dist/index.js asynchronously against the in-process fake', async () => {
  const root = await actionRoot(STAND_IN)
  const fake = await startFakeGitHub(baseScenario(), { now: () => NOW })
  try {
    const run = await runAction({ root, fake, token: TOKENS.all, inputs: { 'package-type': 'container' } })
    temporary.push(run.workDir)
    expect([run.exitCode, run.stderr]).toEqual([0, ''])
    expect(run.outputs).toEqual({ 'deleted-count': '1', deleted: '[{"id":305}]' })
    expect(run.summary).toBe('## Deleted\n204\n')
    expect(run.annotations).toEqual([
      { level: 'warning', message: 'reading https://ghcr.io', properties: { title: 'Registry' } }
    ])
    expect(versionState(fake, 'acme', 'app', 305)?.state).toBe('deleted')
    expect(run.state.packages.find(p => p.name === 'app')?.versions.find(v => v.id === 305)?.state).toBe(
      'deleted'
    )
  } finally {
    await fake.close()
  }
})
