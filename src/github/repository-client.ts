/**
 * Reads what a repository says about its images' lives: closed pull requests, branches, releases, environments,
 * deployments and their statuses. It shares the REST client's requests (the same Octokit, pacing, retries and
 * counting) and answers in the project's own types (`PullRequestFact`, ...); it decides nothing.
 */
import type { GitHubPackagesClient, Messages } from './rest-client.js'
import type { DeploymentFact, PullRequestFact, ReleaseFact } from '../types.js'

const PAGE_SIZE = '100'

/** The permission each read needs, as a workflow's `permissions:` and a fine-grained token name it. */
export const PERMISSIONS = {
  pulls: 'pull-requests: read',
  contents: 'contents: read',
  deployments: 'deployments: read',
  environments: 'actions: read'
} as const
type Permission = keyof typeof PERMISSIONS

interface GitHubPull {
  number: number
  state: string
  closed_at: string | null
  merged_at: string | null
  updated_at: string
  head: { ref: string; repo: { full_name: string } | null } | null
}

interface GitHubDeployment {
  id: number
  sha: string
  ref: string
  environment: string
  created_at: string
}

export class RepositoryClient {
  constructor(private readonly rest: Pick<GitHubPackagesClient, 'request'>) {}

  /**
   * Closed pull requests, most recently updated first, a page of 100 at a time: a pull request's `headRef` only
   * when its head branch was in this repository (a fork's names nothing here; `head.repo` is null when the fork
   * is gone).
   */
  async *closedPullRequests(repository: string): AsyncGenerator<(PullRequestFact & { updatedAt: string })[]> {
    const query = { state: 'closed', sort: 'updated', direction: 'desc' }
    for await (const page of this.pages<GitHubPull>(repository, 'pulls', query, 'pulls'))
      yield page.map(pull => {
        const own = pull.head?.repo?.full_name?.toLowerCase() === repository.toLowerCase()
        return {
          number: pull.number,
          state: pull.state === 'open' ? 'open' : 'closed',
          updatedAt: pull.updated_at,
          ...(pull.closed_at !== null && { closedAt: pull.closed_at }),
          ...(pull.merged_at !== null && { mergedAt: pull.merged_at }),
          ...(own && pull.head !== null && { headRef: pull.head.ref })
        }
      })
  }

  /** The names of the branches that exist now. */
  async branches(repository: string): Promise<string[]> {
    const names: string[] = []
    for await (const page of this.pages<{ name: string }>(repository, 'branches', {}, 'contents'))
      names.push(...page.map(b => b.name))
    return names
  }

  /** Every release the token sees (drafts only with push access). */
  async releases(repository: string): Promise<ReleaseFact[]> {
    const releases: ReleaseFact[] = []
    type GitHubRelease = { tag_name: string; draft: boolean; prerelease: boolean }
    for await (const page of this.pages<GitHubRelease>(repository, 'releases', {}, 'contents'))
      releases.push(...page.map(r => ({ tag: r.tag_name, draft: r.draft, prerelease: r.prerelease })))
    return releases
  }

  async environments(repository: string): Promise<string[]> {
    const names: string[] = []
    let page = 1
    for (;;) {
      const { data } = await this.rest.request<{ total_count: number; environments: { name: string }[] }>(
        'GET',
        `/repos/${repository}/environments`,
        { per_page: PAGE_SIZE, page: String(page) },
        refusals(repository, 'environments')
      )
      names.push(...data.environments.map(e => e.name))
      if (data.environments.length === 0 || names.length >= data.total_count) return names
      page++
    }
  }

  /** Every deployment to one environment, without its statuses. */
  async deployments(repository: string, environment: string): Promise<Omit<DeploymentFact, 'state'>[]> {
    const deployments: Omit<DeploymentFact, 'state'>[] = []
    for await (const page of this.pages<GitHubDeployment>(
      repository,
      'deployments',
      { environment },
      'deployments'
    ))
      deployments.push(
        ...page.map(d => ({
          id: d.id,
          sha: d.sha,
          ref: d.ref,
          environment: d.environment,
          createdAt: d.created_at
        }))
      )
    return deployments
  }

  /** The state of a deployment's newest status (by time, then id); undefined when it has none. */
  async deploymentState(repository: string, id: number): Promise<string | undefined> {
    type Status = { id: number; state: string; created_at: string }
    let newest: Status | undefined
    for await (const page of this.pages<Status>(repository, `deployments/${id}/statuses`, {}, 'deployments'))
      for (const status of page)
        if (
          newest === undefined ||
          Date.parse(status.created_at) - Date.parse(newest.created_at) > 0 ||
          (status.created_at === newest.created_at && status.id > newest.id)
        )
          newest = status
    return newest?.state
  }

  /** The pages of a list, 100 items each, following GitHub's `Link: rel="next"`. */
  private async *pages<T>(
    repository: string,
    list: string,
    query: Record<string, string>,
    permission: Permission
  ): AsyncGenerator<T[]> {
    for (let page = 1; ; page++) {
      const { data, headers } = await this.rest.request<T[]>(
        'GET',
        `/repos/${repository}/${list}`,
        { ...query, per_page: PAGE_SIZE, page: String(page) },
        refusals(repository, permission)
      )
      yield data
      if (!/rel="next"/.test(headers.link ?? '')) return
    }
  }
}

/** 404 (a private repository the token cannot see) and 403 (a permission missing) name what to give. */
function refusals(repository: string, permission: Permission): Messages {
  const give = `give the workflow \`permissions: ${PERMISSIONS[permission]}\` (a classic token needs repo for a private repository)`
  return {
    403: `repository ${repository} refused the read: ${give}`,
    404: `repository ${repository} was not found: it may be private and out of the token's reach (GITHUB_TOKEN reaches only its own repository); ${give}`
  }
}
