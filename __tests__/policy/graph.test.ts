import { describe, expect, it } from '@jest/globals'
import { PartsWalker, linkImages, type ImageGraph } from '../../src/engine/images.js'
import { cosignTag, digestOf } from './builder.js'
import type { ManifestInfo, PackageVersion } from '../../src/types.js'

/** A graph of `count` versions with the given parts, as `linkImages` would make it. */
function graphOf(count: number, parts: Record<number, number[]>): ImageGraph {
  const all = new Array<number[] | undefined>(count).fill(undefined)
  for (const [whole, list] of Object.entries(parts)) all[Number(whole)] = list
  return {
    role: new Uint8Array(count),
    parts: all,
    kinds: new Map(),
    subjects: new Map(),
    linked: true,
    taggedParts: new Set()
  }
}

describe('the walk over an image parts', () => {
  // 0 → 1, 2; 1 → 3; 2 → 3 (a part shared by two children); 3 → 1 (a cycle)
  const diamond = graphOf(5, { 0: [1, 2], 1: [3], 2: [3], 3: [1] })

  it('reaches every part once, however many ways lead to it, and ends on a cycle', () => {
    expect([...new PartsWalker(diamond).partsOf(0)].sort()).toEqual([1, 2, 3])
  })

  it('goes below a part only when asked to', () => {
    const asked: number[] = []
    const reached = new PartsWalker(diamond).partsOf(0, part => {
      asked.push(part)
      return part !== 1 && part !== 2
    })
    expect([...reached].sort()).toEqual([1, 2])
    expect([...asked].sort()).toEqual([1, 2])
  })

  it('walks again from scratch each time, on the same walker', () => {
    const walker = new PartsWalker(diamond)
    expect([...walker.partsOf(0)].sort()).toEqual([1, 2, 3])
    expect([...walker.partsOf(2)].sort()).toEqual([1, 3])
    expect(walker.partsOf(4)).toEqual([])
  })

  it('in post-order lists every part before what holds it, the image last, and leaves out what is skipped', () => {
    expect(new PartsWalker(diamond).postOrder(0, part => part === 2)).toEqual([3, 1, 0])
    // Without the cycle, each part comes before everything that holds it.
    const acyclic = graphOf(4, { 0: [1, 2], 1: [3], 2: [3] })
    const all = [...new PartsWalker(acyclic).postOrder(0, () => false)]
    expect(all.indexOf(3)).toBeLessThan(all.indexOf(1))
    expect(all.indexOf(3)).toBeLessThan(all.indexOf(2))
    expect(all[all.length - 1]).toBe(0)
    expect([...all].sort()).toEqual([0, 1, 2, 3])
  })

  it('follows a chain of 200,000 nested parts without overflowing the call stack', () => {
    const count = 200_000
    const chain: Record<number, number[]> = {}
    for (let p = 0; p < count - 1; p++) chain[p] = [p + 1]
    const walker = new PartsWalker(graphOf(count, chain))
    expect(walker.partsOf(0)).toHaveLength(count - 1)
    expect(walker.postOrder(0, () => false)).toHaveLength(count)
  })

  it('answers for the graph linkImages builds: child manifests, nested indexes and cosign signatures', () => {
    const version = (key: string, tags: string[] = []): PackageVersion => ({
      id: key.length,
      name: digestOf(key),
      tags,
      createdAt: '2026-11-01T00:00:00Z',
      updatedAt: '2026-11-01T00:00:00Z'
    })
    const versions = [
      version('index', ['v1']),
      version('nested'),
      version('amd64'),
      version('arm64'),
      version('signature', [cosignTag('index')]),
      version('other', ['v2'])
    ]
    const structure = new Map<string, ManifestInfo>([
      [digestOf('index'), { children: [digestOf('nested'), digestOf('amd64')] }],
      [digestOf('nested'), { children: [digestOf('arm64')] }]
    ])
    const walker = new PartsWalker(linkImages(versions, structure))
    expect([...walker.partsOf(0)].sort()).toEqual([1, 2, 3, 4])
    expect(walker.partsOf(1)).toEqual([3])
    expect(walker.partsOf(5)).toEqual([])
  })
})
