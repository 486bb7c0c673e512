/**
 * The data that flows between the steps: config → versions → plan → results, and the narrow interfaces the
 * steps share. Plain, serialisable values; every module may import this one.
 */

export const PACKAGE_TYPES = ['npm', 'maven', 'rubygems', 'docker', 'nuget', 'container'] as const
export type PackageType = (typeof PACKAGE_TYPES)[number]

export const UNTAGGED_MODES = ['include', 'only', 'exclude'] as const
export type UntaggedMode = (typeof UNTAGGED_MODES)[number]

/** A rule's `prerelease`: only pre-releases, none, or all (the default). */
export const PRERELEASE_FILTERS = ['include', 'only', 'exclude'] as const
export type PrereleaseFilter = (typeof PRERELEASE_FILTERS)[number]

/** How keep-last counts: newest created first (the default), or highest version first. */
export const VERSION_ORDERS = ['created', 'semver'] as const
export type VersionOrder = (typeof VERSION_ORDERS)[number]

/** Lines keep-last counts within: a major (`2`) or a minor (`2.3`). */
export const VERSION_LINES = ['major', 'minor'] as const
export type VersionLine = (typeof VERSION_LINES)[number]

/** One version of one package, as the planner needs it (the client maps GitHub's objects to this). */
export interface PackageVersion {
  id: number
  /** Version name; for containers the manifest digest (`sha256:...`). */
  name: string
  /** Container tags (`metadata.container.tags`); `[]` for untagged images and for other package types. */
  tags: string[]
  /** ISO-8601 timestamps as GitHub sends them. */
  createdAt: string
  updatedAt: string
  /** The version's page on GitHub (the API's `html_url`), when GitHub sent one. */
  htmlUrl?: string
  /**
   * Containers: true when GitHub sent no tag list (missing or null), so whether the version is tagged is
   * unknown; the engine keeps such a version. Absent otherwise.
   */
  tagsUnknown?: boolean
}

/** A version as listed; deleted ones (listed with `state=deleted`) may say when they were deleted. */
export interface ListedVersion extends PackageVersion {
  deletedAt?: string
}

/** Where an owner's packages live: `/orgs/x`, `/users/x`, or `/user` for the token's own login. */
export interface OwnerScope {
  login: string
  kind: 'organization' | 'user' | 'token-user'
  path: string
}

/** Where the steps write what a user reads in the log; `@actions/core` on the runner. */
export interface Logger {
  debug(message: string): void
  info(message: string): void
  warning(message: string): void
  error(message: string): void
  /** Hides a secret from every later line of the log (the runner's mask); absent where no log is shared. */
  setSecret?(secret: string): void
}

/** What a restore run brings back: explicit ids, or every deleted version matching the policy in a window. */
export type RestoreRequest =
  | {
      kind: 'ids'
      ids: number[]
      /**
       * From a killed run's record: ids whose delete was sent but never answered; they may not have gone, so
       * not finding them among the deleted versions is noted, not a failure.
       */
      unsure?: number[]
    }
  | { kind: 'deleted-within'; windowMs: number; windowText: string }

/** What the policy says, already validated. Durations are in milliseconds, with their text kept for reasons. */
export interface RetentionPolicy {
  packageType: PackageType
  /** Keep this many newest selected versions (containers: images). */
  keepLast: number
  /** Never delete a version younger than this; 0 means no floor. */
  minAgeMs: number
  /** The input as the user wrote it (`30d`), for reasons. */
  minAgeText: string
  /** Globs that select versions for deletion; empty selects every tagged (or named) version. */
  deleteTags: string[]
  /** Globs that protect; they win over everything. */
  keepTags: string[]
  /** Containers only; `undefined` for other types. */
  untagged?: UntaggedMode
  /** How keep-last counts (`order`); undefined: by creation time. */
  order?: VersionOrder
  /** `keep-last-per`: keep-last counts within each line; undefined: over all selected versions. */
  keepLastPer?: VersionLine
  /**
   * npm: the package's dist-tags (tag → version) as its registry serves them, set per package by the run;
   * every version one points at is kept.
   */
  distTags?: Readonly<Record<string, string>>
  /** What the repository says decides too: `delete-closed`, `keep-in-use` and their tag templates. */
  repository?: RepositoryRules
  /**
   * The repository's answers, set per package by the run when `repository` asks for them (as `distTags`); absent,
   * nothing is selected or kept by them.
   */
  repositoryFacts?: RepositoryFacts
  /**
   * A policy file's rules, in order: when given, they alone decide, and the single-rule fields above are
   * left at their zero values (keep-last 0, no min-age, no globs, `untagged` undefined).
   */
  rules?: readonly PolicyRule[]
}

