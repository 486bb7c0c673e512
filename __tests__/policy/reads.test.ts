/**
 * The read strategy as a property: over generated container packages (indexes of indexes, attestations,
 * tagged platform manifests, signatures, referrers), a manifest cache that knows any part of them, and any set
 * of deletions that GitHub refuses, planning with reads and carrying out the writes reads no version it then
 * deletes (but a referrer whose own manifest shows its subject is gone), never leaves a kept, refused, capped
 * or unread image without one of its manifests, and deletes all the rest of the plan.
 */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { decodeWrite } from '../../src/github/answers.js'
import type { ManifestCache } from '../../src/github/manifest-cache.js'
import { RegistryClient } from '../../src/github/registry-client.js'
import { executeWrites } from '../../src/run/execute.js'
import { refusedImageParts } from '../../src/run/inventory.js'
import { checkRun } from '../../src/run/check.js'
import { planWithReads } from '../../src/engine/reads.js'
import type { ImageStructure, ManifestInfo, PackageVersion, WriteTarget } from '../../src/types.js'
import { NOW } from './builder.js'
import { containerScenario, subjectOf } from './scenarios.js'

const DOWNLOADS =
  'Publicly visible package versions with more than 5000 downloads cannot be deleted. Contact GitHub support for further assistance.'
const INDEX = 'application/vnd.oci.image.index.v1+json'
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const quiet = { info() {}, warning() {}, debug() {}, error() {} }

/** What the registry answers for these digests: each manifest and the nested indexes it lists, recursively. */
function readGraph(truth: Map<string, ManifestInfo>, digests: readonly string[]): ImageStructure {
  const read = new Map<string, ManifestInfo>()
  const stack = [...digests]
  while (stack.length > 0) {
    const digest = stack.pop() as string
    if (read.has(digest)) continue
    const info = truth.get(digest) ?? { children: [] }
    read.set(digest, info)
    stack.push(...(info.indexChildren ?? []))
  }
  return read
}

/** A manifest body saying what `info` says, as the registry would have sent it. */
function bodyOf(info: ManifestInfo): string {
  if (info.children.length > 0)
    return JSON.stringify({
      schemaVersion: 2,
      mediaType: INDEX,
      manifests: info.children.map(digest => ({
        mediaType: info.indexChildren?.includes(digest) ? INDEX : MANIFEST,
        digest,
        size: 1
      }))
    })
  const subject = info.subject && { subject: { mediaType: MANIFEST, digest: info.subject, size: 1 } }
  return JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST, layers: [], ...subject })
}

/**
 * What the registry client remembers from earlier runs when the cache holds the bodies of `cached` (any part of
 * an image's graph): its own `rememberedStructure`, over a cache that knows those digests.
 */
function remembering(truth: Map<string, ManifestInfo>, cached: ReadonlySet<string>) {
  const cache = {
    peek: (key: string) => {
      const digest = key.slice(key.lastIndexOf('@') + 1)
      return cached.has(digest) ? bodyOf(truth.get(digest) ?? { children: [] }) : undefined
    }
  }
  const client = new RegistryClient({
    token: 'unused',
    registryUrl: 'https://ghcr.io',
    log: quiet,
    cache: cache as unknown as ManifestCache
  })
  return (digests: string[]) => client.rememberedStructure('acme', 'app', digests)
}

/**
 * The versions reached from `roots` through the truth: children, recursively, and what refers to them (cosign
 * tags, subjects). Whatever of a refused image stays must be among these.
 */
function reachedFrom(
  versions: readonly PackageVersion[],
  truth: Map<string, ManifestInfo>,
  roots: Set<string>
) {
  const reached = new Set(roots)
  const stack = [...roots]
  while (stack.length > 0) {
    const digest = stack.pop() as string
    const referrers = versions.filter(v => subjectOf(v, truth) === digest).map(v => v.name)
    for (const next of [...(truth.get(digest)?.children ?? []), ...referrers])
      if (!reached.has(next)) {
        reached.add(next)
        stack.push(next)
      }
  }
  return reached
}

/**
 * The versions a run must leave whole: those it keeps or that stay tagged, and every manifest below them.
 * Returns what of them went.
 */
function lostByStaying(
  versions: readonly PackageVersion[],
  truth: Map<string, ManifestInfo>,
  staying: (version: PackageVersion) => boolean,
  gone: ReadonlySet<string>
): { image: string; missing: string[] }[] {
  const lost: { image: string; missing: string[] }[] = []
  const seen = new Set<string>()
  const stack = versions.filter(v => !gone.has(v.name) && staying(v)).map(v => v.name)
  while (stack.length > 0) {
    const image = stack.pop() as string
    if (seen.has(image)) continue
    seen.add(image)
    const children = truth.get(image)?.children ?? []
    const missing = children.filter(child => gone.has(child))
    if (missing.length > 0) lost.push({ image, missing })
    stack.push(...children.filter(child => !gone.has(child)))
  }
  return lost
}

