/**
 * Every workflow the README and docs/ show, run as written: its step's `with:` (expressions evaluated as the
 * runner would in this world) on the event of its `on:`, with `dry-run: true` added where the snippet does not
 * say it, against the fake; each checked against what its title promises. Every snippet is a whole workflow
 * (the README's usage block is a step) that actionlint passes, and has a check here.
 */
import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import type { ActionRun, InputValue } from '../../fake-github/run-action.js'
import type { VersionSpec } from '../../fake-github/scenario.js'
import { ACTIONS, aWorld, CLASSIC, daysAgo, imageVersion, indexVersion, parsed, type Fake } from './world.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const PAGES = ['README.md', ...readdirSync(join(ROOT, 'docs')).map(name => `docs/${name}`)]
const ACTION = 'package-retention/package-retention@'

interface Step {
  uses?: string
  with?: Record<string, InputValue>
}
interface Workflow {
  on?: string | Record<string, { inputs?: Record<string, { default?: InputValue }> } | null>
  permissions?: Record<string, string>
  concurrency?: { group: string }
  jobs: Record<
    string,
    { permissions?: Record<string, string>; concurrency?: { group: string }; steps: Step[] }
  >
}
interface Snippet {
  /** `page: heading`, with ` (2)` for a heading's second snippet. */
  title: string
  page: string
  yaml: string
  workflow: Workflow
  /** A whole workflow, not a step. */
  complete: boolean
  step: Step
}

/** Every YAML block of the README and docs/ that uses the action, under the heading it follows. */
function snippets(): Snippet[] {
  const found: Snippet[] = []
  for (const page of PAGES) {
    let heading = ''
    const text = readFileSync(join(ROOT, page), 'utf8')
    for (const [, headingText, yaml] of text.matchAll(/^#+ (.+)$|^```yaml\n([\s\S]*?)^```$/gm)) {
      if (headingText !== undefined) heading = headingText
      if (yaml === undefined || !yaml.includes(ACTION)) continue
      const parsedYaml = parse(yaml) as Workflow | Step[]
      // The README's usage block is a step: it runs as a job's one step, on the event where every input may
      // stay at its default.
      const workflow = Array.isArray(parsedYaml)
        ? { on: 'registry_package', jobs: { usage: { 'runs-on': 'ubuntu-latest', steps: parsedYaml } } }
        : parsedYaml
      const step = Object.values(workflow.jobs)
        .flatMap(job => job.steps)
        .find(s => s.uses?.startsWith(ACTION)) as Step
      const title = `${page}: ${heading}`
      const seen = found.filter(s => s.title.startsWith(title)).length
      const complete = !Array.isArray(parsedYaml)
      found.push({ title: seen ? `${title} (${seen + 1})` : title, page, yaml, workflow, complete, step })
    }
  }
  return found
}

const SNIPPETS = snippets()

/**
 * Pages whose workflows need a world of their own (a repository's life, an organization split across shards):
 * the suite named runs each of them as written. Here they are linted and checked whole like every other.
 */
const RUN_ELSEWHERE: Record<string, string> = {
  'docs/repository-life.md': 'repository-life.test.ts',
  'docs/large-organizations.md': 'shards.test.ts'
}
const checkedHere = SNIPPETS.filter(s => RUN_ELSEWHERE[s.page] === undefined)

const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b)

/** An image: a tagged or untagged index with `parts` platform manifests (ids id+1 …), or a single manifest. */
interface Image {
  id: number
  tags: string[]
  days: number
  parts: number
}
const IMAGES: Image[] = [
  { id: 1, tags: ['sha-0a0b0c0'], days: 300, parts: 2 },
  { id: 5, tags: ['pr-0'], days: 250, parts: 0 },
  { id: 10, tags: ['v1.0.0'], days: 200, parts: 2 },
  { id: 20, tags: ['v1.1.0'], days: 100, parts: 2 },
  { id: 30, tags: ['pr-1'], days: 40, parts: 2 },
  { id: 40, tags: ['sha-1a2b3c4'], days: 35, parts: 0 },
  { id: 50, tags: [], days: 32, parts: 2 },
  { id: 60, tags: [], days: 25, parts: 0 },
  { id: 70, tags: ['pr-2'], days: 20, parts: 2 },
  { id: 80, tags: ['pr-3', 'v1.2.0'], days: 15, parts: 0 },
  { id: 90, tags: [], days: 12, parts: 0 },
  { id: 100, tags: ['sha-5d6e7f8'], days: 10, parts: 0 },
  { id: 110, tags: ['pr-4'], days: 3, parts: 2 },
  { id: 120, tags: [], days: 2, parts: 0 },
  { id: 130, tags: ['v2.0.0', 'latest', 'main'], days: 1, parts: 2 }
]
/** The versions of `images`, their ids moved by `offset`. */
const versionsOf = (images: Image[], label: string, offset = 0): VersionSpec[] =>
  images.flatMap(({ id: first, tags, days, parts }) => {
    const id = first + offset
    const children = Array.from({ length: parts }, (_, i) => `${label}/${id}/${i}`)
    return parts === 0
      ? [imageVersion(id, `${label}/${id}`, days, tags)]
      : [
          indexVersion(id, `${label}/${id}`, days, tags, children),
          ...children.map((child, i) => imageVersion(id + 1 + i, child, days))
        ]
  })
