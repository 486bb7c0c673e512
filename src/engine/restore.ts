/** Undo: which deleted versions a restore run brings back. Pure, like the policy engine. */
import { compileGlobList } from './globs.js'
import { isTagged } from './images.js'
import type { GlobMatcher } from './globs.js'
import { SEMVER_ITEM, compileMatchList } from './versions.js'
import type { ListedVersion, RestoreRequest, RetentionPolicy } from '../types.js'

export interface UntrustedVersion {
  version: ListedVersion
  reason: string
}

/**
 * Which items of a "deleted" list may be restored. The list is not trusted at all when it holds an active
 * version (the endpoint ignored `state=deleted`), and an item without `deleted_at` is not trusted either: it
 * may never have been deleted. `listProblem` says why the whole list was refused.
 */
export function trustDeletedList(
  deleted: readonly ListedVersion[],
  activeIds: ReadonlySet<number>
): { trusted: ListedVersion[]; untrusted: UntrustedVersion[]; listProblem?: string } {
  const active = deleted.filter(v => activeIds.has(v.id)).map(v => v.id)
  if (active.length > 0) {
    const listProblem = `GitHub's list of deleted versions also holds active versions (ids ${active.join(', ')}), so none of it is trusted and nothing is restored from it`
    return { trusted: [], untrusted: deleted.map(version => ({ version, reason: listProblem })), listProblem }
  }
  const untrusted = deleted
    .filter(v => v.deletedAt === undefined)
    .map(version => ({
      version,
      reason: 'listed as deleted without a deleted_at time, so it is not trusted to be deleted; not restored'
    }))
  return { trusted: deleted.filter(v => v.deletedAt !== undefined), untrusted }
}

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
      const deletedAt = Date.parse(v.deletedAt ?? '')
      // Untagged container versions are parts of images (or harmless leftovers): restoring them with the
      // tagged ones keeps every restored tag pullable.
      const untaggedPart = policy.packageType === 'container' && !isTagged(v)
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
    return policy.deleteTags.length > 0 ? compileMatchList(policy.deleteTags) : undefined
  const matchers = policy.rules
    .filter(rule => !rule.keepForever && rule.match !== 'untagged')
    .map(({ match }) =>
      Array.isArray(match)
        ? compileGlobList(match)
        : compileMatchList([`${SEMVER_ITEM}${(match as { semver: string }).semver}`])
    )
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
