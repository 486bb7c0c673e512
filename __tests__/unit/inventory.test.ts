/** The orchestration of a run's reads and plans, on src/ through stand-ins for the two clients. */
import { describe, expect, it } from '@jest/globals'
import {
  costAfterPlanning,
  listAndPlanPackage,
  planRestoreRun,
  type ImageReader,
  type PackageReader
} from '../../src/run/inventory.js'
import { shortDigest } from '../../src/engine/images.js'
import type {
  DeletionPlan,
  ImageStructure,
  ListedVersion,
  Logger,
  ManifestInfo,
  OwnerScope,
  PackageType,
  RetentionPolicy
} from '../../src/types.js'
import { NOW, digestOf } from '../policy/builder.js'

const DAY = 86_400_000
const ACME: OwnerScope = { login: 'acme', kind: 'organization', path: '/orgs/acme' }
const quiet: Logger = { debug: () => {}, info: () => {}, warning: () => {}, error: () => {} }

function version(id: number, key: string, daysOld: number, tags: string[] = []): ListedVersion {
  const createdAt = new Date(NOW.getTime() - daysOld * DAY).toISOString()
  return { id, name: digestOf(key), tags, createdAt, updatedAt: createdAt }
}

/** Lists the given versions (active, or deleted) of any package. */
function packages(active: ListedVersion[], deleted: ListedVersion[] = []): PackageReader {
  return {
    listPackageNames: async () => [{ name: 'app' }],
    listVersions: async (_scope, _type, _name, state = 'active') => (state === 'active' ? active : deleted)
  }
}

/** Answers manifest reads from `manifests` (by key) and remembers which digests each read asked for. */
function registry(manifests: Record<string, string[]>): ImageReader & { reads: string[][] } {
  const byDigest = new Map<string, ManifestInfo>(
    Object.entries(manifests).map(([key, children]) => [digestOf(key), { children: children.map(digestOf) }])
  )
  const reads: string[][] = []
  return {
    reads,
    readImageStructure: async (_owner, _name, digests): Promise<ImageStructure> => {
      reads.push([...digests])
      return new Map(digests.map(digest => [digest, byDigest.get(digest) ?? { children: [] }]))
    },
    rememberedStructure: () => new Map()
  }
}

const KEYS = ['v1', 'v1/amd64', 'v2', 'v2/amd64', 'moved', 'moved/amd64', 'moved/arm64']
const keyOf = (digest: string) => KEYS.find(key => digestOf(key) === digest) ?? digest

function policy(type: PackageType, overrides: Partial<RetentionPolicy> = {}): RetentionPolicy {
  return {
    packageType: type,
    keepLast: 1,
    minAgeMs: 7 * DAY,
    minAgeText: '7d',
    deleteTags: [],
    keepTags: [],
    ...(type === 'container' ? { untagged: 'include' as const } : {}),
    ...overrides
  }
}

describe('listAndPlanPackage', () => {
  // v2 (newest, kept by keep-last) and v1 are tagged images. `moved` is an untagged index, a day old (so
  // min-age keeps it), whose tag moved on; its platform manifests are a month old.
  const versions = [
    version(1, 'v1/amd64', 30),
    version(2, 'v1', 30, ['v1']),
    version(3, 'moved/amd64', 30),
    version(4, 'moved/arm64', 30),
    version(5, 'moved', 1),
    version(6, 'v2/amd64', 2),
    version(7, 'v2', 2, ['v2'])
  ]
  const manifests = {
    v1: ['v1/amd64'],
    v2: ['v2/amd64'],
    moved: ['moved/amd64', 'moved/arm64']
  }

  it('reads a kept untagged version that may be an index, and keeps the parts it turns out to have', async () => {
    const reader = registry(manifests)
    const plan = await listAndPlanPackage(packages(versions), reader, ACME, 'app', policy('container'), NOW)

    // One round: what the first plan keeps and may have parts; v1, a deletion candidate, is never read.
    expect(reader.reads.map(round => round.map(keyOf).sort())).toEqual([['moved', 'v2', 'v2/amd64']])
    const action = new Map(plan.decisions.map(d => [d.version.id, d.action]))
    expect(action.get(3)).toBe('keep')
    expect(action.get(4)).toBe('keep')
    const part = plan.decisions.find(d => d.version.id === 3)
    expect(part?.reasons).toContain(`keep: platform manifest of kept image ${shortDigest(digestOf('moved'))}`)
    expect(plan.deletions.map(d => d.version.id).sort()).toEqual([1, 2])
  })

  it('reads no deletion candidate, and nothing more once every kept version is known', async () => {
    const reader = registry(manifests)
    const young = versions.filter(v => v.id !== 5 && v.id !== 3 && v.id !== 4)
    const plan = await listAndPlanPackage(packages(young), reader, ACME, 'app', policy('container'), NOW)
    expect(reader.reads.map(round => round.map(keyOf).sort())).toEqual([['v2', 'v2/amd64']])
    expect(plan.deletions.map(d => d.version.id).sort()).toEqual([1, 2])
  })

  it('reads no manifest for other package types', async () => {
    const reader = registry({})
    const npm = [version(1, 'a', 30), version(2, 'b', 20), version(3, 'c', 10)]
    const plan = await listAndPlanPackage(packages(npm), reader, ACME, 'web', policy('npm'), NOW)
    expect(reader.reads).toEqual([])
    expect(plan.deletions.map(d => d.version.id)).toEqual([1, 2])
  })
})

