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
/** action.yml's inputs with their defaults (the single-rule ones' kept in config). */
const DECLARED = Object.entries(action.inputs).map(([name, spec]) => ({
  name,
  required: spec.required === true,
  default: spec.default ?? (RULE_INPUT_DEFAULTS as Record<string, string>)[name] ?? ''
}))
const unquote = (cell: string) => cell.replace(/^`|`$/g, '').replace(/^''$/, '')

describe('README and action.yml', () => {
  it('list the same inputs, with the same required flags and defaults (the single-rule ones kept in config)', () => {
    const documented = tableAfter('Inputs').map(([name, required, defaultValue]) => ({
      name: unquote(name),
      required: required === 'yes',
      default: unquote(defaultValue)
    }))
    expect(documented).toEqual(DECLARED)
  })

  it('show every input in the Usage block, in order, with its default as the value and a one-line comment', () => {
    const block = readme.split('\n## Usage\n')[1]?.split('```yaml\n')[1]?.split('\n```')[0] ?? ''
    const lines = block.split('\n')
    expect(lines.slice(0, 2)).toEqual(['- uses: package-retention/package-retention@v1', '  with:'])
    const step = (parse(block) as [{ with: Record<string, unknown> }])[0]
    const shown = Object.entries(step.with).map(([name, value]) => ({ name, value: String(value) }))
    expect(shown).toEqual(DECLARED.map(input => ({ name: input.name, value: input.default })))
    const comments = lines.slice(2).filter((_, i) => i % 2 === 0)
    expect(lines.length).toBe(2 + 2 * DECLARED.length)
    for (const comment of comments) expect(comment).toMatch(/^ {4}# \S/)
  })

  it('open with the quick start: a whole workflow within the first 40 lines that publishes, then deletes with GITHUB_TOKEN, a dry run first', () => {
    const lines = readme.split('\n')
    expect(lines.length).toBeLessThanOrEqual(400)
    const start = lines.indexOf('```yaml')
    const end = lines.indexOf('```', start)
    expect(end + 1).toBeLessThanOrEqual(40)
    const workflow = parse(lines.slice(start + 1, end).join('\n')) as {
      on: unknown
      permissions: Record<string, string>
      jobs: Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }>
    }
    expect(workflow.on).toBeDefined()
    expect(workflow.permissions.packages).toBe('write')
    const steps = Object.values(workflow.jobs)[0].steps
    expect(steps.findIndex(s => s.uses?.startsWith('docker/build-push-action@'))).toBe(steps.length - 2)
    const retention = steps[steps.length - 1]
    expect(retention.uses).toBe('package-retention/package-retention@v1')
    expect(retention.with?.token).toBeUndefined()
    expect(retention.with?.['dry-run']).toBe(true)
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
