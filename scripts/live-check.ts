/**
 * The live check's assertions: after a run of the action on one package, reads GitHub (or the embedded fake,
 * in the test suite) and says what is wrong. A dry run must have deleted nothing; a real run must have deleted
 * exactly what its `deleted` output says, only versions the policy selects, and kept images must still pull
 * whole (every manifest an index names, and the signature of a signed image). The outputs and the summary
 * must agree with each other.
 *
 *   npx tsx scripts/live-check.ts --outputs outputs.json --owner acme --package-type container \
 *     --package-name app --phase real --gone 'pr-*' --kept v1 --signed v1 [--summary FILE] [--pair FILE]
 *
 * With `--pair FILE`, it also checks what incremental runs assume of the package's `version_count` and
 * `updated_at` (see checkPair): the dry phase writes the pair to FILE, the real phase compares with it.
 *
 * GITHUB_TOKEN reads the API; GITHUB_API_URL (https://api.github.com) and REGISTRY_URL (https://ghcr.io)
 * say where. Prints each problem and exits 1 when there is one. It reads only, and it reads independently of
 * the action's own code: plain fetch, its own registry handshake.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { minimatch } from 'minimatch'

export interface LiveExpectation {
  owner: string
  packageType: string
  packageName: string
  /** `dry`: nothing may have gone; `real`: what `deleted` lists must be gone. */
  phase: 'dry' | 'real'
  /** Globs for the tags (containers) or names of every version the policy deletes; all of them must be listed. */
  gone: string[]
  /** Tags (containers) or names that must stay; containers' must pull whole. */
  kept: string[]
  /** Kept tags whose cosign signature (`sha256-<digest>.sig`) must still resolve. */
  signed?: string[]
}

export interface LiveTarget {
  apiUrl: string
  registryUrl: string
  token: string
  /** The step's outputs, as `steps.<id>.outputs` gives them. */
  outputs: Record<string, string>
  /** The step summary's Markdown, when it can be read. */
  summary?: string
}

interface Listed {
  id: number
  name: string
  created_at?: string
  updated_at?: string
  metadata?: { container?: { tags?: string[] } }
}
interface Reported {
  id: number
  name: string
  tags?: string[]
}

const SIGNATURE = /^sha256-[0-9a-f]{64}\.(sig|att|sbom)$/
const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json'
].join(', ')

export async function liveCheck(expect: LiveExpectation, target: LiveTarget): Promise<string[]> {
  const problems: string[] = []
  const problem = (text: string) => problems.push(text)
  const container = expect.packageType === 'container'
  const labels = (v: { name: string; tags?: string[] }) => (container ? (v.tags ?? []) : [v.name])
  const selected = (v: { name: string; tags?: string[] }) =>
    labels(v).some(label => expect.gone.some(glob => minimatch(label, glob)))

  // The outputs agree with themselves.
  const deleted = json<Reported[]>(target.outputs.deleted, 'deleted', problem) ?? []
  const count = (name: string) => Number(target.outputs[`${name}-count`])
  if (count('deleted') !== deleted.length)
    problem(`deleted-count ${target.outputs['deleted-count']} but deleted lists ${deleted.length}`)
  for (const name of ['failed', 'skipped'])
    if (count(name) !== 0) problem(`${name}-count is ${target.outputs[`${name}-count`]}, expected 0`)
  if (!(count('kept') > 0)) problem(`kept-count is ${target.outputs['kept-count']}, expected some kept`)

  // Only what the policy selects went; everything it selects went (containers: untagged parts and signatures
  // of deleted images go with them, and are checked by the pulls below).
  for (const version of deleted) {
    const tags = labels(version)
    const untaggedOrSignature = container && tags.every(tag => SIGNATURE.test(tag))
    if (!selected(version) && !untaggedOrSignature)
      problem(`${version.name} (${tags.join(', ') || 'untagged'}) was deleted, but the policy keeps it`)
    if (expect.kept.some(label => tags.includes(label)))
      problem(`${version.name} (${tags.join(', ')}) was deleted, but it must be kept`)
  }

  const listed = await listVersions(expect, target)
  const listedIds = new Set(listed.map(v => v.id))
  const before = expect.phase === 'dry' ? listed : [...listed, ...deleted.map(asListed)]
  for (const version of before.filter(v => selected(reportedOf(v))))
    if (!deleted.some(d => d.id === version.id))
      problem(
        `${version.name} (${labels(reportedOf(version)).join(', ')}) is selected by the policy but not deleted`
      )
  for (const version of deleted) {
    if (expect.phase === 'dry' && !listedIds.has(version.id))
      problem(`${version.name} is gone after a dry run`)
    if (expect.phase === 'real' && listedIds.has(version.id))
      problem(`${version.name} is reported deleted but is still listed`)
  }
  for (const label of expect.kept)
    if (!listed.some(v => labels(reportedOf(v)).includes(label))) problem(`${label} is no longer listed`)

  if (container) {
    const registry = new Registry(target, `${expect.owner}/${expect.packageName}`.toLowerCase())
    for (const tag of expect.kept) {
      const missing = await registry.missingParts(tag)
      if (missing.length > 0) problem(`${tag} does not pull whole: ${missing.join('; ')}`)
    }
    for (const tag of expect.signed ?? []) {
      const digest = await registry.digestOf(tag)
      const signature = digest && `${digest.replace(':', '-')}.sig`
      if (!signature || (await registry.missingParts(signature)).length > 0)
        problem(`the signature of ${tag} (${signature ?? 'no digest'}) does not resolve`)
    }
  }

  if (target.summary !== undefined) checkSummary(expect, target, problem)
  return problems
}

