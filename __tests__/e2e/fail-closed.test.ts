/**
 * Deciding only from verified facts, on dist/index.js: a read that fails holds its package back; a refused
 * index keeps every tagged platform manifest; a part is never counted as an image and goes with its image;
 * lost answers, capped work and a cancelled run are accounted as they happened.
 */
import { describe, expect, it } from '@jest/globals'
import { readFile } from 'node:fs/promises'
import type { VersionSpec } from '../../fake-github/scenario.js'
import {
  activeIds,
  aWorld,
  daysAgo,
  imageVersion as image,
  indexVersion as index,
  parsed,
  served,
  versions,
  type Fake
} from './world.js'

const CONTAINER = { owner: 'acme', 'package-type': 'container' }

/** A release built with `docker manifest create`: tagged platform manifests, then the tagged index over them. */
function release(firstId: number, name: string, days: number, platforms: number): VersionSpec[] {
  const labels = Array.from({ length: platforms }, (_, i) => `${name}/p${i}`)
  return [
    ...labels.map((label, i) => image(firstId + i, label, days, [`${name}-p${i}`])),
    index(firstId + platforms, name, days, [name], labels)
  ]
}

function manifestReadsOf(fake: Fake): string[] {
  return fake.requests
    .filter(r => r.method === 'GET' && r.path.includes('/manifests/') && r.status !== 401)
    .map(r => decodeURIComponent(r.path).split('/manifests/')[1])
}

const isGone = (fake: Fake, name: string) => {
  const active = new Set(activeIds(fake, name))
  return (id: number) => !active.has(id)
}

describe('a read that fails holds back what it could have protected', () => {
  it('deletes nothing in a package whose manifest cannot be read, fails it naming the registry and digest; the other package goes on', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('container', 'app', [...release(1, 'v1', 40, 2), ...release(4, 'v2', 1, 2)])
      .withPackage('container', 'web', [image(11, 'w1', 40, ['w1']), image(12, 'w2', 1, ['w2'])])
      .start()
    // The first manifest reads (app's, planned first) all answer 500, retries included.
    const down = { status: 500, json: { errors: [{ code: 'UNKNOWN', message: 'internal error' }] } }
    fake.registry.answerNext.push(down, down, down, down)
    const run = await fake.run({ ...CONTAINER, 'package-names': 'app,web', 'keep-last': 1, 'min-age': 0 })
    expect(run.exitCode).not.toBe(0)
    // Every version of app stays, the kept v2 whole with its tagged platform manifests.
    expect(activeIds(fake, 'app')).toEqual([1, 2, 3, 4, 5, 6])
    expect(fake.isPullable('acme', 'app', 'v2')).toBe(true)
    expect(activeIds(fake, 'web')).toEqual([12])
    const failure = run.annotations.find(a => a.level === 'error' && a.message.startsWith('app:'))
    expect(failure?.message).toContain(`registry ${fake.registryUrl}`)
    expect(failure?.message).toContain(served(fake, 'v2'))
    expect(failure?.message).toContain('nothing in this package is deleted in this run')
    expect(run.summary).toContain('nothing in this package is deleted in this run')
    expect(parsed(run, 'failed-packages').map(f => f.package)).toEqual(['app'])
  })
})

describe('a refused index keeps all its platform manifests, however many', () => {
  it('keeps ten tagged platform manifests pushed twelve minutes apart when GitHub refuses their index', async () => {
    const parts = Array.from({ length: 10 }, (_, i) =>
      image(i + 1, `v1/p${i}`, 40, [`v1-p${i}`], { created_at: daysAgo(40, -720 * (10 - i)) })
    )
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage(
        'container',
        'app',
        [
          ...parts,
          index(
            11,
            'v1',
            40,
            ['v1'],
            parts.map((_, i) => `v1/p${i}`),
            { downloads: 9000 }
          ),
          image(12, 'v2', 1, ['v2'])
        ],
        { visibility: 'public' }
      )
      .start()
    const run = await fake.run({ ...CONTAINER, 'package-names': 'app', 'keep-last': 1, 'min-age': 0 })
    expect(run.exitCode).toBe(0)
    expect(activeIds(fake, 'app')).toEqual(Array.from({ length: 12 }, (_, i) => i + 1))
    expect(fake.isPullable('acme', 'app', 'v1')).toBe(true)
    // The index was asked first, and nothing after its refusal.
    expect(fake.requests.filter(r => r.method === 'DELETE').map(r => r.path.split('/').pop())).toEqual(['11'])
  })
})

