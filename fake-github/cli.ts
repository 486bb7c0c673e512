/**
 * Serves a scenario file until interrupted:
 *   npx tsx fake-github/cli.ts fake-github/scenarios/demo.json [--port 8080]
 * Prints the base URL (REST API and registry) on the first line of stdout.
 */
import { parseArgs } from 'node:util'
import { loadScenario, ScenarioError } from './scenario.js'
import { startFakeGitHub } from './server.js'

const { positionals, values } = parseArgs({ allowPositionals: true, options: { port: { type: 'string' } } })
if (positionals.length !== 1) {
  console.error('usage: tsx fake-github/cli.ts <scenario.json> [--port N]')
  process.exit(2)
}

try {
  const fake = await startFakeGitHub(await loadScenario(positionals[0]), { port: Number(values.port ?? 0) })
  console.log(fake.url)
  console.error(`Fake GitHub API and registry at ${fake.url}; Ctrl-C stops it.`)
  const stop = () => void fake.close().then(() => process.exit(0))
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
} catch (error) {
  console.error(error instanceof ScenarioError ? error.message : error)
  process.exit(1)
}
