/** The command line's undo command, run exactly as it prints it, against the embedded fake. */
import { describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ended, LOCALHOST_DNS, PACKAGE_ROOT, type CommandRun } from '../support/run-action.js'
import { activeIds, aWorld, CLASSIC, versions } from './world.js'

/** A shell command line as a user types it, with the token in the environment; the fake's names resolve. */
function shell(command: string, cwd: string): Promise<CommandRun> {
  const child = spawn('sh', ['-c', command], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      GITHUB_TOKEN: CLASSIC,
      NODE_OPTIONS: LOCALHOST_DNS.join(' ')
    }
  })
  return ended(child)
}

describe('the command line’s undo command', () => {
  it('restores, run as printed from the same directory, every version the run deleted', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('npm', 'web', versions(5, 1, 10))
      .start()
    const cwd = mkdtempSync(join(tmpdir(), 'cli undo '))
    const cli = join(PACKAGE_ROOT, 'dist', 'cli', 'index.js')
    const run = await shell(
      `'${cli}' --owner acme --package-type npm --package-names web --keep-last 2 --min-age 0 --api-url ${fake.url} --delete`,
      cwd
    )
    expect(run.code).toBe(0)
    expect(activeIds(fake, 'web')).toEqual([4, 5])
    const undo = /^undo: (.+)$/m.exec(run.stdout)?.[1]
    expect(undo).toBeDefined()
    const restored = await shell(undo as string, cwd)
    expect(restored.stderr).toBe('')
    expect(restored.code).toBe(0)
    expect(restored.stdout).toMatch(/^Restored 3,/m)
    expect(activeIds(fake, 'web')).toEqual([1, 2, 3, 4, 5])
  })
})
