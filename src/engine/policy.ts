import { compileGlobList, type GlobMatcher } from './globs.js'
import {
  byPrecedence,
  compileMatchList,
  compileRange,
  lineOf,
  passesPrerelease,
  semverOf,
  versionOf
} from './versions.js'
import {
  IMAGE,
  ORPHAN,
  PART,
  PLATFORM_MANIFEST,
  imageName,
  isCosignTag,
  isTagged,
  isUntagged,
  linkImages,
  unlinkedGraph,
  PartsWalker,
  type ImageGraph
} from './images.js'
import { deletionOrder } from './order.js'
import { DAY_MS, formatAge, newestFirst } from './time.js'
import type { SemVer } from 'semver'
import type {
  Decision,
  DeletionPlan,
  ImageStructure,
  PackageVersion,
  PolicyRule,
  PrereleaseFilter,
  RetentionPolicy,
  UntaggedMode,
  VersionLine,
  VersionOrder
} from '../types.js'

/**
 * Decides, for every version of one package, whether the policy deletes it, and why.
 *
 * `structure` (containers) holds the manifests read for `manifestsToRead` (reads.ts); without it the parts of the images
 * are unknown, so no untagged version is deleted. Deterministic: the plan does not depend on the input order.
 * A policy with `rules` should first be narrowed to the package with `policyFor`.
 */
export function planDeletions(
  versions: readonly PackageVersion[],
  policy: RetentionPolicy,
  now: Date,
  structure?: ImageStructure
): DeletionPlan {
  return new Planner(versions, policy, now, structure).plan()
}

export function untaggedMode(policy: RetentionPolicy): UntaggedMode {
  return policy.untagged ?? 'exclude'
}

/**
 * Whether the policy keeps every untagged version whatever else it says (`untagged: exclude`); a policy of
 * rules never does: its untagged versions are governed by the rules and the images they belong to.
 */
export function excludesUntagged(policy: RetentionPolicy): boolean {
  return policy.rules === undefined && untaggedMode(policy) === 'exclude'
}

/** The policy as it applies to one package: a policy file's rules limited by `packages` to that package. */
export function policyFor(policy: RetentionPolicy, packageName: string): RetentionPolicy {
  if (policy.rules === undefined) return policy
  const rules = policy.rules.filter(
    rule => rule.packages === undefined || compileGlobList(rule.packages).match(packageName) !== undefined
  )
  return { ...policy, rules }
}

const NOT_SELECTED = 'keep: not selected by delete-tags'
const NO_RULE = 'keep: no rule matches'
const TAGS_UNKNOWN = 'keep: tags unknown'
const NONE = -1

/**
 * A rule as the planner applies it. The single-rule inputs make one unnamed rule, whose reasons read as the
 * inputs speak (`selected by delete-tags`); a policy file's rules name themselves in every reason.
 */
interface Rule {
  named: boolean
  /** Matches tagged versions (or, for other types, named ones): by these globs, or all when `allTagged`. */
  tagged: GlobMatcher | undefined
  allTagged: boolean
  /** A policy file's `match: { semver }`: matches versions (containers: any tag) in this range instead. */
  range: ((version: SemVer | undefined) => boolean) | undefined
  prerelease: PrereleaseFilter
  order: VersionOrder
  per: VersionLine | undefined
  /** Matches untagged images and signatures whose image is gone. */
  untagged: boolean
  /** Keep-last counts untagged images (the rule matches no tagged one), else tagged ones. */
  countsUntagged: boolean
  forever: boolean
  keepLast: number
  minAgeMs: number
  minAgeText: string
  /** Reason texts, made once. */
  keepLastReason: string
  /** With `per`: the keep reason and the delete reason's clause, completed by the line (`2.3`). */
  keepLinePrefix: string
  beyondLinePrefix: string
  foreverReason: string
  /** The selection reason's start: `delete: rule "x":`, completed by the age. */
  prefix: string
  beyondKeepLast: string
  youngerPrefix: string
}

/** How keep-last reads in reasons: `among the 2 newest`, `among the 2 highest versions`, `newest 1 of line `. */
function countTexts(keepLast: number, order: VersionOrder, selected: string) {
  const among =
    order === 'semver' ? `${keepLast} highest${selected} versions` : `${keepLast} newest${selected}`
  return {
    among: `among the ${among}`,
    beyond: `, not among the ${among}`,
    inLine: `newest ${keepLast} of line `,
    beyondLine: `, not among the newest ${keepLast} of line `
  }
}

