import { describe, expect, it } from '@jest/globals'
import { planDeletions, policyFor } from '../../src/engine/policy.js'
import { aContainer, aPackage, cosignTag, rule, NOW } from './builder.js'

const DAY = 86_400_000
const days = (n: number) => ({ minAgeMs: n * DAY, minAgeText: `${n}d` })

describe('a policy of several rules', () => {
  it('governs each version by the first rule that matches it, and names the rule in every reason', () => {
    const plan = aPackage()
      .withVersion('2.0.0', { age: '40d' })
      .withVersion('2.0.0-pr-3', { age: '2d' })
      .withVersion('1.9.0-pr-2', { age: '20d' })
      .withVersion('1.9.0-pr-1', { age: '30d' })
      .withVersion('1.0.0', { age: '60d' })
      .withVersion('0.0.0-sha.a', { age: '45d' })
      .withVersion('0.0.0-sha.b', { age: '50d' })
      .withRules(
        rule('releases', ['*.*.0'], { keepForever: true }),
        rule('pull requests', ['*-pr-*'], { keepLast: 1, ...days(7) }),
        rule('the rest', ['**'], { keepLast: 1, ...days(30) })
      )
      .plan()
    // 2.0.0-pr-3 matches "releases"? No: `*.*.0` needs the name to end in .0, and it ends in -pr-3.
    expect(plan.reasons('2.0.0')).toEqual(['keep: rule "releases": kept forever'])
    expect(plan.reasons('1.0.0')).toEqual(['keep: rule "releases": kept forever'])
    expect(plan.reasons('2.0.0-pr-3')).toEqual([
      'keep: rule "pull requests": among the 1 newest',
      'keep: rule "pull requests": younger than 7d (2d old)'
    ])
    expect(plan.reasons('1.9.0-pr-2')).toEqual([
      'delete: rule "pull requests": 20d old, not among the 1 newest'
    ])
    expect(plan.reasons('1.9.0-pr-1')).toEqual([
      'delete: rule "pull requests": 30d old, not among the 1 newest'
    ])
    expect(plan.reasons('0.0.0-sha.a')).toEqual(['keep: rule "the rest": among the 1 newest'])
    expect(plan.reasons('0.0.0-sha.b')).toEqual(['delete: rule "the rest": 50d old, not among the 1 newest'])
    expect(plan.deleted).toEqual(['0.0.0-sha.b', '1.9.0-pr-1', '1.9.0-pr-2'])
  })

  it('keeps what no rule matches, and says so', () => {
    const plan = aPackage()
      .withVersion('1.0.0', { age: '40d' })
      .withVersion('1.0.0-pr-1', { age: '40d' })
      .withRules(rule('pull requests', ['*-pr-*']))
      .plan()
    expect(plan.reasons('1.0.0')).toEqual(['keep: no rule matches'])
    expect(plan.reasons('1.0.0-pr-1')).toEqual(['delete: rule "pull requests": 40d old'])
  })

  it('counts keep-last within each rule: one rule’s versions never push another’s out', () => {
    const plan = aPackage()
      .withVersion('3-pr', { age: '10d' })
      .withVersion('2-pr', { age: '11d' })
      .withVersion('1-pr', { age: '12d' })
      .withVersion('b-rc', { age: '20d' })
      .withVersion('a-rc', { age: '21d' })
      .withRules(rule('prs', ['*-pr'], { keepLast: 2 }), rule('rcs', ['*-rc'], { keepLast: 1 }))
      .plan()
    expect(plan.kept).toEqual(['3-pr', '2-pr', 'b-rc'])
    expect(plan.deleted).toEqual(['a-rc', '1-pr'])
  })

  it('a rule with `packages` applies only to those packages', () => {
    const policy = aPackage()
      .withRules(
        rule('app only', ['*'], { packages: ['app', 'api-*'] }),
        rule('others', ['*'], { keepLast: 5 })
      )
      .policy()
    expect(policyFor(policy, 'api-web').rules?.map(r => r.name)).toEqual(['app only', 'others'])
    expect(policyFor(policy, 'web').rules?.map(r => r.name)).toEqual(['others'])
    expect(policyFor(policy, 'web').rules?.map(r => r.name)).toEqual(['others'])
  })
})

