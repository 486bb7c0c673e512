import { compileGlobList, type GlobMatcher } from './globs.js'
import {
  IMAGE,
  ORPHAN,
  PART,
  PLATFORM_MANIFEST,
  imageName,
  isCosignTag,
  linkImages,
  unlinkedGraph,
  type ImageGraph
} from './images.js'
import { deletionOrder } from './order.js'
import { DAY_MS, formatAge, newestFirst } from './time.js'
import type {
  Decision,
  DeletionPlan,
  ImageStructure,
  PackageVersion,
  PolicyRule,
  RetentionPolicy,
  UntaggedMode
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
const NO_PARTS: readonly number[] = []
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
  foreverReason: string
  /** The selection reason's start: `delete: rule "x":`, completed by the age. */
  prefix: string
  beyondKeepLast: string
  youngerPrefix: string
}

function shorthandRule(policy: RetentionPolicy, untagged: UntaggedMode, container: boolean): Rule {
  const { keepLast, minAgeMs, minAgeText } = policy
  return {
    named: false,
    tagged: container && untagged === 'only' ? undefined : compileGlobList(policy.deleteTags),
    allTagged: policy.deleteTags.length === 0,
    untagged: container && untagged !== 'exclude',
    countsUntagged: container && untagged === 'only',
    forever: false,
    keepLast,
    minAgeMs,
    minAgeText,
    keepLastReason: `keep: among the ${keepLast} newest selected`,
    foreverReason: '',
    prefix: '',
    beyondKeepLast: `, not among the ${keepLast} newest selected`,
    youngerPrefix: 'keep: '
  }
}

