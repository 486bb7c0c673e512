/** The answers GitHub gives, word for word, so the action's error handling is tested against the real texts. */
export const MESSAGES = {
  badCredentials: 'Bad credentials',
  requiresAuthentication: 'Requires authentication',
  notFound: 'Not Found',
  notAccessibleByIntegration: 'Resource not accessible by integration',
  packageNotFound: 'Package not found.',
  versionNotFound: 'Package version not found.',
  invalidPackageType: 'The package_type parameter is invalid.',
  invalidState: 'The state parameter is invalid.',
  invalidVisibility: 'The visibility parameter is invalid.',
  invalidArgument: 'Invalid argument.',
  // Spelling as GitHub's handler writes it.
  pageTooDeep:
    'The per_page and page parameters are invalid. The value of per_page multipled by page cannot be greater than 10000.',
  readScope: "You need at least read:packages scope to get a package's versions.",
  listPackagesScope: 'You need at least read:packages scope to list packages.',
  getPackageScope: 'You need at least read:packages scope to get a package.',
  getVersionScope: "You need at least read:packages scope to view a package's versions.",
  deleteVersionScope:
    'You need at least delete:packages and read:packages scopes to delete a package version.',
  deletePackageScope: 'You need at least delete:packages and read:packages scopes to delete a package.',
  listDeletedScope:
    "You need at least delete:packages and read:packages scopes to get a package's deleted versions.",
  restoreScope: 'You need at least write:packages and read:packages scopes to restore a package version.',
  restorePackageScope: 'You need at least write:packages and read:packages scopes to restore a package.',
  popularVersion:
    'Publicly visible package versions with more than 5000 downloads cannot be deleted. Contact GitHub support for further assistance.',
  popularPackage:
    'Publicly visible packages with a version with more than 5000 downloads cannot be deleted. Contact GitHub support for further assistance.',
  lastVersion: 'You cannot delete the last version of a package. You must delete the package instead.',
  lastTaggedVersion:
    'You cannot delete the last tagged version of a package. You must delete the package instead.',
  nameTaken: 'Active package version already exists with given name.',
  rateLimitingDisabled: 'Rate limiting is not enabled.',
  secondaryRateLimit:
    'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.'
} as const

const DOCS = 'https://docs.github.com/rest'
export const DOCS_PACKAGES = `${DOCS}/packages/packages`
export const DOCS_LIST_ORG_PACKAGES = `${DOCS_PACKAGES}#list-packages-for-an-organization`
export const DOCS_USERS = `${DOCS}/users/users`
export const DOCS_RATE_LIMITS = `${DOCS}/using-the-rest-api/rate-limits-for-the-rest-api`
export const DOCS_RATE_LIMIT_ENDPOINT = `${DOCS}/rate-limit/rate-limit#get-rate-limit-status-for-the-authenticated-user`

/** An answer other than success; the server turns it into GitHub's error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly documentationUrl: string = DOCS,
    readonly headers: Record<string, string> = {}
  ) {
    super(message)
  }

  body(): { message: string; documentation_url: string; status: string } {
    return { message: this.message, documentation_url: this.documentationUrl, status: String(this.status) }
  }
}
