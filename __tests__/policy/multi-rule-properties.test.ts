/**
 * Properties of policies of several rules: one rule plans as the single-rule inputs do, every version is
 * governed by the first rule that matches it, and nothing protected (or part of a kept image) is deleted.
 */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { compileGlobList } from '../../src/engine/globs.js'
import { planDeletions } from '../../src/engine/policy.js'
import type { DeletionPlan, PackageVersion, PolicyRule, RetentionPolicy } from '../../src/types.js'
import { NOW } from './builder.js'
import { type Scenario, containerScenario, lostParts, npmScenario } from './scenarios.js'

const RUNS = { numRuns: 2000 }
const DAY_MS = 86_400_000

const plan = (scenario: Scenario, policy: RetentionPolicy = scenario.policy): DeletionPlan =>
  planDeletions(scenario.versions, policy, NOW, scenario.structure)

const minAge = fc.constantFrom(
  { minAgeMs: 0, minAgeText: '0s' },
  { minAgeMs: 3 * DAY_MS, minAgeText: '3d' },
  { minAgeMs: 20 * DAY_MS, minAgeText: '20d' }
)

function ruleArbitrary(globs: string[], untagged: boolean): fc.Arbitrary<Omit<PolicyRule, 'name'>> {
  const match: fc.Arbitrary<PolicyRule['match']> = untagged
    ? fc.oneof(fc.constant('untagged' as const), fc.subarray(globs, { minLength: 1, maxLength: 1 }))
    : fc.subarray(globs, { minLength: 1, maxLength: 2 })
  return fc
    .record({ match, keepForever: fc.boolean(), keepLast: fc.integer({ min: 0, max: 3 }), minAge })
    .map(({ keepForever, minAge, keepLast, match }) =>
      keepForever
        ? { match, keepForever, keepLast: 0, minAgeMs: 0, minAgeText: '0s' }
        : { match, keepForever, keepLast, ...minAge }
    )
}

function rulesArbitrary(globs: string[], untagged: boolean): fc.Arbitrary<PolicyRule[]> {
  return fc
    .array(ruleArbitrary(globs, untagged), { minLength: 1, maxLength: 4 })
    .map(rules => rules.map((rule, i) => ({ name: `r${i}`, ...rule })))
}

const CONTAINER_GLOBS = ['pr-*', 'sha-*', 'v*', 'latest', '**', '!pr-*', 'sha256-*.sig']
const NPM_GLOBS = ['*-pr-*', '*-rc.*', '1.*', '!2.*', '**']

/** Whether a scenario is a container's (its versions are named by digest). */
const isContainer = (scenario: Scenario) => scenario.versions.some(v => v.name.startsWith('sha256:'))

function withRules(scenario: Scenario, rules: PolicyRule[]): RetentionPolicy {
  return {
    packageType: isContainer(scenario) ? 'container' : 'npm',
    keepLast: 0,
    minAgeMs: 0,
    minAgeText: '0s',
    deleteTags: [],
    keepTags: [],
    rules
  }
}

const COSIGN = /^sha256-[0-9a-f]{64}\.(sig|att|sbom)$/

/** The rule that governs a version, worked out apart from the engine: the first whose match takes it. */
function governingRule(version: PackageVersion, rules: PolicyRule[], container: boolean): string | undefined {
  const untagged = container && (version.tags.length === 0 || version.tags.every(tag => COSIGN.test(tag)))
  for (const rule of rules) {
    if (rule.match === 'untagged') {
      if (untagged) return rule.name
    } else if (!untagged) {
      const matcher = compileGlobList(rule.match as readonly string[])
      const values = container ? version.tags : [version.name]
      if (values.some(value => matcher.match(value) !== undefined)) return rule.name
    }
  }
  return undefined
}

/** The rule a decision names, if any. */
function namedRule(reasons: string[]): string | undefined {
  for (const reason of reasons) {
    const match = /^(?:keep|delete): rule "([^"]+)":/.exec(reason)
    if (match) return match[1]
  }
  return undefined
}

const effect = (planned: DeletionPlan) => ({
  actions: planned.decisions.map(d => [d.version.id, d.action]),
  deletions: planned.deletions.map(d => [d.version.id, d.partOf ?? []])
})

/** A named rule's delete reason in the words of the single-rule inputs, for comparison. */
function asInputsSay(reason: string): string {
  return reason
    .replace(/^delete: selected by delete-tags "[^"]*", /, 'delete: ')
    .replace(/^delete: untagged, /, 'delete: ')
    .replace(/^delete: rule "[^"]+": /, 'delete: ')
    .replace(/ newest selected$/, ' newest')
}

