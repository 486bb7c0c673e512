/**
 * The repositories' side of the fake: pull requests, branches, releases, tags, environments, deployments and
 * their statuses, with GitHub's pagination and access rules (evidence in README.md, "Repositories").
 */
import { ApiError, MESSAGES } from './errors.js'
import type { Reply } from './oci.js'
import type { Route, RouteContext } from './routes.js'
import { paginate } from './routes.js'
import type { RepositoryPermission, RepositorySpec, TokenSpec } from './scenario.js'

const DOCS = 'https://docs.github.com/rest'
const DOCS_PULLS = `${DOCS}/pulls/pulls`
const DOCS_BRANCHES = `${DOCS}/branches/branches`
const DOCS_RELEASES = `${DOCS}/releases/releases`
const DOCS_REPOS = `${DOCS}/repos/repos`
const DOCS_DEPLOYMENTS = `${DOCS}/deployments/deployments`
const DOCS_STATUSES = `${DOCS}/deployments/statuses`
const DOCS_ENVIRONMENTS = `${DOCS}/deployments/environments`

const WEB = 'https://github.com'
const time = (t: string) => Date.parse(t)

/**
 * Who may read what: a public repository answers everyone; a private one only a classic token with `repo`, or
 * the GITHUB_TOKEN of that very repository (any other GITHUB_TOKEN reaches only its own). A private repository
 * out of reach answers 404, as if it did not exist. The GITHUB_TOKEN of a private repository needs the
 * permission of the endpoint (its `permissions:`; all of them when the scenario gives none): without it, 403
 * "Resource not accessible by integration" with `X-Accepted-GitHub-Permissions`.
 */
function checkAccess(
  token: TokenSpec,
  repository: RepositorySpec | undefined,
  permission: RepositoryPermission | 'metadata',
  docs: string
): RepositorySpec {
  if (repository === undefined) throw new ApiError(404, MESSAGES.notFound, docs)
  if (repository.visibility === 'public') return repository
  if (token.kind === 'classic') {
    if (!(token.scopes ?? []).includes('repo')) throw new ApiError(404, MESSAGES.notFound, docs)
    return repository
  }
  if (token.repository?.toLowerCase() !== repository.full_name.toLowerCase())
    throw new ApiError(404, MESSAGES.notFound, docs)
  const granted =
    permission === 'metadata' ||
    token.permissions === undefined ||
    (token.permissions[permission] !== undefined && token.permissions[permission] !== 'none')
  if (!granted)
    throw new ApiError(403, MESSAGES.notAccessibleByIntegration, docs, {
      'x-accepted-github-permissions': `${permission}=read`
    })
  return repository
}

