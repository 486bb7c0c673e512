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
import { judgeVersions, type RepositoryVerdict } from './repository.js'
import { also, say, type Said } from './reasons.js'
import { DAY_MS, formatAge, newestFirst, parseTime } from './time.js'
import type { SemVer } from 'semver'
import type {
  Decision,
  DeletionPlan,
  ImageStructure,
  KeepLastCount,
  PackageVersion,
  PolicyRule,
  PrereleaseFilter,
  RetentionPolicy,
  Selection,
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

const NOT_SELECTED = say({ kind: 'not-selected' })
const NO_RULE = say({ kind: 'no-rule' })
const TAGS_UNKNOWN = say({ kind: 'tags-unknown' })
const TAGGED_UNTAGGED_ONLY = say({ kind: 'tagged-untagged-only' })
const UNTAGGED_EXCLUDED = say({ kind: 'untagged-excluded' })
const REGISTRY_NOT_READ = say({ kind: 'structure-unknown' })
const LAST_TAGGED = say({ kind: 'last-tagged' })
const LAST_VERSION = say({ kind: 'last-version' })
const NOT_CLOSED = say({ kind: 'not-closed' })
const NOTHING_SAID: Said = { codes: [], texts: [], shared: true }
const NONE = -1

/**
 * A rule as the planner applies it. The single-rule inputs make one unnamed rule, whose reasons read as the
 * inputs speak (`selected by delete-tags`); a policy file's rules name themselves in every reason.
 */
interface Rule {
  /** A policy file's rule's name; undefined for the rule the inputs make. */
  name: string | undefined
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
  /** Reasons made once: kept by keep-last (over all the rule's images) and, a policy file's rule, forever. */
  keptLast: Said
  keptForever: Said | undefined
  /** A delete reason's `not among the 2 newest`. */
  notAmong: KeepLastCount
  /** How the rule selects its images, made once: by its match (or all versions), untagged, by a glob. */
  byMatch: Selecting
  byUntagged: Selecting
  byGlob: Map<string, Selecting>
  /** `younger than` reasons by age in days, made once. */
  youngerByDay: Said[]
}

/**
 * How a rule selects images, with the delete reasons it gives them: one per keep-last clause (none, the
 * rule's, or a line's) and age in days, made once and shared (a million distinct reasons would weigh on time
 * and memory). An age under a day (few versions) gets its reason made each time.
 */
class Selecting {
  readonly #byDay: Said[] = []
  readonly #beyondKeepLastByDay: Said[] = []
  readonly #beyondLineByDay = new Map<string, Said[]>()

  constructor(
    readonly rule: string | undefined,
    readonly selection: Selection
  ) {}

  /** Deleted at `ageMs` old; `notAmong` when keep-last counted the image (within its line) and kept others. */
  reason(ageMs: number, notAmong: KeepLastCount | undefined): Said {
    if (ageMs < DAY_MS) return this.#said(formatAge(ageMs), notAmong)
    const days = Math.floor(ageMs / DAY_MS)
    return (this.#byDayFor(notAmong)[days] ??= this.#said(`${days}d`, notAmong))
  }

  #byDayFor(notAmong: KeepLastCount | undefined): Said[] {
    if (notAmong === undefined) return this.#byDay
    const line = notAmong.line
    if (line === undefined) return this.#beyondKeepLastByDay
    let byDay = this.#beyondLineByDay.get(line)
    if (byDay === undefined) this.#beyondLineByDay.set(line, (byDay = []))
    return byDay
  }

  #said(age: string, notAmong: KeepLastCount | undefined): Said {
    const { rule, selection } = this
    return say({
      kind: 'selected',
      ...ruleNamed(rule),
      selection,
      age,
      ...(notAmong === undefined ? {} : { notAmong })
    })
  }
}

function makeRule(
  name: string | undefined,
  fields: Omit<
    Rule,
    'name' | 'keptLast' | 'keptForever' | 'notAmong' | 'byMatch' | 'byUntagged' | 'byGlob' | 'youngerByDay'
  >,
  allSelection: Selection
): Rule {
  const { keepLast: n, order } = fields
  return {
    name,
    ...fields,
    keptLast: say({ kind: 'keep-last', ...ruleNamed(name), n, order }),
    keptForever: name === undefined ? undefined : say({ kind: 'keep-forever', rule: name }),
    notAmong: { n, order },
    byMatch: new Selecting(name, allSelection),
    byUntagged: new Selecting(name, { by: 'untagged' }),
    byGlob: new Map(),
    youngerByDay: []
  }
}

