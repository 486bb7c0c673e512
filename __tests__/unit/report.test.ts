import { describe, expect, it } from '@jest/globals'
import { SUMMARY_BUDGET, buildReport, type RunReport } from '../../src/report/report.js'
import type { Decision, ExecutedWrite } from '../../src/types.js'

function run(count: number): RunReport {
  const decisions: Decision[] = Array.from({ length: count }, (_, i) => ({
    version: {
      id: i + 1,
      name: `sha256:${String(i).padStart(64, '0')}`,
      tags: i % 3 ? [] : [`pr-${i}`],
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z'
    },
    action: i % 2 ? 'delete' : 'keep',
    reasons: [
      i % 2
        ? `delete: selected by delete-tags "pr-*", 45d old, ${i}th newest`
        : 'keep: among the 10 newest selected'
    ],
    codes: []
  }))
  const writes: ExecutedWrite[] = decisions
    .filter(d => d.action === 'delete')
    .map((d, i) => ({
      packageName: 'app',
      version: d.version,
      outcome:
        i % 50 === 0
          ? {
              kind: 'skipped',
              reason: 'download-limit',
              detail: 'public version with more than 5,000 downloads'
            }
          : i % 77 === 0
            ? { kind: 'failed', cause: 'server-error', status: 500, message: 'Server Error' }
            : { kind: 'done' }
    }))
  return {
    owner: 'acme',
    packageType: 'container',
    mode: 'delete',
    dryRun: false,
    startedAt: new Date('2026-11-22T00:00:00Z'),
    packages: [
      { name: 'app', plan: { decisions, deletions: decisions.filter(d => d.action === 'delete') }, writes }
    ],
    requests: 123,
    manifestReads: 4
  }
}

describe('buildReport', () => {
  it('counts every outcome in the outputs, as JSON arrays of {package, id, name, tags, ...}', () => {
    const { outputs } = buildReport(run(400))
    const deleted = JSON.parse(outputs.deleted)
    const skipped = JSON.parse(outputs.skipped)
    const failed = JSON.parse(outputs.failed)
    expect([deleted.length, skipped.length, failed.length]).toEqual([194, 4, 2])
    expect(outputs['deleted-count']).toBe('194')
    expect(outputs['kept-count']).toBe('200')
    expect(skipped[0]).toEqual({
      package: 'app',
      id: 2,
      name: expect.any(String),
      tags: [],
      reason: 'download-limit: public version with more than 5,000 downloads'
    })
    expect(failed[0]).toMatchObject({ package: 'app', status: 500, message: 'Server Error' })
  })

  it('keeps the job summary far under GitHub’s 1 MiB limit for a plan of 100,000 versions', () => {
    const { summary, plan } = buildReport(run(100_000))
    expect(Buffer.byteLength(summary)).toBeLessThan(1024 * 1024)
    expect(summary).toContain('| app | 100000 | 48363 | 1000 | 637 | 50000 |')
    expect(summary).toContain('more in the plan file')
    expect(summary).toContain('<details><summary>Kept (50000)</summary>')
    expect((plan as { packages: { versions: unknown[] }[] }).packages[0].versions).toHaveLength(100_000)
  })

  it('stays within its budget over many packages, naming how many versions the plan file has beyond it', () => {
    const one = run(2000)
    const long = 'x'.repeat(250)
    const packages = Array.from({ length: 40 }, (_, p) => ({
      ...one.packages[0],
      name: `app-${p}`,
      plan: {
        ...one.packages[0].plan!,
        decisions: one.packages[0].plan!.decisions.map(d => ({
          ...d,
          version: {
            ...d.version,
            htmlUrl: `https://github.com/orgs/acme/packages/container/app-${p}/${d.version.id}`
          },
          reasons: [`${d.reasons[0]} ${long}`]
        }))
      }
    }))
    const { summary } = buildReport({ ...one, packages })
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(SUMMARY_BUDGET)
    expect(summary).toMatch(
      /_… \d+ more version\(s\) in the plan file: the summary stays within GitHub's size limit\._/
    )
    expect(summary).toMatch(/… \d+ more package\(s\), \d+ version\(s\), in the plan file/)
    expect(summary).toContain('| Version | Age | Why |')
  })

  it('reports restore ids found in no package after every package, failed with 404', () => {
    const restore: RunReport = {
      owner: 'acme',
      packageType: 'npm',
      mode: 'restore',
      dryRun: false,
      startedAt: new Date('2026-11-22T00:00:00Z'),
      packages: [{ name: 'web', writes: [] }],
      requests: 2,
      manifestReads: 0,
      restoring: 'requested by id',
      unmatched: [{ id: 99, searched: ['web', 'api'] }]
    }
    const { outputs, summary, plan } = buildReport(restore)
    const message =
      'not among the deleted versions: it is not deleted, or was deleted more than 30 days ago (searched: web, api)'
    expect(JSON.parse(outputs.failed)).toEqual([
      { package: '', id: 99, name: 'id 99', tags: [], status: 404, message }
    ])
    expect(outputs['failed-count']).toBe('1')
    expect(summary).toContain('| web | 0 | 0 | 0 | 0 | 0 |\n|  | 1 | 0 | 0 | 1 | 0 |\n')
    expect(summary).toContain(
      [
        '### web',
        '### Found in none of the packages',
        '**Failed (1)**',
        '',
        '| Version | Age | Why |',
        '|---|--:|---|',
        `| id 99 |  | 404 ${message} |`
      ].join('\n')
    )
    expect(plan).toMatchObject({ unmatched: [{ id: 99, searched: ['web', 'api'] }] })
  })

  it('counts restore ids found in no package among the packages left out of a long summary', () => {
    const one = run(2000)
    const packages = Array.from({ length: 40 }, (_, p) => ({ ...one.packages[0], name: `app-${p}` }))
    const { summary } = buildReport({ ...one, packages, unmatched: [{ id: 99, searched: ['app'] }] })
    const shown = summary.match(/^### /gm)?.length ?? 0
    const more = Number(/… (\d+) more package\(s\)/.exec(summary)?.[1])
    expect(shown + more).toBe(41)
  })
})
