/**
 * A `delete-closed` sweep against the embedded fake: `npx tsx bench/repository.ts`. 500 closed pull requests
 * (their branches deleted), an image for each, and 20 living branches: the requests the repository costs, against
 * one read per pull request tag.
 */
import { pathToFileURL } from 'node:url'
import type { RepositorySpec, Scenario, VersionSpec } from '../fake-github/scenario.js'
import { SERVER_STYLE, startFakeGitHub } from '../fake-github/server.js'
import { runAction } from '../fake-github/run-action.js'

const TOKEN = 'ghs_bench'
const HOUR = 3_600_000
const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * HOUR).toISOString()
const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`

export async function benchRepository(pulls = 500) {
  const repository: RepositorySpec = {
    full_name: 'acme/app',
    visibility: 'private',
    pulls: Array.from({ length: pulls }, (_, i) => ({
      number: i + 1,
      state: 'closed' as const,
      created_at: at(2 * pulls - i + 10),
      updated_at: at(pulls - i),
      closed_at: at(pulls - i),
      ...(i % 2 === 0 && { merged_at: at(pulls - i) }),
      head: { ref: `feature/${i + 1}`, sha: 'a'.repeat(40), repo: 'acme/app' }
    })),
    branches: Array.from({ length: 20 }, (_, i) => ({ name: `keep/${i}`, sha: 'b'.repeat(40) }))
  }
  const versions: VersionSpec[] = [
    ...Array.from({ length: pulls }, (_, i) => ({
      id: i + 1,
      name: digest(i + 1),
      tags: [`pr-${i + 1}`],
      created_at: at(pulls - i + 1)
    })),
    { id: pulls + 1, name: digest(pulls + 1), tags: ['main'], created_at: at(0.5) }
  ]
  const scenario: Scenario = {
    owners: [{ login: 'acme', type: 'Organization' }],
    tokens: [{ value: TOKEN, kind: 'actions', repository: 'acme/app' }],
    packages: [
      {
        owner: 'acme',
        type: 'container',
        name: 'app',
        visibility: 'private',
        repository: 'acme/app',
        versions
      }
    ],
    repositories: [repository]
  }
  const fake = await startFakeGitHub(scenario, SERVER_STYLE)
  const run = await runAction({
    fake,
    token: TOKEN,
    timeoutMs: 300_000,
    inputs: { 'package-type': 'container', 'delete-closed': 'pull-requests, branches', 'dry-run': true }
  })
  await fake.close()
  const repositoryRequests = fake.requests.filter(r => r.path.includes('/repos/'))
  return {
    exitCode: run.exitCode,
    closedPullRequests: pulls,
    wouldDelete: JSON.parse(run.outputs['deleted'] ?? '[]').length as number,
    repositoryRequests: repositoryRequests.length,
    byList: Object.fromEntries(
      ['pulls', 'branches'].map(list => [
        list,
        repositoryRequests.filter(r => r.path.endsWith(`/${list}`)).length
      ])
    ),
    onePerTag: pulls
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href)
  console.log(JSON.stringify(await benchRepository(), null, 2))
