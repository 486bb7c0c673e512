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
  RetentionPolicy,
  UntaggedMode
} from './types.js'

/**
 * Decides, for every version of one package, whether the policy deletes it, and why.
 *
 * `structure` (containers) holds the manifests read for `manifestsToRead` (reads.ts); without it the parts of the images
 * are unknown, so no untagged version is deleted. Deterministic: the plan does not depend on the input order.
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

const NOT_SELECTED = 'keep: not selected by delete-tags'
const NO_PARTS: readonly number[] = []

/** The plan is built in passes over the versions, newest first, addressed by their position in that order. */
class Planner {
  readonly #versions: PackageVersion[]
  readonly #times: Float64Array
  readonly #policy: RetentionPolicy
  readonly #nowMs: number
  readonly #structure: ImageStructure | undefined
  readonly #container: boolean
  readonly #untagged: UntaggedMode
  readonly #graph: ImageGraph
  readonly #keepTags: GlobMatcher
  readonly #deleteTags: GlobMatcher
  /** Per version: why it is kept; a version is kept exactly when it has a reason to be. */
  readonly #keepReasons: (string[] | undefined)[]
  /** Per selected image: the reason text saying how it was selected (undefined: not selected). */
  readonly #whySelected: (string | undefined)[]
  /** Marks the versions one traversal has visited, with a number per traversal. */
  readonly #visited: Int32Array
  #traversal = 0
  /** Scratch stack for the traversals. */
  readonly #stack: number[] = []
  /** Reason texts shared by many versions: a million distinct strings would weigh on time and memory. */
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
    this.#graph = this.#container ? linkImages(sorted, structure) : unlinkedGraph(count)
    this.#keepTags = compileGlobList(policy.keepTags)
    this.#deleteTags = compileGlobList(policy.deleteTags)
    this.#keepReasons = new Array<string[] | undefined>(count).fill(undefined)
    this.#whySelected = new Array<string | undefined>(count).fill(undefined)
    this.#visited = new Int32Array(this.#graph.linked ? count : 0)
  }

  plan(): DeletionPlan {
    this.#select()
    this.#protect()
    this.#keepPartsOf(this.#keptVersions())
    if (this.#container) this.#keepLastTagged()
    if (this.#container) this.#keepUntaggedUnlessStructureKnown()
    this.#keepLastVersion()

    const { order, deletedWith, takenBy } = deletionOrder(this.#versions, this.#graph, p => this.#kept(p))
    const decisions = this.#versions.map((version, p): Decision => {
      const keep = this.#keepReasons[p]
      if (keep !== undefined) return { version, action: 'keep', reasons: keep }
      const reasons = this.#deleteReasons(p, deletedWith[p])
      const images = takenBy[p]
      if (images === undefined) return { version, action: 'delete', reasons }
      return { version, action: 'delete', reasons, partOf: images.map(i => this.#versions[i].id) }
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

  /** Selection and keep-last, over images (every version but containers' parts). */
  #select(): void {
    const { keepLast } = this.#policy
    const keepLastReason = `keep: among the ${keepLast} newest selected`
    let counted = 0
    for (let p = 0; p < this.#versions.length; p++) {
      if (this.#graph.role[p] === PART) continue
      const selection = this.#decideSelection(p)
      if (selection === undefined) continue
      this.#whySelected[p] = selection
      if (this.#countsForKeepLast(p)) {
        if (++counted <= keepLast) this.#keep(p, keepLastReason)
      }
    }
  }

  /** Why an image is selected, or undefined after giving it the reason it is kept. */
  #decideSelection(p: number): string | undefined {
    const version = this.#versions[p]
    const noDeleteTags = this.#policy.deleteTags.length === 0
    if (!this.#container) {
      if (noDeleteTags) return 'delete: selected (delete-tags is empty: all versions)'
      const glob = this.#deleteTags.match(version.name)
      if (glob !== undefined) return this.#selectedByText(glob)
    } else if (this.#graph.role[p] === ORPHAN) {
      const orphan = `orphaned ${this.#graph.kinds.get(p)} of ${this.#graph.subjects.get(p)}`
      if (this.#untagged !== 'exclude') return `delete: ${orphan}`
      this.#keep(p, `keep: ${orphan} (untagged: exclude)`)
      return undefined
    } else if (version.tags.length === 0) {
      // An untagged version that `untagged: exclude` protects gets its reason with the other protections.
      return this.#untagged === 'exclude' ? undefined : 'delete: untagged'
    } else if (this.#untagged === 'only') {
      this.#keep(p, 'keep: tagged (untagged: only)')
      return undefined
    } else {
      if (noDeleteTags) return 'delete: selected (delete-tags is empty: all tagged versions)'
      for (const tag of version.tags) {
        const glob = this.#deleteTags.match(tag)
        if (glob !== undefined) return this.#selectedByText(glob)
      }
    }
    this.#keep(p, NOT_SELECTED)
    return undefined
  }

  /** `delete: selected by delete-tags "<glob>"`, one string per glob. */
  #selectedByText(glob: string): string {
    let reason = this.#selectedByGlobTexts.get(glob)
    if (reason === undefined)
      this.#selectedByGlobTexts.set(glob, (reason = `delete: selected by delete-tags "${glob}"`))
    return reason
  }

  /** Keep-last counts images; dangling untagged ones only when `untagged: only` selects them alone. */
  #countsForKeepLast(p: number): boolean {
    if (!this.#container) return true
    return (
      this.#graph.role[p] === IMAGE && (this.#versions[p].tags.length === 0) === (this.#untagged === 'only')
    )
  }

  /** The protections of single versions: keep-tags, min-age, and untagged versions that must not go. */
  #protect(): void {
    const { minAgeMs, minAgeText } = this.#policy
    const matchKeepTags = this.#policy.keepTags.length > 0
    for (let p = 0; p < this.#versions.length; p++) {
      const version = this.#versions[p]
      if (matchKeepTags && this.#container) {
        for (const tag of version.tags) {
          const glob = this.#keepTags.match(tag)
          if (glob !== undefined) this.#keep(p, `keep: tag "${tag}" matches keep-tags "${glob}"`)
        }
      } else if (matchKeepTags) {
        const glob = this.#keepTags.match(version.name)
        if (glob !== undefined) this.#keep(p, `keep: name "${version.name}" matches keep-tags "${glob}"`)
      }
      const age = this.#nowMs - this.#times[p]
      if (!Number.isFinite(age))
        this.#keep(p, `keep: creation time ${JSON.stringify(version.createdAt)} is not a date`)
      else if (minAgeMs > 0 && age < minAgeMs)
        this.#keep(p, `keep: younger than ${minAgeText} (${formatAge(age)} old)`)
      if (this.#container && version.tags.length === 0 && this.#graph.role[p] !== ORPHAN) {
        if (this.#untagged === 'exclude') this.#keep(p, 'keep: untagged (untagged: exclude)')
        else if (this.#structure === undefined)
          this.#keep(p, 'keep: image structure unknown (registry not read)')
      }
    }
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

  /** GitHub refuses to delete a container's last tagged version, so one stays: the newest image, if any. */
  #keepLastTagged(): void {
    let newestTagged = -1
    let newestTaggedImage = -1
    for (let p = 0; p < this.#versions.length; p++) {
      if (this.#versions[p].tags.length === 0) continue
      if (this.#kept(p)) return
      if (newestTagged === -1) newestTagged = p
      if (newestTaggedImage === -1 && this.#graph.role[p] === IMAGE) newestTaggedImage = p
    }
    const last = newestTaggedImage === -1 ? newestTagged : newestTaggedImage
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
    if (this.#untagged === 'exclude' || structure === undefined) return
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
    const own = this.#deleteReasonText(selection, this.#nowMs - this.#times[p], this.#countsForKeepLast(p))
    return deletedWith === undefined ? [own] : [own, ...deletedWith]
  }

  /** `<selection>, <age> old`, and why keep-last did not protect the image when it counts it. */
  #deleteReasonText(selection: string, ageMs: number, counted: boolean): string {
    const { keepLast } = this.#policy
    const beyondKeepLast = counted && keepLast > 0
    const cache = beyondKeepLast ? this.#deleteTextsBeyondKeepLast : this.#deleteTexts
    let byAge = cache.get(selection)
    if (byAge === undefined) cache.set(selection, (byAge = new Map()))
    const age = this.#ageText(ageMs)
    let reason = byAge.get(age)
    if (reason === undefined) {
      const keepLastPart = beyondKeepLast ? `, not among the ${keepLast} newest selected` : ''
      byAge.set(age, (reason = `${selection}, ${age} old${keepLastPart}`))
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
