/**
 * The fake's contract with GitHub: every recorded answer in fake-github/fidelity/ is replayed against the fake,
 * which must answer with the same status, the headers that matter, the same body shape and the same message.
 * Each file names the world it needs; all worlds are the scenario fake-github/scenarios/fidelity.json.
 */
import { describe, expect, test } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import type { Scenario } from '../../fake-github/scenario.js'
import { startFakeGitHub, type FakeGitHub, type FakeOptions } from '../../fake-github/server.js'

const ROOT = fileURLToPath(new URL('../../fake-github/', import.meta.url))
const NOW = new Date('2026-06-01T12:00:00Z')

type Auth = 'classic' | 'read' | 'none' | 'outsider' | 'emu' | 'actions' | 'anonymous' | 'registry' | 'basic'

interface RecordedRequest {
  method: string
  path: string
  query?: string
  headers?: Record<string, string>
  /** Which token of the scenario sends it; `registry`: a registry bearer token got first from `/token`. */
  auth: Auth
}

interface Recording {
  behaviour: string
  world?: 'github.com' | 'ghes' | 'ghes-unlimited' | 'exhausted' | 'secondary'
  /** Sent first, answers ignored (e.g. the delete whose repetition is recorded). */
  before?: RecordedRequest[]
  request: RecordedRequest
  response: { status: number; headers?: Record<string, string>; body?: unknown }
  /** Headers whose value changes from answer to answer: only their presence (and being a number) is checked. */
  varies?: string[]
  /** Number of items the answer's list must have. */
  count?: number
  evidence: { source: string; where: string; says?: string }[]
  confidence: 'high' | 'medium' | 'low'
  unknown?: string
}

const TOKENS: Record<Exclude<Auth, 'anonymous' | 'registry' | 'basic'>, string> = {
  classic: 'ghp_fidelity_classic',
  read: 'ghp_fidelity_read',
  none: 'ghp_fidelity_none',
  outsider: 'ghp_fidelity_outsider',
  emu: 'ghp_fidelity_emu',
  actions: 'ghs_fidelity_actions'
}

const FILES = readdirSync(join(ROOT, 'fidelity'))
  .filter(name => name.endsWith('.json'))
  .sort()
const recordings = FILES.map(name => ({
  name,
  recording: JSON.parse(readFileSync(join(ROOT, 'fidelity', name), 'utf8')) as Recording
}))

async function startWorld(world: Recording['world'] = 'github.com'): Promise<FakeGitHub> {
  const scenario = JSON.parse(readFileSync(join(ROOT, 'scenarios', 'fidelity.json'), 'utf8')) as Scenario
  const options: FakeOptions = { now: () => NOW }
  if (world === 'ghes')
    Object.assign(options, { apiPath: '/api/v3', registryService: 'containers.127.0.0.1' })
  if (world === 'ghes-unlimited') {
    Object.assign(options, { apiPath: '/api/v3', registryService: 'containers.127.0.0.1' })
    scenario.rateLimiting = false
  }
  if (world === 'exhausted')
    scenario.rateLimit = { limit: 5000, remaining: 0, resetAt: '2026-06-01T12:30:00Z', status: 403 }
  if (world === 'secondary') scenario.secondary = { points: 5, windowMs: 60_000, status: 403 }
  return startFakeGitHub(scenario, options)
}

/**
 * Recorded URLs name GitHub's hosts; the fake's stand in for them. Container versions are named in the scenario
 * by labels the fake serves under the sha256 of their manifests: a digest (or cosign tag) names the served one.
 */
function localise(text: string, fake: FakeGitHub): string {
  return text
    .replace(/sha256([:-])([0-9a-f]{64})/g, (_, separator: string, hex: string) =>
      fake.digestOf(`sha256:${hex}`).replace(':', separator)
    )
    .replaceAll('https://HOST/api/v3', fake.url)
    .replaceAll('https://containers.HOST', fake.registryUrl)
    .replaceAll('containers.HOST', 'containers.127.0.0.1')
    .replaceAll('https://api.github.com', fake.url)
    .replaceAll('https://ghcr.io/token', `${fake.registryUrl}/token`)
    .replaceAll('https://ghcr.io/v2', `${fake.registryUrl}/v2`)
}