describe('a policy of one rule', () => {
  it('plans as the equivalent inputs do (npm): same decisions, deletions, order and reasons in the rule’s words', () => {
    fc.assert(
      fc.property(npmScenario, ruleArbitrary(NPM_GLOBS, false), (scenario, spec) => {
        fc.pre(!spec.keepForever)
        const rule = { name: 'only', ...spec }
        const inputs = {
          ...scenario.policy,
          deleteTags: [...(rule.match as string[])],
          keepTags: [],
          keepLast: rule.keepLast,
          minAgeMs: rule.minAgeMs,
          minAgeText: rule.minAgeText
        }
        const fromInputs = plan(scenario, inputs)
        const fromRule = plan(scenario, withRules(scenario, [rule]))
        expect(effect(fromRule)).toEqual(effect(fromInputs))
        expect(fromRule.deletions.map(d => d.reasons.map(asInputsSay))).toEqual(
          fromInputs.deletions.map(d => d.reasons.map(asInputsSay))
        )
      }),
      RUNS
    )
  })

  it('`match: untagged` plans as `untagged: only` does', () => {
    fc.assert(
      fc.property(containerScenario(), ruleArbitrary(['v*'], true), (scenario, spec) => {
        fc.pre(!spec.keepForever && spec.match === 'untagged')
        const rule = { name: 'leftovers', ...spec }
        const inputs: RetentionPolicy = {
          ...scenario.policy,
          deleteTags: [],
          keepTags: [],
          untagged: 'only',
          keepLast: rule.keepLast,
          minAgeMs: rule.minAgeMs,
          minAgeText: rule.minAgeText
        }
        const fromInputs = plan(scenario, inputs)
        const fromRule = plan(scenario, withRules(scenario, [rule]))
        expect(effect(fromRule)).toEqual(effect(fromInputs))
        expect(fromRule.deletions.map(d => d.reasons.map(asInputsSay))).toEqual(
          fromInputs.deletions.map(d => d.reasons.map(asInputsSay))
        )
      }),
      RUNS
    )
  })

  const excludeEquivalent = (scenario: Scenario, spec: Omit<PolicyRule, 'name'>) => {
    const rule = { name: 'tags', ...spec }
    const inputs: RetentionPolicy = {
      ...scenario.policy,
      deleteTags: [...(rule.match as string[])],
      keepTags: [],
      untagged: 'exclude',
      keepLast: rule.keepLast,
      minAgeMs: rule.minAgeMs,
      minAgeText: rule.minAgeText
    }
    return { fromInputs: plan(scenario, inputs), fromRule: plan(scenario, withRules(scenario, [rule])) }
  }

  it('globs on container tags plan as `untagged: exclude` does, where no image spans several versions', () => {
    fc.assert(
      fc.property(
        containerScenario({ standalone: true }),
        ruleArbitrary(CONTAINER_GLOBS, false),
        (scenario, spec) => {
          fc.pre(!spec.keepForever)
          const { fromInputs, fromRule } = excludeEquivalent(scenario, spec)
          expect(effect(fromRule)).toEqual(effect(fromInputs))
          expect(fromRule.deletions.map(d => d.reasons.map(asInputsSay))).toEqual(
            fromInputs.deletions.map(d => d.reasons.map(asInputsSay))
          )
        }
      ),
      RUNS
    )
  })

  it('globs on container tags delete beyond `untagged: exclude` only the parts of the images they delete', () => {
    fc.assert(
      fc.property(containerScenario(), ruleArbitrary(CONTAINER_GLOBS, false), (scenario, spec) => {
        fc.pre(!spec.keepForever)
        const { fromInputs, fromRule } = excludeEquivalent(scenario, spec)
        const byInputs = new Set(fromInputs.deletions.map(d => d.version.id))
        const beyond = fromRule.deletions.filter(d => !byInputs.has(d.version.id))
        expect(beyond.filter(d => d.partOf === undefined)).toEqual([])
      }),
      RUNS
    )
  })
})