describe('reading only what the plan needs, as a property', () => {
  it('reads no version it deletes, no kept or refused image loses a manifest, and the rest of the plan goes', async () => {
    await fc.assert(
      fc.asyncProperty(
        containerScenario({ modes: ['full'], nested: true }),
        fc.gen(),
        async (scenario, gen) => {
          const { truth, versions } = scenario
          const cached = new Set(
            versions.map(v => v.name).filter(() => gen(fc.integer, { min: 0, max: 3 }) === 0)
          )
          const read: string[] = []
          let rounds = 0
          const { plan } = await planWithReads(
            versions,
            scenario.policy,
            NOW,
            async digests => {
              if (++rounds > versions.length + 1)
                throw new Error(`read round ${rounds}: ${digests.join(', ')}`)
              read.push(...digests)
              return readGraph(truth, digests)
            },
            remembering(truth, cached)
          )
          // A version read is kept, unless its own manifest showed it refers to a subject that is gone, or it
          // was read while kept: under `untagged: exclude`, which reads every untagged version before a part
          // goes, an untagged part of a deleted image; under any setting, the newest tagged image kept as the
          // last tagged version until a kept untagged index, read beside it, showed a tagged image of its own.
          const deletedByPlan = new Map(plan.deletions.map(d => [d.version.name, d]))
          const exclude = scenario.policy.untagged === 'exclude'
          const untaggedRead = versions.filter(v => v.tags.length === 0 && read.includes(v.name))
          const taggedPartShown = plan.decisions.some(
            d =>
              d.action === 'keep' &&
              d.version.tags.length > 0 &&
              untaggedRead.some(v => truth.get(v.name)?.children.includes(d.version.name))
          )
          const readThenDeleted = read.filter(digest => {
            const d = deletedByPlan.get(digest)
            if (d === undefined) return false
            const tagged = d.version.tags.length > 0
            return !((tagged && (exclude || taggedPartShown)) || (exclude && d.partOf !== undefined))
          })
          expect(readThenDeleted.filter(digest => truth.get(digest)?.subject === undefined)).toEqual([])

          // GitHub would refuse any number of the tagged deletions (over 5,000 downloads), and deletes the others.
          const refusing = new Set(
            plan.deletions.filter(d => d.version.tags.length > 0 && gen(fc.boolean)).map(d => d.version.id)
          )
          const refused = new Set<number>()
          const targets: WriteTarget[] = plan.deletions.map(d => ({
            packageName: 'app',
            version: d.version,
            ...(d.partOf && { partOf: d.partOf }),
            ...(d.after && { after: d.after })
          }))
          const registry = {
            readImageStructure: async (_owner: string, _name: string, digests: readonly string[]) =>
              readGraph(truth, digests),
            rememberedStructure: () => new Map()
          }
          const scope = { login: 'acme', kind: 'organization' as const, path: '/orgs/acme' }
          const results = await executeWrites(
            targets,
            {
              write: async target => {
                if (!refusing.has(target.version.id))
                  return decodeWrite('delete', { status: 204, message: '' })
                refused.add(target.version.id)
                return decodeWrite('delete', { status: 400, message: DOWNLOADS })
              },
              budgetLeft: () => undefined
            },
            {
              verb: 'delete',
              reserve: 0,
              concurrency: 4,
              log: quiet,
              onRefused: refusedImageParts(registry, scope, [{ name: 'app', plan, writes: [] }])
            }
          )
          const gone = new Set(results.filter(r => r.outcome.kind === 'done').map(r => r.version.name))
          // No image left loses a manifest, at any depth.
          expect(lostByStaying(versions, truth, () => true, gone)).toEqual([])
          // Every refusal is reported as GitHub answered; a refusing image is asked unless it is a part of
          // another refused image.
          for (const r of results.filter(r => refused.has(r.version.id)))
            expect(r.outcome).toMatchObject({ kind: 'skipped', reason: 'download-limit' })
          // The rest of the plan goes, but for the parts of refused images: with no refusal, all of it.
          const refusedNames = new Set(versions.filter(v => refused.has(v.id)).map(v => v.name))
          const ofRefused = reachedFrom(versions, truth, refusedNames)
          const notDone = results.filter(r => r.outcome.kind !== 'done').map(r => r.version.name)
          expect(notDone.filter(name => !ofRefused.has(name))).toEqual([])
        }
      ),
      { numRuns: 1000, endOnFailure: true }
    )
  }, 120_000)
})

