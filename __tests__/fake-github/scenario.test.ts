import { describe, expect, test } from '@jest/globals'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadScenario, parseScenario, ScenarioError } from '../../fake-github/scenario.js'
import { baseScenario, digest } from './helpers.js'

function problems(value: unknown): string[] {
  try {
    parseScenario(value)
  } catch (error) {
    if (error instanceof ScenarioError) return error.problems
    throw error
  }
  return []
}

describe('scenario validation', () => {
  test('the shipped demo scenario and the test scenario are valid', async () => {
    const demo = await loadScenario(
      new URL('../../fake-github/scenarios/demo.json', import.meta.url).pathname
    )
    expect(demo.packages.map(p => `${p.type}:${p.name}`)).toEqual(['npm:web-ui', 'container:app', 'npm:sdk'])
    expect(problems(baseScenario())).toEqual([])
  })

  test('shape errors name the field', () => {
    const scenario = baseScenario() as unknown as { packages: Record<string, unknown>[] }
    scenario.packages[0].type = 'pypi'
    scenario.packages[1].colour = 'blue'
    ;(scenario.packages[2].versions as Record<string, unknown>[])[0].created_at = 'yesterday'
    expect(problems(scenario)).toEqual([
      'packages[0].type must be equal to one of the allowed values: npm, maven, rubygems, docker, nuget, container',
      'packages[1] must NOT have additional properties (colour)',
      'packages[2].versions[0].created_at must match format "date-time"'
    ])
  })

  test('consistency errors: owners, tokens, ids, digests, tags and manifest references', () => {
    const scenario = baseScenario()
    scenario.tokens.push(
      { value: 'ghp_all', kind: 'classic', login: 'acme' },
      { value: 'ghs_x', kind: 'actions' }
    )
    scenario.packages.push({
      owner: 'nobody',
      type: 'container',
      name: 'broken',
      visibility: 'private',
      versions: [
        { id: 101, name: 'latest', created_at: '2026-01-01T00:00:00Z' },
        { id: 901, name: digest('a'), tags: ['x'], created_at: '2026-01-01T00:00:00Z' },
        {
          id: 902,
          name: digest('b'),
          tags: ['x'],
          created_at: '2026-01-01T00:00:00Z',
          manifest: { kind: 'index', children: [digest('missing'), digest('b')] }
        }
      ]
    })
    expect(problems(scenario)).toEqual([
      'tokens[7].value is used by another token',
      'tokens[7].login acme is an organisation; a token belongs to a user',
      'tokens[8]: an actions token needs a repository (owner/repo)',
      'packages[8].owner nobody is not in owners',
      'packages[8].versions[0].id 101 is used by another version',
      'packages[8].versions[0].name must be a digest sha256:<64 hex> for a container',
      'packages[8].versions[2]: tag x is already on another active version',
      `packages[8].versions[2].manifest names ${digest('missing')}, which is not a version`,
      `packages[8]: manifest ${digest('b')} refers to itself through others`
    ])
  })

  test('generated versions: not for containers, ids of their own, and a package needs some version', () => {
    const scenario = baseScenario()
    const generate = { count: 1000, firstId: 5001, newest: '2026-01-01T00:00:00Z', everyMs: 3_600_000 }
    scenario.packages.push(
      { owner: 'acme', type: 'maven', name: 'big', visibility: 'private', versions: [], generate },
      { owner: 'acme', type: 'container', name: 'huge', visibility: 'private', versions: [], generate },
      { owner: 'acme', type: 'npm', name: 'none', visibility: 'private', versions: [] }
    )
    expect(problems(scenario)).toEqual([
      'packages[9].generate is for packages other than containers',
      "packages[9].generate: ids 5001..6000 overlap another package's",
      'packages[10]: versions must not be empty'
    ])
  })

  test('a bad file is refused with its path in every message', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scenario-'))
    await writeFile(join(dir, 'broken.json'), '{"owners": [], ')
    await expect(loadScenario(join(dir, 'broken.json'))).rejects.toThrow(/broken\.json is not JSON/)
    await writeFile(join(dir, 'empty.json'), '{"owners": []}')
    await expect(loadScenario(join(dir, 'empty.json'))).rejects.toThrow(
      `Invalid scenario:\n  - ${join(dir, 'empty.json')}: scenario must have required property 'tokens'`
    )
    await rm(dir, { recursive: true, force: true })
  })
})
