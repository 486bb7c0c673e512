/**
 * The plan file is written piece by piece (a large organisation's plan is longer than a string can be), and
 * reads exactly as `JSON.stringify(value, null, 2)` would have written it.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeJsonFile } from '../../src/report/publish.js'

const directory = mkdtempSync(join(tmpdir(), 'json-file-'))
const file = join(directory, 'plan.json')
afterAll(() => rmSync(directory, { recursive: true }))
const written = (value: unknown, depth?: number) => {
  writeJsonFile(file, value, depth)
  return readFileSync(file, 'utf8')
}

/** JSON values, and what a plan holds beside them: dates, and members left undefined. */
const value = fc.letrec(tie => ({
  item: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.jsonValue({ maxDepth: 1 }),
    fc.date({ noInvalidDate: true }),
    fc.constant(undefined),
    fc.array(tie('item'), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie('item'), { maxKeys: 4 })
  )
})).item

describe('the plan file', () => {
  it('reads as JSON.stringify(value, null, 2), at any depth of writing member by member', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.array(value), fc.dictionary(fc.string(), value)),
        fc.integer({ min: 0, max: 5 }),
        (doc, depth) => {
          expect(written(doc, depth)).toBe(JSON.stringify(doc, null, 2))
        }
      ),
      { numRuns: 500 }
    )
  })

  it('holds a plan longer than a string can be', () => {
    // 520 packages of one 1 MB decision: past V8's longest string (2^29 - 24 characters).
    const decision = { name: 'x'.repeat(1 << 20) }
    const doc = { packages: Array.from({ length: 520 }, () => ({ versions: [decision] })) }
    writeJsonFile(file, doc)
    expect(statSync(file).size).toBeGreaterThan(2 ** 29)
    const expected = `{\n  "packages": [\n    {\n      "versions": [\n        {\n          "name": "xxxx`
    const start = Buffer.alloc(expected.length)
    const fd = openSync(file, 'r')
    readSync(fd, start)
    closeSync(fd)
    expect(start.toString()).toBe(expected)
  }, 60_000)
})
