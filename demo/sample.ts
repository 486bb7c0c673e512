/**
 * The README's "What a run looks like": the step's log and the job summary of the demo's first dry run, each
 * between `<!-- begin NAME: ... -->` and `<!-- end NAME -->`. `npm run docs:sample` writes them; an end-to-end
 * test runs the demo again and compares.
 */
import { runAction } from '../fake-github/run-action.js'
import { actionLog, POLICIES, startDemo } from './world.js'

export interface Sample {
  'demo log': string
  'demo summary': string
}

/** Log lines with a rate, a time left or a reset time differ from run to run: the excerpt leaves them out. */
const VARIES = /\d+ a minute|about \S+ left|resets at/

export async function demoSample(): Promise<Sample> {
  const { fake, token, env } = await startDemo()
  try {
    const run = await runAction({ inputs: { ...POLICIES[0], 'dry-run': true }, fake, token, env })
    if (run.exitCode !== 0) throw new Error(`The demo's dry run failed:\n${run.stdout}\n${run.stderr}`)
    const log = actionLog(run.stdout)
      .split('\n')
      .filter(line => !VARIES.test(line))
      .join('\n')
    const summary = run.summary
      .trim()
      .split('\n')
      .map(line => (line === '' ? '>' : `> ${line}`))
      .join('\n')
    return { 'demo log': `\`\`\`text\n${log}\n\`\`\``, 'demo summary': summary }
  } finally {
    await fake.close()
  }
}

const region = (name: string) =>
  new RegExp(`(<!-- begin ${name}:[^\\n]*-->\\n)([\\s\\S]*?)(\\n<!-- end ${name} -->)`)

/** The sample the README quotes now. */
export function readSample(readme: string): Sample {
  const text = (name: keyof Sample) => {
    const found = region(name).exec(readme)
    if (!found)
      throw new Error(`README.md has no "${name}" between <!-- begin ${name}: --> and <!-- end ${name} -->`)
    return found[2]
  }
  return { 'demo log': text('demo log'), 'demo summary': text('demo summary') }
}

/** The README quoting `sample`. */
export function withSample(readme: string, sample: Sample): string {
  readSample(readme)
  let written = readme
  for (const [name, text] of Object.entries(sample))
    written = written.replace(
      region(name),
      (_, begin: string, _old: string, end: string) => begin + text + end
    )
  return written
}
