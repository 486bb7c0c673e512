/**
 * The order in which a plan's deletions go: oldest image first, so that a cap on deletions takes the oldest;
 * an image before its parts, so that an interrupted run leaves unreferenced parts rather than a broken image;
 * its referrers last. Pure, like the rest of the engine.
 */
import { PART, PLATFORM_MANIFEST, imageName, type ImageGraph, type PartsWalker } from './images.js'
import type { PackageVersion } from '../types.js'

const NO_PARTS: readonly number[] = []

export interface DeletionOrder {
  /** Positions (in the planner's newest-first order) of the versions to delete, in the order to delete them. */
  order: number[]
  /** Per part of a deleted image: why it goes, naming each image that takes it along. */
  deletedWith: (string[] | undefined)[]
  /**
   * Per part of a deleted image: the ids of the images whose deletion takes it along. The parts of one image
   * share one array (a million versions would otherwise make a million arrays): never change one.
   */
  takenBy: (readonly number[] | undefined)[]
}

/**
 * `versions` newest first, `kept(p)` whether the plan keeps the version at position p. A part of several
 * deleted images goes with the newest, after all of them.
 */
export function deletionOrder(
  versions: readonly PackageVersion[],
  graph: ImageGraph,
  walker: PartsWalker,
  kept: (p: number) => boolean
): DeletionOrder {
  return new OrderWalk(versions, graph, walker, kept).walk()
}

class OrderWalk {
  readonly #deletedWith: (string[] | undefined)[]
  readonly #takenBy: (readonly number[] | undefined)[]
  readonly #placedWith: Int32Array
  readonly #referrerLine: Uint8Array
  /** The versions in deletion order, last to first. */
  readonly #reversed: number[] = []
  /** The image being walked, and what its parts' reasons and takenBy say. */
  #image = -1
  #name = ''
  #platformManifest = ''
  #takenByImage: readonly number[] = []

  constructor(
    private readonly versions: readonly PackageVersion[],
    private readonly graph: ImageGraph,
    private readonly walker: PartsWalker,
    private readonly kept: (p: number) => boolean
  ) {
    const count = graph.linked ? versions.length : 0
    this.#deletedWith = new Array<string[] | undefined>(count).fill(undefined)
    this.#takenBy = new Array<readonly number[] | undefined>(count).fill(undefined)
    this.#placedWith = new Int32Array(count).fill(-1)
    this.#referrerLine = new Uint8Array(count)
  }

  walk(): DeletionOrder {
    const count = this.versions.length
    const order = this.#reversed
    if (!this.graph.linked) {
      for (let p = count - 1; p >= 0; p--) if (!this.kept(p)) order.push(p)
      return { order, deletedWith: this.#deletedWith, takenBy: this.#takenBy }
    }
    // Images newest first, each adding its versions last to first: reversed, the oldest image comes first.
    for (let p = 0; p < count; p++) {
      if (this.graph.role[p] !== PART && !this.kept(p)) this.#deleteImage(p)
    }
    return { order: order.reverse(), deletedWith: this.#deletedWith, takenBy: this.#takenBy }
  }

  /**
   * Notes the deletion of `image` on each of its parts, and adds, last to first, the versions to delete with
   * it: those that no newer deleted image took along, parents before children (a post-order of the parts
   * walked last to first), referrers and their parts last.
   */
  #deleteImage(image: number): void {
    const start = this.#reversed.length
    if (this.#placedWith[image] === -1) this.#placedWith[image] = image
    this.#image = image
    if (this.graph.parts[image] !== undefined) {
      this.#name = imageName(this.versions[image])
      this.#platformManifest = `delete: ${PLATFORM_MANIFEST} of deleted image ${this.#name}`
      this.#takenByImage = [this.versions[image].id]
      this.walker.postOrder(image, this.#enter, this.#place)
    } else this.#place(image)
    moveReferrersLast(this.#reversed, start, this.graph, this.#placedWith, this.#referrerLine)
  }

  /** A part of the image being deleted: goes with it unless kept, noting why and which images take it. */
  readonly #enter = (part: number): boolean => {
    if (this.kept(part)) return false
    const kind = this.graph.kinds.get(part)
    const reason =
      kind === undefined ? this.#platformManifest : `delete: ${kind} of deleted image ${this.#name}`
    ;(this.#deletedWith[part] ??= []).push(reason)
    const takenBy = this.#takenBy[part]
    this.#takenBy[part] =
      takenBy === undefined ? this.#takenByImage : [...takenBy, this.versions[this.#image].id]
    if (this.#placedWith[part] === -1) this.#placedWith[part] = this.#image
    return true
  }

  /** Once everything below it is placed: a version no newer deleted image took along goes here. */
  readonly #place = (done: number): void => {
    if (this.#placedWith[done] === this.#image) this.#reversed.push(done)
  }
}

/**
 * In `reversed` from `start` (one image's versions, last to first), puts the referrers and everything under
 * them before the rest, keeping the order within each: once reversed, they come last.
 */
function moveReferrersLast(
  reversed: number[],
  start: number,
  { parts, kinds }: ImageGraph,
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
