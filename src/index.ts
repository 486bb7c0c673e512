/** The runner's entry point. */
import * as core from '@actions/core'
import { errorMessage } from './errors.js'
import { run } from './main.js'

// Whatever escapes the run, an Error or not, fails the step with its message.
run().catch((error: unknown) => core.setFailed(errorMessage(error)))