async function send(fake: FakeGitHub, request: RecordedRequest): Promise<Response> {
  const isRegistry =
    request.path.startsWith('/v2') || request.path === '/token' || request.path.startsWith('/@')
  const base = isRegistry ? fake.registryUrl : fake.url
  const headers: Record<string, string> = { ...request.headers }
  if (request.auth === 'basic')
    headers.authorization = `Basic ${Buffer.from(`x:${TOKENS.classic}`).toString('base64')}`
  else if (request.auth === 'registry') {
    const repository = /^\/v2\/(.+)\/(?:manifests|tags)\//.exec(request.path)?.[1] ?? ''
    const answer = await fetch(`${fake.registryUrl}/token?scope=repository:${repository}:pull`, {
      headers: { authorization: `Basic ${Buffer.from(`x:${TOKENS.classic}`).toString('base64')}` }
    })
    headers.authorization = `Bearer ${((await answer.json()) as { token: string }).token}`
  } else if (request.auth !== 'anonymous') headers.authorization = `Bearer ${TOKENS[request.auth]}`
  if (!isRegistry) headers.accept ??= 'application/vnd.github+json'
  const query = request.query ? `?${request.query}` : ''
  return fetch(`${base}${localise(request.path, fake)}${query}`, { method: request.method, headers })
}

/** Every key of `recorded` is in `actual` with a value of the same kind, recursively; arrays by their first item. */
function shapeProblems(recorded: unknown, actual: unknown, at = 'body'): string[] {
  const kind = (value: unknown) => (Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value)
  if (kind(recorded) !== kind(actual)) return [`${at}: ${kind(actual)} where GitHub sends ${kind(recorded)}`]
  if (Array.isArray(recorded) && Array.isArray(actual)) {
    if (recorded.length === 0) return []
    if (actual.length === 0) return [`${at}: empty where GitHub sends items`]
    return shapeProblems(recorded[0], actual[0], `${at}[0]`)
  }
  if (kind(recorded) !== 'object') return []
  const object = actual as Record<string, unknown>
  return Object.entries(recorded as Record<string, unknown>).flatMap(([key, value]) =>
    key in object ? shapeProblems(value, object[key], `${at}.${key}`) : [`${at}.${key}: missing`]
  )
}

describe('the fake answers as GitHub does', () => {
  test('there are at least 30 recorded answers, each with its evidence', () => {
    expect(recordings.length).toBeGreaterThanOrEqual(30)
    for (const { name, recording } of recordings) {
      expect([name, recording.evidence.length > 0]).toEqual([name, true])
      expect([name, ['high', 'medium', 'low'].includes(recording.confidence)]).toEqual([name, true])
    }
  })

  test.each(recordings.map(({ name, recording }) => [name, recording] as const))(
    '%s',
    async (_name, recording) => {
      const fake = await startWorld(recording.world)
      try {
        for (const request of recording.before ?? []) await (await send(fake, request)).arrayBuffer()
        const answer = await send(fake, recording.request)
        const text = await answer.text()
        const expected = recording.response
        expect(answer.status).toBe(expected.status)

        for (const [name, value] of Object.entries(expected.headers ?? {})) {
          const actual = answer.headers.get(name)
          if (recording.varies?.includes(name)) {
            expect([name, actual !== null]).toEqual([name, true])
            if (/^\d+$/.test(value)) expect([name, actual]).toEqual([name, expect.stringMatching(/^\d+$/)])
          } else expect([name, actual]).toEqual([name, localise(value, fake)])
        }

        if (expected.body === undefined) {
          expect(text).toBe('')
          return
        }
        const body = JSON.parse(text) as unknown
        const recorded = JSON.parse(localise(JSON.stringify(expected.body), fake)) as unknown
        expect(shapeProblems(recorded, body)).toEqual([])
        const record = recorded as { message?: string; status?: string; errors?: unknown[] }
        const actual = body as typeof record
        if (record.message !== undefined) expect(actual.message).toBe(record.message)
        if (record.status !== undefined) expect(actual.status).toBe(record.status)
        if (record.errors !== undefined) expect(actual.errors).toEqual(record.errors)
        if (recording.count !== undefined) expect((body as unknown[]).length).toBe(recording.count)
      } finally {
        await fake.close()
      }
    }
  )
})
