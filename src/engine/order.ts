/**
 * The order in which a plan's deletions go: oldest image first, so that a cap on deletions takes the oldest;
 * an image before its parts, so that an interrupted run leaves unreferenced parts rather than a broken image;
 * its referrers last. Pure, like the rest of the engine.
 */
import { PART, PLATFORM_MANIFEST, imageName, type ImageGraph } from './images.js'
import { also, say, type Said } from './reasons.js'
import type { PackageVersion } from '../types.js'

const NO_PARTS: readonly number[] = []

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
  kept: (p: number) => boolean
): DeletionOrder {
  return new OrderWalk(versions, graph, kept).walk()
}

class OrderWalk {
  readonly #deletedWith: (Said | undefined)[]
  readonly #takenBy: (readonly number[] | undefined)[]
  /** Marks the versions one image's walk has visited, with a number per walk. */
  readonly #visited: Int32Array
  #walk = 0
  /** Scratch stacks for the post-order walk. */
  readonly #path: number[] = []
  readonly #partsLeft: number[] = []

  constructor(
    private readonly versions: readonly PackageVersion[],
    private readonly graph: ImageGraph,
    private readonly kept: (p: number) => boolean
  ) {
    const count = graph.linked ? versions.length : 0
    this.#deletedWith = new Array<Said | undefined>(count).fill(undefined)
    this.#takenBy = new Array<readonly number[] | undefined>(count).fill(undefined)
    this.#visited = new Int32Array(count)
  }

  walk(): DeletionOrder {
    const count = this.versions.length
    const order: number[] = []
    if (!this.graph.linked) {
      for (let p = count - 1; p >= 0; p--) if (!this.kept(p)) order.push(p)
      return { order, deletedWith: this.#deletedWith, takenBy: this.#takenBy }
    }
    // Images newest first, each adding its versions last to first: reversed, the oldest image comes first.
    const placedWith = new Int32Array(count).fill(-1)
    const referrerLine = new Uint8Array(count)
    for (let p = 0; p < count; p++) {
      if (this.graph.role[p] !== PART && !this.kept(p)) this.#deleteImage(p, placedWith, referrerLine, order)
    }
    return { order: order.reverse(), deletedWith: this.#deletedWith, takenBy: this.#takenBy }
  }

  /**
   * Notes the deletion of `image` on each of its parts, and adds, last to first, the versions to delete with
   * it: those that no newer deleted image took along, parents before children, referrers and their parts
   * last.
   */
  #deleteImage(image: number, placedWith: Int32Array, referrerLine: Uint8Array, reversed: number[]): void {
    const { parts, kinds } = this.graph
    const start = reversed.length
    if (placedWith[image] === -1) placedWith[image] = image
    if (parts[image] !== undefined) {
      const name = imageName(this.versions[image])
      const platformManifest = say({ kind: 'part-of-deleted-image', part: PLATFORM_MANIFEST, image: name })
      const imageId = this.versions[image].id
      const takenByThis: readonly number[] = [imageId]
      const traversal = ++this.#walk
      this.#visited[image] = traversal
      // Parts are walked last to first, and each version is added once all its parts are: a post-order.
      const path = this.#path
      const partsLeft = this.#partsLeft
      path.push(image)
      partsLeft.push(parts[image].length)
      while (path.length > 0) {
        const top = path.length - 1
        if (partsLeft[top] > 0) {
          const part = (parts[path[top]] as number[])[--partsLeft[top]]
          if (this.#visited[part] === traversal || this.kept(part)) continue
          this.#visited[part] = traversal
          const kind = kinds.get(part)
          const reason =
            kind === undefined
              ? platformManifest
              : say({ kind: 'part-of-deleted-image', part: kind, image: name })
          this.#deletedWith[part] = also(this.#deletedWith[part], reason)
          const takenBy = this.#takenBy[part]
          this.#takenBy[part] = takenBy === undefined ? takenByThis : [...takenBy, imageId]
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
