/**
 * Which container manifests a plan needs read from the registry. Pure, like the rest of the engine: the
 * registry client reads them, and every read counts as a download of the package, so a deletion candidate is
 * never read (a read could push a public version past the 5,000-download limit and make its delete refused).
 *
 * The caller plans with what is known, treating every unread tagged manifest as having no parts
 * (`assumingLeaves`); reads what that plan keeps and could have parts (`manifestsToRead`); and plans again
 * until nothing kept is left unread. The parts of a deleted image are then exactly the untagged versions that
 * are part of no kept image; if GitHub refuses to delete the image, its parts are held back after all
 * (`unreadCandidates` names the images whose refusal must be waited for).
 */
import { incompleteImages, isCosignTag, isGhost, type IncompleteImage } from './images.js'
import { excludesUntagged, planDeletions } from './policy.js'
import { parseTime } from './time.js'
import type { DeletionPlan, ImageStructure, ManifestInfo, PackageVersion, RetentionPolicy } from '../types.js'

const LEAF: ManifestInfo = Object.freeze({ children: [] }) as ManifestInfo

/** Whether a version's manifest may refer to others (cosign's signatures name their subject in the tag). */
function mayHaveParts(version: PackageVersion): boolean {
  return !version.tags.some(isCosignTag)
}

/** Reads manifests by digest (nested indexes followed); undefined when the registry could not be read. */
export type ManifestReader = (digests: string[]) => Promise<ImageStructure | undefined>

/**
 * Plans a container package, reading only what the decisions need: plans with what is known, taking unread
 * tagged manifests as having no parts; reads what that plan keeps and could have parts; and plans again until
 * nothing kept is left unread. Deletion candidates are never read, but those `remembered` (from earlier runs)
 * are used. The deletions then wait for the unread candidates (`waitForUnreadCandidates`). An unreadable
 * registry leaves the structure unknown: no untagged version goes.
 */
export async function planWithReads(
  versions: readonly PackageVersion[],
  policy: RetentionPolicy,
  now: Date,
  read: ManifestReader,
  remembered: (digests: string[]) => ImageStructure = () => new Map()
): Promise<{ plan: DeletionPlan; incomplete: IncompleteImage[]; structure?: ImageStructure }> {
  const structure = new Map<string, ManifestInfo>()
  for (;;) {
    const plan = planDeletions(versions, policy, now, assumingLeaves(versions, structure))
    const wanted = manifestsToRead(plan, structure, policy)
    if (wanted.length === 0) {
      // Candidates remembered from earlier runs cost no read: their parts and ghosts are then known too.
      const byId = new Map(versions.map(version => [version.id, version.name]))
      const known = remembered(unreadCandidates(plan, structure).map(id => byId.get(id) as string))
      if (known.size > 0) {
        known.forEach((info, digest) => structure.set(digest, info))
        continue
      }
      const incomplete = incompleteImages(versions, structure)
      const waiting = waitForUnreadCandidates(withGhostReasons(plan, incomplete), structure)
      return { plan: waiting, incomplete, structure }
    }
    const more = await read(wanted)
    if (more === undefined) return { plan: planDeletions(versions, policy, now, undefined), incomplete: [] }
    more.forEach((info, digest) => structure.set(digest, info))
  }
}

/** A ghost image that the policy deletes says so among its reasons. */
function withGhostReasons(plan: DeletionPlan, incomplete: readonly IncompleteImage[]): DeletionPlan {
  const ghosts = new Map(incomplete.filter(isGhost).map(image => [image.version.id, image.listed]))
  if (ghosts.size === 0) return plan
  const decisions = plan.decisions.map(d => {
    const listed = ghosts.get(d.version.id)
    if (d.action !== 'delete' || listed === undefined) return d
    return {
      ...d,
      reasons: [...d.reasons, `delete: ghost image (none of the ${listed} manifests it lists is left)`]
    }
  })
  const byId = new Map(decisions.map(d => [d.version.id, d]))
  return { decisions, deletions: plan.deletions.map(d => byId.get(d.version.id) ?? d) }
}

/**
 * The structure as known, with every unread tagged manifest taken as having no parts: the plan then keeps
 * what it would keep if nothing more were linked, and deletes an untagged version only when it is part of no
 * kept image.
 */
export function assumingLeaves(
  versions: readonly PackageVersion[],
  structure: ImageStructure
): ImageStructure {
  const assumed = new Map(structure)
  for (const version of versions) {
    if (version.tags.length > 0 && !assumed.has(version.name)) assumed.set(version.name, LEAF)
  }
  return assumed
}

/**
 * The digests to read next for a plan made with `assumingLeaves(structure)`: none when the plan deletes
 * nothing (reading can only keep more); else the versions it keeps whose manifest is unread and may have
 * parts: tagged images (their platform manifests must stay), and, unless `untagged: exclude` keeps every
 * untagged version anyway, untagged ones that are part of no known manifest (each may be an index whose tag
 * moved on, still pulled by digest). Parts that are indexes themselves are followed by the registry client.
 */
