import { compileGlobList, type GlobMatcher } from './globs.js'
import {
  IMAGE,
  ORPHAN,
  PART,
  PLATFORM_MANIFEST,
  isCosignTag,
  linkImages,
  unlinkedGraph,
  type ImageGraph
} from './images.js'
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
 * `structure` (containers) holds the manifests read for `manifestsToRead`; without it the parts of the images
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

/**
 * The digests whose manifests `planDeletions` needs: none unless some version could be deleted (an untagged
 * one, or a tagged one, which may be a platform manifest tagged on its own); then every tagged version but
 * cosign's (whose subject is in the tag). Tagged versions are what must be read because a child manifest does
 * not point at its parent: only the index lists its children, so a version is known to belong to an image
 * only by reading that image. Untagged versions the plan then keeps may be indexes too: the caller reads those
 * and plans again (see `unreadKeptUntagged`).
 */
export function manifestsToRead(
  versions: readonly PackageVersion[],
  policy: RetentionPolicy,
  now: Date
): string[] {
  if (policy.packageType !== 'container') return []
  const mode = untaggedMode(policy)
  const { sorted, times } = newestFirst(versions)
  const nowMs = now.getTime()
  const deletable = sorted.some((version, p) => {
    if (tooYoung(times[p], nowMs, policy)) return false
    if (version.tags.length === 0) return mode !== 'exclude'
    return mode !== 'only' && !version.tags.some(isCosignTag)
  })
  if (!deletable) return []
  const digests = sorted.filter(version => version.tags.length > 0 && !version.tags.some(isCosignTag))
  return [...new Set(digests.map(version => version.name))]
}

/**
 * Untagged versions a plan keeps whose manifest is unread and that are part of no read image: each may be an
 * index (a multi-architecture image whose tag moved on, still pulled by digest) whose parts must stay too.
 */
export function unreadKeptUntagged(plan: DeletionPlan, structure: ImageStructure): string[] {
  const parts = new Set<string>()
  for (const info of structure.values()) for (const child of info.children) parts.add(child)
  return plan.decisions
    .filter(d => d.action === 'keep' && d.version.tags.length === 0)
    .map(d => d.version.name)
    .filter(digest => !structure.has(digest) && !parts.has(digest))
}

function untaggedMode(policy: RetentionPolicy): UntaggedMode {
  return policy.untagged ?? 'exclude'
}

