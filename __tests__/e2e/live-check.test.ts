/**
 * The live workflow's assertion script (scripts/live-check.ts) against the embedded fake: it passes on the
 * outcome the live workflow expects, and fails on each wrong one.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import {
  checkPair,
  liveCheck,
  pairProblems,
  type LiveExpectation,
  type LiveTarget
} from '../../scripts/live-check.js'
import type { ActionRun } from '../support/run-action.js'
import { aWorld, CLASSIC, digest, imageVersion, indexVersion, versions, type Fake } from './world.js'

const sig = (label: string) => `${digest(label).replace(':', '-')}.sig`

/** As the live workflow publishes them: a signed release, two pull-request images (one signed), npm releases. */
const world = () =>
  aWorld()
    .withOrganisation('acme')
    .withClassicToken('octocat')
    .withPackage('container', 'live', [
      imageVersion(1, 'v1-amd64', 3),
      imageVersion(2, 'v1-arm64', 3),
      indexVersion(3, 'v1', 3, ['v1'], ['v1-amd64', 'v1-arm64']),
      imageVersion(4, 'v1-sig', 3, [sig('v1')]),
      imageVersion(5, 'pr1-amd64', 2),
      imageVersion(6, 'pr1-arm64', 2),
      indexVersion(7, 'pr1', 2, ['pr-1'], ['pr1-amd64', 'pr1-arm64']),
      imageVersion(8, 'pr2-amd64', 1),
      imageVersion(9, 'pr2-arm64', 1),
      indexVersion(10, 'pr2', 1, ['pr-2'], ['pr2-amd64', 'pr2-arm64']),
      imageVersion(11, 'pr2-sig', 1, [sig('pr2')])
    ])
    .withPackage(
      'npm',
      'live-npm',
      [
        ...versions(2, 21, 3),
        ...versions(2, 23, 1).map(v => ({ ...v, name: v.name.replace('1.0.', '1.1.0-pr.') }))
      ],
      { distTags: { latest: '1.0.1' } }
    )

const POLICY = { 'keep-last': 0, 'min-age': 0 }
const CONTAINER: LiveExpectation = {
  owner: 'acme',
  packageType: 'container',
  packageName: 'live',
  phase: 'real',
  gone: ['pr-*'],
  kept: ['v1'],
  signed: ['v1']
}
const NPM: LiveExpectation = {
  ...CONTAINER,
  packageType: 'npm',
  packageName: 'live-npm',
  gone: ['*-pr.*'],
  kept: ['1.0.0', '1.0.1'],
  signed: []
}

const target = (fake: Fake, run: ActionRun): LiveTarget => ({
  apiUrl: fake.url,
  registryUrl: fake.registryUrl,
  token: CLASSIC,
  outputs: run.outputs,
  summary: run.summary
})

const runOn = (fake: Fake, expectation: LiveExpectation, dryRun: boolean) =>
  fake.run({
    owner: 'acme',
    'package-type': expectation.packageType,
    'package-names': expectation.packageName,
    'delete-tags': expectation.gone.join(', '),
    'dry-run': dryRun,
    ...POLICY
  })

async function removeVersion(fake: Fake, id: number): Promise<void> {
  const response = await fetch(`${fake.url}/orgs/acme/packages/container/live/versions/${id}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${CLASSIC}` }
  })
  expect(response.status).toBe(204)
}