describe('planRestoreRun', () => {
  const deleted = [version(11, 'old', 40), version(12, 'new', 20)].map(v => ({
    ...v,
    deletedAt: new Date(NOW.getTime() - DAY).toISOString()
  }))

  it('targets the requested deleted versions, and fails each id found in no package', async () => {
    const request = { kind: 'ids' as const, ids: [12, 99] }
    const work = await planRestoreRun(
      packages([], deleted),
      ACME,
      ['app'],
      request,
      policy('npm'),
      NOW,
      quiet
    )
    expect(work.targets.map(t => [t.packageName, t.version.id])).toEqual([['app', 12]])
    expect(work.alreadyFailed).toEqual([])
    expect(work.unmatched).toEqual([{ id: 99, searched: ['app'] }])
  })

  it('reports a package whose deleted versions cannot be listed, and goes on with the others', async () => {
    const reader: PackageReader = {
      listPackageNames: async () => [],
      listVersions: async (_s, _t, name, state = 'active') => {
        if (name === 'gone') throw new Error('not found')
        return state === 'deleted' ? deleted : []
      }
    }
    const request = { kind: 'ids' as const, ids: [11] }
    const work = await planRestoreRun(reader, ACME, ['gone', 'app'], request, policy('npm'), NOW, quiet)
    expect(work.packages).toEqual([
      { name: 'gone', error: 'not found', writes: [] },
      { name: 'app', writes: [] }
    ])
    expect(work.targets.map(t => t.version.id)).toEqual([11])
    expect(work.alreadyFailed).toEqual([])
  })
})

describe('what a planned package will cost after planning', () => {
  // 250 versions, 150 to delete: the check lists the 100 left again (1 page).
  const plan = {
    decisions: Array.from({ length: 250 }, () => ({})),
    deletions: Array.from({ length: 150 }, () => ({}))
  } as unknown as DeletionPlan

  it('a delete run: its deletions and the check after them, within max-deletions', () => {
    expect(costAfterPlanning(plan, { kind: 'writes' }, Infinity)).toEqual({
      requests: 151,
      deletionsLeft: Infinity
    })
    // Capped at 40: 40 deletes, then a check of the 210 left (3 pages, page 1 and the last again).
    expect(costAfterPlanning(plan, { kind: 'writes', maxDeletions: 40 }, 40)).toEqual({
      requests: 45,
      deletionsLeft: 0
    })
    expect(costAfterPlanning(plan, { kind: 'writes' }, 0)).toEqual({ requests: 0, deletionsLeft: 0 })
  })

  it('a dry run: one visibility read of a package that would lose versions; nothing to delete costs nothing', () => {
    expect(costAfterPlanning(plan, { kind: 'visibility' }, Infinity).requests).toBe(1)
    const none = { ...plan, deletions: [] }
    expect(costAfterPlanning(none, { kind: 'writes' }, Infinity).requests).toBe(0)
    expect(costAfterPlanning(none, { kind: 'visibility' }, Infinity).requests).toBe(0)
  })
})