/** The inputs that read the repository, and the keys of the same names at the top of a policy file. */
export const REPOSITORY_INPUTS = [
  'delete-closed',
  'keep-in-use',
  'pull-request-tags',
  'branch-tags',
  'commit-tags',
  'release-tags',
  'repository'
] as const

export const CLOSED_KINDS = ['pull-requests', 'branches'] as const
export type ClosedKind = (typeof CLOSED_KINDS)[number]
export const IN_USE_KINDS = ['releases', 'deployments'] as const
export type InUseKind = (typeof IN_USE_KINDS)[number]

/**
 * How images are tagged after what they were built from, as docker/metadata-action tags them: `pr-{number}`,
 * `{branch}` (every run of characters outside `[a-zA-Z0-9._-]` as one `-`), `sha-{sha:7}` or `{sha}`, a release's
 * `{tag}` as it is and its `{version}` without a leading `v`.
 */
export interface TagTemplates {
  pullRequest: readonly string[]
  branch: readonly string[]
  commit: readonly string[]
  release: readonly string[]
}

/** `delete-closed`, `keep-in-use` and whose repository tells. */
export interface RepositoryRules {
  /** `owner/name`; undefined: the package's own repository, else the workflow's. */
  repository?: string
  /** The workflow's repository (`GITHUB_REPOSITORY`): whose, when the package names none. */
  workflowRepository?: string
  deleteClosed: readonly ClosedKind[]
  keepInUse: readonly InUseKind[]
  templates: TagTemplates
  /** `delete-closed` alone, or a closed pull request's event: nothing else is deleted. */
  only: boolean
  /** A `pull_request` closed event: that pull request, as its payload says; no pull request is read. */
  event?: PullRequestFact
}

/** A pull request as the repository lists it; `headRef` only when its head branch was in this repository. */
export interface PullRequestFact {
  number: number
  state: 'open' | 'closed'
  closedAt?: string
  mergedAt?: string
  headRef?: string
}

export interface ReleaseFact {
  tag: string
  draft: boolean
  prerelease: boolean
}

/** A deployment and the state of its newest status (undefined: it has none yet). */
export interface DeploymentFact {
  id: number
  environment: string
  sha: string
  ref: string
  createdAt: string
  state?: string
}

/**
 * What the run read of a repository; a list left out was not needed. `pullRequests` holds every pull request
 * known (closed ones back to the package's oldest version); `branches` the living ones; `deployments` those
 * each environment runs now (engine/repository.ts `runningNow`).
 */
export interface RepositoryFacts {
  repository: string
  pullRequests?: readonly PullRequestFact[]
  branches?: readonly string[]
  releases?: readonly ReleaseFact[]
  deployments?: readonly DeploymentFact[]
}

/**
 * One rule of a policy file. It governs the versions (containers: images) it is the first to match: `match`
 * globs over container tags or version names, or `'untagged'` for untagged images (and signatures whose image
 * is gone). Within the rule, `keepLast` counts its own versions, newest first.
 */
export interface PolicyRule {
  name: string
  /** Globs, `'untagged'`, or a node-semver range over version names (containers: any tag). */
  match: readonly string[] | 'untagged' | { semver: string }
  /** Narrows what `match` matched: only pre-releases, or none; undefined: all. */
  prerelease?: PrereleaseFilter
  /** How keep-last counts; undefined: by creation time. */
  order?: VersionOrder
  /** keep-last counts within each line; undefined: over all the rule's versions. */
  per?: VersionLine
  /** Package-name globs the rule applies to; undefined: every package. */
  packages?: readonly string[]
  /** `keep: forever`: every version the rule governs is kept. */
  keepForever: boolean
  keepLast: number
  minAgeMs: number
  /** As written (`30d`), for reasons. */
  minAgeText: string
}