/** The ids of images, each with its parts. */
const whole = (images: Image[]) =>
  images.flatMap(image => [image.id, ...Array.from({ length: image.parts }, (_, i) => image.id + 1 + i)])
const newestFirst = [...IMAGES].sort((a, b) => a.days - b.days)
const untagged = (image: Image) => image.tags.length === 0
/**
 * What `keep-last` and `min-age` plan with `untagged: include` (the default): tagged images past the newest
 * `keepLast` tagged ones, and untagged images, when older than `minAgeDays`, each whole; never a `kept` one.
 */
const planned = (keepLast: number, minAgeDays: number, kept = (_: Image) => false) =>
  sorted(
    whole(
      [...newestFirst.filter(i => !untagged(i)).slice(keepLast), ...newestFirst.filter(untagged)].filter(
        i => i.days > minAgeDays && !kept(i)
      )
    )
  )
/** The defaults, and the Quick start's `keep-last: 10`. */
const DEFAULTS = planned(10, 7)

const containers = () =>
  aWorld()
    .withOrganisation('acme')
    .withClassicToken('octocat')
    .withActionsToken('acme/app')
    .withPackage('container', 'app', versionsOf(IMAGES, 'app'))

const deletedIds = (run: ActionRun) => sorted(parsed(run, 'deleted').map(d => d.id))

/** What the runner would give `${{ ... }}` in this world; an expression no snippet should use is an error. */
function evaluate(value: InputValue, context: Record<string, string>): InputValue {
  if (typeof value !== 'string') return value
  return value.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expression: string) => {
    if (!(expression in context)) throw new Error(`no value for \${{ ${expression} }} in this test`)
    return context[expression]
  })
}

interface RunOptions {
  /** workflow_dispatch inputs given by hand (the others take their defaults). */
  dispatch?: Record<string, string>
  /** Files of the workspace, as actions/checkout would leave them. */
  files?: Record<string, string>
}

/** Runs the snippet's step on its event, as a dry run unless the snippet says otherwise. */
async function runSnippet(snippet: Snippet, fake: Fake, options: RunOptions = {}): Promise<ActionRun> {
  const { workflow, step } = snippet
  const on = typeof workflow.on === 'string' ? { [workflow.on]: null } : (workflow.on ?? {})
  const event = Object.keys(on)[0]
  const inputs = Object.fromEntries(
    Object.entries(on.workflow_dispatch?.inputs ?? {}).map(([name, spec]) => [
      name,
      String(spec.default ?? '')
    ])
  )
  Object.assign(inputs, options.dispatch)
  const token = step.with?.token === undefined ? ACTIONS : CLASSIC
  const context: Record<string, string> = {
    'github.token': token,
    'github.repository_owner': 'acme',
    'github.api_url': fake.url,
    'secrets.PACKAGES_TOKEN': CLASSIC,
    'steps.app.outputs.token': CLASSIC,
    ...Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`inputs.${name}`, value]))
  }
  const given = Object.fromEntries(
    Object.entries(step.with ?? {}).map(([name, value]) => [name, evaluate(value, context)])
  )
  const dir = mkdtempSync(join(tmpdir(), 'recipe-'))
  const workspace = join(dir, 'workspace')
  mkdirSync(workspace)
  for (const [path, content] of Object.entries(options.files ?? {})) {
    mkdirSync(dirname(join(workspace, path)), { recursive: true })
    writeFileSync(join(workspace, path), content)
  }
  const payload = {
    repository: { name: 'app', full_name: 'acme/app', owner: { login: 'acme' } },
    ...(event === 'workflow_dispatch' && { inputs }),
    // The package the repository publishes, app: a container image.
    ...(event === 'registry_package' && {
      action: 'published',
      registry_package: { name: 'app', package_type: 'CONTAINER', ecosystem: 'CONTAINER' }
    })
  }
  writeFileSync(join(dir, 'event.json'), JSON.stringify(payload))
  const env = {
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: join(dir, 'event.json'),
    GITHUB_WORKSPACE: workspace
  }
  if (String(given['dry-run']) !== 'true') given['dry-run'] = true
  return fake.run(given, { token, env })
}

