/**
 * Jest's global setup for the end-to-end suites: builds dist/ from the sources, so that they never run a
 * stale bundle, and finds the Node that runs it on GitHub's runners (action.yml's `using:`, installed once by
 * scripts/action-node.sh), which the harness then starts it with (ACTION_NODE). Jest runs it only when at least
 * one end-to-end suite is selected. scripts/test-all.sh has just built and checked dist/ and says so with
 * BUNDLE_IS_FRESH=1.
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export default function buildBundle() {
  process.env.ACTION_NODE = execFileSync(
    'bash',
    [fileURLToPath(new URL('action-node.sh', import.meta.url))],
    {
      stdio: ['ignore', 'pipe', 'inherit']
    }
  )
    .toString()
    .trim()
  if (process.env.BUNDLE_IS_FRESH === '1') return
  process.stdout.write('\nBuilding dist/ for the end-to-end suites (npm run build)\n')
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] })
}
