/**
 * A guided tour: starts the fake GitHub with fake-github/scenarios/demo.json, runs the bundled action
 * (dist/index.js, built by `npm run build`) once as a dry run and once for real, and explains what happened.
 *   npx tsx demo/demo.ts
 */
import { runAction, type ActionRun } from '../fake-github/run-action.js'
import type { StateDump } from '../fake-github/state.js'
import { actionLog, POLICIES, SCENARIO, startDemo } from './world.js'

interface Entry {
  package: string
  id: number
  name: string
  tags?: string[]
  reason?: string
  message?: string
}

const short = (name: string) => (name.startsWith('sha256:') ? `${name.slice(0, 19)}…` : name)
const describe = (e: { id: number; name: string; tags?: string[] }) => {
  const tags = e.tags?.length ? ` [${e.tags.join(', ')}]` : e.name.startsWith('sha256:') ? ' (untagged)' : ''
  return `#${e.id} ${short(e.name)}${tags}`
}

/** Which versions exist and where the tags are; downloads left out, since reading a manifest counts as one. */
const versionStates = (state: StateDump) =>
  JSON.stringify(state.packages.map(p => [p.name, p.state, p.versions.map(v => [v.id, v.state, v.tags])]))

function entries(run: ActionRun, output: string): Entry[] {
  const text = run.outputs[output]
  return text ? (JSON.parse(text) as Entry[]) : []
}

/** The job summary is Markdown with some HTML (tables, details); shown here as plain text. */
function summaryAsText(summary: string): string {
  return summary
    .replace(/<\/t[hd]>\s*/g, ' | ')
    .replace(/<\/(tr|p|h\d|li|summary)>|<br\s*\/?>/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
}

function report(title: string, run: ActionRun): void {
  console.log(`\n=== ${title}: exit code ${run.exitCode}`)
  const counts = ['deleted', 'skipped', 'failed', 'kept'].map(k => `${k} ${run.outputs[`${k}-count`] ?? '?'}`)
  console.log(`Counts: ${counts.join(', ')}`)
  for (const e of entries(run, 'deleted')) console.log(`  delete  ${e.package} ${describe(e)}`)
  for (const e of entries(run, 'skipped')) console.log(`  skip    ${e.package} ${describe(e)}: ${e.reason}`)
  for (const e of entries(run, 'failed')) console.log(`  FAILED  ${e.package} ${describe(e)}: ${e.message}`)
  for (const a of run.annotations) console.log(`  ${a.level}: ${a.message}`)
  if (run.outputs['plan-file']) console.log(`Every decision with its reasons: ${run.outputs['plan-file']}`)
  if (title.startsWith('Dry run')) console.log(`\n--- The action's log ---\n${actionLog(run.stdout)}`)
  console.log(`\n--- Job summary ---\n${summaryAsText(run.summary) || '(empty)'}`)
  if (process.env.DEMO_MARKDOWN) console.log(`\n--- Job summary (Markdown) ---\n${run.summary}`)
  if (run.exitCode !== 0) console.log(`\n--- stderr ---\n${run.stderr}`)
}

function printState(state: StateDump): void {
  console.log('\n=== What is left')
  for (const pkg of state.packages) {
    const active = pkg.versions.filter(v => v.state === 'active')
    const gone = pkg.versions.length - active.length
    console.log(
      `${pkg.type} ${pkg.owner}/${pkg.name} (${pkg.visibility}${pkg.state === 'deleted' ? ', DELETED' : ''})`
    )
    console.log(`  ${active.length} active, ${gone} deleted (restorable for 30 days)`)
    for (const version of active) console.log(`    ${describe(version)}`)
  }
}

const { fake, token, env } = await startDemo()
const cacheLine = (run: ActionRun) => /manifest cache: .*/.exec(run.stdout)?.[0] ?? 'no manifest read'
try {
  console.log(`Fake GitHub at ${fake.url} serving ${SCENARIO}`)
  for (const policy of POLICIES) {
    console.log(`\n\n######## Policy: ${JSON.stringify(policy)}`)
    const before = versionStates(fake.state())
    const dryRun = await runAction({ inputs: { ...policy, 'dry-run': true }, fake, token, env })
    report('Dry run (nothing is deleted)', dryRun)
    console.log(cacheLine(dryRun))
    const unchanged = versionStates(fake.state()) === before
    console.log(unchanged ? '\nThe dry run deleted nothing.' : '\nTHE DRY RUN CHANGED VERSIONS!')

    const realRun = await runAction({ inputs: { ...policy, 'dry-run': false }, fake, token, env })
    report('Real run', realRun)
    console.log(cacheLine(realRun))
    if (!unchanged || dryRun.exitCode !== 0 || realRun.exitCode !== 0) process.exitCode = 1
  }
  printState(fake.state())
  console.log(
    `\n${fake.requests.length} API and registry requests, ${fake.manifestReads} manifest reads (downloads).`
  )
} finally {
  await fake.close()
}
