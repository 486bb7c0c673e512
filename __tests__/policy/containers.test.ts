import { describe, expect, it } from '@jest/globals'
import { planWithReads } from '../../src/engine/reads.js'
import { shortDigest } from '../../src/engine/images.js'
import { aContainer, digestOf, NOW } from './builder.js'

/** A multi-architecture image: a tagged index with two platform manifests, all pushed together. */
function withImage(builder: ReturnType<typeof aContainer>, tag: string, age: string) {
  return builder
    .withVersion(tag, { tags: [tag], age, children: [`${tag}-amd64`, `${tag}-arm64`] })
    .withVersion(`${tag}-amd64`, { age })
    .withVersion(`${tag}-arm64`, { age })
}

describe('untagged versions', () => {
  it.each([
    ['include', 'delete', ['delete: untagged, 100d old']],
    ['only', 'delete', ['delete: untagged, 100d old']],
    ['exclude', 'keep', ['keep: untagged (untagged: exclude)']]
  ] as const)('untagged: %s on a dangling untagged version: %s', (mode, action, reasons) => {
    const plan = aContainer()
      .withVersion('latest', { tags: ['latest'], age: '1d' })
      .withVersion('old')
      .untagged(mode)
    expect(plan.plan().action('old')).toBe(action)
    expect(plan.plan().reasons('old')).toEqual(reasons)
  })

  it('untagged: only selects no tagged version', () => {
    const plan = aContainer()
      .withVersion('v1', { tags: ['v1'] })
      .withVersion('x')
      .untagged('only')
      .deleting('v*')
    expect(plan.plan().reasons('v1')).toEqual(['keep: tagged (untagged: only)'])
  })

  it('untagged: only counts untagged images for keep-last', () => {
    const plan = aContainer()
      .withVersion('a', { age: '10d' })
      .withVersion('b', { age: '20d' })
      .withVersion('c', { age: '30d' })
      .untagged('only')
      .keepingLast(2)
      .plan()
    expect(plan.kept).toEqual(['a', 'b'])
    expect(plan.reasons('c')).toEqual(['delete: untagged, 30d old, not among the 2 newest selected'])
  })

  it('untagged: include does not count dangling untagged images for keep-last', () => {
    const plan = aContainer()
      .withVersion('dangling', { age: '10d' })
      .withVersion('v2', { tags: ['v2'], age: '20d' })
      .withVersion('v1', { tags: ['v1'], age: '30d' })
      .keepingLast(1)
      .plan()
    expect(plan.kept).toEqual(['v2'])
    expect(plan.deleted).toEqual(['v1', 'dangling'])
  })
})

describe('tags', () => {
  it('selects a version by any of its tags, and protects it by any', () => {
    const plan = aContainer()
      .withVersion('a', { tags: ['main', 'sha-1'], age: '10d' })
      .withVersion('b', { tags: ['latest', 'sha-2'], age: '20d' })
      .withVersion('c', { tags: ['v1'], age: '30d' })
      .deleting('sha-*')
      .keeping('latest', 'v*')
      .plan()
    expect(plan.reasons('a')).toEqual(['delete: selected by delete-tags "sha-*", 10d old'])
    expect(plan.reasons('b')).toEqual(['keep: tag "latest" matches keep-tags "latest"'])
    expect(plan.reasons('c')).toEqual([
      'keep: not selected by delete-tags',
      'keep: tag "v1" matches keep-tags "v*"'
    ])
  })

  it('selects every tagged version when delete-tags is empty', () => {
    const plan = aContainer()
      .withVersion('new', { tags: ['new'], age: '1d' })
      .withVersion('v1', { tags: ['v1'] })
    expect(plan.plan().reasons('v1')).toEqual([
      'delete: selected (delete-tags is empty: all tagged versions), 100d old'
    ])
  })
})