describe('the live check against the fake', () => {
  let fake: Fake
  let dry: ActionRun
  let real: ActionRun
  /** The dry run's outcome checked as if it had been the real run. */
  let dryAsReal: string[]
  beforeAll(async () => {
    fake = await world().start()
    dry = await runOn(fake, CONTAINER, true)
    expect(await liveCheck({ ...CONTAINER, phase: 'dry' }, target(fake, dry))).toEqual([])
    dryAsReal = await liveCheck(CONTAINER, target(fake, dry))
    real = await runOn(fake, CONTAINER, false)
  }, 60_000)

  it('passes on the outcome the live workflow expects: a dry run, then the real run', async () => {
    expect(dry.exitCode).toBe(0)
    expect(real.exitCode).toBe(0)
    expect(await liveCheck(CONTAINER, target(fake, real))).toEqual([])
  })

  it('passes for an npm package, dry and real', async () => {
    const npmFake = await world().start()
    const npmDry = await runOn(npmFake, NPM, true)
    expect(await liveCheck({ ...NPM, phase: 'dry' }, target(npmFake, npmDry))).toEqual([])
    const npmReal = await runOn(npmFake, NPM, false)
    expect(await liveCheck(NPM, target(npmFake, npmReal))).toEqual([])
  })

  it('checks what incremental runs assume: a publish moves updated_at, a delete changes version_count', async () => {
    const pairFake = await world().start()
    const dryRun = await runOn(pairFake, CONTAINER, true)
    const before = await checkPair({ ...CONTAINER, phase: 'dry' }, target(pairFake, dryRun))
    expect(before).toEqual({ pair: { versionCount: 11, updatedAt: expect.any(String) }, problems: [] })
    const realRun = await runOn(pairFake, CONTAINER, false)
    expect(await checkPair(CONTAINER, target(pairFake, realRun), before.pair)).toEqual({
      pair: { versionCount: 4, updatedAt: expect.any(String) },
      problems: []
    })
    // Had the deletes not changed version_count, the check says so.
    const unchanged = { ...before.pair, versionCount: 4 }
    expect((await checkPair(CONTAINER, target(pairFake, realRun), unchanged)).problems).toEqual([
      'version_count went from 4 to 4, but 7 version(s) were deleted'
    ])
  })

  it('fails when updated_at did not move with a publish, or version_count is not what is listed', () => {
    const listed = [
      { created_at: '2026-12-01T10:00:00Z', updated_at: '2026-12-01T10:00:00Z' },
      {
        created_at: '2026-12-02T10:00:00Z',
        updated_at: '2026-12-02T10:00:00Z'
      }
    ]
    expect(
      pairProblems({ versionCount: 2, updatedAt: '2026-12-02T10:00:00Z' }, listed, undefined, 0)
    ).toEqual([])
    expect(
      pairProblems({ versionCount: 3, updatedAt: '2026-12-01T10:00:00Z' }, listed, undefined, 0)
    ).toEqual([
      'version_count is 3, but 2 version(s) are listed',
      "updated_at 2026-12-01T10:00:00Z is before the newest version's (2026-12-02T10:00:00.000Z): a publish did not move it"
    ])
  })

  it('fails when the policy deleted more than expected, or less', async () => {
    expect(await liveCheck({ ...CONTAINER, gone: ['pr-1'] }, target(fake, real))).toEqual([
      expect.stringContaining('(pr-2) was deleted, but the policy keeps it')
    ])
    const problems = await liveCheck({ ...CONTAINER, gone: ['pr-*', 'v*'], kept: [] }, target(fake, real))
    expect(problems).toEqual([expect.stringContaining('(v1) is selected by the policy but not deleted')])
  })

  it('fails when a version reported deleted is still there, or one is gone after a dry run', async () => {
    expect(dryAsReal.filter(p => p.includes('reported deleted but is still listed'))).toHaveLength(7)
    expect(dryAsReal).toContainEqual('the summary speaks of a dry run')
    const realAsDry = await liveCheck({ ...CONTAINER, phase: 'dry' }, target(fake, real))
    expect(realAsDry.filter(p => p.includes('is gone after a dry run'))).toHaveLength(7)
    expect(realAsDry).toContainEqual('the summary does not say it was a dry run')
  })

  it('fails when the outputs disagree with each other or with the summary', async () => {
    const outputs = { ...real.outputs, 'deleted-count': '6' }
    expect(await liveCheck(CONTAINER, { ...target(fake, real), outputs })).toEqual([
      'deleted-count 6 but deleted lists 7',
      expect.stringContaining('does not match the outputs')
    ])
  })

  it('fails when a kept image no longer pulls whole, or lost its signature', async () => {
    const broken = await world().start()
    const run = await runOn(broken, CONTAINER, false)
    await removeVersion(broken, 2)
    await removeVersion(broken, 4)
    expect(await liveCheck(CONTAINER, target(broken, run))).toEqual([
      expect.stringMatching(/^v1 does not pull whole: sha256:[0-9a-f]{64}: HTTP 404$/),
      expect.stringContaining('the signature of v1')
    ])
  })
})