describe('a policy of several rules', () => {
  const npmWithRules = fc.tuple(npmScenario, rulesArbitrary(NPM_GLOBS, false))
  const containerWithRules = fc.tuple(containerScenario(), rulesArbitrary(CONTAINER_GLOBS, true))

  // A filtered containerScenario (it draws with fc.gen) yields broken values: each family runs on its own.
  const families = [
    ['npm', npmWithRules],
    ['container', containerWithRules]
  ] as const

  it.each(families)('governs every version by the first rule that matches it (%s)', (_, family) => {
    fc.assert(
      fc.property(family, ([scenario, rules]) => {
        const container = isContainer(scenario)
        const planned = plan(scenario, withRules(scenario, rules))
        const wrong: string[] = []
        for (const decision of planned.decisions) {
          const named = namedRule(decision.reasons)
          const expected = governingRule(decision.version, rules, container)
          if (named !== undefined && named !== expected) wrong.push(`${decision.version.id}: ${named}`)
          if (decision.reasons.includes('keep: no rule matches') && expected !== undefined)
            wrong.push(`${decision.version.id} matched ${expected}`)
          if (decision.action === 'delete' && decision.partOf === undefined && named === undefined)
            wrong.push(`${decision.version.id} deleted by no rule`)
        }
        expect(wrong).toEqual([])
      }),
      RUNS
    )
  })

  it.each(families)(
    'keeps within each rule at most its keep-last newest, and deletes none of them (%s)',
    (_, family) => {
      fc.assert(
        fc.property(family, ([scenario, rules]) => {
          const planned = plan(scenario, withRules(scenario, rules))
          for (const rule of rules) {
            const among = `keep: rule "${rule.name}": among the ${rule.keepLast} newest`
            const keptByKeepLast = planned.decisions.filter(d => d.reasons.includes(among))
            expect(keptByKeepLast.length).toBeLessThanOrEqual(rule.keepLast)
            const oldestKept = keptByKeepLast.at(-1)
            const beyond = planned.decisions.filter(d =>
              d.reasons.some(r => r.startsWith(`delete: rule "${rule.name}":`) && r.includes('not among'))
            )
            if (oldestKept !== undefined)
              for (const d of beyond)
                expect(planned.decisions.indexOf(d)).toBeGreaterThan(planned.decisions.indexOf(oldestKept))
          }
        }),
        RUNS
      )
    }
  )

  it.each(families)(
    'never deletes a version a rule keeps forever or as too young, nor one whose tags or time are unknown (%s)',
    (_, family) => {
      fc.assert(
        fc.property(family, ([scenario, rules]) => {
          const container = isContainer(scenario)
          const versions = scenario.versions.map(version => ({
            ...version,
            // Ids are drawn at random: some versions lose their tags, others their creation time.
            ...(container && version.id % 7 === 0 && { tags: [], tagsUnknown: true }),
            ...(version.id % 5 === 0 && { createdAt: 'not a time' })
          }))
          const changed = { ...scenario, versions }
          const planned = plan(changed, withRules(changed, rules))
          const deleted = planned.deletions.map(d => d.version)
          expect(deleted.filter(v => v.tagsUnknown === true || v.createdAt === 'not a time')).toEqual([])
          // The single-rule inputs too.
          const unknownByInputs = plan(changed).deletions.filter(
            d => d.version.tagsUnknown === true || d.version.createdAt === 'not a time'
          )
          expect(unknownByInputs).toEqual([])
          // A part deleted with its image goes by the image's rule, not by its own match.
          const onTheirOwn = planned.deletions.filter(d => d.partOf === undefined).map(d => d.version)
          for (const version of onTheirOwn) {
            const governing = rules.find(rule => rule.name === governingRule(version, rules, container))
            if (governing === undefined) continue
            expect(governing.keepForever).toBe(false)
            expect(NOW.getTime() - Date.parse(version.createdAt)).toBeGreaterThanOrEqual(governing.minAgeMs)
          }
        }),
        RUNS
      )
    }
  )

  it('never deletes a part of a kept image: manifests, signatures and referrers', () => {
    fc.assert(
      fc.property(
        containerScenario({ modes: ['full'] }),
        rulesArbitrary(CONTAINER_GLOBS, true),
        (scenario, rules) => {
          const planned = plan(scenario, withRules(scenario, rules))
          expect(lostParts(scenario, planned)).toEqual([])
        }
      ),
      RUNS
    )
  })

  it('never deletes an untagged version when the registry was not read, unless it signs a deleted image', () => {
    fc.assert(
      fc.property(
        containerScenario({ modes: ['none'] }),
        rulesArbitrary(CONTAINER_GLOBS, true),
        (scenario, rules) => {
          const planned = plan(scenario, withRules(scenario, rules))
          expect(planned.deletions.filter(d => d.version.tags.length === 0)).toEqual([])
        }
      ),
      RUNS
    )
  })
})

describe('a creation time that is not a date', () => {
  it('takes no keep-last place: the newest readable versions keep theirs', () => {
    fc.assert(
      fc.property(npmScenario, fc.integer({ min: 1, max: 4 }), (scenario, keepLast) => {
        const versions = scenario.versions.map(version =>
          version.id % 4 === 0 ? { ...version, createdAt: 'unknown' } : version
        )
        const policy: RetentionPolicy = {
          ...scenario.policy,
          keepLast,
          minAgeMs: 0,
          deleteTags: [],
          keepTags: []
        }
        const planned = planDeletions(versions, policy, NOW)
        const readable = versions
          .filter(version => version.createdAt !== 'unknown')
          .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id - a.id)
        const deleted = new Set(planned.deletions.map(d => d.version.id))
        expect(readable.slice(0, keepLast).filter(version => deleted.has(version.id))).toEqual([])
        expect(planned.deletions.filter(d => d.version.createdAt === 'unknown')).toEqual([])
      }),
      RUNS
    )
  })
})
