import { describe, expect, it } from '@jest/globals'
import { selectRestorations } from '../../src/engine/restore.js'
import type { ListedVersion, RestoreRequest } from '../../src/types.js'

const NOW = new Date('2026-06-01T12:00:00Z')
const DAY = 86_400_000
const WEEK: RestoreRequest = { kind: 'deleted-within', windowMs: 7 * DAY, windowText: '7d' }

/** A version created `createdDaysAgo`, deleted `deletedMsAgo` milliseconds before NOW. */
function deleted(
  id: number,
  name: string,
  tags: string[],
  deletedMsAgo: number,
  createdDaysAgo = 30
): ListedVersion {
  const createdAt = new Date(NOW.getTime() - createdDaysAgo * DAY).toISOString()
  const deletedAt = new Date(NOW.getTime() - deletedMsAgo).toISOString()
  return { id, name, tags, createdAt, updatedAt: deletedAt, deletedAt }
}

const ids = (versions: ListedVersion[]) => versions.map(version => version.id)

describe('selectRestorations, deleted-within', () => {
  const container = { packageType: 'container' as const, deleteTags: ['pr-*'] }

  it('takes a version deleted exactly at the start of the window, and none deleted before it', () => {
    const versions = [
      deleted(1, 'sha256:a', ['pr-1'], 7 * DAY),
      deleted(2, 'sha256:b', ['pr-2'], 7 * DAY + 1),
      deleted(3, 'sha256:c', ['pr-3'], 0)
    ]
    expect(ids(selectRestorations(versions, WEEK, container, NOW))).toEqual([1, 3])
  })

  it('takes tagged versions whose tags match delete-tags, and the untagged parts deleted with them', () => {
    const versions = [
      deleted(1, 'sha256:a', ['pr-1', 'extra'], DAY),
      deleted(2, 'sha256:b', ['v1.0.0'], DAY),
      deleted(3, 'sha256:c', [], DAY),
      deleted(4, 'sha256:d', [], 8 * DAY)
    ]
    expect(ids(selectRestorations(versions, WEEK, container, NOW))).toEqual([1, 3])
  })

  it('matches other package types by name, untagged or not', () => {
    const npm = { packageType: 'npm' as const, deleteTags: ['*-rc.*'] }
    const versions = [deleted(1, '1.0.0-rc.1', [], DAY), deleted(2, '1.0.0', [], DAY)]
    expect(ids(selectRestorations(versions, WEEK, npm, NOW))).toEqual([1])
  })

  it('takes every version deleted in the window when delete-tags is empty', () => {
    const all = { packageType: 'container' as const, deleteTags: [] }
    const versions = [deleted(1, 'sha256:a', ['v1'], DAY), deleted(2, 'sha256:b', ['pr-1'], 9 * DAY)]
    expect(ids(selectRestorations(versions, WEEK, all, NOW))).toEqual([1])
  })

  it('takes no version whose deletion time GitHub did not give: unknown is not within the window', () => {
    const withoutDeletedAt = deleted(1, 'sha256:a', ['pr-1'], DAY)
    delete withoutDeletedAt.deletedAt
    const recent = deleted(2, 'sha256:b', ['pr-2'], DAY)
    expect(ids(selectRestorations([withoutDeletedAt, recent], WEEK, container, NOW))).toEqual([2])
  })
})

describe('selectRestorations, by id', () => {
  it('takes exactly the requested ids, whatever their tags or deletion time, oldest first', () => {
    const versions = [
      deleted(1, 'sha256:a', ['v1'], 20 * DAY, 5),
      deleted(2, 'sha256:b', [], DAY, 10),
      deleted(3, 'sha256:c', ['pr-1'], DAY, 1)
    ]
    const request: RestoreRequest = { kind: 'ids', ids: [1, 2] }
    const chosen = selectRestorations(
      versions,
      request,
      { packageType: 'container', deleteTags: ['pr-*'] },
      NOW
    )
    expect(ids(chosen)).toEqual([2, 1])
  })
})