export function repositoryRoutes(repositories: readonly RepositorySpec[], api: () => string): Route[] {
  const find = ({ params }: RouteContext) =>
    repositories.find(r => r.full_name.toLowerCase() === `${params.owner}/${params.repo}`.toLowerCase())
  const base = '/repos/{owner}/{repo}'
  const list = <T>(
    permission: RepositoryPermission,
    docs: string,
    items: (repository: RepositorySpec, context: RouteContext) => T[],
    view: (item: T, repository: RepositorySpec) => unknown
  ) => {
    return (context: RouteContext): Reply => {
      const repository = checkAccess(context.token, find(context), permission, docs)
      return paginate(api(), context.url.pathname, context.url, items(repository, context), item =>
        view(item, repository)
      )
    }
  }
  const one = (status: number, json: unknown): Reply => ({ status, json })
  return [
    {
      method: 'GET',
      template: base,
      handle: context =>
        one(200, repositoryView(api(), checkAccess(context.token, find(context), 'metadata', DOCS_REPOS)))
    },
    {
      method: 'GET',
      template: `${base}/pulls`,
      handle: context => {
        const params = context.url.searchParams
        const state = params.get('state') ?? 'open'
        const sort = params.get('sort') ?? 'created'
        if (
          !['open', 'closed', 'all'].includes(state) ||
          !['created', 'updated', 'popularity', 'long-running'].includes(sort)
        )
          throw new ApiError(422, 'Validation Failed', DOCS_PULLS)
        // `direction`: desc when sort is created or not given, otherwise asc.
        const direction = params.get('direction') ?? (sort === 'created' ? 'desc' : 'asc')
        const key = sort === 'updated' ? 'updated_at' : 'created_at'
        return list(
          'pull_requests',
          DOCS_PULLS,
          r =>
            (r.pulls ?? [])
              .filter(p => state === 'all' || p.state === state)
              .sort(
                (a, b) =>
                  (direction === 'asc' ? 1 : -1) * (time(a[key]) - time(b[key]) || a.number - b.number)
              ),
          (p, r) => pullView(api(), r, p)
        )(context)
      }
    },
    {
      method: 'GET',
      template: `${base}/pulls/{pull_number}`,
      handle: context => {
        const repository = checkAccess(context.token, find(context), 'pull_requests', DOCS_PULLS)
        const pull = repository.pulls?.find(p => String(p.number) === context.params.pull_number)
        if (pull === undefined) throw new ApiError(404, MESSAGES.notFound, DOCS_PULLS)
        return one(200, {
          ...pullView(api(), repository, pull),
          merged: pull.merged_at !== undefined && pull.merged_at !== null
        })
      }
    },
    {
      method: 'GET',
      template: `${base}/branches`,
      handle: list(
        'contents',
        DOCS_BRANCHES,
        r => [...(r.branches ?? [])].sort((a, b) => a.name.localeCompare(b.name)),
        (b, r) => branchView(api(), r, b)
      )
    },
    {
      method: 'GET',
      template: `${base}/branches/{branch}`,
      handle: context => {
        const repository = checkAccess(context.token, find(context), 'contents', DOCS_BRANCHES)
        const branch = repository.branches?.find(b => b.name === context.params.branch)
        if (branch === undefined) throw new ApiError(404, 'Branch not found', DOCS_BRANCHES)
        return one(200, { ...branchView(api(), repository, branch), protected: false })
      }
    },
    {
      method: 'GET',
      template: `${base}/releases`,
      handle: list(
        'contents',
        DOCS_RELEASES,
        (r, { token }) =>
          (r.releases ?? [])
            // Drafts are listed only to those who can push.
            .filter(release => !release.draft || canPush(token, r))
            .sort((a, b) => time(b.created_at) - time(a.created_at)),
        (release, r) => releaseView(api(), r, release)
      )
    },
    {
      method: 'GET',
      template: `${base}/releases/latest`,
      handle: context => {
        const repository = checkAccess(context.token, find(context), 'contents', DOCS_RELEASES)
        const latest = (repository.releases ?? [])
          .filter(r => !r.draft && !r.prerelease)
          .sort((a, b) => time(b.published_at ?? b.created_at) - time(a.published_at ?? a.created_at))[0]
        if (latest === undefined) throw new ApiError(404, MESSAGES.notFound, DOCS_RELEASES)
        return one(200, releaseView(api(), repository, latest))
      }
    },
    {
      method: 'GET',
      template: `${base}/tags`,
      handle: list(
        'contents',
        DOCS_REPOS,
        r => r.tags ?? [],
        t => ({ name: t.name, commit: { sha: t.sha, url: '' }, node_id: '' })
      )
    },
    {
      method: 'GET',
      template: `${base}/environments`,
      handle: context => {
        const repository = checkAccess(context.token, find(context), 'actions', DOCS_ENVIRONMENTS)
        const names = environmentsOf(repository)
        const page = paginate(api(), context.url.pathname, context.url, names, name => ({
          name,
          id: 0,
          node_id: ''
        }))
        return { ...page, json: { total_count: names.length, environments: page.json } }
      }
    },
    {
      method: 'GET',
      template: `${base}/deployments`,
      handle: list(
        'deployments',
        DOCS_DEPLOYMENTS,
        (r, { url }) => {
          const filters = ['sha', 'ref', 'task', 'environment'] as const
          return (r.deployments ?? [])
            .filter(d =>
              filters.every(
                f =>
                  url.searchParams.get(f) === null ||
                  url.searchParams.get(f) === (d[f] ?? (f === 'task' ? 'deploy' : undefined))
              )
            )
            .sort((a, b) => time(b.created_at) - time(a.created_at) || b.id - a.id)
        },
        (d, r) => deploymentView(api(), r, d)
      )
    },
    {
      method: 'GET',
      template: `${base}/deployments/{deployment_id}/statuses`,
      handle: context => {
        const repository = checkAccess(context.token, find(context), 'deployments', DOCS_STATUSES)
        const deployment = repository.deployments?.find(d => String(d.id) === context.params.deployment_id)
        if (deployment === undefined) throw new ApiError(404, MESSAGES.notFound, DOCS_STATUSES)
        const statuses = (deployment.statuses ?? [])
          .map((s, i) => ({ ...s, id: s.id ?? deployment.id * 100 + i + 1 }))
          .sort((a, b) => time(b.created_at) - time(a.created_at) || b.id - a.id)
        return paginate(api(), context.url.pathname, context.url, statuses, s => ({
          id: s.id,
          state: s.state,
          environment: deployment.environment,
          created_at: s.created_at,
          updated_at: s.created_at,
          deployment_url: `${api()}/repos/${repository.full_name}/deployments/${deployment.id}`
        }))
      }
    }
  ]
}