describe('multi-architecture images', () => {
  it('deletes an image with its platform manifests, the index first', () => {
    const plan = withImage(withImage(aContainer(), 'v2', '10d'), 'v1', '40d')
      .keepingLast(1)
      .plan()
    expect(plan.deleted).toEqual(['v1', 'v1-amd64', 'v1-arm64'])
    expect(plan.reasons('v1')).toEqual([
      'delete: selected (delete-tags is empty: all tagged versions), 40d old, not among the 1 newest selected'
    ])
    expect(plan.reasons('v1-amd64')).toEqual(['delete: platform manifest of deleted image v1'])
  })

  it('keeps every manifest of a kept image, however old and untagged', () => {
    const plan = withImage(aContainer(), 'v1', '400d').keeping('v1').plan()
    expect(plan.kept).toEqual(['v1', 'v1-amd64', 'v1-arm64'])
    expect(plan.reasons('v1-arm64')).toEqual(['keep: platform manifest of kept image v1'])
  })

  it('counts images, not versions, for keep-last', () => {
    let builder = aContainer()
    for (const [tag, age] of [
      ['v3', '10d'],
      ['v2', '20d'],
      ['v1', '30d']
    ])
      builder = withImage(builder, tag, age)
    const plan = builder.keepingLast(2).plan()
    expect(plan.kept).toEqual(['v3', 'v3-amd64', 'v3-arm64', 'v2', 'v2-amd64', 'v2-arm64'])
  })

  it('keeps a manifest that a kept image shares with a deleted one', () => {
    const plan = aContainer()
      .withVersion('v2', { tags: ['v2'], age: '10d', children: ['shared', 'v2-arm64'] })
      .withVersion('v2-arm64', { age: '10d' })
      .withVersion('v1', { tags: ['v1'], age: '40d', children: ['shared', 'v1-arm64'] })
      .withVersion('v1-arm64', { age: '40d' })
      .withVersion('shared', { age: '40d' })
      .deleting('v1')
      .plan()
    expect(plan.deleted).toEqual(['v1', 'v1-arm64'])
    expect(plan.reasons('shared')).toEqual(['keep: platform manifest of kept image v2'])
  })

  it('deletes a manifest shared by two deleted images after both', () => {
    const plan = aContainer()
      .withVersion('v2', { tags: ['v2'], age: '10d', children: ['shared'] })
      .withVersion('v1', { tags: ['v1'], age: '40d', children: ['shared', 'v1-arm64'] })
      .withVersion('v1-arm64', { age: '40d' })
      .withVersion('shared', { age: '40d' })
      .withVersion('latest', { tags: ['latest'], age: '1d' })
      .deleting('v*')
      .plan()
    expect(plan.deleted).toEqual(['v1', 'v1-arm64', 'v2', 'shared'])
    expect(plan.reasons('shared')).toEqual([
      'delete: platform manifest of deleted image v2',
      'delete: platform manifest of deleted image v1'
    ])
  })

  it('deletes the known untagged manifests of a deleted image with it, also when untagged: exclude', () => {
    const plan = withImage(
      aContainer().withVersion('latest', { tags: ['latest'], age: '1d' }),
      'v1',
      '40d'
    ).withVersion('loose', { age: '50d' })
    const planned = plan.untagged('exclude').deleting('v1').plan()
    expect(planned.deleted).toEqual(['v1', 'v1-amd64', 'v1-arm64'])
    expect(planned.reasons('loose')).toEqual(['keep: untagged (untagged: exclude)'])
  })

  it('keeps a manifest of a deleted image that min-age protects, and its own parts', () => {
    const plan = aContainer()
      .withVersion('latest', { tags: ['latest'], age: '1d' })
      .withVersion('v1', { tags: ['v1'], age: '40d', children: ['nested'] })
      .withVersion('nested', { age: '2d', children: ['leaf'] })
      .withVersion('leaf', { age: '50d' })
      .withMinAge('7d')
      .deleting('v1')
      .plan()
    expect(plan.deleted).toEqual(['v1'])
    expect(plan.reasons('nested')).toEqual(['keep: younger than 7d (2d old)'])
    expect(plan.reasons('leaf')).toEqual([
      `keep: platform manifest of kept image ${shortDigest(digestOf('nested'))}`
    ])
  })

  it('treats a tagged platform manifest as an image of its own too', () => {
    const plan = aContainer()
      .withVersion('latest', { tags: ['latest'], age: '1d' })
      .withVersion('v1', { tags: ['v1'], age: '40d', children: ['v1-amd64'] })
      .withVersion('v1-amd64', { tags: ['v1-amd64'], age: '40d' })
      .deleting('v1')
    expect(plan.plan().deleted).toEqual(['v1'])
    expect(plan.plan().reasons('v1-amd64')).toEqual(['keep: not selected by delete-tags'])
    const keptIndex = plan.deleting('*-amd64').plan()
    expect(keptIndex.deleted).toEqual([])
    expect(keptIndex.reasons('v1-amd64')).toEqual(['keep: platform manifest of kept image v1'])
  })

  it('decides every version of a cycle of children', () => {
    const plan = aContainer()
      .withVersion('latest', { tags: ['latest'], age: '1d' })
      .withVersion('a', { children: ['b'] })
      .withVersion('b', { children: ['a'] })
      .plan()
    expect(plan.deleted.sort()).toEqual(['a', 'b'])
  })
})

