/**
 * What the repository says about a package's images: `delete-closed` selects the images of closed pull
 * requests and deleted branches, `keep-in-use` keeps what a release names and what each environment runs now.
 * Pure: the facts arrive as data (types.ts `RepositoryFacts`), read by run/repository-facts.ts.
 */
import { also, say, type Said } from './reasons.js'
import type {
  DeploymentFact,
  PackageVersion,
  PullRequestFact,
  ReleaseFact,
  RepositoryFacts,
  RepositoryRules,
  Selection,
  TagTemplates
} from '../types.js'

/** docker/metadata-action's defaults. */
export const DEFAULT_TEMPLATES: TagTemplates = {
  pullRequest: ['pr-{number}'],
  branch: ['{branch}'],
  commit: ['sha-{sha:7}'],
  release: ['{tag}', '{version}']
}

/** The placeholders each template list takes; each template needs one of them. */
export const PLACEHOLDERS: Record<keyof TagTemplates, readonly string[]> = {
  pullRequest: ['{number}'],
  branch: ['{branch}'],
  commit: ['{sha}', '{sha:N}'],
  release: ['{tag}', '{version}']
}

/** Deployment states of a deployment on its way: a newer one of these stays with the one running. */
const ON_ITS_WAY: ReadonlySet<string> = new Set(['queued', 'pending', 'in_progress'])

/** A branch as metadata-action tags it: every run of characters outside `[a-zA-Z0-9._-]` as one `-`. */
export function branchTag(branch: string): string {
  return branch.replace(/[^a-zA-Z0-9._-]+/g, '-')
}

/** A template with its placeholders filled in; `{sha:N}` takes the first N characters. */
export function render(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(
    /\{(number|branch|sha|tag|version)(?::(\d+))?\}/g,
    (_, name: string, n?: string) => {
      const value = values[name] ?? ''
      return n === undefined ? value : value.slice(0, Number(n))
    }
  )
}

/** The problem of a template (none when it has one of its list's placeholders and no other). */
export function templateProblem(kind: keyof TagTemplates, template: string): string | undefined {
  const used = template.match(/\{[^}]*\}/g) ?? []
  const allowed = (p: string) =>
    PLACEHOLDERS[kind].some(a => a === p || (a === '{sha:N}' && /^\{sha:[1-9]\d?\}$/.test(p)))
  if (used.length === 1 && allowed(used[0]) && /^[a-zA-Z0-9._{}:-]+$/.test(template)) return undefined
  return `has not exactly one of ${PLACEHOLDERS[kind].join(', ')} among characters a tag may have`
}

/** A tag's shape under commit templates: `sha-{sha:7}` matches `sha-` and 7 hex digits. */
function commitPattern(templates: readonly string[]): RegExp {
  const one = (t: string) =>
    t
      .split(/(\{sha(?::\d+)?\})/)
      .map(part => {
        const n = /^\{sha(?::(\d+))?\}$/.exec(part)
        return n ? `[0-9a-f]{${n[1] ?? 40}}` : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      })
      .join('')
  return new RegExp(`^(?:${templates.map(one).join('|')})$`)
}

/**
 * What each environment runs now: per environment, the newest deployment whose newest status is `success`, and
 * the newer ones still on their way (`queued`, `pending`, `in_progress`, or no status yet). Newest by
 * `createdAt`, then id (GitHub documents no order).
 */
export function runningNow(deployments: readonly DeploymentFact[]): DeploymentFact[] {
  const byEnvironment = new Map<string, DeploymentFact[]>()
  for (const d of deployments) {
    const list = byEnvironment.get(d.environment)
    if (list === undefined) byEnvironment.set(d.environment, [d])
    else list.push(d)
  }
  const running: DeploymentFact[] = []
  for (const list of byEnvironment.values()) {
    for (const d of [...list].sort(newestDeploymentFirst)) {
      if (d.state === 'success') {
        running.push(d)
        break
      }
      if (d.state === undefined || ON_ITS_WAY.has(d.state)) running.push(d)
    }
  }
  return running
}

export function newestDeploymentFirst(a: DeploymentFact, b: DeploymentFact): number {
  return Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id - a.id
}

/** What the repository says of one version: why it is kept (keep-in-use), or why delete-closed selects it. */
export interface RepositoryVerdict {
  keep?: Said
  select?: Selection
}

/**
 * Judges each version by its tags (`undefined`: the repository says nothing of it). A version is selected
 * when at least one tag is a closed pull request's or a deleted branch's and every other is such a tag or a
 * commit's; any other tag (an open or unknown pull request's, a living or unknown branch's, a version,
 * `latest`) leaves it to the other rules. What the facts do not say is unknown, and never selects.
 */