/**
 * What the OCI registry says about one container manifest, keyed by digest in an ImageStructure.
 * `children`: digests an index refers to (platform and attestation manifests); `subject`: the digest an OCI
 * 1.1 referrer (signature, attestation, SBOM) points at.
 */
export interface ManifestInfo {
  children: string[]
  subject?: string
  /** The manifest's media type, as the registry sent it. */
  mediaType?: string
  /** The children that are indexes themselves (nested indexes), read in turn. */
  indexChildren?: string[]
}
/** Manifests read from the registry, by digest. `undefined` where it was needed and could not be read. */
export type ImageStructure = ReadonlyMap<string, ManifestInfo>

/** A write's answer: 2xx on success, else GitHub's status and message (status 0: no answer at all). */
export interface ApiAnswer {
  status: number
  message: string
  /** An earlier try of this write got no answer, or a server error: it may have been done then. */
  afterLostAnswer?: boolean
}

export type Action = 'delete' | 'keep'

/** How keep-last counted a version: the n highest (`order: semver`) or newest, within a line with `per`. */
export interface KeepLastCount {
  n: number
  order: VersionOrder
  /** With `per` (`keep-last-per`): the line (`2.3`), or the image's name when it is no version. */
  line?: string
}

/** How a rule matched the image it deletes. */
export type Selection =
  /** A policy file's rule: its globs or its semantic-version range matched. */
  | { by: 'match' }
  /** A glob of the `delete-tags` input matched a tag (or, for other types, the version's name). */
  | { by: 'delete-tags'; glob: string }
  /** `delete-tags` is empty: every version, or every tagged one for containers. */
  | { by: 'all-versions' }
  | { by: 'all-tagged' }
  /** An untagged image (`untagged`, or a policy file's `match: untagged`). */
  | { by: 'untagged' }
  /** A referrer (`signature`, ...) whose subject, by digest, is not among the versions. */
  | { by: 'orphan'; part: string; subject: string }
  /** `delete-closed`: the tag of a closed pull request (`mergedAt` when it was merged). */
  | { by: 'closed-pull-request'; number: number; tag: string; closedAt?: string; mergedAt?: string }
  /** `delete-closed`: the tag of a deleted branch. */
  | { by: 'deleted-branch'; branch: string; tag: string }

/**
 * Why a version is kept or deleted, as data: a code and its values. `rule` names a policy file's rule; it is
 * absent for the single-rule inputs. `actionOf` (engine/reasons.ts) tells the direction, `reasonText` the
 * text users see. Ages and durations are as reasons show them (`45d`, `30d`).
 */