describe('a policy of several rules on container images', () => {
  const index = { children: ['amd64', 'arm64'] }
  const images = () =>
    aContainer()
      .withVersion('v1', { tags: ['v1.0.0'], age: '90d', ...index })
      .withVersion('amd64', { age: '90d' })
      .withVersion('arm64', { age: '90d' })
      .withSignature('v1-sig', 'v1', { age: '90d' })
      .withVersion('pr1', { tags: ['pr-1'], age: '20d', children: ['pr1-amd64'] })
      .withVersion('pr1-amd64', { age: '20d' })
      .withSignature('pr1-sig', 'pr1', { age: '20d' })
      .withVersion('pr2', { tags: ['pr-2'], age: '3d', children: ['pr2-amd64'] })
      .withVersion('pr2-amd64', { age: '3d' })
      .withVersion('dangling-old', { age: '5d' })
      .withVersion('dangling-new', { age: '2h' })
      .withSignature('orphan-sig', 'gone', { age: '10d' })

  it('deletes an image with its parts, keeps kept images whole, and ages untagged ones by their own rule', () => {
    const plan = images()
      .withRules(
        rule('releases', ['v*.*.*'], { keepForever: true }),
        rule('pull requests', ['pr-*'], { keepLast: 0, ...days(7) }),
        rule('untagged', 'untagged', days(1))
      )
      .plan()
    expect(plan.kept).toEqual(['dangling-new', 'pr2', 'pr2-amd64', 'v1', 'amd64', 'arm64', 'v1-sig'])
    expect(plan.reasons('v1')).toEqual(['keep: rule "releases": kept forever'])
    expect(plan.reasons('amd64')).toEqual(['keep: platform manifest of kept image v1.0.0'])
    expect(plan.reasons('pr2')).toEqual(['keep: rule "pull requests": younger than 7d (3d old)'])
    expect(plan.reasons('dangling-new')).toEqual(['keep: rule "untagged": younger than 1d (2h old)'])
    expect(plan.reasons('dangling-old')).toEqual(['delete: rule "untagged": 5d old'])
    expect(plan.reasons('pr1')).toEqual(['delete: rule "pull requests": 20d old'])
    expect(plan.reasons('pr1-amd64')).toEqual(['delete: platform manifest of deleted image pr-1'])
    expect(plan.reasons('pr1-sig')).toEqual(['delete: signature of deleted image pr-1'])
    expect(plan.reasons('orphan-sig')[0]).toMatch(
      /^delete: rule "untagged": orphaned signature of sha256:\w+, 10d old$/
    )
    expect(plan.deleted).toEqual(['pr1', 'pr1-amd64', 'pr1-sig', 'orphan-sig', 'dangling-old'])
  })

  it('without a rule for untagged images keeps them, but still deletes the parts of the images it deletes', () => {
    const plan = images()
      .withRules(rule('pull requests', ['pr-*']))
      .plan()
    expect(plan.reasons('dangling-old')).toEqual(['keep: no rule matches'])
    expect(plan.reasons('orphan-sig')).toEqual(['keep: no rule matches'])
    expect(plan.deleted).toEqual(['pr1', 'pr1-amd64', 'pr1-sig', 'pr2', 'pr2-amd64'])
    expect(plan.reasons('v1')).toEqual(['keep: no rule matches'])
  })

  it('counts untagged images for keep-last in a rule for untagged images, and tagged ones elsewhere', () => {
    const plan = images()
      .withRules(rule('untagged', 'untagged', { keepLast: 1 }), rule('all', ['**'], { keepLast: 1 }))
      .plan()
    expect(plan.reasons('dangling-new')).toEqual(['keep: rule "untagged": among the 1 newest'])
    expect(plan.reasons('dangling-old')).toEqual(['delete: rule "untagged": 5d old, not among the 1 newest'])
    expect(plan.reasons('pr2')).toEqual(['keep: rule "all": among the 1 newest'])
    expect(plan.action('pr1')).toBe('delete')
    expect(plan.action('v1')).toBe('delete')
  })

  it('ages the parts of an image it deletes by the min-age of the image’s rule', () => {
    const plan = aContainer()
      .withVersion('pr1', { tags: ['pr-1'], age: '20d', children: ['pr1-amd64'] })
      .withVersion('pr1-amd64', { age: '20d' })
      .withVersion('late-sig', { tags: [cosignTag('pr1')], age: '2d' })
      .withVersion('keep', { tags: ['v1'], age: '1d' })
      .withRules(rule('pull requests', ['pr-*'], days(7)), rule('the rest', ['**'], days(30)))
      .plan()
    expect(plan.reasons('late-sig')).toEqual(['keep: younger than 7d (2d old)'])
    expect(plan.deleted).toEqual(['pr1', 'pr1-amd64'])
  })

  it('keeps everything when the registry was not read, but deletes tagged images alone', () => {
    const plan = images()
      .withoutStructure()
      .withRules(rule('pull requests', ['pr-*']), rule('untagged', 'untagged'))
      .plan()
    expect(plan.deleted.filter(key => !['pr1', 'pr2', 'pr1-sig', 'orphan-sig'].includes(key))).toEqual([])
    expect(plan.reasons('dangling-old')).toContain('keep: image structure unknown (registry not read)')
  })
})

