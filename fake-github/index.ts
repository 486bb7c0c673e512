export { startFakeGitHub, type FakeGitHub, type FakeOptions, type RequestLogEntry } from './server.js'
export { loadScenario, parseScenario, ScenarioError, type Scenario } from './scenario.js'
export type { StateDump, PackageDump, VersionDump } from './state.js'
export { generateScenario, type GenerateOptions } from './generate.js'