export type Reason =
  /** Among the `n` newest (highest) versions the rule keeps, or of its line. */
  | ({ kind: 'keep-last'; rule?: string } & KeepLastCount)
  | { kind: 'keep-forever'; rule: string }
  /** A `keep-tags` glob matched a tag, or (other types) the version's name. */
  | { kind: 'keep-tags'; glob: string; tag?: string; name?: string }
  | { kind: 'dist-tag'; tag: string }
  /** `keep-in-use`: a release's tag (`draft`, `prerelease` as GitHub says). */
  | { kind: 'release'; release: string; tag: string; draft?: boolean; prerelease?: boolean }
  /** `keep-in-use`: what an environment runs now, by the deployment's sha or ref. */
  | { kind: 'deployed'; environment: string; deployment: number; tag: string }
  /** `delete-closed` alone: no closed pull request's or deleted branch's tag selects it. */
  | { kind: 'not-closed' }
  /** Younger than its rule's `min-age`. */
  | { kind: 'younger-than'; rule?: string; minAge: string; age: string }
  /** A part of an image that `rule` would delete, younger than the rule's `min-age`: it stays, with its parts. */
  | { kind: 'young-part'; rule: string; minAge: string; age: string }
  | { kind: 'creation-time-unknown'; createdAt: string }
  | { kind: 'tags-unknown' }
  /** A policy file's rules: none matches. */
  | { kind: 'no-rule' }
  /** The inputs: no `delete-tags` glob matches; tagged with `untagged: only`; untagged with `untagged: exclude`. */
  | { kind: 'not-selected' }
  | { kind: 'tagged-untagged-only' }
  | { kind: 'untagged-excluded' }
  | { kind: 'orphan-excluded'; part: string; subject: string }
  /** The parts of images are unknown: the registry was not read, or the manifest of `unread` (a kept image) was not. */
  | { kind: 'structure-unknown'; unread?: string }
  /** A platform manifest, signature, attestation, ... of a kept image (named by its first tag or short digest). */
  | { kind: 'part-of-kept-image'; part: string; image: string }
  | { kind: 'last-tagged' }
  | { kind: 'last-version' }
  /** Deleted: selected by its rule, `age` old, and beyond keep-last when `notAmong` says so. */
  | { kind: 'selected'; rule?: string; selection: Selection; age: string; notAmong?: KeepLastCount }
  | { kind: 'part-of-deleted-image'; part: string; image: string }
  /** An index none of whose `listed` manifests is left: it no longer pulls. */
  | { kind: 'ghost-image'; listed: number }

export interface Decision {
  version: PackageVersion
  action: Action
  /**
   * Every reason behind the decision as users read it, each starting with `keep:` or `delete:`; never empty.
   * The engine shares one array between the decisions that have the same single reason: never change one.
   */
  reasons: string[]
  /**
   * The same reasons as data, one code per text in the same order (`engine/reasons.ts` renders each to its
   * text). Shared as `reasons` is: never change one.
   */
  codes: readonly Reason[]
  /**
   * Deletions only: ids of the deleted images whose deletion takes this version along (it is their platform
   * manifest, attestation or signature). It may go only once each of them is gone. Shared between the parts
   * of one image: never changed.
   */
  partOf?: readonly number[]
  /**
   * Deletions only: ids of tagged images whose manifest was not read and whose deletion this one waits for,
   * whatever they answer (see `WriteTarget.after`).
   */
  after?: readonly number[]
}

export interface DeletionPlan {
  /** Every version exactly once, newest first. */
  decisions: Decision[]
  /** The versions to delete, in the order to delete them (oldest image first, a parent before its children). */
  deletions: Decision[]
  /**
   * Containers: per kept image (by id), its parts (platform manifests, referrers), recursively, as the
   * manifests read showed them; what the check after the run expects still to be there. Each part is one of
   * the plan's own versions, so a part that goes missing can always be named.
   */
  keptParts?: Record<number, readonly VersionRef[]>
}

export type WriteVerb = 'delete' | 'restore'

export type SkipReason =
  | 'download-limit'
  | 'last-version'
  | 'max-deletions'
  | 'rate-limit'
  /** A part whose image (or, restoring, an image whose part) did not end done or already gone. */
  | 'image-not-deleted'
  | 'part-not-restored'
  /** 404 "Package version not found." on a delete: someone else deleted it first; this run did not. */
  | 'already-gone'
  /** The run was stopped (a cancelled workflow) before this write was sent. */
  | 'stopped'

/** How one planned write ended: done (deleted or restored), skipped with a reason, or failed. */
export type Outcome =
  | { kind: 'done'; note?: string }
  | { kind: 'skipped'; reason: SkipReason; detail: string }
  | ({ kind: 'failed' } & Failure)

/**
 * Why a write failed, with the text users read. GitHub's status is kept where GitHub answered; run records
 * written before the cause was kept carry `status` alone (0 where no answer of GitHub's was behind it).
 */