describe('a part is never counted as an image, and goes with its image', () => {
  it('keep-last: 3 over releases built with docker manifest create keeps three releases whole', async () => {
    const releases = [
      release(1, 'r1', 40, 9),
      release(11, 'r2', 30, 9),
      release(21, 'r3', 20, 9),
      release(31, 'r4', 10, 9)
    ]
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('container', 'app', releases.flat(), { visibility: 'public' })
      .start()
    const run = await fake.run({ ...CONTAINER, 'package-names': 'app', 'keep-last': 3, 'min-age': 0 })
    expect(run.exitCode).toBe(0)
    expect(activeIds(fake, 'app')).toEqual(
      releases
        .slice(1)
        .flat()
        .map(v => v.id)
    )
    for (const tag of ['r2', 'r3', 'r4']) expect(fake.isPullable('acme', 'app', tag)).toBe(true)
    // Public: a deletion candidate is never read.
    expect(manifestReadsOf(fake)).not.toContain(served(fake, 'r1'))
  })

  it('in a private package, deletes the untagged platform manifests of a deleted image under untagged: exclude', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('container', 'app', [
        image(1, 'v1/amd64', 40),
        image(2, 'v1/arm64', 40),
        index(3, 'v1', 40, ['v1'], ['v1/amd64', 'v1/arm64']),
        image(4, 'loose', 30),
        image(5, 'v2/amd64', 1),
        index(6, 'v2', 1, ['v2'], ['v2/amd64'])
      ])
      .start()
    const run = await fake.run({
      ...CONTAINER,
      'package-names': 'app',
      'keep-last': 1,
      'min-age': 0,
      untagged: 'exclude'
    })
    expect(run.exitCode).toBe(0)
    // v1 went with its parts; the loose untagged version stays, as untagged: exclude says.
    expect(activeIds(fake, 'app')).toEqual([4, 5, 6])
    expect(
      parsed(run, 'deleted')
        .map(d => d.id)
        .sort()
    ).toEqual([1, 2, 3])
    expect(fake.isPullable('acme', 'app', 'v2')).toBe(true)
  })
})

