import { describe, expect, it } from '@jest/globals'
import { restoreTargets } from '../../src/run/inventory.js'
import { planDeletions } from '../../src/engine/policy.js'
import type { ListedVersion, PackageVersion, RetentionPolicy } from '../../src/types.js'

const policy = (extra: Partial<RetentionPolicy> = {}): RetentionPolicy => ({
  packageType: 'npm',
  keepLast: 1,
  minAgeMs: 0,
  minAgeText: '0',
  deleteTags: [],
  keepTags: [],
  ...extra
})
const v = (id: number, createdAt: string, extra: Partial<PackageVersion> = {}): PackageVersion => ({
  id,
  name: `1.0.${id}`,
  tags: [],
  createdAt,
  updatedAt: createdAt,
  ...extra
})
const NOW = new Date('2026-06-01T00:00:00Z')
const actions = (versions: PackageVersion[], p: RetentionPolicy) =>
  Object.fromEntries(planDeletions(versions, p, NOW).decisions.map(d => [d.version.id, d.action]))

describe('unknown is never a reason to delete', () => {
  it('keeps a version with an unreadable creation time, which takes no keep-last place', () => {
    const versions = [v(1, '2026-01-01T00:00:00Z'), v(2, '2026-02-01T00:00:00Z'), v(3, 'yesterday')]
    expect(actions(versions, policy())).toEqual({ 1: 'delete', 2: 'keep', 3: 'keep' })
  })

  it('keeps a container version whose tags are unknown, with its reason', () => {
    const versions = [
      v(1, '2026-01-01T00:00:00Z', { name: 'sha256:a', tagsUnknown: true }),
      v(2, '2026-01-02T00:00:00Z', { name: 'sha256:b' }),
      v(3, '2026-02-01T00:00:00Z', { name: 'sha256:c', tags: ['v3'] })
    ]
    const plan = planDeletions(
      versions,
      policy({ packageType: 'container', untagged: 'include' }),
      NOW,
      new Map([['sha256:c', { children: [] }]])
    )
    const byId = new Map(plan.decisions.map(d => [d.version.id, d]))
    expect(byId.get(1)?.action).toBe('keep')
    expect(byId.get(1)?.reasons).toContain('keep: tags unknown')
    expect(byId.get(2)?.action).toBe('delete')
  })
})

describe('restoring parts before images', () => {
  it('sends the tagged versions of a container only after every untagged one answered', () => {
    const listed = (id: number, tags: string[]): ListedVersion => ({ ...v(id, '2026-01-01T00:00:00Z'), tags })
    const targets = restoreTargets('app', [listed(3, ['v1']), listed(1, []), listed(2, [])], 'container')
    expect(targets.map(t => [t.version.id, t.after ?? []])).toEqual([
      [1, []],
      [2, []],
      [3, [1, 2]]
    ])
    expect(restoreTargets('web', [listed(3, [])], 'npm')).toEqual([
      { packageName: 'web', version: listed(3, []) }
    ])
  })
})
