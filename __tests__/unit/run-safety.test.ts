import { describe, expect, it } from '@jest/globals'
import { oldestFirstAcross } from '../../src/run/inventory.js'
import { SlidingWindow } from '../../src/github/pacing.js'
import { buildReport, cappedJson, cell } from '../../src/report/report.js'
import { checkRun, withKeptParts } from '../../src/run/check.js'
import type { Decision, ExecutedWrite, Outcome, PackageReport, PackageVersion } from '../../src/types.js'

const version = (id: number, day: number, tags: string[] = []): PackageVersion => ({
  id,
  name: `sha256:${String(id).padStart(64, '0')}`,
  tags,
  createdAt: `2026-01-${String(day).padStart(2, '0')}T00:00:00Z`,
  updatedAt: `2026-01-${String(day).padStart(2, '0')}T00:00:00Z`
})
const del = (v: PackageVersion, partOf?: number[]): Decision => ({
  version: v,
  action: 'delete',
  reasons: ['delete: x'],
  codes: [],
  ...(partOf ? { partOf } : {})
})
const keep = (v: PackageVersion): Decision => ({
  version: v,
  action: 'keep',
  reasons: ['keep: x'],
  codes: []
})

describe('max-deletions takes the oldest across packages', () => {
  it('merges the packages oldest image first, each keeping an image before its parts', () => {
    const a = [del(version(1, 1, ['a1'])), del(version(2, 1), [1]), del(version(3, 5, ['a3']))]
    const b = [del(version(11, 3, ['b1'])), del(version(12, 3), [11]), del(version(13, 9, ['b3']))]
    const packages: PackageReport[] = [
      { name: 'a', plan: { decisions: a, deletions: a }, writes: [] },
      { name: 'b', plan: { decisions: b, deletions: b }, writes: [] }
    ]
    const targets = oldestFirstAcross(packages)
    expect(targets.map(t => t.version.id)).toEqual([1, 2, 11, 12, 3, 13])
    expect(targets[1].partOf).toEqual([1])
  })
})

describe('the summary and the outputs', () => {
  it('makes names and messages inert and short', () => {
    expect(cell('<img src=x onerror=alert(1)> & `code` | pipe\nline')).toBe(
      '&lt;img src=x onerror=alert(1)&gt; &amp; &#96;code&#96; \\| pipe line'
    )
    expect(cell('x'.repeat(1000))).toHaveLength(300)
  })

  it('cuts a list output over its budget, its last item naming how many more and where', () => {
    const items = Array.from({ length: 100 }, (_, i) => ({ id: i, name: 'n'.repeat(50) }))
    const cut = JSON.parse(cappedJson(items, '/tmp/run.jsonl', 2000)) as {
      id?: number
      more?: number
      see?: string
    }[]
    expect(JSON.stringify(cut).length).toBeLessThanOrEqual(2000)
    const last = cut.at(-1)
    expect(last).toEqual({ more: 100 - (cut.length - 1), see: '/tmp/run.jsonl' })
    expect(cappedJson(items.slice(0, 2), '/tmp/run.jsonl', 2000)).toBe(JSON.stringify(items.slice(0, 2)))
  })

  it('escapes a hostile package name in the summary', () => {
    const report = buildReport({
      owner: 'acme',
      packageType: 'npm',
      mode: 'delete',
      dryRun: false,
      startedAt: new Date(0),
      packages: [{ name: '<script>`x`', error: 'bad & <b>', writes: [] }],
      requests: 1,
      manifestReads: 0
    })
    expect(report.summary).not.toMatch(/<script>|<b>|`x`/)
    expect(report.summary).toContain('&lt;script&gt;&#96;x&#96;')
  })
})

