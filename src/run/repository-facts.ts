/**
 * The repository's answers a plan with `delete-closed` or `keep-in-use` needs, read once a run for each
 * repository and only as far as the packages need them: closed pull requests back to a package's oldest
 * version, one branch list, one release list, and per environment its deployments and the statuses of the
 * newest ones until the one running. A read that fails fails the package: nothing of it is deleted.
 */
import { errorMessage } from '../errors.js'
import { newestDeploymentFirst } from '../engine/repository.js'
import { parseTime } from '../engine/time.js'
import type { RepositoryClient } from '../github/repository-client.js'
import type {
  DeploymentFact,
  PackageVersion,
  PullRequestFact,
  ReleaseFact,
  RepositoryFacts,
  RepositoryRules,
  RetentionPolicy
} from '../types.js'

export type RepositoryReader = Pick<
  RepositoryClient,
  'closedPullRequests' | 'branches' | 'releases' | 'environments' | 'deployments' | 'deploymentState'
>

/** What has been read of one repository so far. */
interface Reads {
  pages?: AsyncGenerator<(PullRequestFact & { updatedAt: string })[]>
  pulls: PullRequestFact[]
  /** The oldest `updated_at` read so far; every pull request updated since is in `pulls`. */
  readBackTo: number
  done: boolean
  branches?: Promise<string[]>
  releases?: Promise<ReleaseFact[]>
  deployments?: Promise<DeploymentFact[]>
}

export class RepositoryFactsReader {
  private readonly repositories = new Map<string, Reads>()

  constructor(private readonly reader: RepositoryReader) {}

  /**
   * The facts `rules` need for a package of `versions`. A pull request's images are pushed while it is open, so
   * one closed before the oldest version was pushed names none of them: closed pull requests are listed, most
   * recently updated first, back to that time.
   */
  async factsFor(
    rules: RepositoryRules,
    repository: string,
    versions: readonly PackageVersion[]
  ): Promise<RepositoryFacts> {
    const key = repository.toLowerCase()
    let reads = this.repositories.get(key)
    if (reads === undefined)
      this.repositories.set(key, (reads = { pulls: [], readBackTo: Infinity, done: false }))
    const times = versions.map(v => parseTime(v.createdAt)).filter(Number.isFinite)
    const oldest = times.length > 0 ? Math.min(...times) : -Infinity
    const { deleteClosed, keepInUse } = rules
    const reader = this.reader
    return {
      repository,
      ...(deleteClosed.length > 0 && { pullRequests: await this.closedSince(reads, repository, oldest) }),
      ...(deleteClosed.includes('branches') && {
        branches: await (reads.branches ??= reader.branches(repository))
      }),
      // A deployment's ref may be a release's tag: the releases name its images.
      ...(keepInUse.length > 0 && { releases: await (reads.releases ??= reader.releases(repository)) }),
      ...(keepInUse.includes('deployments') && {
        deployments: await (reads.deployments ??= this.deployments(repository))
      })
    }
  }

  private async closedSince(reads: Reads, repository: string, since: number): Promise<PullRequestFact[]> {
    reads.pages ??= this.reader.closedPullRequests(repository)
    while (!reads.done && reads.readBackTo >= since) {
      const next = await reads.pages.next()
      if (next.done === true || next.value.length === 0) {
        reads.done = true
        break
      }
      for (const { updatedAt, ...pull } of next.value) {
        reads.pulls.push(pull)
        reads.readBackTo = Math.min(reads.readBackTo, parseTime(updatedAt))
      }
    }
    return reads.pulls
  }

  /** Per environment, its deployments newest first with their newest status, until the first `success`. */
  private async deployments(repository: string): Promise<DeploymentFact[]> {
    const read: DeploymentFact[] = []
    for (const environment of await this.reader.environments(repository)) {
      const deployments = (await this.reader.deployments(repository, environment)).sort(newestDeploymentFirst)
      for (const deployment of deployments) {
        const state = await this.reader.deploymentState(repository, deployment.id)
        read.push({ ...deployment, ...(state !== undefined && { state }) })
        if (state === 'success') break
      }
    }
    return read
  }
}

/**
 * The policy for one package with the repository's facts it asks for (`delete-closed`, `keep-in-use`): of the
 * `repository` input, else the package's own repository, else the workflow's. A closed pull request's event
 * brings its one fact with it and reads nothing. What cannot be read fails the package.
 */
export async function withRepositoryFacts(
  policy: RetentionPolicy,
  versions: readonly PackageVersion[],
  packageRepository: () => Promise<string | undefined>,
  facts: RepositoryFactsReader | undefined
): Promise<RetentionPolicy> {
  const rules = policy.repository
  if (rules === undefined || rules.event !== undefined) return policy
  const repository = rules.repository ?? (await packageRepository()) ?? rules.workflowRepository
  const held = 'nothing of this package is deleted in this run'
  if (repository === undefined)
    throw new Error(
      `repository: not given, and neither the package nor the workflow names one; ${held} (give repository: owner/name)`
    )
  if (facts === undefined) throw new Error(`repository ${repository} cannot be read here; ${held}`)
  try {
    return { ...policy, repositoryFacts: await facts.factsFor(rules, repository, versions) }
  } catch (error) {
    throw new Error(`${errorMessage(error)}; ${held}`)
  }
}
