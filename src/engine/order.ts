/**
 * The order in which a plan's deletions go: oldest image first, so that a cap on deletions takes the oldest;
 * an image before its parts, so that an interrupted run leaves unreferenced parts rather than a broken image;
 * its referrers last. Pure, like the rest of the engine.
 */
import { NO_PARTS, PART, PLATFORM_MANIFEST, imageName, type ImageGraph, type PartsWalker } from './images.js'
import { also, say, type Said } from './reasons.js'
import type { PackageVersion } from '../types.js'

export interface DeletionOrder {
  /** Positions (in the planner's newest-first order) of the versions to delete, in the order to delete them. */
  order: number[]
  /** Per part of a deleted image: why it goes, naming each image that takes it along. */
  deletedWith: (Said | undefined)[]
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
  readonly #deletedWith: (Said | undefined)[]
  readonly #takenBy: (readonly number[] | undefined)[]
  readonly #placedWith: Int32Array
  readonly #referrerLine: Uint8Array

  constructor(
    private readonly versions: readonly PackageVersion[],
    private readonly graph: ImageGraph,
    private readonly walker: PartsWalker,
    private readonly kept: (p: number) => boolean
  ) {
    const count = graph.linked ? versions.length : 0
    this.#deletedWith = new Array<Said | undefined>(count).fill(undefined)
    this.#takenBy = new Array<readonly number[] | undefined>(count).fill(undefined)
    this.#placedWith = new Int32Array(count).fill(-1)
    this.#referrerLine = new Uint8Array(count)
  }

  walk(): DeletionOrder {
    const count = this.versions.length
    const order: number[] = []
    if (!this.graph.linked) {
      for (let p = count - 1; p >= 0; p--) if (!this.kept(p)) order.push(p)
      return { order, deletedWith: this.#deletedWith, takenBy: this.#takenBy }
    }
    // Images newest first, each adding its versions last to first: reversed, the oldest image comes first.
    for (let p = 0; p < count; p++) {
      if (this.graph.role[p] !== PART && !this.kept(p)) this.#deleteImage(p, order)
    }
    return { order: order.reverse(), deletedWith: this.#deletedWith, takenBy: this.#takenBy }
  }

  /**
   * Notes the deletion of `image` on each of its parts, and adds, last to first, the versions to delete with
   * it: those that no newer deleted image took along, parents before children (a post-order of the parts
   * walked last to first), referrers and their parts last.
   */
  #deleteImage(image: number, reversed: number[]): void {
    const { parts, kinds } = this.graph
    const placedWith = this.#placedWith
    const start = reversed.length
    if (placedWith[image] === -1) placedWith[image] = image
    if (parts[image] === undefined) {
      if (placedWith[image] === image) reversed.push(image)
      return
    }
    const walked = this.walker.postOrder(image, this.kept)
    const name = imageName(this.versions[image])
    const platformManifest = say({ kind: 'part-of-deleted-image', part: PLATFORM_MANIFEST, image: name })
    const imageId = this.versions[image].id
    const takenByThis: readonly number[] = [imageId]
    for (let i = 0; i < walked.length - 1; i++) {
      const part = walked[i]
      const kind = kinds.get(part)
      const reason =
        kind === undefined
          ? platformManifest
          : say({ kind: 'part-of-deleted-image', part: kind, image: name })
      this.#deletedWith[part] = also(this.#deletedWith[part], reason)
      const takenBy = this.#takenBy[part]
      this.#takenBy[part] = takenBy === undefined ? takenByThis : [...takenBy, imageId]
      if (placedWith[part] === -1) placedWith[part] = image
    }
    for (const done of walked) if (placedWith[done] === image) reversed.push(done)
    moveReferrersLast(reversed, start, this.graph, placedWith, this.#referrerLine)
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
