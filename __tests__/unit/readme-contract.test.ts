import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { INPUT_NAMES, RULE_INPUT_DEFAULTS } from '../../src/config/inputs.js'

const root = new URL('../../', import.meta.url)
const action = parse(readFileSync(new URL('action.yml', root), 'utf8')) as {
  inputs: Record<string, { required?: boolean; default?: string }>
  outputs: Record<string, unknown>
  runs: { using: string; main: string }
}
const readme = readFileSync(new URL('README.md', root), 'utf8')

/** Rows of the first table after a `## heading`, as arrays of trimmed cells (header and rule dropped). */
function tableAfter(heading: string): string[][] {
  const section = readme.split(`\n## ${heading}\n`)[1]?.split('\n## ')[0] ?? ''
  const rows = section.split('\n').filter(line => line.startsWith('|'))
  return rows.slice(2).map(row =>
    row
      .slice(1, -1)
      .split('|')
      .map(cell => cell.trim())
  )
}
const unquote = (cell: string) => cell.replace(/^`|`$/g, '').replace(/^''$/, '')

describe('README and action.yml', () => {
  it('list the same inputs, with the same required flags and defaults (the single-rule ones kept in config)', () => {
    const documented = tableAfter('Inputs').map(([name, required, defaultValue]) => ({
      name: unquote(name),
      required: required === 'yes',
      default: unquote(defaultValue)
    }))
    const declared = Object.entries(action.inputs).map(([name, spec]) => ({
      name,
      required: spec.required === true,
      default: spec.default ?? (RULE_INPUT_DEFAULTS as Record<string, string>)[name] ?? ''
    }))
    expect(documented).toEqual(declared)
  })

  it('leave the defaults of the single-rule inputs to config, so that "given" can be told from "defaulted"', () => {
    for (const name of Object.keys(RULE_INPUT_DEFAULTS)) expect(action.inputs[name].default).toBeUndefined()
  })

  it('declare the inputs that config reads and the command line takes as flags', () => {
    expect(Object.keys(action.inputs)).toEqual(INPUT_NAMES)
  })

  it('list the same outputs', () => {
    expect(tableAfter('Outputs').map(([name]) => unquote(name))).toEqual(Object.keys(action.outputs))
  })

  it('runs on node24 from the committed bundle', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
  })
})