describe('signatures and referrers', () => {
  it('deletes the signatures of a deleted image last, and keeps those of a kept one', () => {
    const plan = withImage(withImage(aContainer(), 'v2', '10d'), 'v1', '40d')
      .withSignature('v1.sig', 'v1', { age: '40d' })
      .withSignature('v1.att', 'v1', { age: '40d', suffix: 'att' })
      .withSignature('v2.sig', 'v2', { age: '10d' })
      .withSignature('v2.sbom', 'v2', { age: '10d', suffix: 'sbom' })
      .keepingLast(1)
      .plan()
    expect(plan.deleted).toEqual(['v1', 'v1-amd64', 'v1-arm64', 'v1.sig', 'v1.att'])
    expect(plan.reasons('v1.att')).toEqual(['delete: attestation of deleted image v1'])
    expect(plan.reasons('v2.sig')).toEqual(['keep: signature of kept image v2'])
    expect(plan.reasons('v2.sbom')).toEqual(['keep: SBOM of kept image v2'])
  })

  it('does not count signatures as images for keep-last', () => {
    const plan = withImage(aContainer(), 'v2', '10d')
      .withSignature('v2.sig', 'v2', { age: '9d' })
      .withVersion('v1', { tags: ['v1'], age: '20d' })
      .keepingLast(2)
      .plan()
    expect(plan.deleted).toEqual([])
  })

  it('follows the subject of an OCI 1.1 referrer', () => {
    const plan = withImage(aContainer().withVersion('latest', { tags: ['latest'], age: '1d' }), 'v1', '40d')
      .withVersion('v1.provenance', { age: '40d', subject: 'v1' })
      .deleting('v1')
      .plan()
    expect(plan.deleted).toEqual(['v1', 'v1-amd64', 'v1-arm64', 'v1.provenance'])
    expect(plan.reasons('v1.provenance')).toEqual(['delete: referrer of deleted image v1'])
  })

  it('keeps a signature that keep-tags protect, even of a deleted image', () => {
    const plan = withImage(aContainer().withVersion('latest', { tags: ['latest'], age: '1d' }), 'v1', '40d')
      .withSignature('v1.sig', 'v1')
      .deleting('v1')
      .keeping('*.sig')
      .plan()
    expect(plan.action('v1.sig')).toBe('keep')
    expect(plan.action('v1')).toBe('delete')
  })

  it.each([
    ['include', 'delete', `delete: orphaned signature of ${digestOf('gone')}, 100d old`],
    ['only', 'delete', `delete: orphaned signature of ${digestOf('gone')}, 100d old`],
    ['exclude', 'keep', `keep: orphaned signature of ${digestOf('gone')} (untagged: exclude)`]
  ] as const)('untagged: %s on a signature whose image is gone: %s', (mode, action, reason) => {
    const plan = aContainer()
      .withVersion('latest', { tags: ['latest'], age: '1d' })
      .withSignature('orphan', 'gone')
      .untagged(mode)
      .deleting('nothing')
      .plan()
    expect(plan.action('orphan')).toBe(action)
    expect(plan.reasons('orphan')).toEqual([reason])
  })

  it('treats a referrer whose subject is gone as an orphan', () => {
    const plan = aContainer()
      .withVersion('latest', { tags: ['latest'], age: '1d' })
      .withVersion('lost', { subject: digestOf('gone') })
      .plan()
    expect(plan.reasons('lost')).toEqual([`delete: orphaned referrer of ${digestOf('gone')}, 100d old`])
  })
})

