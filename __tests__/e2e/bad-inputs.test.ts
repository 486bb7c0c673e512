import { describe, expect, it } from '@jest/globals'
import { BAD_INPUTS, VALID_INPUTS } from '../unit/config-cases.js'
import { aWorld, CLASSIC } from './world.js'

describe('bad inputs, as the runner passes them to dist/index.js', () => {
  it.each(BAD_INPUTS)('%j fails the step with its message before any request', async (bad, message) => {
    const fake = await aWorld().withOrganisation('acme').withClassicToken('octocat').start()
    const inputs = { ...VALID_INPUTS, 'api-url': fake.url, 'registry-url': fake.url, token: CLASSIC, ...bad }
    const run = await fake.run(inputs)
    expect(run.exitCode).toBe(1)
    expect(run.annotations.filter(a => a.level === 'error').map(a => a.message)).toEqual([
      message,
      '1 input(s) are invalid; nothing was requested or changed.'
    ])
    expect(fake.requests).toEqual([])
  })
})
