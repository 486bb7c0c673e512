/**
 * The demo's world: the fake GitHub serving fake-github/scenarios/demo.json with its dates moved to today, and
 * the policies the demo runs. `npm run demo` tours it; `npm run docs:sample` quotes its first dry run in the
 * README.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { InputValue } from '../fake-github/run-action.js'
import { loadScenario } from '../fake-github/scenario.js'
import { SERVER_STYLE, startFakeGitHub, type FakeGitHub } from '../fake-github/server.js'

/** The policies, as two workflow steps' `with:` blocks would give them. Change them and run again. */
export const POLICIES: Record<string, InputValue>[] = [
  {
    owner: 'acme',
    'package-type': 'container',
    'package-names': 'app',
    'keep-last': 2,
    'min-age': '3d',
    'keep-tags': 'v*',
    untagged: 'include',
    'max-deletions': 50
  },
  {
    owner: 'acme',
    'package-type': 'npm',
    'package-names': '*',
    'keep-last': 1,
    'min-age': '7d',
    'keep-tags': '*-rc.*'
  }
]
/** The scenario's dates are written as of this day; they are moved so that it is today. */
const SCENARIO_TODAY = Date.parse('2026-11-22T12:00:00Z')

export const SCENARIO = fileURLToPath(new URL('../fake-github/scenarios/demo.json', import.meta.url))

export interface DemoWorld {
  fake: FakeGitHub
  /** The scenario's classic token. */
  token: string
  /** The runs' environment: manifests read by one run are remembered for the next, as the runner's cache would. */
  env: Record<string, string>
}

export async function startDemo(): Promise<DemoWorld> {
  const scenario = await loadScenario(SCENARIO)
  const shift = (iso: string) => new Date(Date.parse(iso) + Date.now() - SCENARIO_TODAY).toISOString()
  for (const version of scenario.packages.flatMap(p => p.versions)) {
    version.created_at = shift(version.created_at)
    if (version.updated_at) version.updated_at = shift(version.updated_at)
  }
  const token = scenario.tokens.find(t => t.kind === 'classic')?.value ?? ''
  // Served as GitHub Enterprise Server is, so that the action finds the registry from the API's URL alone.
  const fake = await startFakeGitHub(scenario, SERVER_STYLE)
  const env = { PACKAGE_RETENTION_MANIFEST_CACHE_DIR: await mkdtemp(join(tmpdir(), 'demo-manifests-')) }
  return { fake, token, env }
}

/** The step's log as the runner shows it: groups as headings, workflow commands other than these left out. */
export function actionLog(stdout: string): string {
  return stdout
    .split('\n')
    .filter(line => !line.startsWith('::') || /^::(group|warning|error)::/.test(line))
    .map(line => line.replace(/^::group::/, '▸ ').replace(/^::(warning|error)::/, '$1: '))
    .join('\n')
    .trim()
}
