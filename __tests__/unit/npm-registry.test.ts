/**
 * The npm registry client: dist-tags read as GitHub's npm registry serves them (the fake), and every doubt
 * thrown.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { NpmRegistryClient } from '../../src/github/npm-registry.js'
import { startFakeGitHub, type FakeGitHub } from '../../fake-github/server.js'

const TOKEN = 'ghp_npm_unit'
const servers: { close(): unknown }[] = []
afterAll(async () => {
  await Promise.all(servers.map(s => s.close()))
})

async function fake(extra: Record<string, unknown> = {}): Promise<FakeGitHub> {
  const started = await startFakeGitHub({
    owners: [{ login: 'acme', type: 'Organization' }],
    tokens: [{ value: TOKEN, kind: 'classic', login: 'octocat', scopes: ['read:packages'] }],
    packages: [
      {
        owner: 'acme',
        type: 'npm',
        name: 'web',
        visibility: 'private',
        ...extra,
        versions: [
          { id: 1, name: '1.0.0', created_at: '2026-01-01T00:00:00Z' },
          { id: 2, name: '1.1.0', created_at: '2026-02-01T00:00:00Z' }
        ]
      }
    ]
  })
  servers.push(started)
  return started
}

/** A registry answering every request with `status` and `body`. */
async function answering(status: number, body: string): Promise<string> {
  const server: Server = createServer((_, res) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(body)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  servers.push(server)
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const client = (registryUrl: string, token = TOKEN) => new NpmRegistryClient({ token, registryUrl })

describe('the npm registry client', () => {
  it('reads the dist-tags from the package document', async () => {
    const github = await fake({ distTags: { latest: '1.0.0', next: '1.1.0' } })
    const port = new URL(github.registryUrl).port
    expect(await client(`http://localhost:${port}`).readDistTags('Acme', 'web')).toEqual({
      latest: '1.0.0',
      next: '1.1.0'
    })
    expect(github.requests.map(r => `${r.method} ${r.path} ${r.token}`)).toEqual(['GET /@acme%2Fweb npm'])
  })

  it.each([
    [500, '{}', /answered HTTP 500 for @acme\/web's dist-tags/],
    [404, '{"error":"Not Found"}', /answered HTTP 404/],
    [200, 'not json', /not JSON/],
    [200, '{"name":"@acme/other","dist-tags":{"latest":"1.0.0"}}', /another package's document/],
    [200, '{"name":"@acme/web"}', /no readable dist-tags/],
    [200, '{"name":"@acme/web","dist-tags":{"latest":3}}', /no readable dist-tags/],
    [200, '{"name":"@acme/web","dist-tags":["1.0.0"]}', /no readable dist-tags/]
  ])('throws on HTTP %i with %s', async (status, body, message) => {
    const url = await answering(status, body)
    await expect(client(url).readDistTags('acme', 'web')).rejects.toThrow(message)
  })

  it('throws when the token is rejected or no registry answers', async () => {
    const github = await fake()
    await expect(client(github.registryUrl, 'ghp_unknown').readDistTags('acme', 'web')).rejects.toThrow(
      /answered HTTP 401/
    )
    await expect(client('http://127.0.0.1:9').readDistTags('acme', 'web')).rejects.toThrow(/did not answer/)
  })

  it('never sends the token over plain http to a host that is not loopback', async () => {
    await expect(client('http://npm.example.com').readDistTags('acme', 'web')).rejects.toThrow(
      /is not https \(plain http only on loopback\), so the token is not sent/
    )
  })
})