describe('deciding only from verified facts, as a property', () => {
  it('whatever reads fail, answers are lost or refused and the cache knows: no image left loses a part, and deleted is what went', async () => {
    await fc.assert(
      fc.asyncProperty(
        containerScenario({ modes: ['full'], nested: true }),
        fc.gen(),
        fc.boolean(),
        async (scenario, gen, readCandidates) => {
          const { truth, versions } = scenario
          // The cache remembers any part of the graph. A lie in it (no children, another subject) is dropped
          // when its entry is checked against its digest on load (the manifest cache), so what it knows is true.
          const cached = new Set(
            versions.map(v => v.name).filter(() => gen(fc.integer, { min: 0, max: 2 }) === 0)
          )
          let failedRead = false
          const planned = await planWithReads(
            versions,
            scenario.policy,
            NOW,
            async digests => {
              if (gen(fc.integer, { min: 0, max: 9 }) === 0) {
                failedRead = true
                return undefined
              }
              return readGraph(truth, digests)
            },
            remembering(truth, cached),
            readCandidates
          ).catch((error: unknown) => {
            if (!failedRead) throw error
            expect(String(error)).toContain('nothing in this package is deleted')
            return undefined
          })
          if (planned === undefined) return
          const { plan } = planned

          // GitHub refuses, answers, or loses the answer to each delete (having done it, or not).
          const real = new Set<number>()
          const refused = new Set<number>()
          const targets: WriteTarget[] = plan.deletions.map(d => ({
            packageName: 'app',
            version: d.version,
            ...(d.partOf && { partOf: d.partOf }),
            ...(d.after && { after: d.after })
          }))
          const registry = {
            readImageStructure: async (_owner: string, _name: string, digests: readonly string[]) =>
              gen(fc.integer, { min: 0, max: 9 }) === 0 ? undefined : readGraph(truth, digests),
            rememberedStructure: () => new Map()
          }
          const scope = { login: 'acme', kind: 'organization' as const, path: '/orgs/acme' }
          const results = await executeWrites(
            targets,
            {
              write: async target => {
                const id = target.version.id
                const answer = gen(
                  fc.constantFrom,
                  'done',
                  'refused',
                  'lost-done',
                  'lost-not-done',
                  'lost-then-gone'
                )
                if (answer === 'refused') {
                  refused.add(id)
                  return decodeWrite('delete', { status: 400, message: DOWNLOADS })
                }
                if (answer !== 'lost-not-done') real.add(id)
                if (answer === 'done') return decodeWrite('delete', { status: 204, message: '' })
                if (answer === 'lost-then-gone')
                  return decodeWrite('delete', {
                    status: 404,
                    message: 'Package version not found.',
                    afterLostAnswer: true
                  })
                return decodeWrite('delete', { status: 502, message: 'Bad Gateway' })
              },
              budgetLeft: () => undefined
            },
            {
              verb: 'delete',
              reserve: 0,
              concurrency: 4,
              maxWrites: gen(fc.boolean) ? gen(fc.nat, { max: targets.length }) : undefined,
              log: quiet,
              onRefused: refusedImageParts(registry, scope, [{ name: 'app', plan, writes: [] }])
            }
          )
          const goneNames = new Set(versions.filter(v => real.has(v.id)).map(v => v.name))
          // An image that stays (kept, or tagged: refused, failed, capped or never sent; read or not) keeps
          // every manifest below it. An untagged image the plan deletes unread (in a public package a read is a
          // download) whose delete GitHub refuses or fails may be left without its parts: the docs say so.
          const kept = new Set(plan.decisions.filter(d => d.action === 'keep').map(d => d.version.id))
          const staying = (v: PackageVersion) => kept.has(v.id) || v.tags.length > 0
          expect(lostByStaying(versions, truth, staying, goneNames)).toEqual([])
          // Each refusal is reported as GitHub said it.
          for (const r of results.filter(r => refused.has(r.version.id)))
            expect(r.outcome).toMatchObject({ kind: 'skipped', reason: 'download-limit' })
          // After the check (the package listed again), `deleted` is exactly what this run removed.
          const after = versions.filter(v => !real.has(v.id))
          const { writes } = checkRun({ name: 'app', plan, writes: results }, after)
          const deleted = writes.filter(w => w.outcome.kind === 'done').map(w => w.version.id)
          expect(deleted.sort()).toEqual([...real].sort())
        }
      ),
      { numRuns: 3000, endOnFailure: true }
    )
  }, 300_000)
})
