#!/usr/bin/env node
/**
 * Writes the part of GitHub's OpenAPI description that the fake serves: the packages and user operations
 * below, every component they reference (recursively), and nothing else. The schema test
 * (__tests__/fake-github/openapi.test.ts) validates the fake's answers against it; keeping the whole
 * description (@octokit/openapi, 385 MB unpacked) as a dependency for that one test tripled the install.
 *
 *   node scripts/openapi-subset.mjs [VERSION | path/to/api.github.com.json]
 *
 * With a version (default below), `npm pack` fetches that @octokit/openapi tarball into a temporary directory
 * and the description is read from it. To move to a newer description, run it with the new version, run the
 * schema test, and commit the new file. GitHub's description is MIT-licensed; the output says where it
 * came from.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const DEFAULT_VERSION = '23.0.2'
const OUTPUT = new URL('../__tests__/fake-github/openapi-packages.json', import.meta.url)

/** The operations fake-github/routes.ts serves; the schema test checks that this covers every route. */
const SCOPES = ['/orgs/{org}', '/users/{username}', '/user']
const OPERATIONS = [
  ['get', '/user'],
  ['get', '/users/{username}'],
  ...SCOPES.flatMap(scope => {
    const pkg = `${scope}/packages/{package_type}/{package_name}`
    const version = `${pkg}/versions/{package_version_id}`
    return [
      ['get', `${scope}/packages`],
      ['get', pkg],
      ['delete', pkg],
      ['post', `${pkg}/restore`],
      ['get', `${pkg}/versions`],
      ['get', version],
      ['delete', version],
      ['post', `${version}/restore`]
    ]
  }),
  // fake-github/repositories.ts: what a repository says of its images' lives.
  ...[
    '',
    '/pulls',
    '/pulls/{pull_number}',
    '/branches',
    '/branches/{branch}',
    '/releases',
    '/releases/latest',
    '/tags',
    '/environments',
    '/deployments',
    '/deployments/{deployment_id}/statuses'
  ].map(path => ['get', `/repos/{owner}/{repo}${path}`])
]

function loadDescription(source) {
  if (source.endsWith('.json')) return { text: readFileSync(source, 'utf8'), version: undefined }
  const dir = mkdtempSync(join(tmpdir(), 'openapi-'))
  try {
    const spec = `@octokit/openapi@${source}`
    const tarball = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', dir], {
      encoding: 'utf8'
    }).trim()
    const file = 'package/generated/api.github.com.json'
    execFileSync('tar', ['-xzf', join(dir, tarball), '-C', dir, file])
    return { text: readFileSync(join(dir, file), 'utf8'), version: source }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Drops examples (documentation only, and most of the size) and collects every `#/components/...` reference. */
function strip(node, refs) {
  if (Array.isArray(node)) return node.map(item => strip(item, refs))
  if (node === null || typeof node !== 'object') return node
  const out = {}
  for (const [key, value] of Object.entries(node)) {
    if (key === 'examples' || key === 'example') continue
    if (key === '$ref' && typeof value === 'string') refs.push(value)
    out[key] = strip(value, refs)
  }
  return out
}

const source = process.argv[2] ?? DEFAULT_VERSION
const { text, version } = loadDescription(source)
const full = JSON.parse(text)

const refs = []
const paths = {}
for (const [method, path] of OPERATIONS) {
  const operation = full.paths[path]?.[method]
  if (!operation) throw new Error(`${method.toUpperCase()} ${path} is not in the description`)
  const { summary, operationId, responses } = operation
  paths[path] ??= {}
  paths[path][method] = { summary, operationId, responses: strip(responses, refs) }
}

const components = {}
const seen = new Set()
while (refs.length > 0) {
  const ref = refs.pop()
  if (seen.has(ref)) continue
  seen.add(ref)
  const [, section, name] = /^#\/components\/([^/]+)\/(.+)$/.exec(ref) ?? []
  if (!section) throw new Error(`unexpected reference ${ref}`)
  const target = full.components[section]?.[name]
  if (target === undefined) throw new Error(`${ref} is not in the description`)
  components[section] ??= {}
  components[section][name] = strip(target, refs)
}
for (const section of Object.keys(components)) {
  components[section] = Object.fromEntries(
    Object.entries(components[section]).sort(([a], [b]) => a.localeCompare(b))
  )
}

const subset = {
  openapi: full.openapi,
  info: {
    title: `${full.info.title}: the packages operations the fake serves`,
    version: full.info.version,
    license: full.info.license,
    'x-source': {
      package: '@octokit/openapi',
      version: version ?? full.info.version,
      file: 'generated/api.github.com.json',
      upstream: 'https://github.com/github/rest-api-description',
      generator: 'scripts/openapi-subset.mjs'
    }
  },
  paths,
  components
}
writeFileSync(OUTPUT, `${JSON.stringify(subset, null, 2)}\n`)
console.log(
  `${OPERATIONS.length} operations, ${seen.size} components from @octokit/openapi ${subset.info['x-source'].version} → ${OUTPUT.pathname}`
)