describe('lost answers and capped work are accounted truthfully', () => {
  const maven = (faults?: object) => {
    const world = aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('maven', 'com.acme.core', versions(6))
    if (faults) world.with({ faults: { seed: 7, statuses: [502], ...faults } as never })
    return world.start()
  }
  const MAVEN = { owner: 'acme', 'package-type': 'maven', 'package-names': 'com.acme.core', 'min-age': 0 }

  it('counts a delete whose answer was lost and whose retry found it gone as deleted by this run, and restores it', async () => {
    const fake = await maven({ rate: 0.5, methods: ['DELETE'], lostWrites: true })
    const run = await fake.run({ ...MAVEN, 'keep-last': 2 })
    expect(run.exitCode).toBe(0)
    const gone = isGone(fake, 'com.acme.core')
    expect(activeIds(fake, 'com.acme.core')).toEqual([5, 6])
    // Some answers were lost (a 502 after the delete was done), and their retries found the version gone.
    expect(fake.requests.some(r => r.method === 'DELETE' && r.status === 404)).toBe(true)
    const deleted = parsed(run, 'deleted').map(d => d.id)
    expect(deleted.sort()).toEqual([1, 2, 3, 4])
    expect(deleted.every(gone)).toBe(true)
    expect(parsed(run, 'skipped')).toEqual([])
    // The record has them, so undoing the run brings every one back.
    const record = run.outputs['journal-file']
    const ended = (await readFile(record, 'utf8'))
      .trim()
      .split('\n')
      .map(line => JSON.parse(line) as { event: string; id: number; outcome?: { kind: string } })
      .filter(e => e.event === 'ended')
    expect(
      ended
        .filter(e => e.outcome?.kind === 'done')
        .map(e => e.id)
        .sort()
    ).toEqual([1, 2, 3, 4])
    const undo = await fake.run({ ...MAVEN, restore: await readFile(record, 'utf8') })
    expect(undo.exitCode).toBe(0)
    expect(activeIds(fake, 'com.acme.core')).toEqual([1, 2, 3, 4, 5, 6])
  }, 90_000)

  it('counts a delete reported failed whose version is gone at the check after the run as deleted, with a note', async () => {
    const fake = await maven({ rate: 1, methods: ['DELETE'], lostWrites: true })
    const run = await fake.run({ ...MAVEN, 'keep-last': 4 })
    expect(activeIds(fake, 'com.acme.core')).toEqual([3, 4, 5, 6])
    const deleted = parsed(run, 'deleted')
    expect(deleted.map(d => d.id).sort()).toEqual([1, 2])
    expect(parsed(run, 'failed')).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(run.stdout + run.summary).toContain('gone at the check after the run')
  }, 90_000)

  it('never reads a candidate that max-deletions stops', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage(
        'container',
        'app',
        [
          image(1, 'c1', 50, ['c1']),
          image(2, 'c2', 40, ['c2']),
          image(3, 'c3', 30, ['c3']),
          image(4, 'loose', 20),
          image(5, 'v2', 1, ['v2'])
        ],
        { visibility: 'public' }
      )
      .start()
    const run = await fake.run({
      ...CONTAINER,
      'package-names': 'app',
      'keep-last': 1,
      'min-age': 0,
      'max-deletions': 1
    })
    expect(run.exitCode).toBe(0)
    expect(manifestReadsOf(fake)).toEqual([served(fake, 'v2')])
    expect(parsed(run, 'deleted').length).toBe(1)
  })

  it('on cancellation sends no new write, and says what was done', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('maven', 'com.acme.core', versions(120))
      .with({ latencyMs: 400 })
      .start()
    const run = await fake.run({ ...MAVEN, 'keep-last': 1 }, { cancelAfterMs: 4_000, timeoutMs: 60_000 })
    expect(run.cancelledAt).toBeDefined()
    expect(run.exitCode).not.toBe(0)
    const deletes = fake.requests.filter(r => r.method === 'DELETE')
    // Every delete reached GitHub before the signal (a request is logged as it arrives).
    const latest = Date.parse(run.cancelledAt as string) + 100
    expect(deletes.every(r => Date.parse(r.time) <= latest)).toBe(true)
    expect(deletes.length).toBeGreaterThan(0)
    expect(deletes.length).toBeLessThan(119)
    const gone = new Set(
      fake
        .state()
        .packages[0].versions.filter(v => v.state === 'deleted')
        .map(v => v.id)
    )
    expect(new Set(parsed(run, 'deleted').map(d => d.id))).toEqual(gone)
    const stopped = parsed(run, 'skipped').filter(s => s.reason?.startsWith('stopped'))
    expect(stopped.length).toBeGreaterThan(0)
    expect(run.annotations.some(a => a.level === 'error' && a.message.includes('Stopped by SIGINT'))).toBe(
      true
    )
  }, 60_000)

  it('when the grace of a stopped run ends, a delete sent is unknown and one never sent is stopped, not failed', async () => {
    // Every delete hangs for 10 s before its error: none sent is answered within the 3 s grace.
    const hangMs = 10_000
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('maven', 'com.acme.core', versions(30))
      .with({ faults: { rate: 1, seed: 1, methods: ['DELETE'], slowMs: hangMs } })
      .start()
    const run = await fake.run({ ...MAVEN, 'keep-last': 1 }, { cancelAfterMs: 4_000, timeoutMs: 60_000 })
    expect(run.cancelledAt).toBeDefined()
    // The fake logs a request once answered: wait until every delete sent before the signal has been.
    const until = Date.parse(run.cancelledAt as string) + hangMs + 1_000
    await new Promise(resolve => setTimeout(resolve, Math.max(0, until - Date.now())))
    const sent = fake.requests.filter(r => r.method === 'DELETE').length
    expect(sent).toBeGreaterThan(0)
    expect(sent).toBeLessThan(29)
    const unknown = parsed(run, 'failed')
    expect(unknown.length).toBe(sent)
    expect(unknown.every(f => String(f.message).startsWith('sent, but no answer came'))).toBe(true)
    const stopped = parsed(run, 'skipped').filter(s => s.reason?.startsWith('stopped: not sent'))
    expect(stopped.length).toBe(29 - sent)
  }, 60_000)
})
