/**
 * Versions as versions: a version name (containers: a tag) read as a semantic version with node-semver's rules,
 * ranges, pre-releases, precedence and lines. Pure.
 */
import semver, { type SemVer } from 'semver'
import { SEMVER_ITEM, compileGlobList, itemProblem, type GlobMatcher } from './globs.js'
import type { PackageVersion, PrereleaseFilter } from '../types.js'

export { SEMVER_ITEM }

/** A name as a semantic version (node-semver's strict grammar, a leading `v` allowed), or undefined. */
export function semverOf(name: string): SemVer | undefined {
  return semver.parse(name) ?? undefined
}

/** Why `range` is not a node-semver range, in words for an error message; undefined when it is one. */
export function rangeProblem(range: string): string | undefined {
  if (range.trim() === '') return 'the range is empty'
  return semver.validRange(range) === null
    ? 'is not a node-semver range (such as <2.0.0, ^1.4, 1.x)'
    : undefined
}

/**
 * A range compiled once: whether a version satisfies it, without `includePrerelease` (a pre-release satisfies
 * a range only when the range names a pre-release of the same major.minor.patch); no version never does.
 */
export function compileRange(range: string): (version: SemVer | undefined) => boolean {
  const compiled = new semver.Range(range)
  return version => version !== undefined && compiled.test(version)
}

/**
 * The version a package version stands for: its name, or for a container image the highest of its tags that
 * are semantic versions (an image tagged `2.0.0-rc.1` and then `2.0.0` is 2.0.0); undefined when none is.
 */
export function versionOf(version: PackageVersion, container: boolean): SemVer | undefined {
  if (!container) return semverOf(version.name)
  let highest: SemVer | undefined
  for (const tag of version.tags) {
    const parsed = semverOf(tag)
    if (parsed !== undefined && (highest === undefined || semver.compareBuild(parsed, highest) > 0))
      highest = parsed
  }
  return highest
}

/** Whether `prerelease` lets a version through: `only` pre-releases, `exclude` none, `include` all. */
export function passesPrerelease(filter: PrereleaseFilter, version: SemVer | undefined): boolean {
  if (filter === 'include') return true
  const pre = version !== undefined && version.prerelease.length > 0
  return filter === 'only' ? pre : !pre
}

/** The line a version belongs to under `per`: `2` (major) or `2.3` (minor); undefined when it is no version. */
export function lineOf(version: SemVer | undefined, per: 'major' | 'minor'): string | undefined {
  if (version === undefined) return undefined
  return per === 'major' ? String(version.major) : `${version.major}.${version.minor}`
}

/**
 * Sorts positions (given newest first by creation time) by precedence, highest first; equal precedence (build
 * metadata apart) keeps the creation order, newest first; those with no version go after, by time. Stable.
 */
export function byPrecedence(positions: number[], versions: readonly (SemVer | undefined)[]): number[] {
  return positions
    .map((p, i) => ({ p, i, v: versions[p] }))
    .sort((a, b) => {
      if (a.v === undefined || b.v === undefined) return a.v === b.v ? a.i - b.i : a.v === undefined ? 1 : -1
      // SemVer#compare, its main part inlined: most pairs differ there.
      const main = b.v.major - a.v.major || b.v.minor - a.v.minor || b.v.patch - a.v.patch
      return main || b.v.comparePre(a.v) || a.i - b.i
    })
    .map(entry => entry.p)
}

/**
 * A list of input items: globs, expressions and `semver:RANGE` items, any of them after a `!` to exclude. A
 * value matches when it matches an item and no exclusion (a range: when it is a version in the range); a list
 * of exclusions only means "everything except". The match is named by the item, as written.
 */
export function compileMatchList(items: readonly string[]): GlobMatcher {
  return compileGlobList(items, body => {
    if (!body.startsWith(SEMVER_ITEM)) return undefined
    const test = compileRange(body.slice(SEMVER_ITEM.length))
    return value => test(semverOf(value))
  })
}

/** Why an item of delete-tags or keep-tags is not usable, as itemProblem says; a range is checked as one. */
export function matchItemProblem(item: string): string | undefined {
  const body = item.startsWith('!') ? item.slice(1) : item
  if (!body.startsWith(SEMVER_ITEM)) return itemProblem(item)
  const problem = rangeProblem(body.slice(SEMVER_ITEM.length))
  return problem && `${JSON.stringify(item)} ${problem}`
}
