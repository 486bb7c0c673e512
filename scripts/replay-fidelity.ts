/**
 * Replays the fake's recorded GitHub answers (fake-github/fidelity/) against a live GitHub, where that is safe:
 * reads only, about the live check's own packages, with the token the workflow has. A status or message that
 * differs from the recording means GitHub changed (or the recording is wrong): the fake must follow.
 *
 *   GITHUB_TOKEN=... npx tsx scripts/replay-fidelity.ts --owner acme --container live --npm live-npm
 *
 * GITHUB_API_URL and REGISTRY_URL as for scripts/live-check.ts. Exits 1 when an answer differs.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

/** Read-only recordings that need nothing but the owner and the live packages (`app` and `web` in them). */
export const REPLAYABLE = [
  'actions-token-lists-packages',
  'invalid-package-type',
  'invalid-state',
  'package-not-found',
  'list-packages-too-deep',
  'user-with-actions-token',
  'registry-challenge'
]

export interface ReplayTarget {
  apiUrl: string
  registryUrl: string
  /** The token the recordings call `actions` (the workflow's GITHUB_TOKEN). */
  token: string
  owner: string
  /** The live container and npm packages, standing in for the recordings' `app` and `web`. */
  container: string
  npm: string
}

interface Recording {
  request: { method: string; path: string; query?: string; auth: string }
  response: { status: number; body?: { message?: string } }
}

const FIDELITY = new URL('../fake-github/fidelity/', import.meta.url)

export async function replayFidelity(target: ReplayTarget): Promise<string[]> {
  const problems: string[] = []
  for (const name of REPLAYABLE) {
    const { request, response } = JSON.parse(
      readFileSync(new URL(`${name}.json`, FIDELITY), 'utf8')
    ) as Recording
    const path = request.path
      .replace(/^\/(orgs|users)\/acme\//, `/$1/${target.owner}/`)
      .replace(/^\/v2\/acme\/app\//, `/v2/${target.owner.toLowerCase()}/${target.container}/`)
      .replace(/\/packages\/container\/app\//, `/packages/container/${target.container}/`)
      .replace(/\/packages\/(npm|npmx)\/web\//, `/packages/$1/${target.npm}/`)
    const base = path.startsWith('/v2/') ? target.registryUrl : target.apiUrl
    const query = request.query ? `?${request.query}` : ''
    const headers: Record<string, string> =
      request.auth === 'anonymous' ? {} : { authorization: `Bearer ${target.token}` }
    const answer = await fetch(`${base}${path}${query}`, { method: request.method, headers })
    const body = (await answer.json().catch(() => undefined)) as { message?: string } | undefined
    if (answer.status !== response.status)
      problems.push(
        `${name}: ${request.method} ${path}${query} answered ${answer.status}, recorded ${response.status}`
      )
    else if (response.body?.message !== undefined && body?.message !== response.body.message)
      problems.push(
        `${name}: ${request.method} ${path}${query} says ${JSON.stringify(body?.message)}, recorded ${JSON.stringify(response.body.message)}`
      )
  }
  return problems
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { owner: { type: 'string' }, container: { type: 'string' }, npm: { type: 'string' } }
  })
  if (!values.owner || !values.container || !values.npm)
    throw new Error('give --owner, --container and --npm')
  const problems = await replayFidelity({
    apiUrl: process.env.GITHUB_API_URL || 'https://api.github.com',
    registryUrl: process.env.REGISTRY_URL || 'https://ghcr.io',
    token: process.env.GITHUB_TOKEN ?? '',
    owner: values.owner,
    container: values.container,
    npm: values.npm
  })
  for (const text of problems) console.log(`::error title=GitHub differs from the fake::${text}`)
  console.log(`replayed ${REPLAYABLE.length} recorded answers, ${problems.length} differ`)
  return problems.length === 0 ? 0 : 1
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await main()