/** Which versions exist and where the tags are (downloads left out: reading a manifest counts as one). */
const versionStates = (fake: Fake) =>
  fake.state().packages.map(p => [p.name, p.versions.map(v => [v.id, v.state, v.tags])])

/** Untagged images older than `days`, each whole. */
const untaggedPast = (days: number) => sorted(whole(IMAGES.filter(i => untagged(i) && i.days > days)))

/** Runs the snippet in the container world: a dry run, so nothing changes; it plans to delete `expected`. */
async function plans(snippet: Snippet, expected: number[], options?: RunOptions) {
  const fake = await containers().start()
  const before = versionStates(fake)
  const run = await runSnippet(snippet, fake, options)
  expect(run.exitCode).toBe(0)
  expect(versionStates(fake)).toEqual(before)
  expect(deletedIds(run)).toEqual(expected)
  return { fake, run }
}

/** For each snippet, by title: its world, and what its title promises, checked on its run. */
const CHECKS: Record<string, (snippet: Snippet) => Promise<unknown>> = {
  // The 10 newest tagged images stay whole; older ones, and untagged ones, go once 7 days old.
  'README.md: Quick start': snippet => plans(snippet, DEFAULTS),

  // Every input at its default, on a registry_package event: what the no-input recipe does.
  'README.md: Usage': snippet => plans(snippet, DEFAULTS),

  // Every untagged image older than 7 days, whole; no tagged image, and no part of one.
  'docs/recipes.md: Delete untagged images': snippet => plans(snippet, untaggedPast(7)),

  // Only pr-* images older than a week (pr-3 with its v1.2.0 tag too), each with its platform manifests.
  'docs/recipes.md: Pull-request images after a week': snippet =>
    plans(snippet, sorted(whole(IMAGES.filter(i => i.tags.some(t => t.startsWith('pr-')) && i.days > 7)))),

  // Past the 10 newest tagged images and 30 days, everything goes but releases, however old.
  'docs/recipes.md: Releases forever': async snippet => {
    const release = (i: Image) => i.tags.some(t => /^v\d+\.\d+\.\d+$/.test(t) || t === 'latest')
    const expected = planned(10, 30, release)
    expect(expected).toContain(1)
    expect(expected).not.toContain(10)
    await plans(snippet, expected)
  },

  'docs/recipes.md: Nightly, over several packages by glob, with a classic token': async snippet => {
    const npm = (firstId: number, count: number, suffix: string) =>
      Array.from({ length: count }, (_, i) => ({
        id: firstId + i,
        name: `1.${i}.0${suffix}`,
        created_at: daysAgo(100 - i * 2)
      }))
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('npm', 'web-ui', [...npm(100, 25, '-rc.1'), ...npm(200, 5, '')])
      .withPackage('npm', 'legacy-api', npm(300, 25, '-beta.1'))
      .start()
    const run = await runSnippet(snippet, fake)
    expect(run.exitCode).toBe(0)
    // web-ui: of its 25 release candidates the 20 newest stay (all older than 30 days); releases stay;
    // legacy-api is left out by its glob.
    expect(
      parsed(run, 'deleted')
        .map(d => `${d.package} ${d.name}`)
        .sort()
    ).toEqual(
      ['1.0.0-rc.1', '1.1.0-rc.1', '1.2.0-rc.1', '1.3.0-rc.1', '1.4.0-rc.1'].map(name => `web-ui ${name}`)
    )
  },

  'docs/recipes.md: On a `registry_package` event, with no inputs at all': async snippet => {
    await plans(snippet, DEFAULTS)
    // One run at a time per package: the events of one multi-architecture push take turns.
    expect(snippet.workflow.concurrency?.group).toContain('github.event.registry_package.name')
  },

  'docs/recipes.md: By hand, with a dry-run switch': async snippet => {
    const { run } = await plans(snippet, untaggedPast(7))
    expect(run.outputs['deleted-count']).toBe(String(untaggedPast(7).length))
  },

  // The fake is served as a server is (https://HOST/api/v3): the registry is found from the API's address.
  'docs/recipes.md: GitHub Enterprise Server': async snippet => {
    const { fake } = await plans(snippet, DEFAULTS)
    expect(fake.manifestReads).toBeGreaterThan(0)
  },

  // The fake has no installation tokens: the token the app step hands over is a classic one here.
  'docs/recipes.md: A GitHub App token': snippet => plans(snippet, DEFAULTS),

  'docs/policies.md: Several rules in one policy': async snippet => {
    const policy = /```yaml\n(# \.github\/retention\.yml[\s\S]*?)```/.exec(
      readFileSync(join(ROOT, snippet.page), 'utf8')
    )?.[1]
    const fake = await containers()
      .withPackage('container', 'tools', versionsOf(IMAGES, 'tools', 1000))
      .withPackage('container', 'api-web', versionsOf(IMAGES, 'api-web', 2000))
      .start()
    const run = await runSnippet(snippet, fake, { files: { '.github/retention.yml': policy ?? '' } })
    expect(run.exitCode).toBe(0)
    // Releases (v1.2.0 also tagged pr-3) forever; pull requests, 5 at most, all kept; untagged images older
    // than a day go; the rest (sha-*) within 20 and 30 days stay. The same in every package.
    const old = untaggedPast(1)
    const offsets = { app: 0, tools: 1000, 'api-web': 2000 }
    for (const [pkg, offset] of Object.entries(offsets)) {
      const deleted = parsed(run, 'deleted').filter(d => d.package === pkg)
      expect(sorted(deleted.map(d => d.id - offset))).toEqual(old)
    }
    expect(run.annotations.filter(a => a.level !== 'notice')).toEqual([])
  },

  'docs/how-it-decides.md: While it runs, and after': async snippet => {
    await plans(snippet, DEFAULTS)
    expect(Object.values(snippet.workflow.jobs)[0].concurrency?.group).toBeDefined()
  },

  'docs/undo.md: Undoing a run': async snippet => {
    const gone = { ...imageVersion(200, 'app/200', 9, ['pr-9']), deleted_at: daysAgo(2) }
    const fake = await aWorld()
      .withOrganisation('acme')
      .withActionsToken('acme/app')
      .withPackage('container', 'app', [...versionsOf(IMAGES, 'app'), gone])
      .start()
    const run = await runSnippet(snippet, fake, { dispatch: { versions: 'deleted-within:7d' } })
    expect(run.exitCode).toBe(0)
    expect(parsed(run, 'restored').map(r => r.id)).toEqual([200])
  },

  'docs/undo.md: Undoing a run (2)': async snippet => {
    const { run } = await plans(snippet, DEFAULTS)
    // The upload step's path finds the plan and the record in RUNNER_TEMP.
    const upload = Object.values(snippet.workflow.jobs)[0].steps.find(s =>
      s.uses?.startsWith('actions/upload')
    )
    const glob = new RegExp(
      `^${basename(String(upload?.with?.path)).replace(/\./g, '\\.').replace(/\*/g, '[^/]*')}$`
    )
    for (const output of ['plan-file', 'journal-file']) {
      expect(dirname(run.outputs[output])).toBe(join(run.workDir, 'runner-temp'))
      expect(basename(run.outputs[output])).toMatch(glob)
    }
  }
}

