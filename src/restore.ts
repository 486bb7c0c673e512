/** Undo: which deleted versions a restore run brings back. Pure, like the policy engine. */
import { compileGlobList } from './globs.js'
import type { GlobMatcher } from './globs.js'
import type { ListedVersion, RestoreRequest, RetentionPolicy } from './types.js'

/**
 * The deleted versions to restore, oldest first: platform manifests were pushed before their index, so an
 * image's tag comes back only when its parts are already there.
 */
export function selectRestorations(
  deleted: readonly ListedVersion[],
  request: RestoreRequest,
  policy: Pick<RetentionPolicy, 'deleteTags' | 'packageType' | 'rules'>,
  now: Date
): ListedVersion[] {
  let chosen: ListedVersion[]
  if (request.kind === 'ids') {
    const ids = new Set(request.ids)
    chosen = deleted.filter(v => ids.has(v.id))
  } else {
    const matcher = restoreMatcher(policy)
    const since = now.getTime() - request.windowMs
    chosen = deleted.filter(v => {
      const deletedAt = Date.parse(v.deletedAt ?? v.updatedAt)
      // Untagged container versions are parts of images (or harmless leftovers): restoring them with the
      // tagged ones keeps every restored tag pullable.
      const untaggedPart = policy.packageType === 'container' && v.tags.length === 0
      const names = policy.packageType === 'container' ? v.tags : [v.name]
      return deletedAt >= since && (!matcher || untaggedPart || names.some(n => matcher.match(n)))
    })
  }
  return chosen.sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id - b.id)
}

/**
 * Which deleted versions a policy could have deleted, by tag or name: `delete-tags` (undefined when empty: all),
 * or any of a policy file's rules that can delete (an untagged rule adds nothing: untagged versions come back
 * anyway).
 */
function restoreMatcher(policy: Pick<RetentionPolicy, 'deleteTags' | 'rules'>): GlobMatcher | undefined {
  if (policy.rules === undefined)
    return policy.deleteTags.length > 0 ? compileGlobList(policy.deleteTags) : undefined
  const matchers = policy.rules
    .filter(rule => !rule.keepForever && rule.match !== 'untagged')
    .map(rule => compileGlobList(rule.match as readonly string[]))
  return {
    match: value => {
      for (const matcher of matchers) {
        const glob = matcher.match(value)
        if (glob !== undefined) return glob
      }
      return undefined
    }
  }
}
