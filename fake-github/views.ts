import { isoSeconds, type Owner, type Package, type Store, type Version } from './state.js'

/** JSON shaped like GitHub's: user, package and package-version objects. `api` is the fake's base URL. */

const WEB = 'https://github.com'
const USER_CREATED_AT = '2020-01-01T00:00:00Z'

export function simpleUser(api: string, owner: Owner) {
  const url = `${api}/users/${owner.login}`
  return {
    login: owner.login,
    id: owner.id,
    node_id: Buffer.from(`04:${owner.type}${owner.id}`).toString('base64'),
    avatar_url: `https://avatars.githubusercontent.com/u/${owner.id}?v=4`,
    gravatar_id: '',
    url,
    html_url: `${WEB}/${owner.login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: owner.type,
    user_view_type: 'public',
    site_admin: false
  }
}

/** `GET /users/{login}`: the public profile, of a user or an organisation alike. */
export function publicUser(api: string, owner: Owner) {
  return {
    ...simpleUser(api, owner),
    name: null,
    company: null,
    blog: '',
    location: null,
    email: null,
    hireable: null,
    bio: null,
    twitter_username: null,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: USER_CREATED_AT,
    updated_at: USER_CREATED_AT
  }
}

/** `GET /user`: the token's own user with its private counters. */
export function privateUser(api: string, owner: Owner) {
  return {
    ...publicUser(api, owner),
    user_view_type: 'private',
    private_gists: 0,
    total_private_repos: 0,
    owned_private_repos: 0,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: true
  }
}

function ownerPath(owner: Owner): string {
  return `${owner.type === 'Organization' ? 'orgs' : 'users'}/${owner.login}`
}

function packageUrl(api: string, pkg: Package): string {
  return `${api}/${ownerPath(pkg.owner)}/packages/${pkg.type}/${encodeURIComponent(pkg.name)}`
}

function packageHtmlUrl(pkg: Package): string {
  return `${WEB}/${ownerPath(pkg.owner)}/packages/${pkg.type}/package/${encodeURIComponent(pkg.name)}`
}

export function packageView(api: string, store: Store, pkg: Package) {
  const times = pkg.versions.flatMap(v => [v.createdMs, v.updatedMs])
  return {
    id: pkg.id,
    name: pkg.name,
    package_type: pkg.type,
    owner: simpleUser(api, pkg.owner),
    version_count: store.activeVersions(pkg).length,
    visibility: pkg.visibility,
    url: packageUrl(api, pkg),
    created_at: isoSeconds(Math.min(...times)),
    updated_at: isoSeconds(Math.max(...times)),
    html_url: packageHtmlUrl(pkg),
    ...(pkg.repository !== undefined && { repository: minimalRepository(api, pkg.owner, pkg.repository) })
  }
}

const REPOSITORY_URLS = [
  'archive_url:/{archive_format}{/ref}',
  'assignees_url:/assignees{/user}',
  'blobs_url:/git/blobs{/sha}',
  'branches_url:/branches{/branch}',
  'collaborators_url:/collaborators{/collaborator}',
  'comments_url:/comments{/number}',
  'commits_url:/commits{/sha}',
  'compare_url:/compare/{base}...{head}',
  'contents_url:/contents/{+path}',
  'contributors_url:/contributors',
  'deployments_url:/deployments',
  'downloads_url:/downloads',
  'events_url:/events',
  'forks_url:/forks',
  'git_commits_url:/git/commits{/sha}',
  'git_refs_url:/git/refs{/sha}',
  'git_tags_url:/git/tags{/sha}',
  'hooks_url:/hooks',
  'issue_comment_url:/issues/comments{/number}',
  'issue_events_url:/issues/events{/number}',
  'issues_url:/issues{/number}',
  'keys_url:/keys{/key_id}',
  'labels_url:/labels{/name}',
  'languages_url:/languages',
  'merges_url:/merges',
  'milestones_url:/milestones{/number}',
  'notifications_url:/notifications{?since,all,participating}',
  'pulls_url:/pulls{/number}',
  'releases_url:/releases{/id}',
  'stargazers_url:/stargazers',
  'statuses_url:/statuses/{sha}',
  'subscribers_url:/subscribers',
  'subscription_url:/subscription',
  'tags_url:/tags',
  'teams_url:/teams',
  'trees_url:/git/trees{/sha}'
]

/** The `minimal-repository` a package names (`repository`), with GitHub's URL templates. */
function minimalRepository(api: string, owner: Owner, fullName: string) {
  const url = `${api}/repos/${fullName}`
  const id = [...fullName].reduce((sum, c) => (sum * 31 + c.charCodeAt(0)) % 1_000_000_007, 7)
  return {
    id,
    node_id: Buffer.from(`010:Repository${id}`).toString('base64'),
    name: fullName.split('/')[1],
    full_name: fullName,
    owner: simpleUser(api, owner),
    private: false,
    html_url: `${WEB}/${fullName}`,
    description: null,
    fork: false,
    url,
    ...Object.fromEntries(
      REPOSITORY_URLS.map(entry => entry.split(/:(.*)/s)).map(([key, path]) => [key, url + path])
    )
  }
}

export function versionView(api: string, pkg: Package, version: Version, omitDeletedAt = false) {
  const htmlUrl =
    pkg.type === 'container'
      ? `${WEB}/${ownerPath(pkg.owner)}/packages/container/${encodeURIComponent(pkg.name)}/${version.id}`
      : `${packageHtmlUrl(pkg)}?version=${encodeURIComponent(version.name)}`
  return {
    id: version.id,
    name: version.name,
    url: `${packageUrl(api, pkg)}/versions/${version.id}`,
    package_html_url: packageHtmlUrl(pkg),
    created_at: isoSeconds(version.createdMs),
    updated_at: isoSeconds(version.updatedMs),
    html_url: htmlUrl,
    ...(version.license !== undefined && { license: version.license }),
    ...(version.description !== undefined && { description: version.description }),
    ...(version.deletedMs !== undefined && !omitDeletedAt && { deleted_at: isoSeconds(version.deletedMs) }),
    metadata: {
      package_type: pkg.type,
      ...(pkg.type === 'container' && { container: containerMetadata(version) }),
      // OpenAPI `package-version-metadata`: docker versions carry `docker.tag`, a list.
      ...(pkg.type === 'docker' && { docker: { tag: [...version.tags] } })
    }
  }
}

/** The tag list as listed; a scenario can leave it out or send null (see VersionSpec.tagList). */
function containerMetadata(version: Version): { tags?: string[] | null } {
  if (version.tagList === 'missing') return {}
  return { tags: version.tagList === 'null' ? null : [...version.tags] }
}
