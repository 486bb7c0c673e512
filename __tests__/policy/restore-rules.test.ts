import { describe, expect, it } from '@jest/globals'
import { selectRestorations } from '../../src/engine/restore.js'
import type { ListedVersion, RetentionPolicy } from '../../src/types.js'
import { NOW, rule } from './builder.js'

const deleted = (id: number, name: string): ListedVersion => ({
  id,
  name,
  tags: [],
  createdAt: '2026-10-01T00:00:00Z',
  updatedAt: '2026-11-21T00:00:00Z',
  deletedAt: '2026-11-21T00:00:00Z'
})

describe('restoring what a policy of rules deleted', () => {
  it('brings back, within the window, the versions any rule that deletes could have matched', () => {
    const policy: RetentionPolicy = {
      packageType: 'npm',
      keepLast: 0,
      minAgeMs: 0,
      minAgeText: '0',
      deleteTags: [],
      keepTags: [],
      rules: [
        rule('releases', ['*.0.0'], { keepForever: true }),
        rule('pull requests', ['*-pr-*']),
        rule('candidates', ['*-rc.*'])
      ]
    }
    const versions = [
      deleted(1, '1.0.0'),
      deleted(2, '1.1.0-pr-3'),
      deleted(3, '1.1.0-rc.1'),
      deleted(4, '1.1.0')
    ]
    const window = { kind: 'deleted-within' as const, windowMs: 7 * 86_400_000, windowText: '7d' }
    expect(selectRestorations(versions, window, policy, NOW).map(v => v.id)).toEqual([2, 3])
  })
})
