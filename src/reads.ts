/**
 * Which container manifests a plan needs read from the registry. Pure, like the rest of the engine: the
 * registry client reads them, and every read counts as a download of the package.
 */
import { compileGlobList } from './globs.js'
import { isCosignTag } from './images.js'
import { untaggedMode } from './policy.js'
import { newestFirst } from './time.js'
import type { DeletionPlan, ImageStructure, PackageVersion, RetentionPolicy } from './types.js'

/**
 * The digests whose manifests `planDeletions` needs: none unless some version could be deleted (an untagged
 * one, or a tagged one, which may be a platform manifest tagged on its own); then every tagged version but
 * cosign's (whose subject is in the tag). Tagged versions are what must be read because a child manifest does
 * not point at its parent: only the index lists its children, so a version is known to belong to an image
 * only by reading that image. Untagged versions the plan then keeps may be indexes too: the caller reads those
 * and plans again (see `unreadKeptUntagged`).
 */
export function manifestsToRead(
  versions: readonly PackageVersion[],
  policy: RetentionPolicy,
  now: Date
): string[] {
  if (policy.packageType !== 'container') return []
  const mode = untaggedMode(policy)
  const { sorted, times } = newestFirst(versions)
  const nowMs = now.getTime()
  const rules = policy.rules?.map(rule => ({
    rule,
    matcher: rule.match === 'untagged' ? undefined : compileGlobList(rule.match)
  }))
  const deletable = sorted.some((version, p) => {
    const untagged = version.tags.length === 0
    if (rules !== undefined) {
      // As the planner governs it: by the first rule that matches (deleting an image takes its parts along).
      if (!untagged && version.tags.some(isCosignTag)) return false
      const governing = rules.find(({ rule, matcher }) =>
        untagged ? rule.match === 'untagged' : version.tags.some(tag => matcher?.match(tag) !== undefined)
      )
      return (
        governing !== undefined && !governing.rule.keepForever && !tooYoung(times[p], nowMs, governing.rule)
      )
    }
    if (tooYoung(times[p], nowMs, policy)) return false
    if (untagged) return mode !== 'exclude'
    return mode !== 'only' && !version.tags.some(isCosignTag)
  })
  if (!deletable) return []
  const digests = sorted.filter(version => version.tags.length > 0 && !version.tags.some(isCosignTag))
  return [...new Set(digests.map(version => version.name))]
}

/**
 * Untagged versions a plan keeps whose manifest is unread and that are part of no read image: each may be an
 * index (a multi-architecture image whose tag moved on, still pulled by digest) whose parts must stay too.
 */
export function unreadKeptUntagged(plan: DeletionPlan, structure: ImageStructure): string[] {
  const parts = new Set<string>()
  for (const info of structure.values()) for (const child of info.children) parts.add(child)
  return plan.decisions
    .filter(d => d.action === 'keep' && d.version.tags.length === 0)
    .map(d => d.version.name)
    .filter(digest => !structure.has(digest) && !parts.has(digest))
}

function tooYoung(time: number, nowMs: number, policy: Pick<RetentionPolicy, 'minAgeMs'>): boolean {
  return !Number.isFinite(time) || (policy.minAgeMs > 0 && nowMs - time < policy.minAgeMs)
}
