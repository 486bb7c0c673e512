/**
 * Reasons as data and as text: the one place that turns a `Reason` into the words users read in the log, the
 * summary and the plan file. The engine decides with codes; each distinct code is made once and rendered once
 * (`say`), and decisions share it.
 */
import type { Action, KeepLastCount, Reason, Selection } from '../types.js'

const DELETING: ReadonlySet<Reason['kind']> = new Set(['selected', 'part-of-deleted-image', 'ghost-image'])

/** Whether a reason is one to keep the version or one to delete it. */
export function actionOf(reason: Reason): Action {
  return DELETING.has(reason.kind) ? 'delete' : 'keep'
}

/** The text users read: `keep: ` or `delete: ` (`actionOf`), then what the code says. */
export function reasonText(reason: Reason): string {
  return `${actionOf(reason)}: ${body(reason)}`
}

function body(reason: Reason): string {
  switch (reason.kind) {
    case 'keep-last':
      return `${ruleLabel(reason.rule)}${countText(reason, reason.rule)}`
    case 'keep-forever':
      return `${ruleLabel(reason.rule)}kept forever`
    case 'keep-tags':
      return `${reason.tag !== undefined ? `tag "${reason.tag}"` : `name "${reason.name}"`} matches keep-tags "${reason.glob}"`
    case 'dist-tag':
      return `dist-tag ${reason.tag}`
    case 'release':
      return `${reason.draft ? 'draft ' : reason.prerelease ? 'pre-release ' : ''}release ${reason.release}`
    case 'deployed':
      return `deployed to ${reason.environment} (deployment ${reason.deployment})`
    case 'not-closed':
      return 'no closed pull request or deleted branch (delete-closed)'
    case 'younger-than':
      return `${ruleLabel(reason.rule)}younger than ${reason.minAge} (${reason.age} old)`
    case 'young-part':
      return `younger than ${reason.minAge} (${reason.age} old)`
    case 'creation-time-unknown':
      return `creation time ${JSON.stringify(reason.createdAt)} is not a date`
    case 'tags-unknown':
      return 'tags unknown'
    case 'no-rule':
      return 'no rule matches'
    case 'not-selected':
      return 'not selected by delete-tags'
    case 'tagged-untagged-only':
      return 'tagged (untagged: only)'
    case 'untagged-excluded':
      return 'untagged (untagged: exclude)'
    case 'orphan-excluded':
      return `${orphanText(reason)} (untagged: exclude)`
    case 'structure-unknown':
      return `image structure unknown (${reason.unread === undefined ? 'registry' : `manifest of ${reason.unread}`} not read)`
    case 'part-of-kept-image':
      return `${reason.part} of kept image ${reason.image}`
    case 'last-tagged':
      return 'last tagged version of the package'
    case 'last-version':
      return 'last version of the package'
    case 'selected':
      return selectedText(reason)
    case 'part-of-deleted-image':
      return `${reason.part} of deleted image ${reason.image}`
    case 'ghost-image':
      return `ghost image (none of the ${reason.listed} manifests it lists is left)`
  }
}

/**
 * `<selection>, <age> old` for the inputs (`selected by delete-tags "pr-*", 45d old`), `rule "x": <age> old` for
 * a policy file's rule; then why keep-last did not keep it, when it counted it.
 */
function selectedText(reason: Extract<Reason, { kind: 'selected' }>): string {
  const { rule, selection, age, notAmong } = reason
  const selected =
    rule !== undefined
      ? selection.by === 'orphan'
        ? `rule ${JSON.stringify(rule)}: ${orphanText(selection)},`
        : `rule ${JSON.stringify(rule)}:`
      : `${selectionText(selection)},`
  const beyond = notAmong === undefined ? '' : `, ${countText(notAmong, rule, true)}`
  return `${selected} ${age} old${beyond}`
}

function selectionText(selection: Selection): string {
  switch (selection.by) {
    case 'match':
      return 'selected'
    case 'delete-tags':
      return `selected by delete-tags "${selection.glob}"`
    case 'all-versions':
      return 'selected (delete-tags is empty: all versions)'
    case 'all-tagged':
      return 'selected (delete-tags is empty: all tagged versions)'
    case 'untagged':
      return 'untagged'
    case 'orphan':
      return orphanText(selection)
    case 'closed-pull-request':
      return selection.mergedAt !== undefined
        ? `pull request #${selection.number} closed (merged ${day(selection.mergedAt)})`
        : `pull request #${selection.number} closed${selection.closedAt !== undefined ? ` ${day(selection.closedAt)}` : ''} (not merged)`
    case 'deleted-branch':
      return `branch ${selection.branch} deleted`
  }
}

/**
 * How keep-last counted: `among the 2 newest` (the inputs: `newest selected`), `among the 2 highest versions`,
 * within a line `newest 1 of line 2.3`; a delete reason says `not` before it, and `among the` within a line.
 */
function countText({ n, order, line }: KeepLastCount, rule: string | undefined, not = false): string {
  if (line !== undefined) return `${not ? 'not among the ' : ''}newest ${n} of line ${line}`
  const selected = rule === undefined ? ' selected' : ''
  const among = order === 'semver' ? `${n} highest${selected} versions` : `${n} newest${selected}`
  return `${not ? 'not ' : ''}among the ${among}`
}

/** The day of a GitHub timestamp (`2026-11-30`). */
function day(time: string): string {
  return time.slice(0, 10)
}

function ruleLabel(rule: string | undefined): string {
  return rule === undefined ? '' : `rule ${JSON.stringify(rule)}: `
}

function orphanText({ part, subject }: { part: string; subject: string }): string {
  return `orphaned ${part} of ${subject}`
}

/**
 * Reasons with their texts side by side, as a decision carries them. A `shared` one holds one reason, made
 * once and given to every version it applies to; it is never changed (`also` copies it).
 */
export interface Said {
  readonly codes: Reason[]
  readonly texts: string[]
  readonly shared: boolean
}

/** One reason with its text, rendered now: make it once per distinct value and share it. */
export function say(reason: Reason): Said {
  return { codes: [reason], texts: [reasonText(reason)], shared: true }
}

/** The reasons `said` (if any) and one more. */
export function also(said: Said | undefined, more: Said): Said {
  if (said === undefined) return more
  if (said.shared)
    return { codes: [...said.codes, ...more.codes], texts: [...said.texts, ...more.texts], shared: false }
  said.codes.push(...more.codes)
  said.texts.push(...more.texts)
  return said
}