function namedRule(rule: PolicyRule): Rule {
  const { name, match, keepLast, minAgeMs, minAgeText } = rule
  const label = `rule ${JSON.stringify(name)}:`
  return {
    named: true,
    tagged: match === 'untagged' ? undefined : compileGlobList(match),
    allTagged: false,
    untagged: match === 'untagged',
    countsUntagged: match === 'untagged',
    forever: rule.keepForever,
    keepLast,
    minAgeMs,
    minAgeText,
    keepLastReason: `keep: ${label} among the ${keepLast} newest`,
    foreverReason: `keep: ${label} kept forever`,
    prefix: `delete: ${label}`,
    beyondKeepLast: `, not among the ${keepLast} newest`,
    youngerPrefix: `keep: ${label} `
  }
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
  /** Per version: why it is kept; a version is kept exactly when it has a reason to be. */
  readonly #keepReasons: (string[] | undefined)[]
  /** Per image: the rule that governs it (its index in #rules), or NONE. */
  readonly #ruleOf: Int16Array
  /** Per selected image: how it was selected. */
  readonly #whySelected: (string | undefined)[]
  /** Marks the versions one traversal has visited, with a number per traversal. */
  readonly #visited: Int32Array
  #traversal = 0
  /** Scratch stack for the traversals. */
  readonly #stack: number[] = []
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
    this.#keepTags = compileGlobList(policy.keepTags)
    this.#keepReasons = new Array<string[] | undefined>(count).fill(undefined)
    this.#ruleOf = new Int16Array(count).fill(NONE)
    this.#whySelected = new Array<string | undefined>(count).fill(undefined)
    this.#visited = new Int32Array(this.#graph.linked ? count : 0)
  }

  plan(): DeletionPlan {
    this.#select()
    this.#protect()
    this.#keepPartsOf(this.#keptVersions())
    if (this.#named) this.#keepYoungParts()
    if (this.#container) this.#keepLastTagged()
    if (this.#container) this.#keepUntaggedUnlessStructureKnown()
    this.#keepLastVersion()

    const { order, deletedWith, takenBy } = deletionOrder(this.#versions, this.#graph, p => this.#kept(p))
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
        if (++counted[r] <= rule.keepLast) this.#keep(p, rule.keepLastReason)
      }
    }
  }

  /** The first rule that matches an image, noted in #ruleOf; how it selects the image, or undefined after giving the reason none does. */
  #decideSelection(p: number): string | undefined {
    const version = this.#versions[p]
    const rules = this.#rules
    if (this.#container && this.#graph.role[p] === ORPHAN) {
      const orphan = `orphaned ${this.#graph.kinds.get(p)} of ${this.#graph.subjects.get(p)}`
      for (let r = 0; r < rules.length; r++) {
        if (!rules[r].untagged) continue
        this.#ruleOf[p] = r
        return rules[r].named ? `${rules[r].prefix} ${orphan}` : `delete: ${orphan}`
      }
      this.#keep(p, this.#named ? NO_RULE : `keep: ${orphan} (untagged: exclude)`)
      return undefined
    }
    if (this.#container && version.tags.length === 0) {
      for (let r = 0; r < rules.length; r++) {
        if (!rules[r].untagged) continue
        this.#ruleOf[p] = r
        return rules[r].named ? rules[r].prefix : 'delete: untagged'
      }
      // An untagged version that `untagged: exclude` protects gets its reason with the other protections.
      if (this.#named) this.#keep(p, NO_RULE)
      return undefined
    }
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r]
      if (rule.tagged === undefined) continue
      const selection = this.#matchTagged(version, rule)
      if (selection === undefined) continue
      this.#ruleOf[p] = r
      return selection
    }
    if (this.#named) this.#keep(p, NO_RULE)
    else this.#keep(p, rules[0].tagged === undefined ? 'keep: tagged (untagged: only)' : NOT_SELECTED)
    return undefined
  }

  /** How a rule selects a tagged (or named) version, or undefined when it does not match it. */
  #matchTagged(version: PackageVersion, rule: Rule): string | undefined {
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
    return this.#graph.role[p] === IMAGE && (this.#versions[p].tags.length === 0) === rule.countsUntagged
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
      if (version.tagsUnknown === true) this.#keep(p, TAGS_UNKNOWN)
      else if (this.#container && version.tags.length === 0 && this.#graph.role[p] !== ORPHAN) {
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
          v.tags.length === 0 &&
          this.#graph.role[p] === IMAGE &&
          (structure === undefined || !structure.has(v.name))
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
    const { parts } = this.#graph
    const stack = this.#stack
    for (const origin of kept) {
      if (parts[origin] === undefined) continue
      const image = imageName(this.#versions[origin])
      const platformManifest = `keep: ${PLATFORM_MANIFEST} of kept image ${image}`
      const traversal = ++this.#traversal
      this.#visited[origin] = traversal
      stack.push(origin)
      while (stack.length > 0) {
        for (const part of parts[stack.pop() as number] ?? NO_PARTS) {
          if (this.#visited[part] === traversal) continue
          this.#visited[part] = traversal
          const kind = this.#graph.kinds.get(part)
          this.#keep(part, kind === undefined ? platformManifest : `keep: ${kind} of kept image ${image}`)
          stack.push(part)
        }
      }
    }
  }

  /**
   * A policy file's rule ages the parts of the images it would delete by its own min-age: a part younger than
   * that (a signature pushed later) stays, with its own parts. A part of several such images is aged by each.
   */
  #keepYoungParts(): void {
    if (!this.#graph.linked) return
    const { parts } = this.#graph
    const stack = this.#stack
    const young: number[] = []
    for (let image = 0; image < this.#versions.length; image++) {
      const r = this.#ruleOf[image]
      if (r === NONE || parts[image] === undefined || this.#kept(image)) continue
      const { minAgeMs, minAgeText } = this.#rules[r]
      if (minAgeMs === 0) continue
      const traversal = ++this.#traversal
      this.#visited[image] = traversal
      stack.push(image)
      while (stack.length > 0) {
        for (const part of parts[stack.pop() as number] ?? NO_PARTS) {
          if (this.#visited[part] === traversal || this.#kept(part)) continue
          this.#visited[part] = traversal
          const age = this.#nowMs - this.#times[part]
          if (age < minAgeMs) {
            this.#keep(part, `keep: younger than ${minAgeText} (${formatAge(age)} old)`)
            young.push(part)
          } else stack.push(part)
        }
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
      if (this.#versions[p].tags.length === 0) continue
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
        this.#kept(p) &&
        version.tags.length > 0 &&
        !version.tags.some(isCosignTag) &&
        !structure.has(version.name)
    )
    if (unread === undefined) return
    const reason = `keep: image structure unknown (manifest of ${imageName(unread)} not read)`
    const newlyKept: number[] = []
    for (let p = 0; p < this.#versions.length; p++) {
      if (this.#versions[p].tags.length > 0) continue
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
    const own = this.#deleteReasonText(
      selection,
      this.#nowMs - this.#times[p],
      rule,
      this.#countsForKeepLast(p, rule)
    )
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
