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
import {
  incompleteImages,
  isCosignTag,
  isGhost,
  isTagged,
  isUntagged,
  type IncompleteImage
} from './images.js'
import { excludesUntagged, planDeletions } from './policy.js'
import { say } from './reasons.js'
import { parseTime } from './time.js'
import type { DeletionPlan, ImageStructure, ManifestInfo, PackageVersion, RetentionPolicy } from '../types.js'

const LEAF: ManifestInfo = Object.freeze({ children: [] })

/** Whether a version's manifest may refer to others (cosign's signatures name their subject in the tag). */
function mayHaveParts(version: PackageVersion): boolean {
  return !version.tags.some(isCosignTag)
}

/** Reads manifests by digest (nested indexes followed); undefined when the registry could not be read. */
export type ManifestReader = (digests: string[]) => Promise<ImageStructure | undefined>

/**
 * A manifest the plan needs could not be read (after retries): its parts are unknown, and so is what deleting
 * anything in the package could break. Nothing in it is deleted in this run.
 */
export class UnreadableManifests extends Error {
  constructor(
    readonly digests: readonly string[],
    readonly heldBack: number
  ) {
    super(UnreadableManifests.describe(digests, heldBack, 'the registry'))
    this.name = 'UnreadableManifests'
  }

  /** What was held back and why, first (a summary cuts long messages), naming the registry and digests. */
  static describe(digests: readonly string[], heldBack: number, registry: string): string {
    const shown =
      digests.slice(0, 5).join(', ') + (digests.length > 5 ? ` and ${digests.length - 5} more` : '')
    return `nothing in this package is deleted in this run (up to ${heldBack} version(s) held back): ${registry} could not be read for the manifest(s) ${shown}, so what their images need is unknown`
  }
}

/**
 * Plans a container package, reading only what the decisions need: plans with what is known, taking unread
 * tagged manifests as having no parts; reads what that plan keeps and could have parts (and, with
 * `readCandidates`, what it deletes: in a private package a read costs no download that matters, and shows
 * the parts of each deleted image); and plans again until nothing needed is left unread. Otherwise deletion
 * candidates are never read, but those `remembered` (from earlier runs) are used, and the deletions wait for
 * the unread candidates (`waitForUnreadCandidates`). A read that fails throws `UnreadableManifests`: unknown
 * never means delete.
 */
export async function planWithReads(
  versions: readonly PackageVersion[],
  policy: RetentionPolicy,
  now: Date,
  read: ManifestReader,
  remembered: (digests: string[]) => ImageStructure = () => new Map(),
  readCandidates = false
): Promise<{ plan: DeletionPlan; incomplete: IncompleteImage[]; structure?: ImageStructure }> {
  const structure = new Map<string, ManifestInfo>()
  for (;;) {
    const plan = planDeletions(versions, policy, now, assumingLeaves(versions, structure))
    const wanted = manifestsToRead(plan, structure, policy, readCandidates)
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
    if (more === undefined) throw new UnreadableManifests(wanted, plan.deletions.length)
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
    const ghost = say({ kind: 'ghost-image', listed })
    return { ...d, reasons: [...d.reasons, ...ghost.texts], codes: [...d.codes, ...ghost.codes] }
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
    if (isTagged(version) && !assumed.has(version.name)) assumed.set(version.name, LEAF)
  }
  return assumed
}

/**
 * The digests to read next for a plan made with `assumingLeaves(structure)`: none when the plan deletes
 * nothing (reading can only keep more); else the versions it keeps whose manifest is unread and may have
 * parts: tagged images (their platform manifests must stay), and, unless `untagged: exclude` keeps every
 * untagged version anyway, untagged ones that are part of no known manifest (each may be an index whose tag
 * moved on, still pulled by digest). With `readCandidates`, the versions it deletes too, alike. Parts that are
 * indexes themselves are followed by the registry client.
 */
export function manifestsToRead(
  plan: DeletionPlan,
  structure: ImageStructure,
  policy: RetentionPolicy,
  readCandidates = false
): string[] {
  if (policy.packageType !== 'container' || plan.deletions.length === 0) return []
  // Under `untagged: exclude` the parts of a deleted image go only when no untagged version is unread (it
  // could be an index over them): a private package reads those too. Any package reads them when it deletes a
  // tagged version that could be a part (a platform manifest tagged under `docker manifest create`) of one.
  const readUntagged =
    !excludesUntagged(policy) ||
    readCandidates ||
    plan.deletions.some(d => isTagged(d.version) && mayHaveParts(d.version))
  const parts = new Set<string>()
  for (const info of structure.values()) for (const child of info.children) parts.add(child)
  const untaggedCounted = countsUntaggedImages(policy)
  const digests = new Set<string>()
  for (const { action, version } of plan.decisions) {
    if (structure.has(version.name) || !mayHaveParts(version)) continue
    if (action !== 'keep' && !readCandidates) continue
    const untagged = isUntagged(version)
    if (untagged && (!readUntagged || parts.has(version.name))) continue
    // An untagged candidate's parts matter only where keep-last counts untagged images: they would take its
    // places. Otherwise they are untagged versions of no kept image, and go with it or after it anyway.
    if (untagged && action !== 'keep' && !untaggedCounted) continue
    digests.add(version.name)
  }
  return [...digests]
}

