import { describe, expect, it } from '@jest/globals'
import { planDeletions } from '../../src/engine/policy.js'
import { parseTime } from '../../src/engine/time.js'
import type { PackageVersion } from '../../src/types.js'
import { NOW, aPackage } from './builder.js'

describe('selection', () => {
  it('selects every version when delete-tags is empty', () => {
    const plan = aPackage().withVersion('1.0.0').withVersion('1.0.1', { age: '50d' }).plan()
    expect(plan.reasons('1.0.0')).toEqual(['delete: selected (delete-tags is empty: all versions), 100d old'])
    expect(plan.action('1.0.1')).toBe('keep')
    expect(plan.reasons('1.0.1')).toEqual(['keep: last version of the package'])
  })

  it.each([
    [['*-pr-*'], '1.0.0-pr-12', 'delete', 'delete: selected by delete-tags "*-pr-*", 100d old'],
    [['*-pr-*'], '1.0.0', 'keep', 'keep: not selected by delete-tags'],
    [
      ['*-{alpha,beta}.*'],
      '2.0.0-beta.1',
      'delete',
      'delete: selected by delete-tags "*-{alpha,beta}.*", 100d old'
    ],
    [['*-rc.*', '!*-rc.1'], '2.0.0-rc.1', 'keep', 'keep: not selected by delete-tags'],
    [['!1.*'], '2.0.0', 'delete', 'delete: selected by delete-tags "!1.*", 100d old'],
    [['1.0.0-PR-*'], '1.0.0-pr-3', 'keep', 'keep: not selected by delete-tags']
  ])('delete-tags %j on %s: %s', (globs, name, action, reason) => {
    const plan = aPackage()
      .withVersion('newest', { age: '1d' })
      .withVersion(name)
      .deleting(...globs)
      .plan()
    expect(plan.action(name)).toBe(action)
    expect(plan.reasons(name)).toEqual([reason])
  })
})

describe('protections', () => {
  it('keep-tags win over selection', () => {
    const plan = aPackage()
      .withVersion('2.0.0', { age: '1d' })
      .withVersion('1.0.0')
      .keeping('*.0.0', '1.*')
      .plan()
    expect(plan.reasons('1.0.0')).toEqual(['keep: name "1.0.0" matches keep-tags "*.0.0"'])
  })

  it.each([
    ['29d', 'keep', 'keep: younger than 30d (29d old)'],
    ['29d23h', 'keep', 'keep: younger than 30d (29d old)'],
    ['30d', 'delete', 'delete: selected (delete-tags is empty: all versions), 30d old'],
    ['45d', 'delete', 'delete: selected (delete-tags is empty: all versions), 45d old']
  ])('min-age 30d on a version %s old: %s', (age, action, reason) => {
    const plan = aPackage()
      .withVersion('new', { age: '1d' })
      .withVersion('v', { age })
      .withMinAge('30d')
      .plan()
    expect(plan.action('v')).toBe(action)
    expect(plan.reasons('v')).toEqual([reason])
  })

  it.each([
    ['5h', 'keep: younger than 1d (5h old)'],
    ['30m', 'keep: younger than 1d (30m old)'],
    ['10s', 'keep: younger than 1d (10s old)']
  ])('writes an age of %s in its unit', (age, reason) => {
    expect(aPackage().withVersion('v', { age }).withMinAge('1d').plan().reasons('v')).toEqual([reason])
  })

  it('keeps the keep-last newest selected versions, and says why the others are not', () => {
    const plan = aPackage()
      .withVersion('3.0.0-pr-1', { age: '10d' })
      .withVersion('2.0.0', { age: '20d' })
      .withVersion('2.0.0-pr-1', { age: '30d' })
      .withVersion('1.0.0-pr-1', { age: '40d' })
      .deleting('*-pr-*')
      .keepingLast(2)
      .plan()
    expect(plan.kept).toEqual(['3.0.0-pr-1', '2.0.0', '2.0.0-pr-1'])
    expect(plan.reasons('2.0.0-pr-1')).toEqual(['keep: among the 2 newest selected'])
    expect(plan.reasons('1.0.0-pr-1')).toEqual([
      'delete: selected by delete-tags "*-pr-*", 40d old, not among the 2 newest selected'
    ])
  })

  it('counts for keep-last the selected versions other rules protect too, and lists every reason', () => {
    const plan = aPackage()
      .withVersion('1.2.0', { age: '1d' })
      .withVersion('1.1.0', { age: '20d' })
      .withVersion('1.0.0', { age: '40d' })
      .keeping('1.2.*')
      .withMinAge('7d')
      .keepingLast(2)
      .plan()
    expect(plan.reasons('1.2.0')).toEqual([
      'keep: among the 2 newest selected',
      'keep: name "1.2.0" matches keep-tags "1.2.*"',
      'keep: younger than 7d (1d old)'
    ])
    expect(plan.reasons('1.1.0')).toEqual(['keep: among the 2 newest selected'])
    expect(plan.action('1.0.0')).toBe('delete')
  })

  it('never deletes the last version: the newest of those it would delete stays', () => {
    const plan = aPackage().withVersion('b', { age: '20d' }).withVersion('a', { age: '30d' }).plan()
    expect(plan.kept).toEqual(['b'])
    expect(plan.reasons('b')).toEqual(['keep: last version of the package'])
    expect(plan.deleted).toEqual(['a'])
  })

  it('leaves the last version alone when another one stays anyway', () => {
    const plan = aPackage()
      .withVersion('keep-me', { age: '40d' })
      .withVersion('b', { age: '30d' })
      .keeping('keep-*')
    expect(plan.plan().deleted).toEqual(['b'])
  })

  it('protects a version whose creation time is not a date, and sorts it newest', () => {
    const plan = aPackage()
      .withVersion('odd', { createdAt: 'yesterday' })
      .withVersion('a')
      .withVersion('b')
      .plan()
    expect(plan.order[0]).toBe('odd')
    expect(plan.reasons('odd')).toEqual(['keep: creation time "yesterday" is not a date'])
    expect(plan.deleted).toEqual(['b', 'a'])
  })
})