function checkSummary(expect: LiveExpectation, target: LiveTarget, problem: (text: string) => void): void {
  const row = target.summary!.split('\n').find(line => line.startsWith(`| ${expect.packageName} |`))
  if (!row) return problem(`the summary has no row for ${expect.packageName}`)
  const [, done, skipped, failed, kept] = row
    .split('|')
    .slice(2, 7)
    .map(cell => cell.trim())
  const expected = ['deleted', 'skipped', 'failed', 'kept'].map(name => target.outputs[`${name}-count`])
  if ([done, skipped, failed, kept].join() !== expected.join())
    problem(`the summary's row "${row}" does not match the outputs (${expected.join(', ')})`)
  const wouldBe = target.summary!.includes('Would be ')
  if ((expect.phase === 'dry') !== wouldBe)
    problem(`the summary ${wouldBe ? 'speaks of a dry run' : 'does not say it was a dry run'}`)
}

const asListed = (v: Reported): Listed => ({
  id: v.id,
  name: v.name,
  metadata: { container: { tags: v.tags } }
})
const reportedOf = (v: Listed): Reported => ({ id: v.id, name: v.name, tags: v.metadata?.container?.tags })

function json<T>(text: string | undefined, name: string, problem: (text: string) => void): T | undefined {
  try {
    return JSON.parse(text ?? '') as T
  } catch {
    problem(`the ${name} output is not JSON: ${JSON.stringify(text)}`)
    return undefined
  }
}

/** What the package list says of a package, the pair an incremental run compares with the last run's. */
export interface PackagePair {
  versionCount: number
  updatedAt: string
}

/**
 * The assumption incremental runs rest on (fake-github/README.md): a publish moves a package's `updated_at`, a
 * delete changes its `version_count`. Reads the package (its object is the package list's item) and its
 * versions: `version_count` is the number listed, `updated_at` is not before the newest version's, and after
 * the real run (given the pair before it) `version_count` fell by what was deleted.
 */
export async function checkPair(
  expect: LiveExpectation,
  target: LiveTarget,
  before?: PackagePair
): Promise<{ pair: PackagePair; problems: string[] }> {
  const scope = await scopeOf(expect, target)
  const path = `/${scope}/${expect.owner}/packages/${expect.packageType}/${encodeURIComponent(expect.packageName)}`
  const pkg = (await (await api(target, path)).json()) as { version_count?: number; updated_at?: string }
  const pair = { versionCount: pkg.version_count ?? NaN, updatedAt: pkg.updated_at ?? '' }
  const deleted = before === undefined ? [] : (JSON.parse(target.outputs.deleted ?? '[]') as unknown[])
  return { pair, problems: pairProblems(pair, await listVersions(expect, target), before, deleted.length) }
}

/** What is wrong with the pair, given the versions listed now and, after a run that deleted, the pair before. */
export function pairProblems(
  pair: PackagePair,
  listed: readonly { created_at?: string; updated_at?: string }[],
  before: PackagePair | undefined,
  deleted: number
): string[] {
  const problems: string[] = []
  if (pair.versionCount !== listed.length)
    problems.push(`version_count is ${pair.versionCount}, but ${listed.length} version(s) are listed`)
  const newest = Math.max(
    ...listed
      .flatMap(v => [Date.parse(v.created_at ?? ''), Date.parse(v.updated_at ?? '')])
      .filter(Number.isFinite)
  )
  if (listed.length > 0 && !(Date.parse(pair.updatedAt) >= newest))
    problems.push(
      `updated_at ${pair.updatedAt} is before the newest version's (${new Date(newest).toISOString()}): a publish did not move it`
    )
  if (before !== undefined && pair.versionCount !== before.versionCount - deleted)
    problems.push(
      `version_count went from ${before.versionCount} to ${pair.versionCount}, but ${deleted} version(s) were deleted`
    )
  return problems
}

async function scopeOf(expect: LiveExpectation, target: LiveTarget): Promise<'orgs' | 'users'> {
  const owner = await (await api(target, `/users/${expect.owner}`)).json()
  return (owner as { type?: string }).type === 'Organization' ? 'orgs' : 'users'
}