describe('the last versions', () => {
  it('keeps the newest tagged image, with its parts, when no tagged version would remain', () => {
    const plan = withImage(withImage(aContainer(), 'v2', '10d'), 'v1', '40d')
      .withSignature('v2.sig', 'v2')
      .plan()
    expect(plan.kept).toEqual(['v2', 'v2-amd64', 'v2-arm64', 'v2.sig'])
    expect(plan.reasons('v2')).toEqual(['keep: last tagged version of the package'])
    expect(plan.reasons('v2.sig')).toEqual(['keep: signature of kept image v2'])
  })

  it('keeps the newest tagged image even when a kept signature is still tagged', () => {
    // A signature pushed an hour ago is kept by min-age: a tagged version stays, but only a signature, and
    // which signatures stay depends on which manifests were read. The newest image is kept all the same.
    const plan = withImage(withImage(aContainer(), 'v2', '10d'), 'v1', '40d')
      .withSignature('fresh.sig', 'v1', { age: '1h' })
      .withPolicy({ minAgeMs: 86_400_000, minAgeText: '1d' })
      .plan()
    expect(plan.action('fresh.sig')).toBe('keep')
    expect(plan.reasons('v2')).toEqual(['keep: last tagged version of the package'])
    expect(plan.deleted).toEqual(['v1', 'v1-amd64', 'v1-arm64'])
  })

  it('keeps the newest version of a package without tagged versions', () => {
    const plan = aContainer()
      .withVersion('a', { age: '10d' })
      .withVersion('b', { age: '20d' })
      .untagged('only')
      .plan()
    expect(plan.reasons('a')).toEqual(['keep: last version of the package'])
    expect(plan.deleted).toEqual(['b'])
  })
})

describe('when the image structure is not known', () => {
  it('deletes no untagged version, and tagged ones as usual', () => {
    const plan = withImage(aContainer().withVersion('latest', { tags: ['latest'], age: '1d' }), 'v1', '40d')
      .withSignature('v1.sig', 'v1', { age: '40d' })
      .withVersion('dangling', { age: '50d' })
      .withoutStructure()
      .deleting('v1')
      .plan()
    expect(plan.deleted).toEqual(['v1', 'v1.sig'])
    expect(plan.reasons('v1-amd64')).toEqual(['keep: image structure unknown (registry not read)'])
    expect(plan.reasons('dangling')).toEqual(['keep: image structure unknown (registry not read)'])
  })

  it('deletes no untagged version while a kept image was not read', () => {
    const plan = aContainer()
      .withVersion('latest', { tags: ['latest'], age: '1d', unread: true })
      .withVersion('v1', { tags: ['v1'], age: '40d', children: ['v1-amd64'] })
      .withVersion('v1-amd64', { age: '40d' })
      .deleting('v1')
      .plan()
    expect(plan.deleted).toEqual(['v1'])
    expect(plan.reasons('v1-amd64')).toEqual(['keep: image structure unknown (manifest of latest not read)'])
  })

  it('needs no manifest of a deleted image', () => {
    const plan = aContainer()
      .withVersion('latest', { tags: ['latest'], age: '1d' })
      .withVersion('v1', { tags: ['v1'], age: '40d', unread: true })
      .withVersion('dangling', { age: '40d' })
      .deleting('v1')
      .plan()
    expect(plan.deleted).toEqual(['dangling', 'v1'])
  })
})

