/** List inputs read as written: a range is never cut at a comma, and `!semver:` excludes as `!glob` does. */
import { describe, expect, it } from '@jest/globals'
import type { VersionSpec } from '../../fake-github/scenario.js'
import { activeIds, aWorld, daysAgo } from './world.js'

const NAMES = ['0.9.0', '1.0.0', '1.5.0', '2.0.0', '2.1.0', '3.0.0']
const released = (): VersionSpec[] =>
  NAMES.map((name, i) => ({ id: i + 1, name, created_at: daysAgo(30 - i) }))

const world = () =>
  aWorld().withOrganisation('acme').withClassicToken('octocat').withPackage('npm', 'web', released())

const inputs = { owner: 'acme', 'package-type': 'npm', 'package-names': 'web', 'keep-last': 0, 'min-age': 0 }

describe('a semver: range in a list input', () => {
  it.each(['semver:>=1.0.0,<2.0.0', 'semver:>=1.0.0, <2.0.0'])(
    '%s is refused before any request, with the fix',
    async value => {
      const fake = await world().start()
      const run = await fake.run({ ...inputs, 'delete-tags': value })
      expect(run.exitCode).toBe(1)
      const [message] = run.annotations.filter(a => a.level === 'error').map(a => a.message)
      expect(message).toContain(`delete-tags: ${JSON.stringify(value)}:`)
      expect(message).toContain('a range is written with spaces (semver:>=1.0.0 <2.0.0) or ||')
      expect(fake.requests).toEqual([])
      expect(activeIds(fake, 'web')).toEqual([1, 2, 3, 4, 5, 6])
    }
  )

  it('written with a space, selects the range only', async () => {
    const fake = await world().start()
    const run = await fake.run({ ...inputs, 'delete-tags': 'semver:>=1.0.0 <2.0.0' })
    expect(run.exitCode).toBe(0)
    expect(activeIds(fake, 'web')).toEqual([1, 4, 5, 6])
  })

  it('after "!", excludes what it matches, as "!glob" does', async () => {
    const fake = await world().start()
    const run = await fake.run({ ...inputs, 'delete-tags': '!semver:>=2.0.0' })
    expect(run.exitCode).toBe(0)
    expect(activeIds(fake, 'web')).toEqual([4, 5, 6])
    const beside = await world().start()
    const withGlob = await beside.run({ ...inputs, 'delete-tags': '1.*, 2.*, !semver:>=2.1.0' })
    expect(withGlob.exitCode).toBe(0)
    expect(activeIds(beside, 'web')).toEqual([1, 5, 6])
  })
})