/** Those who can push see drafts: a classic token with `repo`, or the repository's own GITHUB_TOKEN with `contents: write`. */
function canPush(token: TokenSpec, repository: RepositorySpec): boolean {
  if (token.kind === 'classic') return (token.scopes ?? []).includes('repo')
  return (
    token.repository?.toLowerCase() === repository.full_name.toLowerCase() &&
    (token.permissions === undefined || token.permissions.contents === 'write')
  )
}

function environmentsOf(repository: RepositorySpec): string[] {
  return [
    ...new Set([
      ...(repository.environments ?? []),
      ...(repository.deployments ?? []).map(d => d.environment)
    ])
  ]
}

function repositoryView(api: string, r: RepositorySpec) {
  const [owner, name] = r.full_name.split('/')
  return {
    id: r.id ?? 1,
    name,
    full_name: r.full_name,
    private: r.visibility === 'private',
    visibility: r.visibility,
    owner: { login: owner },
    html_url: `${WEB}/${r.full_name}`,
    url: `${api}/repos/${r.full_name}`,
    default_branch: r.default_branch ?? 'main'
  }
}

function pullView(api: string, r: RepositorySpec, p: NonNullable<RepositorySpec['pulls']>[number]) {
  return {
    number: p.number,
    state: p.state,
    url: `${api}/repos/${r.full_name}/pulls/${p.number}`,
    html_url: `${WEB}/${r.full_name}/pull/${p.number}`,
    created_at: p.created_at,
    updated_at: p.updated_at,
    closed_at: p.closed_at ?? null,
    merged_at: p.merged_at ?? null,
    head: {
      ref: p.head.ref,
      sha: p.head.sha,
      label: p.head.repo === null ? null : `${p.head.repo.split('/')[0]}:${p.head.ref}`,
      repo: p.head.repo === null ? null : { full_name: p.head.repo, name: p.head.repo.split('/')[1] }
    },
    base: { ref: r.default_branch ?? 'main', repo: { full_name: r.full_name } }
  }
}

function branchView(api: string, r: RepositorySpec, b: NonNullable<RepositorySpec['branches']>[number]) {
  return {
    name: b.name,
    commit: { sha: b.sha, url: `${api}/repos/${r.full_name}/commits/${b.sha}` },
    protected: false
  }
}

function releaseView(
  api: string,
  r: RepositorySpec,
  release: NonNullable<RepositorySpec['releases']>[number]
) {
  return {
    id: release.id ?? 0,
    tag_name: release.tag_name,
    name: release.tag_name,
    draft: release.draft ?? false,
    prerelease: release.prerelease ?? false,
    created_at: release.created_at,
    published_at: release.draft ? null : (release.published_at ?? release.created_at),
    url: `${api}/repos/${r.full_name}/releases/${release.id ?? 0}`,
    html_url: `${WEB}/${r.full_name}/releases/tag/${release.tag_name}`
  }
}

function deploymentView(
  api: string,
  r: RepositorySpec,
  d: NonNullable<RepositorySpec['deployments']>[number]
) {
  return {
    id: d.id,
    sha: d.sha,
    ref: d.ref,
    task: d.task ?? 'deploy',
    environment: d.environment,
    created_at: d.created_at,
    updated_at: d.created_at,
    url: `${api}/repos/${r.full_name}/deployments/${d.id}`,
    statuses_url: `${api}/repos/${r.full_name}/deployments/${d.id}/statuses`
  }
}
