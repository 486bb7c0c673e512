import { describe, expect, it } from '@jest/globals'
import type { FakeGitHub } from '../../fake-github/server.js'
import { aWorld, daysAgo, digest, parsed, versions } from './world.js'

/** Which versions are active, with their tags: what "the same state" means (downloads aside). */
const shape = (fake: FakeGitHub) =>
  fake.state().packages.map(p => [p.name, p.state, p.versions.map(v => [v.id, v.state, [...v.tags].sort()])])

const image = (id: number, label: string, days: number, tags: string[], children: string[] = []) => ({
  id,
  name: digest(label),
  tags,
  created_at: daysAgo(days),
  ...(children.length > 0 ? { manifest: { kind: 'index' as const, children } } : {})
})

describe('undo', () => {
  it("restores a run's deletions from its `deleted` output, back to the initial state", async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('npm', 'web', versions(8))
      .withPackage('container', 'app', [
        image(11, 'old/amd64', 40, []),
        image(12, 'old/arm64', 40, []),
        image(13, 'old', 40, ['v1'], [digest('old/amd64'), digest('old/arm64')]),
        image(14, 'new/amd64', 2, []),
        image(15, 'new', 2, ['v2'], [digest('new/amd64')])
      ])
      .start()
    const initial = shape(fake)

    const npm = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'web',
      'keep-last': 2,
      'min-age': 0
    })
    const container = await fake.run({
      owner: 'acme',
      'package-type': 'container',
      'package-names': 'app',
      'keep-last': 1,
      'min-age': '1d'
    })
    expect(npm.outputs['deleted-count']).toBe('6')
    expect(parsed(container, 'deleted').map(d => d.id)).toEqual([13, 11, 12])
    expect(shape(fake)).not.toEqual(initial)

    const undoNpm = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'web',
      restore: npm.outputs.deleted
    })
    const undoContainer = await fake.run({
      owner: 'acme',
      'package-type': 'container',
      'package-names': 'app',
      restore: container.outputs.deleted
    })
    expect([undoNpm.exitCode, undoContainer.exitCode]).toEqual([0, 0])
    expect(undoNpm.outputs['restored-count']).toBe('6')
    expect(parsed(undoContainer, 'restored').map(r => r.id)).toEqual([11, 12, 13])
    expect(shape(fake)).toEqual(initial)
    expect(fake.isPullable('acme', 'app', 'v1')).toBe(true)
    expect(undoContainer.summary).toContain('Restored')
  })

  it('restores by window and glob, and a dry run restores nothing', async () => {
    const list = versions(6).map(v => ({
      ...v,
      name: v.id % 2 ? `2.0.${v.id}` : `1.0.${v.id}`,
      deleted_at: daysAgo(v.id)
    }))
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('npm', 'web', [...list, ...versions(1, 99)])
      .start()
    const inputs = {
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'web',
      'delete-tags': '2.*',
      restore: 'deleted-within:4d'
    }

    const preview = await fake.run({ ...inputs, 'dry-run': true })
    expect(parsed(preview, 'restored').map(r => r.name)).toEqual(['2.0.3', '2.0.1'].sort())
    expect(fake.requests.every(r => r.method === 'GET')).toBe(true)

    const run = await fake.run(inputs)
    expect(run.exitCode).toBe(0)
    const active = fake
      .state()
      .packages[0].versions.filter(v => v.state === 'active')
      .map(v => v.id)
    expect(active.sort()).toEqual([1, 3, 99])
  })

  it('reports a version deleted more than 30 days ago, a taken name and a version not deleted, and restores the rest', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('npm', 'web', [
        { id: 1, name: '1.0.0', created_at: daysAgo(90), deleted_at: daysAgo(45) },
        { id: 2, name: '1.0.1', created_at: daysAgo(80), deleted_at: daysAgo(3) },
        { id: 3, name: '1.0.2', created_at: daysAgo(70), deleted_at: daysAgo(3) },
        { id: 4, name: '1.0.2', created_at: daysAgo(2) },
        { id: 5, name: '1.0.3', created_at: daysAgo(1) }
      ])
      .start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'npm',
      'package-names': 'web',
      restore: '1, 2, 3, 5'
    })
    expect(run.exitCode).toBe(1)
    expect(parsed(run, 'restored').map(r => r.id)).toEqual([2])
    const failed = parsed(run, 'failed')
    expect(failed.map(f => f.id).sort()).toEqual([1, 3, 5])
    expect(failed.find(f => f.id === 3)?.message).toContain(
      'Active package version already exists with given name.'
    )
    expect(failed.find(f => f.id === 1)?.message).toContain('deleted more than 30 days ago')
    expect(failed.find(f => f.id === 5)?.message).toContain('it is not deleted')
  })
})
