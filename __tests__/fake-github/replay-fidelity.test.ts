/**
 * The live workflow's replay of recorded answers (scripts/replay-fidelity.ts), run against the fake: each
 * recording it replays on GitHub must hold here, with the workflow's own token, and a differing answer fails.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { replayFidelity, type ReplayTarget } from '../../scripts/replay-fidelity.js'
import type { Scenario } from '../../fake-github/scenario.js'
import { startFakeGitHub, type FakeGitHub } from '../../fake-github/server.js'

const scenario = JSON.parse(
  readFileSync(new URL('../../fake-github/scenarios/fidelity.json', import.meta.url), 'utf8')
) as Scenario

describe('replaying recorded answers', () => {
  let fake: FakeGitHub
  let target: ReplayTarget
  beforeAll(async () => {
    fake = await startFakeGitHub(scenario, { now: () => new Date('2026-06-01T12:00:00Z') })
    const token = 'ghs_fidelity_actions'
    target = {
      apiUrl: fake.url,
      registryUrl: fake.registryUrl,
      token,
      owner: 'acme',
      container: 'app',
      npm: 'web'
    }
  })
  afterAll(() => fake.close())

  it('finds every replayed recording answered as recorded, with the workflow token', async () => {
    expect(await replayFidelity(target)).toEqual([])
  })

  it('names each answer that differs', async () => {
    const problems = await replayFidelity({ ...target, token: 'ghs_revoked' })
    expect(problems.length).toBeGreaterThan(0)
    expect(problems[0]).toMatch(/^[a-z-]+: GET \/\S+ answered \d{3}, recorded \d{3}$/)
  })
})