function shorthandRule(policy: RetentionPolicy, untagged: UntaggedMode, container: boolean): Rule {
  const { keepLast, minAgeMs, minAgeText } = policy
  const order = policy.order ?? 'created'
  const texts = countTexts(keepLast, order, ' selected')
  return {
    named: false,
    tagged: container && untagged === 'only' ? undefined : compileMatchList(policy.deleteTags),
    allTagged: policy.deleteTags.length === 0,
    range: undefined,
    prerelease: 'include',
    order,
    per: policy.keepLastPer,
    untagged: container && untagged !== 'exclude',
    countsUntagged: container && untagged === 'only',
    forever: false,
    keepLast,
    minAgeMs,
    minAgeText,
    keepLastReason: `keep: ${texts.among}`,
    keepLinePrefix: `keep: ${texts.inLine}`,
    beyondLinePrefix: texts.beyondLine,
    foreverReason: '',
    prefix: '',
    beyondKeepLast: texts.beyond,
    youngerPrefix: 'keep: '
  }
}

function namedRule(rule: PolicyRule): Rule {
  const { name, match, keepLast, minAgeMs, minAgeText } = rule
  const label = `rule ${JSON.stringify(name)}:`
  const order = rule.order ?? 'created'
  const texts = countTexts(keepLast, order, '')
  const range = typeof match === 'object' && 'semver' in match ? match.semver : undefined
  return {
    named: true,
    tagged: match === 'untagged' || range !== undefined ? undefined : compileGlobList(match as string[]),
    allTagged: false,
    range: range === undefined ? undefined : compileRange(range),
    prerelease: rule.prerelease ?? 'include',
    order,
    per: rule.per,
    untagged: match === 'untagged',
    countsUntagged: match === 'untagged',
    forever: rule.keepForever,
    keepLast,
    minAgeMs,
    minAgeText,
    keepLastReason: `keep: ${label} ${texts.among}`,
    keepLinePrefix: `keep: ${label} ${texts.inLine}`,
    beyondLinePrefix: texts.beyondLine,
    foreverReason: `keep: ${label} kept forever`,
    prefix: `delete: ${label}`,
    beyondKeepLast: texts.beyond,
    youngerPrefix: `keep: ${label} `
  }
}

/** Whether a rule counts keep-last as it always has: newest created first, over all its versions. */
function countsByTime(rule: Rule): boolean {
  return rule.order === 'created' && rule.per === undefined
}

/** The plan is built in passes over the versions, newest first, addressed by their position in that order. */
class Planner {
  readonly #versions: PackageVersion[]
  readonly #times: Float64Array
  readonly #policy: RetentionPolicy
  readonly #nowMs: number
  readonly #structure: ImageStructure | undefined
  #anyUntaggedUnread: boolean | undefined
  readonly #container: boolean
  readonly #untagged: UntaggedMode
  /** Rules in order; the single-rule inputs make one unnamed rule. */
  readonly #rules: Rule[]
  readonly #named: boolean
  readonly #graph: ImageGraph
  readonly #keepTags: GlobMatcher
  /** Per version, what it stands for as a semantic version; only when a rule reads versions. */
  readonly #semvers: (SemVer | undefined)[]
  /** Per version kept-or-deleted within a line (`per`): the line's text, for the reasons. */
  readonly #lineTexts: (string | undefined)[]
  /** npm: version name (a leading `v` dropped) → the dist-tags pointing at it. */
  readonly #distTags = new Map<string, string[]>()
  /** Per version: why it is kept; a version is kept exactly when it has a reason to be. */
  readonly #keepReasons: (string[] | undefined)[]
  /** Per image: the rule that governs it (its index in #rules), or NONE. */
  readonly #ruleOf: Int16Array
  /** Per selected image: how it was selected. */
  readonly #whySelected: (string | undefined)[]
  /** The one walk over the images' parts. */
  readonly #walker: PartsWalker
  /**
   * Reason texts shared by many versions (a million distinct strings would weigh on time and memory): by
   * glob, `selected by delete-tags "glob"`; by selection and age, the delete reason, without and with the
   * keep-last clause; by days, `45d`.
   */
  readonly #selectedByGlobTexts = new Map<string, string>()
  readonly #deleteTexts = new Map<string, Map<string, string>>()
  readonly #deleteTextsBeyondKeepLast = new Map<string, Map<string, string>>()
  readonly #dayTexts: string[] = []

