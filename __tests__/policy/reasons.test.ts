/**
 * Reasons as data: every decision's codes render, in engine/reasons.ts, to exactly the texts it carries, and
 * each code points the way the decision goes.
 */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { planDeletions } from '../../src/engine/policy.js'
import { actionOf, reasonText } from '../../src/engine/reasons.js'
import type { DeletionPlan, Reason, RetentionPolicy } from '../../src/types.js'
import { NOW, rule } from './builder.js'
import { type Scenario, containerScenario, npmScenario } from './scenarios.js'

const plan = ({ versions, policy, structure }: Scenario): DeletionPlan =>
  planDeletions(versions, policy, NOW, structure)

function expectCodesSayTheReasons(planned: DeletionPlan): void {
  for (const d of planned.decisions) {
    expect(d.codes?.map(reasonText)).toEqual(d.reasons)
    expect(d.codes?.map(actionOf).filter(action => action !== d.action)).toEqual([])
  }
}

const DAY_MS = 86_400_000

/** A policy file's rules of every kind over the scenario's package. */
function withRules(policy: RetentionPolicy): RetentionPolicy {
  const days = (n: number) => ({ minAgeMs: n * DAY_MS, minAgeText: `${n}d` })
  return {
    ...policy,
    keepLast: 0,
    minAgeMs: 0,
    minAgeText: '0s',
    deleteTags: [],
    untagged: undefined,
    rules: [
      rule('releases', ['v1*'], { keepForever: true }),
      rule('pull requests', ['pr-*', '*-pr-*'], { keepLast: 1, ...days(3) }),
      rule('untagged', 'untagged', days(1)),
      rule('lines', { semver: '>=0.0.0' }, { order: 'semver', per: 'minor', keepLast: 1 }),
      rule('the rest', ['**'], { order: 'semver', keepLast: 2, ...days(10) })
    ]
  }
}

describe('reasons as data', () => {
  it('npm: the codes say exactly the reasons, each the way the decision goes', () => {
    fc.assert(
      fc.property(npmScenario, scenario => {
        expectCodesSayTheReasons(plan(scenario))
        expectCodesSayTheReasons(plan({ ...scenario, policy: withRules(scenario.policy) }))
      }),
      { numRuns: 500 }
    )
  })

  it('containers: the codes say exactly the reasons, each the way the decision goes', () => {
    fc.assert(
      fc.property(containerScenario(), scenario => {
        expectCodesSayTheReasons(plan(scenario))
        expectCodesSayTheReasons(plan({ ...scenario, policy: withRules(scenario.policy) }))
      }),
      { numRuns: 500 }
    )
  })

  const subject = `sha256:${'a'.repeat(64)}`
  it.each<[Reason, string]>([
    [{ kind: 'keep-last', n: 2, order: 'created' }, 'keep: among the 2 newest selected'],
    [{ kind: 'keep-last', rule: 'r', n: 2, order: 'semver' }, 'keep: rule "r": among the 2 highest versions'],
    [
      { kind: 'keep-last', rule: 'r', n: 1, order: 'semver', line: '2.3' },
      'keep: rule "r": newest 1 of line 2.3'
    ],
    [{ kind: 'keep-forever', rule: 'r' }, 'keep: rule "r": kept forever'],
    [{ kind: 'keep-tags', glob: 'v*', tag: 'v1' }, 'keep: tag "v1" matches keep-tags "v*"'],
    [{ kind: 'keep-tags', glob: '1.*', name: '1.0.0' }, 'keep: name "1.0.0" matches keep-tags "1.*"'],
    [{ kind: 'dist-tag', tag: 'latest' }, 'keep: dist-tag latest'],
    [{ kind: 'younger-than', minAge: '30d', age: '5h' }, 'keep: younger than 30d (5h old)'],
    [
      { kind: 'younger-than', rule: 'r', minAge: '7d', age: '3d' },
      'keep: rule "r": younger than 7d (3d old)'
    ],
    [{ kind: 'young-part', rule: 'r', minAge: '7d', age: '3d' }, 'keep: younger than 7d (3d old)'],
    [{ kind: 'creation-time-unknown', createdAt: 'x' }, 'keep: creation time "x" is not a date'],
    [{ kind: 'tags-unknown' }, 'keep: tags unknown'],
    [{ kind: 'no-rule' }, 'keep: no rule matches'],
    [{ kind: 'not-selected' }, 'keep: not selected by delete-tags'],
    [{ kind: 'tagged-untagged-only' }, 'keep: tagged (untagged: only)'],
    [{ kind: 'untagged-excluded' }, 'keep: untagged (untagged: exclude)'],
    [
      { kind: 'orphan-excluded', part: 'signature', subject },
      `keep: orphaned signature of ${subject} (untagged: exclude)`
    ],
    [{ kind: 'structure-unknown' }, 'keep: image structure unknown (registry not read)'],
    [{ kind: 'structure-unknown', unread: 'v1' }, 'keep: image structure unknown (manifest of v1 not read)'],
    [
      { kind: 'part-of-kept-image', part: 'platform manifest', image: 'v1' },
      'keep: platform manifest of kept image v1'
    ],
    [{ kind: 'last-tagged' }, 'keep: last tagged version of the package'],
    [{ kind: 'last-version' }, 'keep: last version of the package'],
    [
      {
        kind: 'selected',
        selection: { by: 'delete-tags', glob: 'pr-*' },
        age: '45d',
        notAmong: { n: 2, order: 'created' }
      },
      'delete: selected by delete-tags "pr-*", 45d old, not among the 2 newest selected'
    ],
    [
      {
        kind: 'selected',
        selection: { by: 'all-versions' },
        age: '45d',
        notAmong: { n: 2, order: 'semver' }
      },
      'delete: selected (delete-tags is empty: all versions), 45d old, not among the 2 highest selected versions'
    ],
    [
      { kind: 'selected', selection: { by: 'all-tagged' }, age: '1d' },
      'delete: selected (delete-tags is empty: all tagged versions), 1d old'
    ],
    [{ kind: 'selected', selection: { by: 'untagged' }, age: '2h' }, 'delete: untagged, 2h old'],
    [
      { kind: 'selected', selection: { by: 'orphan', part: 'signature', subject }, age: '9d' },
      `delete: orphaned signature of ${subject}, 9d old`
    ],
    [{ kind: 'selected', rule: 'r', selection: { by: 'match' }, age: '35d' }, 'delete: rule "r": 35d old'],
    [
      {
        kind: 'selected',
        rule: 'r',
        selection: { by: 'untagged' },
        age: '35d',
        notAmong: { n: 1, order: 'created' }
      },
      'delete: rule "r": 35d old, not among the 1 newest'
    ],
    [
      { kind: 'selected', rule: 'r', selection: { by: 'orphan', part: 'signature', subject }, age: '9d' },
      `delete: rule "r": orphaned signature of ${subject}, 9d old`
    ],
    [
      {
        kind: 'selected',
        rule: 'r',
        selection: { by: 'match' },
        age: '9d',
        notAmong: { n: 1, order: 'semver', line: '2.3' }
      },
      'delete: rule "r": 9d old, not among the newest 1 of line 2.3'
    ],
    [
      { kind: 'part-of-deleted-image', part: 'signature', image: 'pr-2' },
      'delete: signature of deleted image pr-2'
    ],
    [{ kind: 'ghost-image', listed: 2 }, 'delete: ghost image (none of the 2 manifests it lists is left)']
  ])('%j reads %j', (reason, text) => {
    expect(reasonText(reason)).toBe(text)
    expect(text.startsWith(`${actionOf(reason)}: `)).toBe(true)
  })
})
