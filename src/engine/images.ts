import type { ImageStructure, PackageVersion } from '../types.js'

/** A container version is an image of its own, a part of images only, or a referrer whose subject is gone. */
export const IMAGE = 0
export const PART = 1
export const ORPHAN = 2

/** What a child manifest is to its image, in reasons. */
export const PLATFORM_MANIFEST = 'platform manifest'

/**
 * How the versions of a container package (indexed as given) hang together. A version is an image when it is
 * tagged (and refers to no subject) or nothing refers to it; its parts are its child manifests and the
 * versions that refer to it (signatures, attestations, OCI 1.1 referrers), recursively. A part may belong to
 * several images, and a tagged child is both a part of its index and an image of its own.
 */
export interface ImageGraph {
  /** Per version: IMAGE, PART or ORPHAN. */
  role: Uint8Array
  /** Per version: the versions that go with it (children, then referrers); undefined when none. */
  parts: (number[] | undefined)[]
  /** What each referrer is to its subject (`signature`, ...); every other part is a platform manifest. */
  kinds: Map<number, string>
  /** Per orphan: the digest of its missing subject. */
  subjects: Map<number, string>
  /** Whether any version is a part of another; when none is, every version stands alone. */
  linked: boolean
  /**
   * Tagged versions that are parts of another (a platform manifest of `docker manifest create`): images of
   * their own, but never counted as images for keep-last.
   */
  taggedParts: Set<number>
}

/**
 * `sha256-<hex>.sig|.att|.sbom` tag cosign's signatures, attestations and SBOMs; a bare `sha256-<hex>` tags
 * the index of the OCI 1.1 referrers tag schema. Either names its subject, `sha256:<hex>`, without reading
 * the registry.
 */
const SUBJECT_TAG = /^sha256-([0-9a-f]{64})(?:\.(sig|att|sbom))?$/
const KIND_OF_SUFFIX: Record<string, string> = { sig: 'signature', att: 'attestation', sbom: 'SBOM' }
const REFERRER = 'referrer'

/** An image whose index lists manifests that are not among the package's versions. */
export interface IncompleteImage {
  version: PackageVersion
  /** The listed manifests that are gone; all of them for a ghost image, which no longer pulls. */
  missing: string[]
  listed: number
}

/**
 * The indexes read whose listed manifests are not all among the versions: a ghost image (none left) no longer
 * pulls; a partial one fails on the platforms that are gone.
 */
export function incompleteImages(
  versions: readonly PackageVersion[],
  structure: ImageStructure
): IncompleteImage[] {
  const names = new Set(versions.map(version => version.name))
  const incomplete: IncompleteImage[] = []
  for (const version of versions) {
    const children = structure.get(version.name)?.children ?? []
    const missing = children.filter(child => !names.has(child))
    if (missing.length > 0) incomplete.push({ version, missing, listed: children.length })
  }
  return incomplete
}

export function isGhost(image: IncompleteImage): boolean {
  return image.missing.length === image.listed
}

/** How reasons name an image: by its first tag, else its digest. */
/** Has at least one tag. A version whose tags are unknown has none listed, so it is not tagged either. */
export function isTagged(version: Pick<PackageVersion, 'tags'>): boolean {
  return version.tags.length > 0
}

/** Known to have no tag: listed with an empty tag list, not one whose tags are unknown. */
export function isUntagged(version: Pick<PackageVersion, 'tags' | 'tagsUnknown'>): boolean {
  return version.tags.length === 0 && version.tagsUnknown !== true
}

export function imageName(version: PackageVersion): string {
  return version.tags[0] ?? shortDigest(version.name)
}

/** A digest as people read it: `sha256:0c7f60d6…`; any other name as it is. */
export function shortDigest(name: string): string {
  return /^sha256:[0-9a-f]{64}$/.test(name) ? `${name.slice(0, 15)}…` : name
}

/** Whether a tag is cosign's, whose manifest has no children to read (its subject is in the tag). */
export function isCosignTag(tag: string): boolean {
  return SUBJECT_TAG.exec(tag)?.[2] !== undefined
}

interface Reference {
  subject: string
  kind: string
}