function tooYoung(time: number, nowMs: number, policy: RetentionPolicy): boolean {
  return !Number.isFinite(time) || (policy.minAgeMs > 0 && nowMs - time < policy.minAgeMs)
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
  /** Per version: the images whose deletion takes it along. */
  readonly #deletedWith: (string[] | undefined)[]
  /** Per selected image: how it was selected. */
  readonly #selection: (string | undefined)[]
  /** Marks the versions one traversal has visited, with a number per traversal. */
  readonly #visited: Int32Array
  #traversal = 0
  /** Scratch stacks for the traversals. */
  readonly #stack: number[] = []
  readonly #partsLeft: number[] = []
  /** Reason texts shared by many versions: a million distinct strings would weigh on time and memory. */
  readonly #selectedByGlob = new Map<string, string>()
  readonly #selectionReasons = new Map<string, Map<string, string>>()
  readonly #reasonsBeyondKeepLast = new Map<string, Map<string, string>>()
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
    this.#deletedWith = this.#graph.linked ? new Array<string[] | undefined>(count).fill(undefined) : []
    this.#selection = new Array<string | undefined>(count).fill(undefined)
    this.#visited = new Int32Array(this.#graph.linked ? count : 0)
  }

  plan(): DeletionPlan {
    this.#select()
    this.#protect()
    this.#keepPartsOf(this.#keptVersions())
    if (this.#container) this.#keepLastTagged()
    if (this.#container) this.#keepUntaggedUnlessStructureKnown()
    this.#keepLastVersion()

    const order = this.#deletionOrder()
    const decisions = this.#versions.map((version, p): Decision => {
      const keep = this.#keepReasons[p]
      if (keep !== undefined) return { version, action: 'keep', reasons: keep }
      return { version, action: 'delete', reasons: this.#deleteReasons(p) }
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
      const selection = this.#selectionOf(p)
      if (selection === undefined) continue
      this.#selection[p] = selection
      if (this.#countsForKeepLast(p)) {
        if (++counted <= keepLast) this.#keep(p, keepLastReason)
      }
    }
  }

  /** How an image is selected, or undefined after giving the reason it is not. */
  #selectionOf(p: number): string | undefined {
    const version = this.#versions[p]
    const noDeleteTags = this.#policy.deleteTags.length === 0
    if (!this.#container) {
      if (noDeleteTags) return 'delete: selected (delete-tags is empty: all versions)'
      const glob = this.#deleteTags.match(version.name)
      if (glob !== undefined) return this.#selectedBy(glob)
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
        if (glob !== undefined) return this.#selectedBy(glob)
      }
    }
    this.#keep(p, NOT_SELECTED)
    return undefined
  }

  #selectedBy(glob: string): string {
    let reason = this.#selectedByGlob.get(glob)
    if (reason === undefined)
      this.#selectedByGlob.set(glob, (reason = `delete: selected by delete-tags "${glob}"`))
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
      if (!Number.isFinite(age))
        this.#keep(p, `keep: creation time ${JSON.stringify(version.createdAt)} is not a date`)
      else if (minAgeMs > 0 && age < minAgeMs)
        this.#keep(p, `keep: younger than ${minAgeText} (${ageText(age)} old)`)
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

  #deleteReasons(p: number): string[] {
    const selection = this.#selection[p]
    const deletedWith = this.#graph.linked ? this.#deletedWith[p] : undefined
    if (selection === undefined) return deletedWith ?? []
    const own = this.#selectionReason(selection, this.#nowMs - this.#times[p], this.#countsForKeepLast(p))
    return deletedWith === undefined ? [own] : [own, ...deletedWith]
  }

  /** `<selection>, <age> old`, and why keep-last did not protect the image when it counts it. */
  #selectionReason(selection: string, ageMs: number, counted: boolean): string {
    const { keepLast } = this.#policy
    const beyondKeepLast = counted && keepLast > 0
    const cache = beyondKeepLast ? this.#reasonsBeyondKeepLast : this.#selectionReasons
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
    if (ms < DAY_MS) return ageText(ms)
    const days = Math.floor(ms / DAY_MS)
    return (this.#dayTexts[days] ??= `${days}d`)
  }

  /**
   * Oldest image first, so that a cap on deletions takes the oldest. An image goes before its parts, so that
   * an interrupted run leaves unreferenced parts rather than a broken image, and its referrers go last. A
   * part of several deleted images goes with the newest, after all of them.
   */
  #deletionOrder(): number[] {
    const count = this.#versions.length
    const order: number[] = []
    if (!this.#graph.linked) {
      for (let p = count - 1; p >= 0; p--) if (!this.#kept(p)) order.push(p)
      return order
    }
    // Images newest first, each adding its versions last to first: reversed, the oldest image comes first.
    const placedWith = new Int32Array(count).fill(-1)
    const referrerLine = new Uint8Array(count)
    for (let p = 0; p < count; p++) {
      if (this.#graph.role[p] !== PART && !this.#kept(p))
        this.#deleteImage(p, placedWith, referrerLine, order)
    }
    return order.reverse()
  }

  /**
   * Notes the deletion of `image` on each of its parts, and adds, last to first, the versions to delete with
   * it: those that no newer deleted image took along, parents before children, referrers and their parts
   * last.
   */
  #deleteImage(image: number, placedWith: Int32Array, referrerLine: Uint8Array, reversed: number[]): void {
    const { parts, kinds } = this.#graph
    const start = reversed.length
    if (placedWith[image] === -1) placedWith[image] = image
    if (parts[image] !== undefined) {
      const name = imageName(this.#versions[image])
      const platformManifest = `delete: ${PLATFORM_MANIFEST} of deleted image ${name}`
      const traversal = ++this.#traversal
      this.#visited[image] = traversal
      // Parts are walked last to first, and each version is added once all its parts are: a post-order.
      const path = this.#stack
      const partsLeft = this.#partsLeft
      path.push(image)
      partsLeft.push(parts[image].length)
      while (path.length > 0) {
        const top = path.length - 1
        if (partsLeft[top] > 0) {
          const part = (parts[path[top]] as number[])[--partsLeft[top]]
          if (this.#visited[part] === traversal || this.#kept(part)) continue
          this.#visited[part] = traversal
          const kind = kinds.get(part)
          const reason = kind === undefined ? platformManifest : `delete: ${kind} of deleted image ${name}`
          ;(this.#deletedWith[part] ??= []).push(reason)
          if (placedWith[part] === -1) placedWith[part] = image
          path.push(part)
          partsLeft.push(parts[part]?.length ?? 0)
        } else {
          const done = path.pop() as number
          partsLeft.pop()
          if (placedWith[done] === image) reversed.push(done)
        }
      }
    } else if (placedWith[image] === image) reversed.push(image)
    moveReferrersLast(reversed, start, parts, kinds, placedWith, referrerLine)
  }
}

/**
 * In `reversed` from `start` (one image's versions, last to first), puts the referrers and everything under
 * them before the rest, keeping the order within each: once reversed, they come last.
 */
function moveReferrersLast(
  reversed: number[],
  start: number,
  parts: readonly (number[] | undefined)[],
  kinds: ReadonlyMap<number, string>,
  placedWith: Int32Array,
  referrerLine: Uint8Array
): void {
  let referrers = 0
  for (let i = reversed.length - 1; i >= start; i--) {
    const p = reversed[i]
    if (!referrerLine[p] && !kinds.has(p)) continue
    referrerLine[p] = 1
    referrers++
    for (const part of parts[p] ?? NO_PARTS) if (placedWith[part] === placedWith[p]) referrerLine[part] = 1
  }
  if (referrers === 0 || referrers === reversed.length - start) return
  const group = reversed.splice(start)
  for (const p of group) if (referrerLine[p]) reversed.push(p)
  for (const p of group) if (!referrerLine[p]) reversed.push(p)
}

/** Newest first by creation time, then by id (at the same instant the higher id is the newer). */
function newestFirst(versions: readonly PackageVersion[]): { sorted: PackageVersion[]; times: Float64Array } {
  const count = versions.length
  const inputTimes = new Float64Array(count)
  for (let i = 0; i < count; i++) inputTimes[i] = parseTime(versions[i].createdAt)
  const compare = (a: number, b: number): number =>
    inputTimes[b] - inputTimes[a] || versions[b].id - versions[a].id
  let ordered = true
  for (let i = 1; i < count && ordered; i++) ordered = compare(i - 1, i) <= 0
  // GitHub lists newest first, so sorting is usually a check (and otherwise mostly merging runs).
  if (ordered) return { sorted: versions.slice(), times: inputTimes }
  const order = new Array<number>(count)
  for (let i = 0; i < count; i++) order[i] = i
  order.sort(compare)
  const sorted = new Array<PackageVersion>(count)
  const times = new Float64Array(count)
  for (let i = 0; i < count; i++) {
    sorted[i] = versions[order[i]]
    times[i] = inputTimes[order[i]]
  }
  return { sorted, times }
}

/**
 * Milliseconds since the epoch; an unreadable time sorts as the newest and protects its version. GitHub's
 * `2024-05-01T12:34:56Z` is read by hand: Date.parse is the slowest step on a million versions. Anything
 * else, and any field out of range, is left to Date.parse.
 */
export function parseTime(iso: string): number {
  if (looksLikeGitHubTime(iso)) {
    const year = digits(iso, 0, 4)
    const month = digits(iso, 5, 7)
    const day = digits(iso, 8, 10)
    const hours = digits(iso, 11, 13)
    const minutes = digits(iso, 14, 16)
    const seconds = digits(iso, 17, 19)
    const valid = year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31
    if (valid && hours >= 0 && hours < 24 && minutes >= 0 && minutes < 60 && seconds >= 0 && seconds < 60) {
      return (((daysSinceEpoch(year, month, day) * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000
    }
  }
  const time = Date.parse(iso)
  return Number.isNaN(time) ? Infinity : time
}

/** The shape of `2024-05-01T12:34:56Z`; its digits are checked as they are read. */
function looksLikeGitHubTime(iso: string): boolean {
  return (
    iso.length === 20 &&
    iso[4] === '-' &&
    iso[7] === '-' &&
    iso[10] === 'T' &&
    iso[13] === ':' &&
    iso[16] === ':' &&
    iso[19] === 'Z'
  )
}

/** The number written in `text` from `from` to `to`, or -1 if a char there is not a digit. */
function digits(text: string, from: number, to: number): number {
  let value = 0
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 48
    if (digit < 0 || digit > 9) return -1
    value = value * 10 + digit
  }
  return value
}

/** Days since 1970-01-01 (proleptic Gregorian); a day past the month's end rolls over, as in Date.parse. */
function daysSinceEpoch(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yearOfEra = y - era * 400
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  return era * 146_097 + dayOfEra - 719_468
}

function imageName(version: PackageVersion): string {
  return version.tags[0] ?? version.name
}

const DAY_MS = 86_400_000

function ageText(ms: number): string {
  if (ms >= DAY_MS) return `${Math.floor(ms / DAY_MS)}d`
  if (ms >= 3_600_000) return `${Math.floor(ms / 3_600_000)}h`
  if (ms >= 60_000) return `${Math.floor(ms / 60_000)}m`
  return `${Math.max(0, Math.floor(ms / 1000))}s`
}
