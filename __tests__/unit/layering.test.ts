/**
 * The rules of the house, read from the import lines of src/*.ts: only the clients talk HTTP, and the engine
 * (the pure plan) imports no I/O and nothing from the steps around it.
 */
import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'

const SRC = new URL('../../src/', import.meta.url)
const CLIENTS = ['github-client.ts', 'registry-client.ts']
const ENGINE = ['policy.ts', 'images.ts', 'globs.ts', 'restore.ts', 'time.ts', 'order.ts', 'reads.ts']
/** The steps around the engine: reading inputs, talking HTTP, writing, reporting, wiring. */
const NOT_FOR_THE_ENGINE = [
  './config.js',
  './github-client.js',
  './registry-client.js',
  './executor.js',
  './report.js',
  './inventory.js',
  './journal.js',
  './verify.js',
  './manifest-cache.js',
  './run.js',
  './cli.js',
  './main.js'
]
const HTTP =
  /^(?:node:)?(?:http|https|http2|net|tls)$|^undici$|^@octokit\/|^@actions\/(?:github|http-client)$/
const IO = /^(?:node:)?(?:fs|fs\/promises|child_process|os|http|https|net)$|^@actions\//

const modules = readdirSync(SRC).filter(file => file.endsWith('.ts'))

/** Every module specifier a file imports or re-exports, statically or dynamically. */
function importsOf(file: string): string[] {
  const text = readFileSync(new URL(file, SRC), 'utf8')
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s+['"]([^'"]+)['"]/gm),
    ...text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm),
    ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)
  ]
  return specifiers.map(match => match[1])
}

describe('the layering of src/', () => {
  it('reads the import lines it checks', () => {
    expect(modules).toEqual(expect.arrayContaining([...CLIENTS, ...ENGINE]))
    expect(importsOf('github-client.ts')).toContain('@actions/github')
    expect(importsOf('policy.ts')).toContain('./images.js')
  })

  it('lets no module but the clients import an HTTP library or call fetch', () => {
    const offenders = modules
      .filter(file => !CLIENTS.includes(file))
      .flatMap(file => [
        ...importsOf(file)
          .filter(specifier => HTTP.test(specifier))
          .map(specifier => `${file} imports ${specifier}`),
        ...(/\bfetch\(/.test(readFileSync(new URL(file, SRC), 'utf8')) ? [`${file} calls fetch`] : [])
      ])
    expect(offenders).toEqual([])
  })

  it('keeps the engine free of I/O and of config, clients, executor and report', () => {
    const offenders = ENGINE.flatMap(file =>
      importsOf(file)
        .filter(specifier => NOT_FOR_THE_ENGINE.includes(specifier) || IO.test(specifier))
        .map(specifier => `${file} imports ${specifier}`)
    )
    expect(offenders).toEqual([])
  })
})
