/**
 * The check after writing, pure: what a package's listing after the run says about the run. Every version
 * reported deleted must be gone, every kept image must still have its parts, and versions that came or went
 * without the run are named. Also what a plan expects to stay: the parts of each kept image.
 */
import { PartsWalker, linkImages } from '../engine/images.js'
import type {
  AfterRunCheck,
  DeletionPlan,
  ExecutedWrite,
  Failure,
  ImageStructure,
  PackageReport,
  PackageVersion,
  VersionRef
} from '../types.js'

/** The plan with, per kept image that has parts, all its parts (recursively) as the manifests showed. */
export function withKeptParts(plan: DeletionPlan, structure: ImageStructure | undefined): DeletionPlan {
  if (structure === undefined || structure.size === 0) return plan
  const versions = plan.decisions.map(d => d.version)
  const graph = linkImages(versions, structure)
  if (!graph.linked) return plan
  const walker = new PartsWalker(graph)
  const keptParts: Record<number, VersionRef[]> = {}
  plan.decisions.forEach((d, p) => {
    if (d.action === 'keep' && graph.parts[p] !== undefined)
      keptParts[d.version.id] = walker.partsOf(p).map(q => versions[q])
  })
  return { ...plan, keptParts }
}

/** A write sent that failed without a definite refusal (no answer, or a server error) may still have been done. */
function mayHaveGone(failure: Failure): boolean {
  return failure.cause === 'no-answer' || failure.cause === 'server-error'
}

/**
 * Compares the listing after the run with the plan and the writes: returns the writes (those reported done
 * but still listed moved to failed) and the check.
 */
export function checkRun(
  pkg: PackageReport,
  after: readonly PackageVersion[]
): { writes: ExecutedWrite[]; check: AfterRunCheck } {
  const listed = new Map(after.map(v => [v.id, v]))
  const before = new Map((pkg.plan?.decisions ?? []).map(d => [d.version.id, d.version]))
  const touched = new Set(pkg.writes.map(w => w.version.id))
  const ref = (v: VersionRef): VersionRef => ({ id: v.id, name: v.name, tags: v.tags })
  let confirmed = 0
  const stillListed: VersionRef[] = []
  const writes = pkg.writes.map((w): ExecutedWrite => {
    if (w.outcome.kind === 'failed' && mayHaveGone(w.outcome) && !listed.has(w.version.id)) {
      confirmed++
      const status = w.outcome.cause === 'server-error' ? w.outcome.status : 'no answer'
      const note = `reported failed (${status}), but gone at the check after the run: deleted by this run`
      return { ...w, outcome: { kind: 'done', note } }
    }
    if (w.outcome.kind !== 'done') return w
    if (!listed.has(w.version.id)) {
      confirmed++
      return w
    }
    stillListed.push(ref(w.version))
    return {
      ...w,
      outcome: {
        kind: 'failed',
        cause: 'still-listed',
        message: 'GitHub answered the delete with success, but the version is still listed after the run'
      }
    }
  })
  const brokenImages: AfterRunCheck['brokenImages'] = []
  for (const [id, parts] of Object.entries(pkg.plan?.keptParts ?? {})) {
    const image = listed.get(Number(id))
    if (image === undefined) continue
    const missing = parts.filter(part => !listed.has(part.id)).map(ref)
    if (missing.length > 0) brokenImages.push({ image: ref(image), missing })
  }
  const disappeared = [...before.values()].filter(v => !listed.has(v.id) && !touched.has(v.id)).map(ref)
  const appeared = after.filter(v => !before.has(v.id)).map(ref)
  return { writes, check: { confirmed, stillListed, brokenImages, disappeared, appeared } }
}