/** Whether keep-last counts untagged images: `untagged: only` with a count, or a counting rule for untagged. */
function countsUntaggedImages(policy: RetentionPolicy): boolean {
  if (policy.rules !== undefined)
    return policy.rules.some(rule => rule.match === 'untagged' && !rule.keepForever && rule.keepLast > 0)
  return policy.untagged === 'only' && policy.keepLast > 0
}

/**
 * Tagged deletion candidates whose manifest is unread: their parts, if any, are planned as versions of no
 * kept image. Should GitHub refuse one of them, its parts must stay; so the other deletions wait for these
 * (`Decision.after`).
 */
export function unreadCandidates(plan: DeletionPlan, structure: ImageStructure): number[] {
  return plan.deletions
    .filter(d => isTagged(d.version) && mayHaveParts(d.version) && !structure.has(d.version.name))
    .map(d => d.version.id)
}

/**
 * The plan's deletions, waiting for the unread tagged candidates so that a refused image keeps its parts,
 * whatever their number and however far apart they were pushed. When any tagged candidate is unread, every
 * tagged candidate (read or not: one known from the cache may be a part of an unread one) goes newest first,
 * each once the one before answered (an index is pushed after its parts, so a refused index is answered, and
 * read, before any of its tagged platform manifests is sent); every other deletion waits for the last of them,
 * and goes after it, together with whatever waits for them in turn (a signature of a platform manifest). A wait
 * is an order: whatever a candidate's answer, the next goes on, and a refusal holds back only the refused
 * image's parts. Each deletion waits for at most one other. Relative order is kept otherwise.
 */
export function waitForUnreadCandidates(plan: DeletionPlan, structure: ImageStructure): DeletionPlan {
  if (unreadCandidates(plan, structure).length === 0) return plan
  const tagged = plan.deletions.filter(d => isTagged(d.version) && mayHaveParts(d.version))
  const candidates = new Set(tagged.map(d => d.version.id))
  const chain = tagged
    .map(d => ({ id: d.version.id, time: parseTime(d.version.createdAt), partOf: d.partOf ?? [] }))
    // Newest first; an unreadable time first of all (it may be anything), then an image before its known
    // parts, then the higher id.
    .sort(
      (a, b) =>
        (Number.isFinite(b.time) ? b.time : Infinity) - (Number.isFinite(a.time) ? a.time : Infinity) ||
        Number(a.partOf.includes(b.id)) - Number(b.partOf.includes(a.id)) ||
        b.id - a.id
    )
    .map(c => c.id)
  const previous = new Map<number, readonly number[]>()
  chain.forEach((id, i) => i > 0 && previous.set(id, [chain[i - 1]]))
  const last: readonly number[] = Object.freeze([chain[chain.length - 1]])
  const waiting = new Set<number>()
  const decisions = plan.decisions.map(d => {
    if (d.action !== 'delete') return d
    if (candidates.has(d.version.id)) {
      const after = previous.get(d.version.id)
      return after === undefined ? d : { ...d, after }
    }
    waiting.add(d.version.id)
    return { ...d, after: last }
  })
  const byId = new Map(decisions.map(d => [d.version.id, d]))
  const ordered = plan.deletions.map(d => byId.get(d.version.id) as (typeof decisions)[number])
  // What goes with a waiting deletion or a candidate (partOf) goes after it too: one walk over the partOf links.
  const takenAlong = new Map<number, number[]>()
  for (const d of ordered)
    for (const id of d.partOf ?? []) {
      const list = takenAlong.get(id)
      if (list === undefined) takenAlong.set(id, [d.version.id])
      else list.push(d.version.id)
    }
  const inChain = new Map(chain.map((id, i) => [id, i]))
  const moved = new Set(waiting)
  const stack = [...waiting, ...chain]
  while (stack.length > 0)
    for (const id of takenAlong.get(stack.pop() as number) ?? [])
      if (!moved.has(id) && !inChain.has(id)) {
        moved.add(id)
        stack.push(id)
      }
  const chained = ordered.filter(d => inChain.has(d.version.id))
  chained.sort((a, b) => (inChain.get(a.version.id) as number) - (inChain.get(b.version.id) as number))
  const deletions = [
    ...ordered.filter(d => !moved.has(d.version.id) && !inChain.has(d.version.id)),
    ...chained,
    ...ordered.filter(d => moved.has(d.version.id) && !inChain.has(d.version.id))
  ]
  return { decisions, deletions }
}