export function manifestsToRead(
  plan: DeletionPlan,
  structure: ImageStructure,
  policy: RetentionPolicy
): string[] {
  if (policy.packageType !== 'container' || plan.deletions.length === 0) return []
  const readUntagged = !excludesUntagged(policy)
  const parts = new Set<string>()
  for (const info of structure.values()) for (const child of info.children) parts.add(child)
  const digests = new Set<string>()
  for (const { action, version } of plan.decisions) {
    if (action !== 'keep' || structure.has(version.name) || !mayHaveParts(version)) continue
    const untagged = version.tags.length === 0 && !version.tagsUnknown
    if (untagged && (!readUntagged || parts.has(version.name))) continue
    digests.add(version.name)
  }
  return [...digests]
}

/**
 * Tagged deletion candidates whose manifest is unread: their parts, if any, are planned as untagged versions
 * of no kept image. Should GitHub refuse one of them, its parts must stay; so the untagged deletions wait for
 * these (`Decision.after`).
 */
export function unreadCandidates(plan: DeletionPlan, structure: ImageStructure): number[] {
  return plan.deletions
    .filter(d => d.version.tags.length > 0 && mayHaveParts(d.version) && !structure.has(d.version.name))
    .map(d => d.version.id)
}

/**
 * The plan's deletions with the untagged ones waiting for the unread tagged candidates, and placed after the
 * last of them, together with whatever waits for them in turn (a signature of a platform manifest), so that
 * no write waits for one that comes later. Relative order is kept otherwise.
 */
export function waitForUnreadCandidates(plan: DeletionPlan, structure: ImageStructure): DeletionPlan {
  const candidates = unreadCandidates(plan, structure)
  if (candidates.length === 0) return plan
  const after: readonly number[] = Object.freeze(candidates)
  const indexesOf = possibleIndexesOf(plan, new Set(candidates))
  const waiting = new Set<number>()
  let tiedToIndexes = false
  const decisions = plan.decisions.map(d => {
    if (d.action !== 'delete') return d
    if (d.version.tags.length > 0) {
      // A tagged candidate may itself be a platform manifest of a newer unread candidate (`docker manifest
      // create` over tagged images): it waits for those, so that a refused index keeps it.
      const newer = indexesOf.get(d.version.id)
      if (newer === undefined) return d
      tiedToIndexes = true
      return { ...d, after: newer }
    }
    waiting.add(d.version.id)
    return { ...d, after }
  })
  if (waiting.size === 0 && !tiedToIndexes) return plan
  const byId = new Map(decisions.map(d => [d.version.id, d]))
  const ordered = plan.deletions.map(d => byId.get(d.version.id) ?? d)
  const moved = new Set(waiting)
  for (let grown = true; grown;) {
    grown = false
    for (const d of ordered) {
      if (!moved.has(d.version.id) && d.partOf?.some(id => moved.has(id))) {
        moved.add(d.version.id)
        grown = true
      }
    }
  }
  const deletions = [
    ...ordered.filter(d => !moved.has(d.version.id)),
    ...ordered.filter(d => moved.has(d.version.id))
  ]
  return { decisions, deletions }
}

/**
 * How long after its tagged platform manifests an index may be pushed and still be waited for by them, and by
 * how many: an index is pushed after its parts, in the same build. The bounds keep the waits local, so that
 * deletes of candidates pushed far apart still go side by side.
 */
export const PUSH_WINDOW_MS = 10 * 60_000
const MAX_POSSIBLE_INDEXES = 8

/**
 * Per unread tagged candidate: the unread tagged candidates that may be an index over it, those pushed after
 * it (or at the same second with a higher id) within PUSH_WINDOW_MS, at most MAX_POSSIBLE_INDEXES.
 */
function possibleIndexesOf(plan: DeletionPlan, unread: ReadonlySet<number>): Map<number, number[]> {
  const byTime = plan.deletions
    .filter(d => unread.has(d.version.id))
    .map(d => ({ id: d.version.id, time: parseTime(d.version.createdAt) }))
    .filter(c => Number.isFinite(c.time))
    .sort((a, b) => a.time - b.time || a.id - b.id)
  const indexes = new Map<number, number[]>()
  for (let i = 0; i < byTime.length; i++) {
    const newer: number[] = []
    for (let j = i + 1; j < byTime.length && newer.length < MAX_POSSIBLE_INDEXES; j++) {
      if (byTime[j].time - byTime[i].time > PUSH_WINDOW_MS) break
      newer.push(byTime[j].id)
    }
    if (newer.length > 0) indexes.set(byTime[i].id, newer)
  }
  return indexes
}

/**
 * Every digest an index (or a manifest that refers to others) takes along, recursively, as far as `structure`
 * shows: what must stay when GitHub refuses to delete it.
 */
export function partsOf(digest: string, structure: ImageStructure): string[] {
  const seen = new Set<string>([digest])
  const stack = [digest]
  while (stack.length > 0) {
    for (const child of structure.get(stack.pop() as string)?.children ?? []) {
      if (!seen.has(child)) {
        seen.add(child)
        stack.push(child)
      }
    }
  }
  seen.delete(digest)
  return [...seen]
}
