#!/usr/bin/env node
// The command line: the action's bundle, told to read flags instead of the workflow's inputs.
globalThis.packageRetentionCommandLine = true
await import('../index.js')