function tagReference(version: Pick<PackageVersion, 'tags'>): Reference | undefined {
  for (const tag of version.tags) {
    const match = SUBJECT_TAG.exec(tag)
    if (match !== null) {
      return {
        subject: `sha256:${match[1]}`,
        kind: match[2] === undefined ? REFERRER : KIND_OF_SUFFIX[match[2]]
      }
    }
  }
  return undefined
}

/** A graph where every version stands alone: other package types, or containers without known relations. */
export function unlinkedGraph(count: number): ImageGraph {
  return {
    role: new Uint8Array(count),
    parts: [],
    kinds: new Map(),
    subjects: new Map(),
    linked: false,
    taggedParts: new Set()
  }
}

/** What linking needs of a version: its digest and tags. */
type Linkable = Pick<PackageVersion, 'name' | 'tags' | 'tagsUnknown'>

/** Links the versions (in the planner's order) into images, by cosign tags and the manifests read. */
export function linkImages(versions: readonly Linkable[], structure: ImageStructure | undefined): ImageGraph {
  const count = versions.length
  const graph = unlinkedGraph(count)
  const references = new Map<number, Reference>()
  for (let p = 0; p < count; p++) {
    const reference = tagReference(versions[p])
    if (reference !== undefined) references.set(p, reference)
  }
  if (references.size === 0 && (structure === undefined || structure.size === 0)) return graph

  const index = new NameIndex(versions)
  graph.parts = new Array<number[] | undefined>(count).fill(undefined)
  const isPart = new Uint8Array(count)
  const link = (whole: number, part: number): void => {
    ;(graph.parts[whole] ??= []).push(part)
    isPart[part] = 1
    graph.linked = true
  }
  // The manifests read are far fewer than the versions: look each up rather than each version in them.
  structure?.forEach((manifest, digest) => {
    const p = index.get(digest)
    if (p === -1) return
    for (const child of manifest.children) {
      const c = index.get(child)
      if (c !== -1 && c !== p) link(p, c)
    }
    if (manifest.subject !== undefined && !references.has(p)) {
      references.set(p, { subject: manifest.subject, kind: REFERRER })
    }
  })
  // Referrers after the children, newest first, whatever the order of `structure`.
  for (const p of [...references.keys()].sort((a, b) => a - b)) {
    const reference = references.get(p) as Reference
    const subject = index.get(reference.subject)
    if (subject === p) continue
    graph.kinds.set(p, reference.kind)
    if (subject === -1) graph.subjects.set(p, reference.subject)
    else link(subject, p)
  }
  for (let p = 0; p < count; p++) {
    if (!isPart[p]) continue
    if (!isTagged(versions[p])) graph.role[p] = PART
    else graph.taggedParts.add(p)
  }
  for (const referrer of graph.kinds.keys())
    graph.role[referrer] = graph.subjects.has(referrer) ? ORPHAN : PART
  if (graph.linked) adoptUnreachable(graph)
  return graph
}

/** Parts that no image reaches (a cycle of children) become images, so that every version is decided. */
function adoptUnreachable(graph: ImageGraph): void {
  const walker = new PartsWalker(graph)
  const reached = new Uint8Array(graph.role.length)
  const notYetReached = (part: number): boolean => !reached[part]
  const reach = (start: number): void => {
    reached[start] = 1
    for (const part of walker.partsOf(start, notYetReached)) reached[part] = 1
  }
  for (let p = 0; p < graph.role.length; p++) if (graph.role[p] !== PART) reach(p)
  for (let p = 0; p < graph.role.length; p++) {
    if (!reached[p]) {
      graph.role[p] = IMAGE
      reach(p)
    }
  }
}

/**
 * The one walk over an image's parts (its child manifests and referrers, recursively), for every question of
 * what an image takes along or what keeps a part: the planner's kept and young parts, the deletion order, the
 * parts a kept image needs after the run, and what a refused image holds back. Each walk visits a version at
 * most once, however many ways lead to it; cycles end. Walks use their own stacks: an image of a hundred
 * thousand nested parts does not overflow the call stack. One walker serves many walks, one at a time.
 */
