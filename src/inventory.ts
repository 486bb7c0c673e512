/** Finds what the policy applies to: which packages `package-names` means, and each one's versions and plan. */
import { compileGlobList } from './globs.js'
import type { GitHubPackagesClient, Logger, OwnerScope } from './github-client.js'
import { manifestsToRead, planDeletions, unreadKeptUntagged } from './policy.js'
import type { DeletionPlan, PackageType, RetentionPolicy } from './types.js'

const GLOB_CHARS = /[*?[\]{}!]/

/**
 * Exact names are taken as they are, with no listing, so GITHUB_TOKEN (which cannot list packages) works
 * with them; globs are matched against the owner's packages of the type. `!glob` excludes.
 */
export async function resolvePackageNames(
  client: GitHubPackagesClient,
  scope: OwnerScope,
  type: PackageType,
  patterns: readonly string[],
  log: Logger
): Promise<string[]> {
  const negatives = patterns.filter(p => p.startsWith('!'))
  const positives = patterns.filter(p => !p.startsWith('!'))
  const globs = positives.filter(p => GLOB_CHARS.test(p))
  const excluded = compileGlobList(negatives.map(p => p.slice(1)))
  const kept = (name: string) => negatives.length === 0 || !excluded.match(name)
  const chosen = new Set(positives.filter(p => !GLOB_CHARS.test(p) && kept(p)))
  // Only exclusions (`!legacy-*`) mean every package but those, which needs the listing too.
  if (globs.length === 0 && positives.length > 0) return [...chosen].sort()

  const available = await client.listPackageNames(scope, type)
  for (const glob of globs.length > 0 ? globs : ['**']) {
    const matcher = compileGlobList([glob])
    const matches = available.filter(name => matcher.match(name) && kept(name))
    if (matches.length === 0)
      log.warning(`package-names: "${glob}" matches none of ${scope.login}'s ${type} packages`)
    matches.forEach(name => chosen.add(name))
  }
  return [...chosen].sort()
}

/**
 * Lists a package's versions and plans them. For container images it first reads the manifests the plan
 * needs, then those of untagged versions the plan keeps that could be indexes, and plans again until no
 * kept version is left unread. An unreadable registry leaves the structure unknown: no untagged version goes.
 */
export async function planPackage(
  client: GitHubPackagesClient,
  scope: OwnerScope,
  name: string,
  policy: RetentionPolicy,
  now: Date
): Promise<DeletionPlan> {
  const versions = await client.listVersions(scope, policy.packageType, name)
  if (policy.packageType !== 'container') return planDeletions(versions, policy, now)
  const digests = manifestsToRead(versions, policy, now)
  let structure = await client.readImageStructure(scope.login, name, digests)
  let plan = planDeletions(versions, policy, now, structure)
  while (structure && digests.length > 0 && policy.untagged !== 'exclude') {
    const unread = unreadKeptUntagged(plan, structure)
    if (unread.length === 0) break
    const more = await client.readImageStructure(scope.login, name, unread)
    structure = more && new Map([...structure, ...more])
    plan = planDeletions(versions, policy, now, structure)
  }
  return plan
}
