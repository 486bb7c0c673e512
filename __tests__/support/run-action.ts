/**
 * End-to-end harness: runs the bundled action (`dist/index.js`) against an in-process fake GitHub, the way the
 * Actions runner does. The environment is built in fake-github/run-action.ts, which the demo shares.
 */
import { fileURLToPath } from 'node:url'
import { runAction as run, type ActionRun, type RunActionOptions } from '../../fake-github/run-action.js'

export {
  actionNode,
  LOCALHOST_DNS,
  parseAnnotations,
  parseOutputFile,
  prepareActionEnv,
  type ActionRun,
  type Annotation,
  type RunActionOptions
} from '../../fake-github/run-action.js'

/** The package root, where action.yml and dist/ live. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url))

export function runAction(options: RunActionOptions): Promise<ActionRun> {
  return run({ root: PACKAGE_ROOT, ...options })
}