export type Failure =
  | {
      /**
       * `refused`: GitHub answered, and the write was not done (any answer other than success, a server error,
       * or one the run skips). `server-error`: GitHub answered 5xx, so the write may or may not have been done.
       */
      cause: 'refused' | 'server-error'
      status: number
      message: string
    }
  | {
      /**
       * `no-answer`: sent, and no answer came (the connection failed, or the run stopped first): it may or may
       * not have been done. `not-sent`: never sent, because the run halted. `still-listed`: GitHub answered
       * success, but the version is still listed at the check after the run. `untrusted`: a restore not sent,
       * because the listing of deleted versions could not be trusted for it.
       */
      cause: 'no-answer' | 'not-sent' | 'still-listed' | 'untrusted'
      message: string
    }

/** What a write and its report need of a version. */
export type VersionRef = Pick<PackageVersion, 'id' | 'name' | 'tags'> &
  Partial<Pick<ListedVersion, 'createdAt' | 'htmlUrl' | 'deletedAt'>>

export interface WriteTarget {
  packageName: string
  version: VersionRef
  /**
   * Ids (same package) of the images whose deletion takes this version along: it is written only after each
   * of them answered 2xx (or already gone), and skipped (`image-not-deleted`) otherwise. For restores the
   * other way round: ids of the parts that must be back before this image.
   */
  partOf?: readonly number[]
  /**
   * Ids (same package) of writes to wait for, whatever they answer: tagged images whose parts are not known
   * unless one of them is refused (then read, and its parts held back).
   */
  after?: readonly number[]
}

export interface ExecutedWrite extends WriteTarget {
  outcome: Outcome
}

/**
 * A restore run's requested id found among no package's deleted versions: nothing is sent for it, and it is
 * reported failed.
 */
export interface UnmatchedRestore {
  id: number
  /** The packages whose deleted versions were searched. */
  searched: readonly string[]
}

/** One package of a run: its plan (delete runs), the writes carried out, or why it could not be read. */
export interface PackageReport {
  name: string
  /** Undefined in restore runs, and when the package could not be listed; `error` says why. */
  plan?: DeletionPlan
  error?: string
  /** Deletes (or restores) carried out for this package. */
  writes: ExecutedWrite[]
  /** Not listed in this run: the rate budget did not cover it; the next run takes it first. */
  pending?: true
  /**
   * Not listed in this run: the package list says it is as the last run left it, under the same policy, and no
   * decision changes with time yet; its versions, and why.
   */
  unchanged?: { versions: number; reason: string }
  /** Delete runs that wrote: what listing the package again after the writes showed. */
  check?: AfterRunCheck
  /**
   * Dry runs: the package's visibility as GitHub gave it, undefined when unknown. GitHub refuses to delete a
   * public version with more than 5,000 downloads, and no API tells the count.
   */
  visibility?: string
}

/** The package listed again after a delete run's writes, compared with what the run did and planned. */
export interface AfterRunCheck {
  /** Why the package could not be listed again; nothing else is then known. */
  error?: string
  /** Versions reported deleted that the listing no longer shows. */
  confirmed: number
  /** Versions GitHub answered 2xx for that are still listed: their writes are moved to failed. */
  stillListed: VersionRef[]
  /** Kept images some of whose parts are no longer listed. */
  brokenImages: { image: VersionRef; missing: VersionRef[] }[]
  /** Versions the run did not touch that went, or came, while it ran. */
  disappeared: VersionRef[]
  appeared: VersionRef[]
}

/** The primary rate budget as GitHub reports it (`x-ratelimit-*`, `GET /rate_limit`'s `resources.core`). */
export interface RateBudget {
  limit: number
  remaining: number
  /** When the window resets, in epoch seconds. */
  reset: number
}

/** `rate-limit-reserve`: requests kept back from the budget, as a number or as a percentage of the limit. */
export type RateReserve = { requests: number } | { percent: number }

/** `shard: K/N`: this job takes the K-th of N stable shares of the matched packages (1 ≤ K ≤ N). */
export interface Shard {
  index: number
  count: number
}

/** One package of an owner's package list: its name, and what moves when it changes. */
export interface PackageSummary {
  name: string
  /** Active versions (`version_count`); undefined when GitHub did not say. */
  versionCount?: number
  /** `updated_at` as GitHub sent it; undefined when GitHub did not say. */
  updatedAt?: string
}