export class PartsWalker {
  readonly #parts: readonly (readonly number[] | undefined)[]
  /** Marks the versions one walk has visited, with a number per walk. */
  readonly #visited: Int32Array
  #walk = 0
  readonly #stack: number[] = []
  readonly #partsLeft: number[] = []
  readonly #order: number[] = []

  constructor(graph: Pick<ImageGraph, 'parts' | 'linked' | 'role'>) {
    this.#parts = graph.parts
    this.#visited = new Int32Array(graph.linked ? graph.role.length : 0)
  }

  /**
   * The parts of `image`, recursively, each once: below a part only when `below(part)` says so (always, without
   * `below`). The list is the walker's own, valid until its next walk.
   */
  partsOf(image: number, below?: (part: number) => boolean): readonly number[] {
    const parts = this.#parts
    if (parts[image] === undefined) return NO_PARTS
    const reached = this.#order
    reached.length = 0
    const walk = ++this.#walk
    const visited = this.#visited
    const stack = this.#stack
    visited[image] = walk
    stack.push(image)
    while (stack.length > 0) {
      for (const part of parts[stack.pop() as number] ?? NO_PARTS) {
        if (visited[part] === walk) continue
        visited[part] = walk
        reached.push(part)
        if (below === undefined || below(part)) stack.push(part)
      }
    }
    return reached
  }

  /**
   * Depth first from `image`, its parts taken last to first, leaving out the parts `skip` names (and what is
   * below them unless reached another way): the versions reached, each after everything below it, `image`
   * last. The list is the walker's own, valid until its next walk.
   */
  postOrder(image: number, skip: (part: number) => boolean): readonly number[] {
    const parts = this.#parts
    const walk = ++this.#walk
    const visited = this.#visited
    const path = this.#stack
    const partsLeft = this.#partsLeft
    const order = this.#order
    order.length = 0
    visited[image] = walk
    path.push(image)
    partsLeft.push(parts[image]?.length ?? 0)
    while (path.length > 0) {
      const top = path.length - 1
      if (partsLeft[top] > 0) {
        const part = (parts[path[top]] as number[])[--partsLeft[top]]
        if (visited[part] === walk || skip(part)) continue
        visited[part] = walk
        path.push(part)
        partsLeft.push(parts[part]?.length ?? 0)
      } else {
        partsLeft.pop()
        order.push(path.pop() as number)
      }
    }
    return order
  }
}

/** The parts of a version that has none. */
export const NO_PARTS: readonly number[] = []

/**
 * The first (newest) version of each name, by open addressing. A Map<string, number> costs a few hundred ns
 * an operation on a million long keys; digests are hashes already, so their last characters make the slot,
 * and the slots keep the hashes so that a probe rarely has to compare names.
 */
class NameIndex {
  readonly #versions: readonly Linkable[]
  readonly #positions: Int32Array
  readonly #hashes: Int32Array
  readonly #mask: number

  constructor(versions: readonly Linkable[]) {
    this.#versions = versions
    let size = 2
    while (size < versions.length * 2) size *= 2
    this.#positions = new Int32Array(size).fill(-1)
    this.#hashes = new Int32Array(size)
    this.#mask = size - 1
    for (let p = 0; p < versions.length; p++) {
      const hash = lastCharsHash(versions[p].name)
      const slot = this.#slotOf(versions[p].name, hash)
      if (this.#positions[slot] === -1) {
        this.#positions[slot] = p
        this.#hashes[slot] = hash
      }
    }
  }

  /** The position of the version named `name`, or -1. */
  get(name: string): number {
    return this.#positions[this.#slotOf(name, lastCharsHash(name))]
  }

  /** The slot holding `name`, or the empty one where it would go. */
  #slotOf(name: string, hash: number): number {
    for (let slot = hash & this.#mask; ; slot = (slot + 1) & this.#mask) {
      const p = this.#positions[slot]
      if (p === -1 || (this.#hashes[slot] === hash && this.#versions[p].name === name)) return slot
    }
  }
}

/** FNV-1a of the last 16 characters, as a signed 32-bit integer. */
function lastCharsHash(text: string): number {
  let hash = 0x811c9dc5
  for (let i = Math.max(0, text.length - 16); i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193)
  }
  return hash
}
