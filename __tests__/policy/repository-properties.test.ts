/**
 * Properties of `delete-closed` and `keep-in-use` over generated repositories: open, closed and merged pull
 * requests, pull requests from forks (their head branch names nothing here, or the fork is gone), living and
 * deleted branches, releases with drafts and pre-releases, deployments with status histories per environment;
 * and images tagged from all of it, from pull requests and branches the repository does not know, versions and
 * `latest`. The expected sets are worked out here on their own, from the facts.
 */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { planDeletions } from '../../src/engine/policy.js'
import { DEFAULT_TEMPLATES } from '../../src/engine/repository.js'
import type {
  ClosedKind,
  DeploymentFact,
  InUseKind,
  PackageVersion,
  RepositoryFacts,
  RetentionPolicy
} from '../../src/types.js'
import { NOW } from './builder.js'

const DAY = 86_400_000
const STATES = ['error', 'failure', 'inactive', 'pending', 'success', 'queued', 'in_progress'] as const
const BRANCHES = ['main', 'feature/a', 'feature-a', 'fix/b', 'release/1.x', 'dependabot/npm/x']
const hex = (n: number) => n.toString(16).padStart(7, '0').slice(-7)
const sha = (n: number) => hex(n).repeat(6).slice(0, 40)
const branchTag = (b: string) => b.replace(/[^a-zA-Z0-9._-]+/g, '-')

const world = fc
  .record({
    pulls: fc.uniqueArray(
      fc.record({
        number: fc.integer({ min: 1, max: 30 }),
        state: fc.constantFrom('open' as const, 'closed' as const),
        merged: fc.boolean(),
        head: fc.oneof(fc.constantFrom(...BRANCHES), fc.constant(undefined))
      }),
      { selector: p => p.number, maxLength: 12 }
    ),
    living: fc.subarray(BRANCHES),
    releases: fc.array(
      fc.record({
        tag: fc.constantFrom('v1.0.0', 'v1.1.0', '2.0.0', 'v2.1.0-rc.1'),
        draft: fc.boolean(),
        prerelease: fc.boolean()
      }),
      { maxLength: 4 }
    ),
    deployments: fc.array(
      fc.record({
        environment: fc.constantFrom('production', 'staging', 'preview'),
        commit: fc.integer({ min: 0, max: 20 }),
        ref: fc.constantFrom('main', 'v1.0.0', 'feature/a', 'refs/heads/fix/b'),
        days: fc.integer({ min: 0, max: 50 }),
        state: fc.option(fc.constantFrom(...STATES), { nil: undefined })
      }),
      { maxLength: 8 }
    ),
    images: fc.array(
      fc.record({
        days: fc.integer({ min: 0, max: 400 }),
        tags: fc.uniqueArray(
          fc.oneof(
            fc.integer({ min: 1, max: 40 }).map(n => `pr-${n}`),
            fc.constantFrom(...BRANCHES).map(branchTag),
            fc.integer({ min: 0, max: 20 }).map(n => `sha-${hex(n)}`),
            fc.constantFrom('latest', '1.0.0', 'v1.0.0', '2.1.0-rc.1', 'v1.1.0', 'edge')
          ),
          { minLength: 1, maxLength: 3 }
        )
      }),
      { minLength: 1, maxLength: 25 }
    ),
    deleteClosed: fc.subarray<ClosedKind>(['pull-requests', 'branches']),
    keepInUse: fc.subarray<InUseKind>(['releases', 'deployments']),
    only: fc.boolean(),
    keepLast: fc.integer({ min: 0, max: 5 }),
    minAgeDays: fc.integer({ min: 0, max: 30 })
  })
  .map(w => {
    const facts: RepositoryFacts = {
      repository: 'acme/app',
      pullRequests: w.pulls.map(p => ({
        number: p.number,
        state: p.state,
        ...(p.state === 'closed' && { closedAt: '2026-11-01T00:00:00Z' }),
        ...(p.state === 'closed' && p.merged && { mergedAt: '2026-11-01T00:00:00Z' }),
        ...(p.head !== undefined && { headRef: p.head })
      })),
      branches: w.living,
      releases: w.releases,
      deployments: w.deployments.map((d, i): DeploymentFact => ({
        id: i + 1,
        environment: d.environment,
        sha: sha(d.commit),
        ref: d.ref,
        createdAt: new Date(NOW.getTime() - d.days * DAY).toISOString(),
        ...(d.state !== undefined && { state: d.state })
      }))
    }
    const versions: PackageVersion[] = w.images.map((image, i) => {
      const at = new Date(NOW.getTime() - image.days * DAY - i * 1000).toISOString()
      return {
        id: i + 1,
        name: `sha256:${String(i).padStart(64, '0')}`,
        tags: image.tags,
        createdAt: at,
        updatedAt: at
      }
    })
    const policy: RetentionPolicy = {
      packageType: 'container',
      keepLast: w.only ? 0 : w.keepLast,
      minAgeMs: w.only ? 0 : w.minAgeDays * DAY,
      minAgeText: w.only ? '0' : `${w.minAgeDays}d`,
      deleteTags: [],
      keepTags: [],
      untagged: 'exclude',
      repository: {
        deleteClosed: w.deleteClosed,
        keepInUse: w.keepInUse,
        templates: DEFAULT_TEMPLATES,
        only: w.only && w.deleteClosed.length > 0
      },
      repositoryFacts: facts
    }
    return { w, facts, versions, policy }
  })

