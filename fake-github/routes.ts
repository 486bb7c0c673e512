import {
  checkAdmin,
  checkRead,
  GRANULAR,
  listableByActions,
  requireScopes,
  visibleToClassic
} from './auth.js'
import { ApiError, DOCS_LIST_ORG_PACKAGES, DOCS_PACKAGES, DOCS_USERS, MESSAGES } from './errors.js'
import type { Reply } from './oci.js'
import {
  PACKAGE_TYPES,
  type PackageType,
  type QuirkSpec,
  type RepositorySpec,
  type TokenSpec
} from './scenario.js'
import type { Owner, Package, Store } from './state.js'
import { packageView, privateUser, publicUser, versionView } from './views.js'
import { repositoryRoutes } from './repositories.js'

export interface RouteContext {
  params: Record<string, string>
  url: URL
  token: TokenSpec
}

export interface Route {
  method: string
  /** As in GitHub's OpenAPI description, e.g. `/orgs/{org}/packages`; also the secondary limit's endpoint key. */
  template: string
  handle(context: RouteContext): Reply
}

/** Finds the route for a path whose segments are percent-decoded one by one, so `team%2Fapi` is one name. */
export function matchRoute(
  routes: Route[],
  method: string,
  path: string
): { route: Route; params: Record<string, string>; path: string } | undefined {
  let segments: string[]
  try {
    segments = path.split('/').slice(1).map(decodeURIComponent)
  } catch {
    return undefined
  }
  for (const route of routes) {
    const parts = route.template.split('/').slice(1)
    if (route.method !== method || parts.length !== segments.length) continue
    const params: Record<string, string> = {}
    const matches = parts.every((part, i) => {
      if (part.startsWith('{')) params[part.slice(1, -1)] = segments[i]
      else if (part !== segments[i]) return false
      return true
    })
    if (matches) return { route, params, path }
  }
  return undefined
}

const DEFAULT_PER_PAGE = 30
const MAX_PER_PAGE = 100

function pageParams(url: URL): { page: number; perPage: number } {
  const number = (name: string) => Number.parseInt(url.searchParams.get(name) ?? '', 10)
  const perPage = number('per_page')
  const page = number('page')
  return {
    page: page >= 1 ? page : 1,
    perPage: perPage >= 1 ? Math.min(perPage, MAX_PER_PAGE) : DEFAULT_PER_PAGE
  }
}

/**
 * One page of `items` with GitHub's `Link` header, rels in GitHub's order (next, prev, first, last). The links
 * are absolute, under the API base, and name the owner by id as GitHub's do (`/organizations/{id}/...`,
 * `/user/{id}/...`, which the fake serves too); they keep the request's other parameters and always carry
 * `page` and the capped `per_page`. Only the page's items are turned into views.
 */
export function paginate<T>(
  api: string,
  linkPath: string,
  url: URL,
  items: T[],
  view: (item: T) => unknown
): Reply {
  const { page, perPage } = pageParams(url)
  const lastPage = Math.max(1, Math.ceil(items.length / perPage))
  const pageUrl = (n: number) => {
    const query = new URLSearchParams(url.searchParams)
    query.set('page', String(n))
    query.set('per_page', String(perPage))
    return `<${api}${linkPath}?${query}>`
  }
  const links = [
    ...(page < lastPage ? [`${pageUrl(page + 1)}; rel="next"`] : []),
    ...(page > 1
      ? [`${pageUrl(Math.min(page - 1, lastPage))}; rel="prev"`, `${pageUrl(1)}; rel="first"`]
      : []),
    ...(page !== lastPage ? [`${pageUrl(lastPage)}; rel="last"`] : [])
  ]
  return {
    status: 200,
    headers: links.length > 0 ? { link: links.join(', ') } : {},
    json: items.slice((page - 1) * perPage, page * perPage).map(view)
  }
}

/** The path GitHub's links use for a request's path: the owner by id instead of by login. */
function linkPathOf(path: string, owner: Owner, params: Record<string, string>): string {
  const parts = path.split('/')
  if (params.org !== undefined) return ['', 'organizations', String(owner.id), ...parts.slice(3)].join('/')
  if (params.username !== undefined) return ['', 'user', String(owner.id), ...parts.slice(3)].join('/')
  return path
}

