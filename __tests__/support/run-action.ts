/**
 * End-to-end harness: runs the bundled action (`dist/index.js`) against an in-process fake GitHub, the way the
 * Actions runner does. The environment is built in fake-github/run-action.ts, which the demo shares.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
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

/** What a command printed, and its exit code, once it has ended. */
export interface CommandRun {
  code: number | null
  stdout: string
  stderr: string
}

/** Collects a spawned command's output until it ends. */
export function ended(child: ChildProcessWithoutNullStreams): Promise<CommandRun> {
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', code => resolve({ code, stdout, stderr }))
  })
}
