/**
 * Every file config reads, apart from what it makes of them: a file an input names (a policy, a run record),
 * read only inside the roots the run allows, and the event file the runner writes.
 */
import { readFileSync, realpathSync } from 'node:fs'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import { errorMessage } from '../errors.js'

/** The workspace: where a relative path in an input starts. */
export function workspaceOf(env: NodeJS.ProcessEnv): string {
  return resolve(env.GITHUB_WORKSPACE || process.cwd())
}

/**
 * A file named by an input, read only if it lies in one of `roots` (the first resolves a relative path) both as
 * written and once symbolic links are resolved: a link in the workspace cannot make the action read elsewhere.
 */
export function readInside(
  value: string,
  roots: string[]
): { text: string } | { outside: string } | { error: string } {
  // Compared by path segments: a folder named `..cfg` is inside, `../cfg` is not.
  const within = (path: string, root: string) => {
    const inside = relative(root, path)
    return inside.split(sep)[0] !== '..' && !isAbsolute(inside)
  }
  const path = resolve(roots[0], value)
  if (!roots.some(root => within(path, root))) return { outside: '' }
  try {
    const real = realpathSync(path)
    if (!roots.some(root => within(real, realpathOr(root))))
      return { outside: ` once links are resolved (${real})` }
    return { text: readFileSync(real, 'utf8') }
  } catch (error) {
    const code = (error as { code?: unknown }).code
    return { error: typeof code === 'string' ? code : errorMessage(error) }
  }
}

/** A directory's real path, or the path itself when it does not exist. */
function realpathOr(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}

/** What a `registry_package` event says about its package (the workflow's event payload). */
export interface PackageEvent {
  name?: unknown
  package_type?: unknown
}

/** The package of a `registry_package` event, when the workflow runs on one. */
export function registryPackageEvent(env: NodeJS.ProcessEnv): PackageEvent | undefined {
  if (env.GITHUB_EVENT_NAME !== 'registry_package' || !env.GITHUB_EVENT_PATH) return undefined
  try {
    const payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as {
      registry_package?: PackageEvent
    }
    return payload.registry_package ?? undefined
  } catch {
    return undefined
  }
}

/** What a closed pull request's event says of it (`pull_request.{number, merged_at, closed_at, head}`). */
export interface PullRequestEvent {
  number?: unknown
  state?: unknown
  closed_at?: unknown
  merged_at?: unknown
  head?: { ref?: unknown; repo?: { full_name?: unknown } | null } | null
  base?: { repo?: { full_name?: unknown } | null } | null
}

/** The pull request of a `pull_request` or `pull_request_target` event whose action is `closed`. */
export function closedPullRequestEvent(env: NodeJS.ProcessEnv): PullRequestEvent | undefined {
  const name = env.GITHUB_EVENT_NAME
  if ((name !== 'pull_request' && name !== 'pull_request_target') || !env.GITHUB_EVENT_PATH) return undefined
  try {
    const payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as {
      action?: unknown
      pull_request?: PullRequestEvent
    }
    return payload.action === 'closed' ? (payload.pull_request ?? undefined) : undefined
  } catch {
    return undefined
  }
}