describe('the workflows of the README and docs/', () => {
  it('are whole workflows that actionlint passes, each with a check below', () => {
    const dir = mkdtempSync(join(tmpdir(), 'snippets-'))
    SNIPPETS.forEach((snippet, i) =>
      writeFileSync(join(dir, `${i}.yml`), snippet.complete ? snippet.yaml : JSON.stringify(snippet.workflow))
    )
    expect(SNIPPETS.filter(s => !s.complete).map(s => s.title)).toEqual(['README.md: Usage'])
    const lint = (() => {
      try {
        return execFileSync('node', ['scripts/actionlint.mjs', dir], { cwd: ROOT, stdio: 'pipe' }).toString()
      } catch (error) {
        return String((error as { stdout: Buffer }).stdout)
      }
    })()
    expect(lint.replace(/\d+\.yml/g, name => SNIPPETS[parseInt(name)].title)).toContain('is clean')
    expect(checkedHere.map(s => s.title).sort()).toEqual(Object.keys(CHECKS).sort())
    for (const [page, suite] of Object.entries(RUN_ELSEWHERE)) {
      expect(SNIPPETS.some(s => s.page === page)).toBe(true)
      expect(readFileSync(join(ROOT, '__tests__', 'e2e', suite), 'utf8')).toContain(page)
    }
  })

  it('give the GITHUB_TOKEN packages: write wherever it deletes', () => {
    for (const { title, workflow, step } of SNIPPETS.filter(s => s.complete && !s.step.with?.token)) {
      const job = Object.values(workflow.jobs).find(j => j.steps.includes(step))
      expect([title, (job?.permissions ?? workflow.permissions)?.packages]).toEqual([title, 'write'])
    }
  })

  for (const snippet of checkedHere)
    it(`${snippet.title}: does what its title says`, async () => {
      const check = CHECKS[snippet.title]
      expect(check).toBeDefined()
      await check(snippet)
    })
})
