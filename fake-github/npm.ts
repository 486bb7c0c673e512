/**
 * GitHub's npm registry (npm.pkg.github.com; `npm.HOST` on GitHub Enterprise Server) as far as the action
 * reads it: a package's document, `GET /@OWNER%2FNAME`, with its `dist-tags` and versions. Served on the
 * fake's root, whatever the Host header names. Evidence: fidelity/npm-package-document.json.
 */
import { presentedToken } from './auth.js'
import type { Reply } from './oci.js'
import type { TokenSpec } from './scenario.js'
import type { Package, Store } from './state.js'

/** `/@scope%2Fname` (as npm sends it) or `/@scope/name`. */
const DOCUMENT_PATH = /^\/@([^/%]+)(?:%2[fF]|\/)([^/]+)$/

export function handlesNpm(path: string): boolean {
  return DOCUMENT_PATH.test(path)
}

export function npmReply(
  store: Store,
  tokens: ReadonlyMap<string, TokenSpec>,
  method: string,
  url: URL,
  authorization: string | undefined
): Reply {
  const [, scope, name] = DOCUMENT_PATH.exec(url.pathname) as RegExpExecArray
  if (method !== 'GET') return { status: 405, json: { error: 'method not allowed' } }
  const token = tokens.get(presentedToken(authorization) ?? '')
  if (token === undefined) return { status: 401, json: { error: 'unauthenticated: authentication required' } }
  const owner = store.owner(decodeURIComponent(scope))
  const pkg = owner && store.find(owner, 'npm', decodeURIComponent(name))
  if (!pkg) return { status: 404, json: { error: 'Not Found' } }
  if (pkg.npmRegistryStatus !== undefined)
    return { status: pkg.npmRegistryStatus, json: { error: 'scripted failure' } }
  return { status: 200, json: packageDocument(pkg) }
}

/** The newest version is `latest` unless the scenario names the dist-tags (as `npm dist-tag add` would). */
export function packageDocument(pkg: Package) {
  const fullName = `@${pkg.owner.login.toLowerCase()}/${pkg.name}`
  const active = pkg.versions.filter(v => v.deletedMs === undefined)
  const newest = [...active].sort((a, b) => b.createdMs - a.createdMs || b.id - a.id)[0]
  const distTags = pkg.distTags ?? (newest ? { latest: newest.name } : {})
  return {
    _id: fullName,
    name: fullName,
    'dist-tags': distTags,
    versions: Object.fromEntries(
      active.map(v => [
        v.name,
        {
          name: fullName,
          version: v.name,
          dist: { tarball: `https://npm.pkg.github.com/download/${fullName}/${v.name}/${v.id}` }
        }
      ])
    ),
    time: Object.fromEntries(active.map(v => [v.name, new Date(v.createdMs).toISOString()]))
  }
}