function shorthandRule(policy: RetentionPolicy, untagged: UntaggedMode, container: boolean): Rule {
  const { keepLast, minAgeMs, minAgeText } = policy
  return makeRule(
    undefined,
    {
      tagged: container && untagged === 'only' ? undefined : compileMatchList(policy.deleteTags),
      allTagged: policy.deleteTags.length === 0,
      range: undefined,
      prerelease: 'include',
      order: policy.order ?? 'created',
      per: policy.keepLastPer,
      untagged: container && untagged !== 'exclude',
      countsUntagged: container && untagged === 'only',
      forever: false,
      keepLast,
      minAgeMs,
      minAgeText
    },
    { by: container ? 'all-tagged' : 'all-versions' }
  )
}

function namedRule(rule: PolicyRule): Rule {
  const { name, match, keepLast, minAgeMs, minAgeText } = rule
  const range = typeof match === 'object' && 'semver' in match ? match.semver : undefined
  return makeRule(
    name,
    {
      tagged: match === 'untagged' || range !== undefined ? undefined : compileGlobList(match as string[]),
      allTagged: false,
      range: range === undefined ? undefined : compileRange(range),
      prerelease: rule.prerelease ?? 'include',
      order: rule.order ?? 'created',
      per: rule.per,
      untagged: match === 'untagged',
      countsUntagged: match === 'untagged',
      forever: rule.keepForever,
      keepLast,
      minAgeMs,
      minAgeText
    },
    { by: 'match' }
  )
}

/** The inputs' rule selecting by a `delete-tags` glob: made once per glob. */
function selectedBy(rule: Rule, glob: string): Selecting {
  let selecting = rule.byGlob.get(glob)
  if (selecting === undefined)
    rule.byGlob.set(glob, (selecting = new Selecting(undefined, { by: 'delete-tags', glob })))
  return selecting
}