type World = typeof world extends fc.Arbitrary<infer T> ? T : never

/** What each environment runs now, worked out from the facts: newest first, down to the first success. */
function runningNow(deployments: readonly DeploymentFact[]): DeploymentFact[] {
  const running: DeploymentFact[] = []
  for (const environment of new Set(deployments.map(d => d.environment))) {
    const newest = deployments
      .filter(d => d.environment === environment)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id)
    for (const d of newest) {
      if (d.state === 'success') {
        running.push(d)
        break
      }
      if (d.state === undefined || ['queued', 'pending', 'in_progress'].includes(d.state)) running.push(d)
    }
  }
  return running
}

/** Tags keep-in-use names. */
function inUse({ facts, policy }: World): Set<string> {
  const tags = new Set<string>()
  const kinds = policy.repository?.keepInUse ?? []
  const releaseTags = (tag: string) => [tag, tag.replace(/^v(?=\d)/, '')]
  if (kinds.includes('releases'))
    for (const r of facts.releases ?? []) releaseTags(r.tag).forEach(t => tags.add(t))
  if (kinds.includes('deployments'))
    for (const d of runningNow(facts.deployments ?? [])) {
      const ref = d.ref.replace(/^refs\/heads\//, '')
      tags.add(`sha-${d.sha.slice(0, 7)}`)
      tags.add(branchTag(ref))
      if ((facts.releases ?? []).some(r => r.tag === ref)) releaseTags(ref).forEach(t => tags.add(t))
    }
  return tags
}

/** Whether delete-closed may select a version: closed pull requests' and deleted branches' tags, commit tags beside. */
function closedOnly({ facts, policy }: World, version: PackageVersion): boolean {
  const kinds = policy.repository?.deleteClosed ?? []
  const pulls = facts.pullRequests ?? []
  const living = new Set((facts.branches ?? []).map(branchTag))
  const closedPull = (tag: string) =>
    kinds.includes('pull-requests') &&
    pulls.some(p => `pr-${p.number}` === tag && p.state === 'closed') &&
    !pulls.some(p => `pr-${p.number}` === tag && p.state === 'open')
  const deletedBranch = (tag: string) =>
    kinds.includes('branches') &&
    !living.has(tag) &&
    pulls.some(p => p.state === 'closed' && p.headRef !== undefined && branchTag(p.headRef) === tag)
  const commit = (tag: string) => /^sha-[0-9a-f]{7}$/.test(tag)
  const selecting = version.tags.filter(tag => closedPull(tag) || deletedBranch(tag))
  return selecting.length > 0 && version.tags.every(tag => selecting.includes(tag) || commit(tag))
}

const deleted = (w: World, known = true) =>
  planDeletions(
    w.versions,
    known ? w.policy : { ...w.policy, repositoryFacts: undefined },
    NOW
  ).deletions.map(d => d.version)

describe('delete-closed and keep-in-use over generated repositories', () => {
  it('never delete a version keep-in-use names', () => {
    fc.assert(
      fc.property(world, w => {
        const kept = inUse(w)
        expect(deleted(w).filter(v => v.tags.some(tag => kept.has(tag)))).toEqual([])
      }),
      { numRuns: 1500 }
    )
  })

  it('delete-closed alone deletes exactly the versions of closed pull requests and deleted branches (but the last tagged)', () => {
    fc.assert(
      fc.property(
        world.filter(w => w.policy.repository?.only === true),
        w => {
          const kept = inUse(w)
          const expected = w.versions.filter(v => closedOnly(w, v) && !v.tags.some(tag => kept.has(tag)))
          const got = deleted(w)
          expect(got.filter(v => !expected.includes(v))).toEqual([])
          // Only GitHub's last-tagged rule keeps one of them: the newest, when every tagged image would go.
          const missing = expected.filter(v => !got.includes(v))
          expect(missing.length).toBeLessThanOrEqual(1)
          if (missing.length === 1) expect(got.length).toBe(w.versions.length - 1)
        }
      ),
      { numRuns: 1500 }
    )
  })

  it('unknown facts never delete: without them delete-closed alone deletes nothing', () => {
    fc.assert(
      fc.property(
        world.filter(w => w.policy.repository?.only === true),
        w => expect(deleted(w, false)).toEqual([])
      ),
      { numRuns: 500 }
    )
  })
})
