/**
 * The one bundle's entry point. The runner starts it as the action; `dist/cli/index.js`, the package's `bin`,
 * sets `COMMAND_LINE` on globalThis first and then imports it, so the command line shares this bundle.
 */
import * as core from '@actions/core'
import { runCommandLine } from './cli.js'
import { errorMessage } from './errors.js'
import { run } from './main.js'

export const COMMAND_LINE = 'packageRetentionCommandLine'

if ((globalThis as Record<string, unknown>)[COMMAND_LINE] === true) runCommandLine()
// Whatever escapes the run, an Error or not, fails the step with its message.
else run().catch((error: unknown) => core.setFailed(errorMessage(error)))