describe('reading only what the plan needs', () => {
  const images = () =>
    withImage(aContainer().withVersion('latest', { tags: ['latest'], age: '1d' }), 'v1', '40d')
      .withSignature('v1.sig', 'v1')
      .withVersion('referrers', { tags: [`sha256-${digestOf('v1').slice(7)}`] })

  it('reads nothing when the plan could delete nothing', async () => {
    const { rounds, plan } = await images().untagged('exclude').keepingLast(100).withReads()
    expect(rounds).toEqual([])
    expect(plan.deleted).toEqual([])
  })

  it('reads the kept images, never a deletion candidate, and finds the parts of a deleted one', async () => {
    const { rounds, plan } = await withImage(images().keepingLast(1).keeping('latest'), 'old', '90d')
      .withVersion('loose', { age: '60d' })
      .withReads()
    expect(rounds.flat()).not.toContain('v1')
    expect(rounds.flat()).not.toContain('old')
    expect(rounds).toEqual([['latest']])
    expect(plan.deleted).toEqual(expect.arrayContaining(['old', 'old-amd64', 'old-arm64', 'loose', 'v1']))
    // The unread tagged candidates go newest first, each after the one before; the untagged deletions wait
    // for the last of them, and come after it. Each waits for one at most, and only for an earlier one.
    const deletions = plan.raw.deletions
    const at = new Map(deletions.map((d, i) => [d.version.id, i]))
    for (const d of deletions) {
      expect((d.after ?? []).length).toBeLessThanOrEqual(1)
      for (const id of d.after ?? []) expect(at.get(id)).toBeLessThan(at.get(d.version.id) as number)
    }
    const untagged = deletions.filter(d => d.version.tags.length === 0)
    expect(new Set(untagged.map(d => d.after?.[0])).size).toBe(1)
    const last = deletions.find(d => d.version.id === untagged[0].after?.[0])
    expect(last?.version.tags.length).toBeGreaterThan(0)
  })

  it('reads the kept untagged index of a package pushed by digest only, and keeps its parts', async () => {
    const { rounds, plan } = await aContainer()
      .withVersion('index', { age: '1d', children: ['amd64', 'arm64'] })
      .withVersion('amd64', { age: '1d' })
      .withVersion('arm64', { age: '1d' })
      .withVersion('old', { age: '50d' })
      .untagged('only')
      .keepingLast(1)
      .withReads()
    expect(rounds).toEqual([['index']])
    expect(plan.kept).toEqual(['index', 'amd64', 'arm64'])
    expect(plan.deleted).toEqual(['old'])
  })

  it('follows a nested index, so its children are parts too', async () => {
    const { plan } = await aContainer()
      .withVersion('latest', { tags: ['latest'], age: '1d', children: ['inner'] })
      .withVersion('inner', { age: '1d', children: ['amd64'] })
      .withVersion('amd64', { age: '1d' })
      .withVersion('loose', { age: '50d' })
      .withReads()
    expect(plan.kept).toEqual(['latest', 'inner', 'amd64'])
    expect(plan.deleted).toEqual(['loose'])
  })

  it('keeps a tagged platform manifest of a kept index', async () => {
    const { plan } = await aContainer()
      .withVersion('latest', { tags: ['latest'], age: '1d', children: ['amd64'] })
      .withVersion('amd64', { tags: ['amd64'], age: '1d' })
      .deleting('amd64')
      .withReads()
    expect(plan.kept).toEqual(['latest', 'amd64'])
  })

  it('uses the remembered manifest of a candidate: its parts go with it, and a ghost says so', async () => {
    const builder = aContainer()
      .withVersion('latest', { tags: ['latest'], age: '1d' })
      .withVersion('old', { tags: ['old'], age: '40d', children: ['old-amd64'] })
      .withVersion('old-amd64', { age: '40d' })
      .withVersion('ghost', { tags: ['ghost'], age: '50d', children: ['gone'] })
      .keepingLast(1)
    const registry = builder.registry()
    const remembered = (digests: string[]) =>
      new Map(
        digests.filter(d => d !== digestOf('latest')).map(d => [d, registry.get(d) ?? { children: [] }])
      )
    const read = async (digests: string[]) =>
      new Map(digests.map(d => [d, registry.get(d) ?? { children: [] }]))
    const { plan, incomplete } = await planWithReads(
      builder.versions(),
      builder.policy(),
      NOW,
      read,
      remembered
    )
    const byTag = (tag: string) => plan.decisions.find(d => d.version.name === digestOf(tag))
    expect(byTag('old-amd64')?.partOf).toEqual([byTag('old')?.version.id])
    expect(byTag('old-amd64')?.after).toBeUndefined()
    expect(byTag('ghost')?.reasons).toContain(
      'delete: ghost image (none of the 1 manifests it lists is left)'
    )
    expect(incomplete.map(i => i.missing)).toEqual([[digestOf('gone')]])
  })

  it('deletes nothing in the package when a read it needs fails, naming the digests', async () => {
    const builder = withImage(images(), 'old', '90d')
    await expect(
      planWithReads(builder.versions(), builder.policy(), NOW, async () => undefined)
    ).rejects.toThrow(
      /^nothing in this package is deleted in this run .*the manifest\(s\) sha256:[0-9a-f]{64}/
    )
  })
})
