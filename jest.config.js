/**
 * Two projects. `unit`: everything that runs in process on the sources (src/ through injectable stand-ins,
 * the policy engine, the fake). `e2e`: the bundled action (dist/index.js) against the fake, the way the
 * runner starts it; its global setup builds the bundle first, so these suites never test a stale one.
 * ESM TypeScript through ts-jest; type checking is `npm run typecheck`'s job, so ts-jest only transpiles.
 */
const base = {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  // `*.localhost` resolves to loopback in the tests' own requests too, as in every run the harness starts.
  setupFiles: ['<rootDir>/fake-github/localhost-dns.mjs'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, isolatedModules: true, tsconfig: 'tsconfig.check.json' }]
  }
}

export default {
  // A global option: jest ignores it inside a project.
  testTimeout: 30000,
  projects: [
    {
      ...base,
      displayName: 'unit',
      roots: ['<rootDir>/__tests__'],
      testPathIgnorePatterns: ['/__tests__/e2e/']
    },
    {
      ...base,
      displayName: 'e2e',
      roots: ['<rootDir>/__tests__/e2e'],
      globalSetup: '<rootDir>/scripts/build-bundle.js'
    }
  ]
}