describe('unknown data is never a reason to delete', () => {
  it('keeps a container version whose tags are unknown, never as untagged nor as a part', () => {
    const plan = aContainer()
      .withVersion('idx', { tags: ['pr-1'], age: '40d', children: ['child'] })
      .withVersion('child', { age: '40d', tagsUnknown: true })
      .withVersion('lone', { age: '30d', tagsUnknown: true })
      .withVersion('newest', { tags: ['pr-2'], age: '20d' })
      .withVersion('u1', { age: '50d' })
      .untagged('only')
      .keepingLast(1)
      .plan()
    expect(plan.reasons('child')).toEqual([
      'keep: tags unknown',
      'keep: platform manifest of kept image pr-1'
    ])
    expect(plan.reasons('lone')).toEqual(['keep: tags unknown'])
    // The untagged keep-last place goes to a version known to be untagged.
    expect(plan.reasons('u1')).toEqual(['keep: among the 1 newest selected'])
  })

  it('keeps a part whose tags are unknown when its image is deleted', () => {
    const plan = aContainer()
      .withVersion('idx', { tags: ['pr-1'], age: '40d', children: ['child'] })
      .withVersion('child', { age: '40d', tagsUnknown: true })
      .withVersion('newest', { tags: ['v2'], age: '20d' })
      .deleting('pr-*')
      .plan()
    expect(plan.deleted).toEqual(['idx'])
    expect(plan.reasons('child')).toEqual(['keep: tags unknown'])
  })

  it('keeps a version whose creation time is not a date, and gives its keep-last place to the real newest', () => {
    const plan = aPackage()
      .withVersion('odd', { createdAt: 'yesterday' })
      .withVersion('newest', { age: '10d' })
      .withVersion('older', { age: '20d' })
      .keepingLast(1)
      .plan()
    expect(plan.reasons('odd')).toEqual(['keep: creation time "yesterday" is not a date'])
    expect(plan.reasons('newest')).toEqual(['keep: among the 1 newest selected'])
    expect(plan.deleted).toEqual(['older'])
  })

  it('does the same in a rule of a policy file', () => {
    const plan = aPackage()
      .withVersion('odd', { createdAt: '2026-13-45T00:00:00Z' })
      .withVersion('newest', { age: '10d' })
      .withVersion('older', { age: '20d' })
      .withRules(rule('all', ['**'], { keepLast: 1 }))
      .plan()
    expect(plan.reasons('odd')).toEqual(['keep: creation time "2026-13-45T00:00:00Z" is not a date'])
    expect(plan.reasons('newest')).toEqual(['keep: rule "all": among the 1 newest'])
    expect(plan.deleted).toEqual(['older'])
  })
})

it('plans a policy of rules the same, whatever the input order', () => {
  const builder = aPackage()
    .withVersion('c', { age: '1d' })
    .withVersion('b', { age: '2d' })
    .withVersion('a', { age: '3d' })
    .withRules(rule('all', ['*'], { keepLast: 1 }))
  const versions = builder.versions()
  const policy = builder.policy()
  expect(planDeletions([...versions].reverse(), policy, NOW)).toEqual(planDeletions(versions, policy, NOW))
})

describe('manifest reads under a policy of rules', () => {
  const images = () =>
    aContainer()
      .withVersion('v1', { tags: ['v1.0.0'], age: '90d' })
      .withVersion('pr1', { tags: ['pr-1'], age: '3d' })
      .withVersion('loose', { age: '2d' })

  it('reads nothing when no rule could delete anything', async () => {
    const { rounds } = await images()
      .withRules(
        rule('releases', ['v*'], { keepForever: true }),
        rule('pull requests', ['pr-*'], days(7)),
        rule('untagged', 'untagged', days(7))
      )
      .withReads()
    expect(rounds).toEqual([])
  })

  it('once a rule deletes something, reads what the plan keeps and never the candidate', async () => {
    const tagged = await images()
      .withRules(rule('all', ['**'], days(1)))
      .withReads()
    // v1 goes; pr-1 stays as the last tagged version, and the untagged version no rule matches may be an index.
    expect(tagged.plan.deleted).toEqual(['v1'])
    expect(tagged.rounds.flat().sort()).toEqual(['loose', 'pr1'])
    const untagged = await images()
      .withRules(rule('releases', ['**'], { keepForever: true }), rule('untagged', 'untagged', days(1)))
      .withReads()
    expect(untagged.plan.deleted).toEqual(['loose'])
    expect(untagged.rounds.flat().sort()).toEqual(['pr1', 'v1'])
  })
})
