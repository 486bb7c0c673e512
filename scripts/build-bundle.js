/**
 * Jest's global setup for the end-to-end suites: builds dist/ from the sources, so that they never run a
 * stale bundle. Jest runs it only when at least one end-to-end suite is selected. scripts/test-all.sh has
 * just built and checked dist/ and says so with BUNDLE_IS_FRESH=1.
 */
import { execFileSync } from 'node:child_process'

export default function buildBundle() {
  if (process.env.BUNDLE_IS_FRESH === '1') return
  process.stdout.write('\nBuilding dist/ for the end-to-end suites (npm run build)\n')
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] })
}