const OWNER_SCOPES = [
  '/orgs/{org}',
  '/users/{username}',
  '/user',
  // Where GitHub's Link headers point: the same endpoints with the owner named by id.
  '/organizations/{organization_id}',
  '/user/{user_id}'
]
const NO_CONTENT: Reply = { status: 204 }

/** The REST endpoints the fake serves, for all three owner scopes. */
export function createRoutes(
  store: Store,
  api: () => string,
  quirks: QuirkSpec = {},
  repositories: readonly RepositorySpec[] = []
): Route[] {
  const ownerOf = ({ params, token }: RouteContext): Owner => {
    if (params.org !== undefined) {
      const owner = store.owner(params.org)
      if (owner?.type !== 'Organization') throw new ApiError(404, MESSAGES.notFound, DOCS_PACKAGES)
      return owner
    }
    if (params.username !== undefined) {
      const owner = store.owner(params.username)
      if (!owner) throw new ApiError(404, MESSAGES.notFound, DOCS_PACKAGES)
      return owner
    }
    const byId = params.organization_id ?? params.user_id
    if (byId !== undefined) {
      const owner = /^\d+$/.test(byId) ? store.ownerById(Number(byId)) : undefined
      const wanted = params.organization_id !== undefined ? 'Organization' : 'User'
      if (owner?.type !== wanted) throw new ApiError(404, MESSAGES.notFound, DOCS_PACKAGES)
      return owner
    }
    if (token.kind === 'actions') throw new ApiError(403, MESSAGES.notAccessibleByIntegration, DOCS_PACKAGES)
    return store.owner(token.login ?? '') as Owner
  }

  const packageType = (value: string | null): PackageType => {
    if (!PACKAGE_TYPES.includes(value as PackageType))
      throw new ApiError(422, MESSAGES.invalidPackageType, DOCS_PACKAGES)
    return value as PackageType
  }

  const findPackage = (context: RouteContext, includeRestorable = false): Package => {
    const owner = ownerOf(context)
    const pkg = store.find(
      owner,
      packageType(context.params.package_type),
      context.params.package_name,
      includeRestorable
    )
    if (!pkg) throw new ApiError(404, MESSAGES.packageNotFound, DOCS_PACKAGES)
    return pkg
  }

  const versionId = ({ params }: RouteContext): number => {
    if (!/^\d+$/.test(params.package_version_id)) throw new ApiError(404, MESSAGES.notFound, DOCS_PACKAGES)
    return Number(params.package_version_id)
  }

  const routes: Route[] = [
    {
      method: 'GET',
      template: '/user',
      handle: ({ token }) => {
        if (token.kind === 'actions') throw new ApiError(403, MESSAGES.notAccessibleByIntegration, DOCS_USERS)
        return { status: 200, json: privateUser(api(), store.owner(token.login ?? '') as Owner) }
      }
    },
    {
      method: 'GET',
      template: '/users/{username}',
      handle: ({ params }) => {
        const owner = store.owner(params.username)
        if (!owner) throw new ApiError(404, MESSAGES.notFound, DOCS_USERS)
        return { status: 200, json: publicUser(api(), owner) }
      }
    }
  ]

  for (const scope of OWNER_SCOPES) {
    const pkgPath = `${scope}/packages/{package_type}/{package_name}`
    const versionPath = `${pkgPath}/versions/{package_version_id}`
    routes.push(
      {
        method: 'GET',
        template: `${scope}/packages`,
        handle: context => {
          const { token, url } = context
          const owner = ownerOf(context)
          requireScopes(token, ['read:packages'], MESSAGES.listPackagesScope)
          const type = packageType(url.searchParams.get('package_type'))
          const visibility = url.searchParams.get('visibility')
          if (visibility !== null && !['public', 'private', 'internal'].includes(visibility))
            throw new ApiError(422, MESSAGES.invalidVisibility, DOCS_PACKAGES)
          const { page, perPage } = pageParams(url)
          if (page * perPage > 10000) throw new ApiError(400, MESSAGES.pageTooDeep, DOCS_PACKAGES)
          // GITHUB_TOKEN cannot list the registries with granular permissions: GitHub answers 400, not 403.
          if (token.kind === 'actions' && GRANULAR.has(type))
            throw new ApiError(400, MESSAGES.invalidArgument, DOCS_LIST_ORG_PACKAGES)
          const packages = store
            .packagesOf(owner)
            .filter(p => p.type === type && (visibility === null || p.visibility === visibility))
            .filter(p =>
              token.kind === 'actions' ? listableByActions(token, p) : visibleToClassic(token, p)
            )
            .sort((a, b) => a.name.localeCompare(b.name))
          return paginate(api(), linkPathOf(url.pathname, owner, context.params), url, packages, p =>
            packageView(api(), store, p)
          )
        }
      },
      {
        method: 'GET',
        template: pkgPath,
        handle: context => {
          requireScopes(context.token, ['read:packages'], MESSAGES.getPackageScope)
          const pkg = findPackage(context)
          checkRead(context.token, pkg)
          return { status: 200, json: packageView(api(), store, pkg) }
        }
      },
      {
        method: 'DELETE',
        template: pkgPath,
        handle: context => {
          requireScopes(context.token, ['read:packages', 'delete:packages'], MESSAGES.deletePackageScope)
          const pkg = findPackage(context)
          checkAdmin(context.token, pkg)
          store.deletePackage(pkg)
          return NO_CONTENT
        }
      },
      {
        method: 'POST',
        template: `${pkgPath}/restore`,
        handle: context => {
          requireScopes(context.token, ['read:packages', 'write:packages'], MESSAGES.restorePackageScope)
          const pkg = findPackage(context, true)
          checkAdmin(context.token, pkg)
          store.restorePackage(pkg)
          return NO_CONTENT
        }
      },
      {
        method: 'GET',
        template: `${pkgPath}/versions`,
        handle: context => {
          const { token, url } = context
          requireScopes(token, ['read:packages'], MESSAGES.readScope)
          const ignoresState = quirks.usersVersionListIgnoresState && context.params.username !== undefined
          const state = ignoresState ? 'active' : url.searchParams.get('state') || 'active'
          if (state !== 'active' && state !== 'deleted')
            throw new ApiError(422, MESSAGES.invalidState, DOCS_PACKAGES)
          const pkg = findPackage(context)
          if (state === 'deleted') {
            requireScopes(token, ['read:packages', 'delete:packages'], MESSAGES.listDeletedScope)
            checkAdmin(token, pkg)
          } else checkRead(token, pkg)
          const versions = state === 'active' ? store.activeVersions(pkg) : store.restorableVersions(pkg)
          const linkPath = linkPathOf(url.pathname, pkg.owner, context.params)
          return paginate(api(), linkPath, url, versions, v =>
            versionView(api(), pkg, v, quirks.omitDeletedAt)
          )
        }
      },
      {
        method: 'GET',
        template: versionPath,
        handle: context => {
          requireScopes(context.token, ['read:packages'], MESSAGES.getVersionScope)
          const pkg = findPackage(context)
          checkRead(context.token, pkg)
          const id = versionId(context)
          // A deleted version is only seen through `state=deleted`.
          const version = store.activeVersions(pkg).find(v => v.id === id)
          if (!version) throw new ApiError(404, MESSAGES.versionNotFound, DOCS_PACKAGES)
          return { status: 200, json: versionView(api(), pkg, version) }
        }
      },
      {
        method: 'DELETE',
        template: versionPath,
        handle: context => {
          requireScopes(context.token, ['read:packages', 'delete:packages'], MESSAGES.deleteVersionScope)
          const pkg = findPackage(context)
          checkAdmin(context.token, pkg)
          store.deleteVersion(pkg, versionId(context))
          return NO_CONTENT
        }
      },
      {
        method: 'POST',
        template: `${versionPath}/restore`,
        handle: context => {
          requireScopes(context.token, ['read:packages', 'write:packages'], MESSAGES.restoreScope)
          const pkg = findPackage(context, true)
          checkAdmin(context.token, pkg)
          store.restoreVersion(pkg, versionId(context))
          return NO_CONTENT
        }
      }
    )
  }
  routes.push(...repositoryRoutes(repositories, api))
  return routes
}
