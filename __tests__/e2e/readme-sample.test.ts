/**
 * The README's "What a run looks like" quotes the demo: its first policy, run again here as a dry run on the
 * bundle, must print the same log and write the same job summary. `npm run docs:sample` brings them in line.
 */
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { demoSample, readSample, withSample } from '../../demo/sample.js'

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')

describe('the README’s sample run', () => {
  it('is the demo’s dry run of today (npm run docs:sample writes it)', async () => {
    expect(readSample(README)).toEqual(await demoSample())
  })

  it('is rewritten between its markers only, and a README without them is refused', () => {
    const sample = { 'demo log': '```text\nlog\n```', 'demo summary': '> summary' }
    const written = withSample(README, sample)
    expect(readSample(written)).toEqual(sample)
    expect(written.split('\n## What a run looks like\n')[0]).toBe(
      README.split('\n## What a run looks like\n')[0]
    )
    expect(() => withSample('# A README\n', sample)).toThrow(/no "demo log"/)
  })
})