export function judgeVersions(
  versions: readonly PackageVersion[],
  rules: RepositoryRules,
  facts: RepositoryFacts | undefined
): (RepositoryVerdict | undefined)[] {
  const { templates } = rules
  const selections = closedTags(rules, facts)
  const keeps = inUseTags(rules, facts)
  const commit = commitPattern(templates.commit)
  return versions.map(version => {
    let keep: Said | undefined
    for (const tag of version.tags) {
      const said = keeps.get(tag)
      if (said !== undefined) for (const s of said) keep = also(keep, s)
    }
    if (keep !== undefined) return { keep }
    let select: Selection | undefined
    for (const tag of version.tags) {
      const selection = selections.get(tag)
      if (selection !== undefined) select ??= selection
      else if (!commit.test(tag)) return undefined
    }
    return select === undefined ? undefined : { select }
  })
}

/** Tags of closed pull requests and deleted branches that `delete-closed` may select, each with its selection. */
function closedTags(rules: RepositoryRules, facts: RepositoryFacts | undefined): Map<string, Selection> {
  const tags = new Map<string, Selection>()
  const { deleteClosed, templates } = rules
  const pulls: PullRequestFact[] = [...(facts?.pullRequests ?? []), ...(rules.event ? [rules.event] : [])]
  if (deleteClosed.includes('branches') && facts?.branches !== undefined) {
    const living = new Set<string>()
    for (const branch of facts.branches)
      for (const t of templates.branch) living.add(render(t, { branch: branchTag(branch) }))
    // A branch known to have existed: a closed pull request's head in this repository.
    for (const pull of pulls) {
      if (pull.headRef === undefined || pull.state !== 'closed') continue
      for (const t of templates.branch) {
        const tag = render(t, { branch: branchTag(pull.headRef) })
        if (!living.has(tag)) tags.set(tag, { by: 'deleted-branch', branch: pull.headRef, tag })
      }
    }
  }
  if (deleteClosed.includes('pull-requests')) {
    for (const pull of pulls) {
      for (const t of templates.pullRequest) {
        const tag = render(t, { number: String(pull.number) })
        // An open pull request's tag is never selected, whatever else says so.
        if (pull.state !== 'closed') {
          tags.delete(tag)
          continue
        }
        tags.set(tag, {
          by: 'closed-pull-request',
          number: pull.number,
          tag,
          ...(pull.closedAt !== undefined ? { closedAt: pull.closedAt } : {}),
          ...(pull.mergedAt !== undefined ? { mergedAt: pull.mergedAt } : {})
        })
      }
    }
  }
  return tags
}

/** Tags `keep-in-use` keeps, each with its reasons: a release's tags, what each environment runs now. */
function inUseTags(rules: RepositoryRules, facts: RepositoryFacts | undefined): Map<string, Said[]> {
  const tags = new Map<string, Said[]>()
  const add = (tag: string, said: Said) => {
    const list = tags.get(tag)
    if (list === undefined) tags.set(tag, [said])
    else if (!list.includes(said)) list.push(said)
  }
  const { templates, keepInUse } = rules
  const releases = facts?.releases ?? []
  const releaseTags = (release: ReleaseFact): string[] =>
    templates.release.map(t => render(t, { tag: release.tag, version: release.tag.replace(/^v(?=\d)/, '') }))
  if (keepInUse.includes('releases'))
    for (const release of releases)
      for (const tag of releaseTags(release))
        add(
          tag,
          say({
            kind: 'release',
            release: release.tag,
            tag,
            ...(release.draft ? { draft: true } : {}),
            ...(release.prerelease ? { prerelease: true } : {})
          })
        )
  if (keepInUse.includes('deployments')) {
    const byTag = new Map(releases.map(r => [r.tag, r]))
    for (const d of runningNow(facts?.deployments ?? [])) {
      const ref = d.ref.replace(/^refs\/(?:heads|tags)\//, '')
      const release = byTag.get(ref)
      const named = new Set([
        ...templates.commit.map(t => render(t, { sha: d.sha })),
        ...(release ? releaseTags(release) : []),
        ...(/^[0-9a-f]{40}$/.test(ref) ? templates.commit.map(t => render(t, { sha: ref })) : []),
        ...templates.branch.map(t => render(t, { branch: branchTag(ref) }))
      ])
      for (const tag of named)
        add(tag, say({ kind: 'deployed', environment: d.environment, deployment: d.id, tag }))
    }
  }
  return tags
}
