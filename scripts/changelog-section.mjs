#!/usr/bin/env node
// Prints the body of one version's section of CHANGELOG.md (`Unreleased` or `1.2.3`): the release notes.
// Exits 1 when the section is missing or empty. Used by scripts/release.sh and the release workflow.
import { readFileSync } from 'node:fs'

const [version = 'Unreleased', file = 'CHANGELOG.md'] = process.argv.slice(2)
const lines = readFileSync(file, 'utf8').split('\n')
const start = lines.findIndex(line => line.startsWith(`## [${version}]`))
if (start < 0) {
  console.error(`${file} has no section "## [${version}]"`)
  process.exit(1)
}
const rest = lines.slice(start + 1)
const end = rest.findIndex(line => line.startsWith('## ') || /^\[[^\]]+\]: /.test(line))
const body = (end < 0 ? rest : rest.slice(0, end)).join('\n').trim()
if (!body) {
  console.error(`${file}: the section "## [${version}]" is empty`)
  process.exit(1)
}
console.log(body)
