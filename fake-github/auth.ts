import { ApiError, DOCS_PACKAGES, MESSAGES } from './errors.js'
import type { PackageType, Scope, TokenSpec } from './scenario.js'
import type { Package, Store } from './state.js'

/** Who is calling, as far as limits and the request log care. */
export interface Caller {
  label: string
  /** The primary budget every answer reports and the refusal message names. */
  defaultLimit: number
  rateLimitedAs: string
}

export const ANONYMOUS: Caller = { label: 'anonymous', defaultLimit: 60, rateLimitedAs: '127.0.0.1' }

/** Reads `Authorization: token X` or `Bearer X`; undefined when absent. */
export function presentedToken(authorization: string | undefined): string | undefined {
  return /^(?:token|bearer)\s+(\S+)$/i.exec(authorization?.trim() ?? '')?.[1]
}

export function callerFor(token: TokenSpec, store: Store): Caller {
  if (token.kind === 'actions')
    return {
      label: token.label ?? `actions:${token.repository}`,
      defaultLimit: 1000,
      rateLimitedAs: 'installation ID 4242'
    }
  return {
    label: token.label ?? `classic:${token.login}`,
    defaultLimit: 5000,
    rateLimitedAs: `user ID ${store.owner(token.login ?? '')?.id}`
  }
}

/** Classic tokens must carry every scope; GITHUB_TOKEN's `packages: write` permission is taken as given. */
export function requireScopes(token: TokenSpec, scopes: Scope[], message: string): void {
  if (token.kind === 'classic' && !scopes.every(scope => token.scopes?.includes(scope)))
    throw new ApiError(403, message, DOCS_PACKAGES)
}

/**
 * Registries with granular permissions (GitHub's "About permissions for GitHub Packages": Container, npm,
 * NuGet, RubyGems); the others (Maven and Gradle, both `maven`, and the old Docker registry) take their access
 * from the linked repository.
 */
export const GRANULAR: ReadonlySet<PackageType> = new Set(['container', 'npm', 'nuget', 'rubygems'])

/**
 * A classic token sees every package, except private ones of repository-scoped registries (Maven, Gradle,
 * Docker) when it lacks `repo`. Those then look like no package at all.
 */
export function visibleToClassic(token: TokenSpec, pkg: Package): boolean {
  return pkg.visibility === 'public' || GRANULAR.has(pkg.type) || (token.scopes ?? []).includes('repo')
}

export function checkRead(token: TokenSpec, pkg: Package): void {
  if (token.kind === 'classic') {
    if (!visibleToClassic(token, pkg)) throw new ApiError(404, MESSAGES.packageNotFound, DOCS_PACKAGES)
  } else if (pkg.visibility === 'private' && !isActionsAdmin(token, pkg)) throw refusal(pkg)
}

/**
 * Deleting, restoring and listing deleted versions: a GITHUB_TOKEN needs the Admin role its repository may have
 * on the package; a user who may only read the package is told it does not exist (404 `Package not found.`).
 */
export function checkAdmin(token: TokenSpec, pkg: Package): void {
  checkRead(token, pkg)
  if (token.kind === 'actions' && !isActionsAdmin(token, pkg)) throw refusal(pkg)
  if (token.kind === 'classic' && pkg.readOnlyUsers.includes((token.login ?? '').toLowerCase()))
    throw new ApiError(404, MESSAGES.packageNotFound, DOCS_PACKAGES)
}

/** What a GITHUB_TOKEN may see in a package list of a registry without granular permissions. */
export function listableByActions(token: TokenSpec, pkg: Package): boolean {
  return pkg.visibility === 'public' || isActionsAdmin(token, pkg)
}

function isActionsAdmin(token: TokenSpec, pkg: Package): boolean {
  const repository = token.repository?.toLowerCase()
  return pkg.actionsAdmin.some(r => r.toLowerCase() === repository)
}

/** A package the caller may not touch looks absent when private or in a granular registry. */
function refusal(pkg: Package): ApiError {
  return pkg.visibility === 'private' || GRANULAR.has(pkg.type)
    ? new ApiError(404, MESSAGES.packageNotFound, DOCS_PACKAGES)
    : new ApiError(403, MESSAGES.notAccessibleByIntegration, DOCS_PACKAGES)
}