describe('order', () => {
  const at = '2026-10-01T08:00:00Z'

  it('puts the higher id first at the same instant, whatever the input order', () => {
    const plan = aPackage()
      .withVersion('low', { createdAt: at, id: 5 })
      .withVersion('high', { createdAt: at, id: 9 })
      .withVersion('older', { createdAt: '2026-09-30T08:00:00Z', id: 99 })
      .keepingLast(1)
      .plan()
    expect(plan.order).toEqual(['high', 'low', 'older'])
    expect(plan.kept).toEqual(['high'])
    expect(plan.deleted).toEqual(['older', 'low'])
  })

  it('compares instants, not texts', () => {
    const plan = aPackage()
      .withVersion('utc', { createdAt: '2026-10-01T08:00:00Z', id: 1 })
      .withVersion('offset', { createdAt: '2026-10-01T09:30:00+02:00', id: 2 })
      .withVersion('millis', { createdAt: '2026-10-01T08:00:00.500Z', id: 3 })
      .plan()
    expect(plan.order).toEqual(['millis', 'utc', 'offset'])
  })

  it('deletes the oldest first', () => {
    const plan = aPackage()
      .withVersion('c', { age: '10d' })
      .withVersion('a', { age: '30d' })
      .withVersion('b', { age: '20d' })
      .withVersion('d', { age: '1d' })
      .plan()
    expect(plan.order).toEqual(['d', 'c', 'b', 'a'])
    expect(plan.deleted).toEqual(['a', 'b', 'c'])
  })

  it('gives the same plan for any input order', () => {
    const versions: PackageVersion[] = [
      { id: 1, name: 'a', tags: [], createdAt: at, updatedAt: at },
      { id: 2, name: 'b', tags: [], createdAt: at, updatedAt: at },
      { id: 3, name: 'c', tags: [], createdAt: '2026-09-01T00:00:00Z', updatedAt: at }
    ]
    const policy = aPackage().keepingLast(1).policy()
    const plan = planDeletions(versions, policy, NOW)
    expect(planDeletions([...versions].reverse(), policy, NOW)).toEqual(plan)
    expect(planDeletions([versions[2], versions[0], versions[1]], policy, NOW)).toEqual(plan)
  })
})

describe('parseTime', () => {
  it.each([
    '2026-11-22T12:34:56Z',
    '1970-01-01T00:00:00Z',
    '2024-02-29T23:59:59Z',
    '2024-02-30T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-01-01T24:00:00Z',
    '2024-01-01T23:60:00Z',
    '0000-01-01T00:00:00Z',
    '2026-11-22T12:34:56.789Z',
    '2026-11-22T12:34:56+01:00',
    '2026-11-22'
  ])('reads %s as Date.parse does', iso => {
    const expected = Date.parse(iso)
    expect(parseTime(iso)).toBe(Number.isNaN(expected) ? Infinity : expected)
  })
})