describe('the check after the run', () => {
  const index = version(5, 5, ['v1'])
  const child = version(4, 5)
  const gone = version(1, 1)
  const stuck = version(2, 2)
  const other = version(3, 3)
  const pkg: PackageReport = {
    name: 'app',
    plan: {
      decisions: [keep(index), keep(child), del(other), del(stuck), del(gone)],
      deletions: [del(gone), del(stuck)],
      keptParts: { 5: [child] }
    },
    writes: [
      { packageName: 'app', version: gone, outcome: { kind: 'done' } },
      { packageName: 'app', version: stuck, outcome: { kind: 'done' } }
    ]
  }

  it('moves a delete still listed to failed, names a kept image that lost a part and what others changed', () => {
    const appeared = version(9, 9, ['new'])
    const { writes, check } = checkRun(pkg, [index, stuck, appeared])
    expect(writes.map(w => w.outcome.kind)).toEqual(['done', 'failed'])
    expect(check.confirmed).toBe(1)
    expect(check.stillListed.map(v => v.id)).toEqual([2])
    expect(check.brokenImages).toEqual([
      { image: { id: 5, name: index.name, tags: ['v1'] }, missing: [{ id: 4, name: child.name, tags: [] }] }
    ])
    expect(check.disappeared.map(v => v.id)).toEqual([4, 3])
    expect(check.appeared.map(v => v.id)).toEqual([9])
  })

  it('takes a failed write gone at the check as deleted only when it may have gone: no answer or a server error', () => {
    const failed = (v: PackageVersion, outcome: Outcome): ExecutedWrite => ({
      packageName: 'app',
      version: v,
      outcome
    })
    const [lost, broken, refused, unsent] = [1, 2, 3, 4].map(id => version(id, id))
    const decisions = [lost, broken, refused, unsent].map(v => del(v))
    const { writes, check } = checkRun(
      {
        name: 'app',
        plan: { decisions, deletions: decisions },
        writes: [
          failed(lost, { kind: 'failed', cause: 'no-answer', message: 'socket hang up' }),
          failed(broken, { kind: 'failed', cause: 'server-error', status: 502, message: 'Bad gateway' }),
          failed(refused, { kind: 'failed', cause: 'refused', status: 403, message: 'Forbidden' }),
          failed(unsent, { kind: 'failed', cause: 'not-sent', message: 'not sent: the record is full' })
        ]
      },
      []
    )
    const gone = (why: string) => ({
      kind: 'done',
      note: `reported failed (${why}), but gone at the check after the run: deleted by this run`
    })
    expect(writes.map(w => w.outcome)).toEqual([
      gone('no answer'),
      gone('502'),
      { kind: 'failed', cause: 'refused', status: 403, message: 'Forbidden' },
      { kind: 'failed', cause: 'not-sent', message: 'not sent: the record is full' }
    ])
    expect(check.confirmed).toBe(2)
  })

  it('fails a delete GitHub answered with success that is still listed, shown with status 0 as before', () => {
    const { writes } = checkRun(pkg, [index, child, other, stuck])
    expect(writes[1].outcome).toEqual({
      kind: 'failed',
      cause: 'still-listed',
      message: 'GitHub answered the delete with success, but the version is still listed after the run'
    })
    const report = buildReport({
      owner: 'acme',
      packageType: 'container',
      mode: 'delete',
      dryRun: false,
      startedAt: new Date(0),
      packages: [{ ...pkg, writes }],
      requests: 1,
      manifestReads: 0
    })
    expect(JSON.parse(report.outputs.failed)).toEqual([
      expect.objectContaining({ id: 2, status: 0, message: expect.stringContaining('still listed') })
    ])
  })

  it('finds nothing to say when the listing is as the run left it', () => {
    const { check } = checkRun(pkg, [index, child, other])
    expect(check).toMatchObject({ confirmed: 2, brokenImages: [], disappeared: [], appeared: [] })
    expect(check.stillListed).toEqual([])
  })

  it('knows the parts of each kept image from the manifests read', () => {
    const plan = { decisions: [keep(index), keep(child), del(other)], deletions: [del(other)] }
    const structure = new Map([[index.name, { children: [child.name] }]])
    expect(withKeptParts(plan, structure).keptParts).toEqual({ 5: [child] })
    expect(withKeptParts(plan, undefined).keptParts).toBeUndefined()
  })
})

describe('pacing by window', () => {
  it('lets a burst through at once, then each send waits for the one `limit` places before to leave the window', async () => {
    let now = 0
    const waits: number[] = []
    const window = new SlidingWindow(
      3,
      1000,
      () => now,
      async ms => {
        waits.push(ms)
        now += ms
      }
    )
    for (let i = 0; i < 3; i++) await window.take()
    expect(waits).toEqual([])
    now = 400
    await window.take()
    expect(waits).toEqual([600])
    expect(now).toBe(1000)
    now = 1500
    await window.take()
    await window.take()
    expect(waits).toEqual([600])
    await window.take()
    expect(waits).toEqual([600, 500])
  })
})