/** A reason's `rule`: a policy file's rule's name, none for the inputs' rule. */
function ruleNamed(name: string | undefined): { rule?: string } {
  return name === undefined ? {} : { rule: name }
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
  readonly #keepReasons: (Said | undefined)[]
  /** Per image: the rule that governs it (its index in #rules), or NONE. */
  readonly #ruleOf: Int16Array
  /** Per selected image: how it was selected. */
  readonly #whySelected: (Selecting | undefined)[]
  /** The one walk over the images' parts. */
  readonly #walker: PartsWalker
  /** Per version: what the repository says of it (keep-in-use, delete-closed), when the policy asks. */
  readonly #verdicts: readonly (RepositoryVerdict | undefined)[]
  /** How delete-closed selects, made once per pull request or branch. */
  readonly #closedSelecting = new Map<Selection, Selecting>()

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
    this.#keepReasons = new Array<Said | undefined>(count).fill(undefined)
    this.#ruleOf = new Int16Array(count).fill(NONE)
    this.#whySelected = new Array<Selecting | undefined>(count).fill(undefined)
    this.#walker = new PartsWalker(this.#graph)
    this.#verdicts =
      policy.repository === undefined ? [] : judgeVersions(sorted, policy.repository, policy.repositoryFacts)
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
      if (keep !== undefined) return { version, action: 'keep', reasons: keep.texts, codes: keep.codes }
      const { texts: reasons, codes } = this.#deleteReasons(p, deletedWith[p])
      const partOf = takenBy[p]
      if (partOf === undefined) return { version, action: 'delete', reasons, codes }
      return { version, action: 'delete', reasons, codes, partOf }
    })
    return { decisions, deletions: order.map(p => decisions[p]) }
  }

  #closedBy(selection: Selection): Selecting {
    let selecting = this.#closedSelecting.get(selection)
    if (selecting === undefined)
      this.#closedSelecting.set(selection, (selecting = new Selecting(undefined, selection)))
    return selecting
  }

  #keep(p: number, reason: Said): void {
    this.#keepReasons[p] = also(this.#keepReasons[p], reason)
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
      // delete-closed selects at any age, outside any keep-last count; given alone, nothing else.
      const closed = this.#verdicts[p]?.select
      if (closed !== undefined) {
        this.#whySelected[p] = this.#closedBy(closed)
        continue
      }
      if (this.#policy.repository?.only === true && (!this.#container || isTagged(this.#versions[p]))) {
        this.#keep(p, NOT_CLOSED)
        continue
      }
      const selection = this.#decideSelection(p)
      if (selection === undefined) continue
      const r = this.#ruleOf[p]
      const rule = this.#rules[r]
      if (rule.forever) {
        this.#keep(p, rule.keptForever as Said)
        continue
      }
      this.#whySelected[p] = selection
      if (this.#countsForKeepLast(p, rule) && Number.isFinite(this.#times[p])) {
        if (!countsByTime(rule)) counting[r].push(p)
        else if (++counted[r] <= rule.keepLast) this.#keep(p, rule.keptLast)
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
      ranked.slice(0, rule.keepLast).forEach(p => this.#keep(p, rule.keptLast))
      return
    }
    const counted = new Map<string, number>()
    for (const p of ranked) {
      const line = lineOf(this.#semvers[p], per)
      const text = line ?? imageName(this.#versions[p])
      this.#lineTexts[p] = text
      const n = line === undefined ? 1 : (counted.get(line) ?? 0) + 1
      if (line !== undefined) counted.set(line, n)
      if (n <= rule.keepLast)
        this.#keep(
          p,
          say({ kind: 'keep-last', ...ruleNamed(rule.name), n: rule.keepLast, order: rule.order, line: text })
        )
    }
  }

  /** The first rule that matches an image, noted in #ruleOf; how it selects the image, or undefined after giving the reason none does. */
  #decideSelection(p: number): Selecting | undefined {
    const version = this.#versions[p]
    const rules = this.#rules
    if (this.#container && this.#graph.role[p] === ORPHAN) {
      const part = this.#graph.kinds.get(p) as string
      const subject = this.#graph.subjects.get(p) as string
      for (let r = 0; r < rules.length; r++) {
        if (!rules[r].untagged || rules[r].prerelease === 'only') continue
        this.#ruleOf[p] = r
        return new Selecting(rules[r].name, { by: 'orphan', part, subject })
      }
      this.#keep(p, this.#named ? NO_RULE : say({ kind: 'orphan-excluded', part, subject }))
      return undefined
    }
    if (this.#container && !isTagged(version)) {
      for (let r = 0; r < rules.length; r++) {
        if (!rules[r].untagged || rules[r].prerelease === 'only') continue
        this.#ruleOf[p] = r
        return rules[r].byUntagged
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
    else this.#keep(p, rules[0].tagged === undefined ? TAGGED_UNTAGGED_ONLY : NOT_SELECTED)
    return undefined
  }

  /** How a rule selects a tagged (or named) version, or undefined when it does not match it. */
  #matchTagged(p: number, rule: Rule): Selecting | undefined {
    const version = this.#versions[p]
    const range = rule.range
    if (range !== undefined) {
      const matches = this.#container
        ? version.tags.some(tag => range(semverOf(tag)))
        : range(this.#semvers[p])
      return matches ? rule.byMatch : undefined
    }
    const matcher = rule.tagged as GlobMatcher
    if (rule.allTagged) return rule.byMatch
    if (!this.#container) {
      const glob = matcher.match(version.name)
      return glob === undefined ? undefined : rule.name !== undefined ? rule.byMatch : selectedBy(rule, glob)
    }
    for (const tag of version.tags) {
      const glob = matcher.match(tag)
      if (glob !== undefined) return rule.name !== undefined ? rule.byMatch : selectedBy(rule, glob)
    }
    return undefined
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
          if (glob !== undefined) this.#keep(p, say({ kind: 'keep-tags', glob, tag }))
        }
        const glob = this.#container ? undefined : this.#keepTags.match(version.name)
        if (glob !== undefined) this.#keep(p, say({ kind: 'keep-tags', glob, name: version.name }))
      }
      const age = this.#nowMs - this.#times[p]
      if (!Number.isFinite(age)) {
        this.#keep(p, say({ kind: 'creation-time-unknown', createdAt: version.createdAt }))
      } else {
        // A policy file's rules age their images here, and the parts of the images they delete in #keepYoungParts.
        const r = this.#ruleOf[p]
        const rule = this.#verdicts[p]?.select
          ? undefined
          : (shorthand ?? (r === NONE ? undefined : this.#rules[r]))
        if (rule !== undefined && !rule.forever && rule.minAgeMs > 0 && age < rule.minAgeMs)
          this.#keep(p, youngerThan(rule, age))
      }
      for (const tag of this.#distTags.get(withoutV(version.name)) ?? [])
        this.#keep(p, say({ kind: 'dist-tag', tag }))
      const inUse = this.#verdicts[p]?.keep
      if (inUse !== undefined) this.#keep(p, inUse)
      if (version.tagsUnknown === true) this.#keep(p, TAGS_UNKNOWN)
      else if (this.#container && isUntagged(version) && this.#graph.role[p] !== ORPHAN) {
        // A known part of an image goes with it, or stays with it, under `untagged: exclude` too; unless an
        // untagged version is unread: it may be an index over that part.
        if (this.#excludesUntagged()) {
          if (this.#graph.role[p] !== PART || this.#untaggedUnread()) this.#keep(p, UNTAGGED_EXCLUDED)
        } else if (this.#structure === undefined) this.#keep(p, REGISTRY_NOT_READ)
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
      const platformManifest = say({ kind: 'part-of-kept-image', part: PLATFORM_MANIFEST, image })
      for (const part of this.#walker.partsOf(origin)) {
        const kind = kinds.get(part)
        this.#keep(
          part,
          kind === undefined ? platformManifest : say({ kind: 'part-of-kept-image', part: kind, image })
        )
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
        this.#keep(
          part,
          say({ kind: 'young-part', rule: rule.name as string, minAge: rule.minAgeText, age: formatAge(age) })
        )
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
    this.#keep(last, LAST_TAGGED)
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
    const reason = say({ kind: 'structure-unknown', unread: imageName(unread) })
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
    this.#keep(last, LAST_VERSION)
    this.#keepPartsOf([last])
  }

  #deleteReasons(p: number, deletedWith: Said | undefined): Said {
    const selecting = this.#whySelected[p]
    if (selecting === undefined) return deletedWith ?? NOTHING_SAID
    const ageMs = this.#nowMs - this.#times[p]
    const own = this.#verdicts[p]?.select
      ? selecting.reason(ageMs, undefined)
      : selecting.reason(ageMs, this.#notAmong(p, this.#rules[this.#ruleOf[p]]))
    return deletedWith === undefined ? own : also(own, deletedWith)
  }

  /** Why keep-last did not keep a deleted image it counted: `not among the 2 newest` (of its line). */
  #notAmong(p: number, rule: Rule): KeepLastCount | undefined {
    if (rule.keepLast === 0) return undefined
    const line = this.#lineTexts[p]
    if (line !== undefined) return { n: rule.keepLast, order: rule.order, line }
    return this.#countsForKeepLast(p, rule) ? rule.notAmong : undefined
  }
}

/** `younger than <min-age> (<age> old)`: made once per rule and age in days. */
function youngerThan(rule: Rule, ageMs: number): Said {
  const make = (age: string) =>
    say({ kind: 'younger-than', ...ruleNamed(rule.name), minAge: rule.minAgeText, age })
  if (ageMs < DAY_MS) return make(formatAge(ageMs))
  const days = Math.floor(ageMs / DAY_MS)
  return (rule.youngerByDay[days] ??= make(`${days}d`))
}

/** A version name as dist-tags and lines name it: a leading `v` dropped. */
function withoutV(name: string): string {
  return name.startsWith('v') ? name.slice(1) : name
}

/**
 * When the plan's decisions may next change with time alone: the earliest moment after `now` that a version it
 * keeps grows past a min-age of the policy (min-age is the only bound of age a decision reads); Infinity when
 * none ever will. A kept version whose creation time is unknown makes it `now`: plan again next time.
 */
export function nextDecisionChange(plan: DeletionPlan, policy: RetentionPolicy, now: Date): number {
  const ages = [policy.minAgeMs, ...(policy.rules ?? []).map(r => r.minAgeMs)].filter(ms => ms > 0)
  const nowMs = now.getTime()
  let next = Infinity
  for (const d of plan.decisions) {
    if (d.action !== 'keep' || ages.length === 0) continue
    const created = parseTime(d.version.createdAt)
    if (!Number.isFinite(created)) return nowMs
    for (const ms of ages) if (created + ms > nowMs) next = Math.min(next, created + ms)
  }
  return next
}