  constructor(
    versions: readonly PackageVersion[],
    policy: RetentionPolicy,
    now: Date,
    structure: ImageStructure | undefined
  ) {
    const { sorted, times } = newestFirst(versions)
    const count = sorted.length
    this.#versions = sorted
    this.#times = times
    this.#policy = policy
    this.#nowMs = now.getTime()
    this.#structure = structure
    this.#container = policy.packageType === 'container'
    this.#untagged = untaggedMode(policy)
    this.#named = policy.rules !== undefined
    this.#rules = policy.rules?.map(namedRule) ?? [shorthandRule(policy, this.#untagged, this.#container)]
    this.#graph = this.#container ? linkImages(sorted, structure) : unlinkedGraph(count)
    this.#keepTags = compileMatchList(policy.keepTags)
    const readsVersions = this.#rules.some(
      rule => rule.range !== undefined || !countsByTime(rule) || rule.prerelease !== 'include'
    )
    this.#semvers = readsVersions ? sorted.map(version => versionOf(version, this.#container)) : []
    this.#lineTexts = []
    for (const [tag, target] of Object.entries(policy.distTags ?? {})) {
      const key = withoutV(target)
      const tags = this.#distTags.get(key)
      if (tags === undefined) this.#distTags.set(key, [tag])
      else tags.push(tag)
    }
    this.#keepReasons = new Array<string[] | undefined>(count).fill(undefined)
    this.#ruleOf = new Int16Array(count).fill(NONE)
    this.#whySelected = new Array<string | undefined>(count).fill(undefined)
    this.#walker = new PartsWalker(this.#graph)
  }

  plan(): DeletionPlan {
    this.#select()
    this.#protect()
    this.#keepPartsOf(this.#keptVersions())
    if (this.#named) this.#keepYoungParts()
    if (this.#container) this.#keepLastTagged()
    if (this.#container) this.#keepUntaggedUnlessStructureKnown()
    this.#keepLastVersion()

    const { order, deletedWith, takenBy } = deletionOrder(this.#versions, this.#graph, this.#walker, p =>
      this.#kept(p)
    )
    const decisions = this.#versions.map((version, p): Decision => {
      const keep = this.#keepReasons[p]
      if (keep !== undefined) return { version, action: 'keep', reasons: keep }
      const reasons = this.#deleteReasons(p, deletedWith[p])
      const partOf = takenBy[p]
      if (partOf === undefined) return { version, action: 'delete', reasons }
      return { version, action: 'delete', reasons, partOf }
    })
    return { decisions, deletions: order.map(p => decisions[p]) }
  }

  #keep(p: number, reason: string): void {
    const reasons = this.#keepReasons[p]
    if (reasons === undefined) this.#keepReasons[p] = [reason]
    else reasons.push(reason)
  }

  #kept(p: number): boolean {
    return this.#keepReasons[p] !== undefined
  }

  #keptVersions(): number[] {
    const kept: number[] = []
    for (let p = 0; p < this.#versions.length; p++) if (this.#kept(p)) kept.push(p)
    return kept
  }

  /**
   * Each image to its rule, and keep-last within each rule, over images (every version but containers' parts).
   * A version whose tags or creation time are unknown is kept (see #protect) and takes no keep-last place.
   */
  #select(): void {
    const counted = new Int32Array(this.#rules.length)
    /** Per rule that counts by version or by line: its images, newest created first. */
    const counting: number[][] = this.#rules.map(() => [])
    for (let p = 0; p < this.#versions.length; p++) {
      if (this.#graph.role[p] === PART || this.#versions[p].tagsUnknown === true) continue
      const selection = this.#decideSelection(p)
      if (selection === undefined) continue
      const r = this.#ruleOf[p]
      const rule = this.#rules[r]
      if (rule.forever) {
        this.#keep(p, rule.foreverReason)
        continue
      }
      this.#whySelected[p] = selection
      if (this.#countsForKeepLast(p, rule) && Number.isFinite(this.#times[p])) {
        if (!countsByTime(rule)) counting[r].push(p)
        else if (++counted[r] <= rule.keepLast) this.#keep(p, rule.keepLastReason)
      }
    }
    counting.forEach((images, r) => {
      if (images.length > 0) this.#keepLastBy(this.#rules[r], images)
    })
  }

  /**
   * Keep-last for a rule with `order: semver` or `per`: its images ranked by precedence (or creation), counted
   * within each line; a version that is not a semantic version is a line of its own.
   */
  #keepLastBy(rule: Rule, images: number[]): void {
    const ranked = rule.order === 'semver' ? byPrecedence(images, this.#semvers) : images
    const per = rule.per
    if (per === undefined) {
      ranked.slice(0, rule.keepLast).forEach(p => this.#keep(p, rule.keepLastReason))
      return
    }
    const counted = new Map<string, number>()
    for (const p of ranked) {
      const line = lineOf(this.#semvers[p], per)
      const text = line ?? imageName(this.#versions[p])
      this.#lineTexts[p] = text
      const n = line === undefined ? 1 : (counted.get(line) ?? 0) + 1
      if (line !== undefined) counted.set(line, n)
      if (n <= rule.keepLast) this.#keep(p, `${rule.keepLinePrefix}${text}`)
    }
  }

  /** The first rule that matches an image, noted in #ruleOf; how it selects the image, or undefined after giving the reason none does. */
  #decideSelection(p: number): string | undefined {
    const version = this.#versions[p]
    const rules = this.#rules
    if (this.#container && this.#graph.role[p] === ORPHAN) {
      const orphan = `orphaned ${this.#graph.kinds.get(p)} of ${this.#graph.subjects.get(p)}`
      for (let r = 0; r < rules.length; r++) {
        if (!rules[r].untagged || rules[r].prerelease === 'only') continue
        this.#ruleOf[p] = r
        return rules[r].named ? `${rules[r].prefix} ${orphan}` : `delete: ${orphan}`
      }
      this.#keep(p, this.#named ? NO_RULE : `keep: ${orphan} (untagged: exclude)`)
      return undefined
    }
    if (this.#container && !isTagged(version)) {
      for (let r = 0; r < rules.length; r++) {
        if (!rules[r].untagged || rules[r].prerelease === 'only') continue
        this.#ruleOf[p] = r
        return rules[r].named ? rules[r].prefix : 'delete: untagged'
      }
      // An untagged version that `untagged: exclude` protects gets its reason with the other protections.
      if (this.#named) this.#keep(p, NO_RULE)
      return undefined
    }
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r]
      if (rule.tagged === undefined && rule.range === undefined) continue
      const selection = this.#matchTagged(p, rule)
      if (selection === undefined || !passesPrerelease(rule.prerelease, this.#semvers[p])) continue
      this.#ruleOf[p] = r
      return selection
    }
    if (this.#named) this.#keep(p, NO_RULE)
    else this.#keep(p, rules[0].tagged === undefined ? 'keep: tagged (untagged: only)' : NOT_SELECTED)
    return undefined
  }

  /** How a rule selects a tagged (or named) version, or undefined when it does not match it. */
  #matchTagged(p: number, rule: Rule): string | undefined {
    const version = this.#versions[p]
    const range = rule.range
    if (range !== undefined) {
      const matches = this.#container
        ? version.tags.some(tag => range(semverOf(tag)))
        : range(this.#semvers[p])
      return matches ? rule.prefix : undefined
    }
    const matcher = rule.tagged as GlobMatcher
    if (!this.#container) {
      if (rule.allTagged) return 'delete: selected (delete-tags is empty: all versions)'
      const glob = matcher.match(version.name)
      return glob === undefined ? undefined : rule.named ? rule.prefix : this.#selectedByText(glob)
    }
    if (rule.allTagged) return 'delete: selected (delete-tags is empty: all tagged versions)'
    for (const tag of version.tags) {
      const glob = matcher.match(tag)
      if (glob !== undefined) return rule.named ? rule.prefix : this.#selectedByText(glob)
    }
    return undefined
  }

  /** The shared text `delete: selected by delete-tags "<glob>"`. */
  #selectedByText(glob: string): string {
    let reason = this.#selectedByGlobTexts.get(glob)
    if (reason === undefined)
      this.#selectedByGlobTexts.set(glob, (reason = `delete: selected by delete-tags "${glob}"`))
    return reason
  }

  /**
   * Keep-last counts images, never a part of one (a tagged platform manifest, once a read shows it to be one);
   * untagged ones only when their rule matches no tagged image.
   */
  #countsForKeepLast(p: number, rule: Rule): boolean {
    if (!this.#container) return true
    if (this.#graph.taggedParts.has(p)) return false
    return this.#graph.role[p] === IMAGE && !isTagged(this.#versions[p]) === rule.countsUntagged
  }

  /** The protections of single versions: keep-tags, min-age, unknown data, and untagged versions that must not go. */
  #protect(): void {
    const matchKeepTags = this.#policy.keepTags.length > 0
    const shorthand = this.#named ? undefined : this.#rules[0]
    for (let p = 0; p < this.#versions.length; p++) {
      const version = this.#versions[p]
      if (matchKeepTags) {
        // Docker packages have tags too (`metadata.docker.tag`), and their names as the other types do.
        for (const tag of version.tags) {
          const glob = this.#keepTags.match(tag)
          if (glob !== undefined) this.#keep(p, `keep: tag "${tag}" matches keep-tags "${glob}"`)
        }
        const glob = this.#container ? undefined : this.#keepTags.match(version.name)
        if (glob !== undefined) this.#keep(p, `keep: name "${version.name}" matches keep-tags "${glob}"`)
      }
      const age = this.#nowMs - this.#times[p]
      if (!Number.isFinite(age)) {
        this.#keep(p, `keep: creation time ${JSON.stringify(version.createdAt)} is not a date`)
      } else {
        // A policy file's rules age their images here, and the parts of the images they delete in #keepYoungParts.
        const r = this.#ruleOf[p]
        const rule = shorthand ?? (r === NONE ? undefined : this.#rules[r])
        if (rule !== undefined && !rule.forever && rule.minAgeMs > 0 && age < rule.minAgeMs)
          this.#keep(p, `${rule.youngerPrefix}younger than ${rule.minAgeText} (${formatAge(age)} old)`)
      }
      for (const tag of this.#distTags.get(withoutV(version.name)) ?? [])
        this.#keep(p, `keep: dist-tag ${tag}`)
      if (version.tagsUnknown === true) this.#keep(p, TAGS_UNKNOWN)
      else if (this.#container && isUntagged(version) && this.#graph.role[p] !== ORPHAN) {
        // A known part of an image goes with it, or stays with it, under `untagged: exclude` too; unless an
        // untagged version is unread: it may be an index over that part.
        if (this.#excludesUntagged()) {
          if (this.#graph.role[p] !== PART || this.#untaggedUnread())
            this.#keep(p, 'keep: untagged (untagged: exclude)')
        } else if (this.#structure === undefined)
          this.#keep(p, 'keep: image structure unknown (registry not read)')
      }
    }
  }

  /** Whether an untagged version that is part of no known image is unread (memoised). */
  #untaggedUnread(): boolean {
    if (this.#anyUntaggedUnread === undefined) {
      const structure = this.#structure
      this.#anyUntaggedUnread = this.#versions.some(
        (v, p) =>
          !isTagged(v) && this.#graph.role[p] === IMAGE && (structure === undefined || !structure.has(v.name))
      )
    }
    return this.#anyUntaggedUnread
  }

  /** `untagged: exclude` (single-rule inputs only) keeps every untagged version but the known parts of images. */
  #excludesUntagged(): boolean {
    return excludesUntagged(this.#policy)
  }
  /** Keeps every part, recursively, of each kept version: deleting one would break the image. */
  #keepPartsOf(kept: readonly number[]): void {
    if (!this.#graph.linked) return
    const { parts, kinds } = this.#graph
    for (const origin of kept) {
      if (parts[origin] === undefined) continue
      const image = imageName(this.#versions[origin])
      const platformManifest = `keep: ${PLATFORM_MANIFEST} of kept image ${image}`
      for (const part of this.#walker.partsOf(origin)) {
        const kind = kinds.get(part)
        this.#keep(part, kind === undefined ? platformManifest : `keep: ${kind} of kept image ${image}`)
      }
    }
  }

  /**
   * A policy file's rule ages the parts of the images it would delete by its own min-age: a part younger than
   * that (a signature pushed later) stays, with its own parts. A part of several such images is aged by each.
   */
  #keepYoungParts(): void {
    if (!this.#graph.linked) return
    const young: number[] = []
    let minAgeMs = 0
    const oldEnough = (part: number): boolean =>
      !this.#kept(part) && this.#nowMs - this.#times[part] >= minAgeMs
    for (let image = 0; image < this.#versions.length; image++) {
      const r = this.#ruleOf[image]
      if (r === NONE || this.#graph.parts[image] === undefined || this.#kept(image)) continue
      const rule = this.#rules[r]
      minAgeMs = rule.minAgeMs
      if (minAgeMs === 0) continue
      for (const part of this.#walker.partsOf(image, oldEnough)) {
        const age = this.#nowMs - this.#times[part]
        if (this.#kept(part) || age >= minAgeMs) continue
        this.#keep(part, `keep: younger than ${rule.minAgeText} (${formatAge(age)} old)`)
        young.push(part)
      }
    }
    this.#keepPartsOf(young)
  }

  /** GitHub refuses to delete a container's last tagged version, so one stays: the newest image, if any. */
  #keepLastTagged(): void {
    let newestTagged = -1
    let newestTaggedImage = -1
    let keptTaggedReferrer = false
    for (let p = 0; p < this.#versions.length; p++) {
      if (!isTagged(this.#versions[p])) continue
      const image = this.#graph.role[p] === IMAGE
      if (this.#kept(p) && image) return
      if (this.#kept(p)) keptTaggedReferrer = true
      else if (newestTagged === -1) newestTagged = p
      if (newestTaggedImage === -1 && image && !this.#kept(p)) newestTaggedImage = p
    }
    // A kept signature alone would satisfy GitHub, but a package of signatures pulls nothing; and which
    // signatures are kept depends on the manifests read, so keeping an image keeps the plan the same as more
    // is read (a version read while kept is not deleted after).
    const last = newestTaggedImage !== -1 ? newestTaggedImage : keptTaggedReferrer ? -1 : newestTagged
    if (last === -1) return
    this.#keep(last, 'keep: last tagged version of the package')
    this.#keepPartsOf([last])
  }

  /**
   * The parts of a kept image whose manifest was not read are unknown: any untagged version may be one of
   * them, so none is deleted.
   */
  #keepUntaggedUnlessStructureKnown(): void {
    const structure = this.#structure
    if (this.#excludesUntagged() || structure === undefined) return
    const unread = this.#versions.find(
      (version, p) =>
        this.#kept(p) && isTagged(version) && !version.tags.some(isCosignTag) && !structure.has(version.name)
    )
    if (unread === undefined) return
    const reason = `keep: image structure unknown (manifest of ${imageName(unread)} not read)`
    const newlyKept: number[] = []
    for (let p = 0; p < this.#versions.length; p++) {
      if (isTagged(this.#versions[p])) continue
      if (!this.#kept(p)) newlyKept.push(p)
      this.#keep(p, reason)
    }
    this.#keepPartsOf(newlyKept)
  }

  /** Deleting a package's last version fails (Maven) or deletes the package (npm): keep the newest image. */
  #keepLastVersion(): void {
    if (this.#keepReasons.some(reasons => reasons !== undefined)) return
    const last = this.#graph.role.findIndex(role => role !== PART)
    if (last === -1) return
    this.#keep(last, 'keep: last version of the package')
    this.#keepPartsOf([last])
  }

  #deleteReasons(p: number, deletedWith: string[] | undefined): string[] {
    const selection = this.#whySelected[p]
    if (selection === undefined) return deletedWith ?? []
    const rule = this.#rules[this.#ruleOf[p]]
    const counted = this.#countsForKeepLast(p, rule)
    const line = this.#lineTexts[p]
    const ageMs = this.#nowMs - this.#times[p]
    const own =
      line === undefined
        ? this.#deleteReasonText(selection, ageMs, rule, counted)
        : this.#deleteReasonText(selection, ageMs, rule, false) +
          (rule.keepLast > 0 ? `${rule.beyondLinePrefix}${line}` : '')
    return deletedWith === undefined ? [own] : [own, ...deletedWith]
  }

  /** `<selection>, <age> old` (a named rule: `<selection> <age> old`), and why keep-last did not protect the image when it counts it. */
  #deleteReasonText(selection: string, ageMs: number, rule: Rule, counted: boolean): string {
    const beyondKeepLast = counted && rule.keepLast > 0
    const cache = beyondKeepLast ? this.#deleteTextsBeyondKeepLast : this.#deleteTexts
    let byAge = cache.get(selection)
    if (byAge === undefined) cache.set(selection, (byAge = new Map()))
    const age = this.#ageText(ageMs)
    let reason = byAge.get(age)
    if (reason === undefined) {
      const separator = selection.endsWith(':') ? ' ' : ', '
      byAge.set(
        age,
        (reason = `${selection}${separator}${age} old${beyondKeepLast ? rule.beyondKeepLast : ''}`)
      )
    }
    return reason
  }

  /** An age in its largest whole unit: `45d`, `5h`, `12m`, `30s`; the texts in days are made once. */
  #ageText(ms: number): string {
    if (ms < DAY_MS) return formatAge(ms)
    const days = Math.floor(ms / DAY_MS)
    return (this.#dayTexts[days] ??= `${days}d`)
  }
}

/** A version name as dist-tags and lines name it: a leading `v` dropped. */
function withoutV(name: string): string {
  return name.startsWith('v') ? name.slice(1) : name
}
