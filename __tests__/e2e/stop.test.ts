/**
 * A cancelled workflow, on dist/index.js: whenever SIGINT comes (listing, planning, or while writes wait in the
 * pacing window), nothing is sent after it, and the run ends with its outputs, summary and record saying so.
 */
import { describe, expect, it } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'
import { WRITES_PER_MINUTE } from '../../src/github/rest-client.js'
import type { ActionRun } from '../support/run-action.js'
import { activeIds, aWorld, parsed, versions, type Fake } from './world.js'

const MAVEN = { owner: 'acme', 'package-type': 'maven', 'package-names': 'com.acme.core', 'min-age': 0 }

const deletesOf = (fake: Fake) => fake.requests.filter(r => r.method === 'DELETE')

/** The requests that arrived after the signal. */
function sentAfterSignal(fake: Fake, run: ActionRun) {
  expect(run.cancelledAt).toBeDefined()
  const signal = Date.parse(run.cancelledAt as string)
  return fake.requests.filter(r => Date.parse(r.time) > signal)
}

/** What every stopped run shows: a failed step naming the signal, its outputs, summary and record. */
function expectStoppedRun(run: ActionRun): void {
  expect(run.exitCode).toBe(1)
  expect(
    run.annotations.some(
      a => a.level === 'error' && a.message.startsWith('Stopped by SIGINT: no write was sent after it')
    )
  ).toBe(true)
  expect(run.outputs['deleted-count']).toBeDefined()
  expect(run.summary).not.toBe('')
  expect(existsSync(run.outputs['journal-file'])).toBe(true)
}

describe('a signal stops every write still to be sent', () => {
  it('sends none of the writes waiting in the pacing window once SIGINT came, and reports them as stopped', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('maven', 'com.acme.core', versions(260))
      .start()
    // The window is full: the next writes wait for it, up to a minute.
    const run = await fake.run(
      { ...MAVEN, 'keep-last': 1 },
      { cancelWhen: () => deletesOf(fake).length >= WRITES_PER_MINUTE, timeoutMs: 90_000 }
    )
    expect(sentAfterSignal(fake, run).filter(r => r.method === 'DELETE')).toEqual([])
    expectStoppedRun(run)
    expect(deletesOf(fake).length).toBe(WRITES_PER_MINUTE)
    const gone = 260 - activeIds(fake, 'com.acme.core').length
    expect(gone).toBe(WRITES_PER_MINUTE)
    expect(parsed(run, 'deleted').length).toBe(gone)
    expect(parsed(run, 'failed')).toEqual([])
    const stopped = parsed(run, 'skipped').filter(s => s.reason?.startsWith('stopped: not sent'))
    expect(stopped.length).toBe(259 - gone)
    // The record ends each of them as stopped, so that a restore from it brings back only what went.
    const ended = readFileSync(run.outputs['journal-file'], 'utf8')
      .trim()
      .split('\n')
      .map(line => JSON.parse(line) as { event?: string; outcome?: { kind: string; reason?: string } })
      .filter(line => line.event === 'ended')
    expect(ended.filter(e => e.outcome?.reason === 'stopped').length).toBe(259 - gone)
  }, 120_000)

  it('ends a run signalled while it lists with its outputs, summary and record, and asks nothing more', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('maven', 'com.acme.core', versions(3_000))
      .with({ latencyMs: 300 })
      .start()
    const listing = () => fake.requests.some(r => r.path.endsWith('/versions'))
    const run = await fake.run({ ...MAVEN, 'keep-last': 1 }, { cancelWhen: listing, timeoutMs: 60_000 })
    expectStoppedRun(run)
    expect(deletesOf(fake)).toEqual([])
    expect(activeIds(fake, 'com.acme.core').length).toBe(3_000)
    // Requests already on their way may still arrive; none is sent once the signal is handled.
    expect(sentAfterSignal(fake, run).length).toBeLessThanOrEqual(8)
  }, 60_000)
})
