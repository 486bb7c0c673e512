/**
 * The runner's proxy settings reach the API client: with HTTP_PROXY set, every request goes through the
 * proxy. The proxy here is a CONNECT tunnel on 127.0.0.1 that opens tunnels to 127.0.0.1 only.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals'
import { createServer, type Server } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import type { GitHubPackagesClient as Client } from '../../src/github/rest-client.js'
import { startFakeGitHub, type FakeGitHub } from '../../fake-github/server.js'
import { baseScenario, NOW, TOKENS } from '../fake-github/helpers.js'

const PROXY_VARS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy']
const saved = Object.fromEntries(['GITHUB_API_URL', ...PROXY_VARS].map(name => [name, process.env[name]]))

let fake: FakeGitHub
let proxy: Server
const tunnels: string[] = []

beforeAll(async () => {
  fake = await startFakeGitHub(baseScenario(), { now: () => NOW })
  proxy = createServer((_request, response) => response.writeHead(405).end())
  proxy.on('connect', (request, socket, head) => {
    const target = request.url ?? ''
    const [host, port] = target.split(':')
    if (host !== '127.0.0.1') return socket.end('HTTP/1.1 403 Forbidden\r\n\r\n')
    tunnels.push(target)
    const upstream = connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(socket).pipe(upstream)
    })
    upstream.on('error', () => socket.destroy())
    socket.on('error', () => upstream.destroy())
  })
  await new Promise<void>(resolve => proxy.listen(0, '127.0.0.1', resolve))
})

afterAll(async () => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
  proxy.closeAllConnections()
  await new Promise(resolve => proxy.close(resolve))
  await fake.close()
})

test('the client sends its requests through the proxy that HTTP_PROXY names', async () => {
  PROXY_VARS.forEach(name => delete process.env[name])
  // The proxy is chosen for the runner's API address (loopback addresses are never proxied, so this one is
  // not loopback); requests then go to the fake through the proxy's tunnel.
  process.env.GITHUB_API_URL = 'http://api.github.test'
  process.env.HTTP_PROXY = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
  const { GitHubPackagesClient } = (await import('../../src/github/rest-client.js')) as {
    GitHubPackagesClient: typeof Client
  }
  const log = { debug: () => {}, info: () => {}, warning: () => {}, error: () => {} }
  const client = new GitHubPackagesClient({ token: TOKENS.all, apiUrl: fake.url, log })

  const scope = await client.detectOwner('acme')
  const listed = await client.listVersions(scope, 'npm', 'web-ui')

  expect(listed.map(version => version.id).sort()).toEqual([101, 102, 103])
  expect(tunnels.length).toBeGreaterThan(0)
  expect(new Set(tunnels)).toEqual(new Set([new URL(fake.url).host]))
  expect(client.requestCount).toBe(2)
})