async function listVersions(expect: LiveExpectation, target: LiveTarget): Promise<Listed[]> {
  const scope = await scopeOf(expect, target)
  const path = `/${scope}/${expect.owner}/packages/${expect.packageType}/${encodeURIComponent(expect.packageName)}/versions`
  const versions: Listed[] = []
  let next: string | undefined = `${path}?per_page=100&state=active`
  while (next) {
    const response = await api(target, next)
    versions.push(...((await response.json()) as Listed[]))
    next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1]
  }
  return versions
}

async function api(target: LiveTarget, pathOrUrl: string): Promise<Response> {
  const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${target.apiUrl}${pathOrUrl}`
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${target.token}`, accept: 'application/vnd.github+json' }
  })
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status} ${await response.text()}`)
  return response
}

/** A registry reader of its own: the Bearer handshake, manifests by tag or digest. */
class Registry {
  private bearer?: string
  constructor(
    private readonly target: LiveTarget,
    private readonly repository: string
  ) {}

  async digestOf(reference: string): Promise<string | undefined> {
    const response = await this.manifest(reference)
    return response.ok ? (response.headers.get('docker-content-digest') ?? undefined) : undefined
  }

  /** What is missing for `reference` to pull: itself, or the manifests its index names. */
  async missingParts(reference: string): Promise<string[]> {
    const response = await this.manifest(reference)
    if (!response.ok) return [`${reference}: HTTP ${response.status}`]
    const body = (await response.json()) as { manifests?: { digest: string }[] }
    const missing: string[] = []
    for (const { digest } of body.manifests ?? []) {
      const part = await this.manifest(digest)
      if (!part.ok) missing.push(`${digest}: HTTP ${part.status}`)
    }
    return missing
  }

  private async manifest(reference: string): Promise<Response> {
    const url = `${this.target.registryUrl}/v2/${this.repository}/manifests/${reference}`
    const get = () =>
      fetch(url, {
        headers: {
          accept: MANIFEST_TYPES,
          ...(this.bearer ? { authorization: `Bearer ${this.bearer}` } : {})
        }
      })
    let response = await get()
    const challenge = response.headers.get('www-authenticate')
    if (response.status === 401 && challenge) {
      const field = (key: string) => new RegExp(`${key}="([^"]*)"`).exec(challenge)?.[1]
      const realm = new URL(field('realm') ?? `${this.target.registryUrl}/token`)
      realm.searchParams.set('service', field('service') ?? '')
      realm.searchParams.set('scope', field('scope') ?? `repository:${this.repository}:pull`)
      const basic = Buffer.from(`live-check:${this.target.token}`).toString('base64')
      const answer = await fetch(realm, { headers: { authorization: `Basic ${basic}` } })
      const body = (await answer.json()) as { token?: string; access_token?: string }
      this.bearer = body.token ?? body.access_token
      response = await get()
    }
    return response
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      outputs: { type: 'string' },
      summary: { type: 'string' },
      owner: { type: 'string' },
      'package-type': { type: 'string' },
      'package-name': { type: 'string' },
      phase: { type: 'string' },
      gone: { type: 'string', default: '' },
      kept: { type: 'string', default: '' },
      signed: { type: 'string', default: '' },
      pair: { type: 'string' }
    }
  })
  const list = (text: string) =>
    text
      .split(',')
      .map(s => s.trim())
      .filter(Boolean)
  if (!values.outputs || !values.owner || !values['package-type'] || !values['package-name'])
    throw new Error('give --outputs, --owner, --package-type and --package-name')
  if (values.phase !== 'dry' && values.phase !== 'real') throw new Error('--phase: dry or real')
  const expectation: LiveExpectation = {
    owner: values.owner,
    packageType: values['package-type'],
    packageName: values['package-name'],
    phase: values.phase,
    gone: list(values.gone),
    kept: list(values.kept),
    signed: list(values.signed)
  }
  const target: LiveTarget = {
    apiUrl: process.env.GITHUB_API_URL || 'https://api.github.com',
    registryUrl: process.env.REGISTRY_URL || 'https://ghcr.io',
    token: process.env.GITHUB_TOKEN ?? '',
    outputs: JSON.parse(readFileSync(values.outputs, 'utf8')) as Record<string, string>,
    summary: values.summary ? readFileSync(values.summary, 'utf8') : undefined
  }
  const problems = await liveCheck(expectation, target)
  // --pair FILE: the dry phase writes the package's pair there, the real phase compares with it.
  if (values.pair) {
    const before =
      values.phase === 'real' ? (JSON.parse(readFileSync(values.pair, 'utf8')) as PackagePair) : undefined
    const checked = await checkPair(expectation, target, before)
    problems.push(...checked.problems)
    if (values.phase === 'dry') writeFileSync(values.pair, JSON.stringify(checked.pair))
    else if (before && checked.pair.updatedAt !== before.updatedAt)
      console.log(`updated_at moved from ${before.updatedAt} to ${checked.pair.updatedAt} with the deletes`)
  }
  for (const text of problems) console.log(`::error title=live check::${text}`)
  console.log(
    problems.length === 0 ? 'live check: all as expected' : `live check: ${problems.length} problem(s)`
  )
  return problems.length === 0 ? 0 : 1
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await main()
