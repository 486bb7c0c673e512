import { expect, it } from '@jest/globals'
import fc from 'fast-check'
import { inShard } from '../../src/run/shard.js'

it('N shards take each package exactly once, whatever the names, and a new name moves no other', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.string({ minLength: 1 }), { maxLength: 60 }),
      fc.integer({ min: 1, max: 100 }),
      fc.string({ minLength: 1 }),
      (names, count, added) => {
        const owner = (list: string[]) =>
          new Map(
            list.map(name => [
              name,
              Array.from({ length: count }, (_, k) => k + 1).filter(index => inShard(name, { index, count }))
            ])
          )
        const before = owner(names)
        for (const shards of before.values()) expect(shards).toHaveLength(1)
        const after = owner([...names, added])
        for (const name of names) expect(after.get(name)).toEqual(before.get(name))
      }
    )
  )
})

it('spreads names across the shards', () => {
  const names = Array.from({ length: 400 }, (_, i) => `lib-${i}`)
  const sizes = [1, 2, 3, 4].map(index => names.filter(name => inShard(name, { index, count: 4 })).length)
  for (const size of sizes) expect(size).toBeGreaterThan(70)
})
