/**
 * Planning and ordering at size, and what waiting for unread candidates costs: `npx tsx bench/order.ts`.
 * N tagged images older than the one kept (unread deletion candidates of a public package) and N untagged
 * versions: planned with reads, ordered by the executor, and carried out by a writer that answers at once.
 */
import type { WriteAnswer } from '../src/github/answers.js'
import { createHash } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import { planWithReads } from '../src/engine/reads.js'
import { dependencyOrder, executeWrites } from '../src/run/execute.js'
import type { DeletionPlan, PackageVersion, RetentionPolicy, WriteTarget } from '../src/types.js'

const NOW = new Date('2026-12-01T00:00:00Z')
const digest = (label: string) => `sha256:${createHash('sha256').update(label).digest('hex')}`
const POLICY: RetentionPolicy = {
  packageType: 'container',
  keepLast: 1,
  minAgeMs: 0,
  minAgeText: '0',
  deleteTags: [],
  keepTags: [],
  untagged: 'include'
}
const quiet = { info() {}, warning() {} }

function versionsOf(tagged: number, untagged: number): PackageVersion[] {
  const at = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString()
  return [
    ...Array.from({ length: tagged }, (_, i) => ({
      id: i + 1,
      name: digest(`t${i}`),
      tags: [`v${i}`],
      createdAt: at(tagged - i),
      updatedAt: at(tagged - i)
    })),
    ...Array.from({ length: untagged }, (_, i) => ({
      id: tagged + i + 1,
      name: digest(`u${i}`),
      tags: [],
      createdAt: at(tagged + untagged - i),
      updatedAt: at(tagged + untagged - i)
    }))
  ]
}

const targetsOf = (plan: DeletionPlan): WriteTarget[] =>
  plan.deletions.map(d => ({
    packageName: 'app',
    version: d.version,
    ...(d.partOf ? { partOf: d.partOf } : {}),
    ...(d.after ? { after: d.after } : {})
  }))

/** N × N planned (with reads of what is kept) and ordered; then the executor's waits with instant answers. */
export async function benchOrder(n: number) {
  const versions = versionsOf(n, n)
  const started = performance.now()
  const { plan } = await planWithReads(
    versions,
    POLICY,
    NOW,
    async digests => new Map(digests.map(d => [d, { children: [] }]))
  )
  const targets = targetsOf(plan)
  dependencyOrder(targets)
  const planAndOrderMs = performance.now() - started
  const executeStarted = performance.now()
  await executeWrites(
    targets,
    { write: async () => ({ kind: 'done' as const, status: 204, message: '' }), budgetLeft: () => undefined },
    { verb: 'delete', reserve: 0, concurrency: 8, log: quiet }
  )
  return {
    versions: `${n} tagged × ${n} untagged`,
    deletions: plan.deletions.length,
    planAndOrderMs: Math.round(planAndOrderMs),
    executorMs: Math.round(performance.now() - executeStarted)
  }
}

/** What the chain costs: N unread tagged candidates one after another, against N with no wait, at `answerMs`. */
export async function benchChain(n: number, answerMs: number) {
  const { plan } = await planWithReads(
    versionsOf(n + 1, 0),
    POLICY,
    NOW,
    async digests => new Map(digests.map(d => [d, { children: [] }]))
  )
  const writer = {
    write: () =>
      new Promise<WriteAnswer>(r =>
        setTimeout(() => r({ kind: 'done', status: 204, message: '' }), answerMs)
      ),
    budgetLeft: () => undefined
  }
  const time = async (targets: WriteTarget[]) => {
    const started = performance.now()
    await executeWrites(targets, writer, { verb: 'delete', reserve: 0, concurrency: 8, log: quiet })
    return Math.round(performance.now() - started)
  }
  const chained = targetsOf(plan)
  const unchained = chained.map(({ after: _after, ...t }) => t)
  return {
    deletes: chained.length,
    answerMs,
    chainedMs: await time(chained),
    eightAtOnceMs: await time(unchained)
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const results = []
  for (const n of [2_000, 10_000]) results.push(await benchOrder(n))
  results.push(await benchChain(100, 50))
  console.log(JSON.stringify(results, null, 2))
}
