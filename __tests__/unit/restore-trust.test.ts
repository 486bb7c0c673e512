import { describe, expect, it } from '@jest/globals'
import type { ListedVersion } from '../../src/types.js'
import { trustDeletedList } from '../../src/engine/restore.js'

const version = (id: number, deletedAt?: string): ListedVersion => ({
  id,
  name: `1.0.${id}`,
  tags: [],
  createdAt: '2026-05-01T00:00:00Z',
  updatedAt: '2026-05-01T00:00:00Z',
  ...(deletedAt && { deletedAt })
})

describe('trusting a "deleted" list', () => {
  it('trusts items that say when they were deleted and are not active', () => {
    const list = [version(1, '2026-05-20T00:00:00Z'), version(2, '2026-05-21T00:00:00Z')]
    expect(trustDeletedList(list, new Set([3]))).toEqual({ trusted: list, untrusted: [] })
  })

  it('does not trust an item without deleted_at', () => {
    const result = trustDeletedList([version(1, '2026-05-20T00:00:00Z'), version(2)], new Set())
    expect(result.trusted.map(v => v.id)).toEqual([1])
    expect(result.untrusted.map(u => u.version.id)).toEqual([2])
    expect(result.untrusted[0].reason).toContain('without a deleted_at time')
    expect(result.listProblem).toBeUndefined()
  })

  it('trusts nothing of a list that holds an active version', () => {
    const result = trustDeletedList([version(1, '2026-05-20T00:00:00Z'), version(2)], new Set([2]))
    expect(result.trusted).toEqual([])
    expect(result.untrusted.map(u => u.version.id)).toEqual([1, 2])
    expect(result.listProblem).toContain('also holds active versions (ids 2)')
  })
})
