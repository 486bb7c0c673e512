/** The data that flows between the steps: config → versions → plan → results. Plain, serialisable values. */

export const PACKAGE_TYPES = ['npm', 'maven', 'rubygems', 'docker', 'nuget', 'container'] as const
export type PackageType = (typeof PACKAGE_TYPES)[number]

export const UNTAGGED_MODES = ['include', 'only', 'exclude'] as const
export type UntaggedMode = (typeof UNTAGGED_MODES)[number]

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
}

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
}

/**
 * What the OCI registry says about one container manifest, keyed by digest in an ImageStructure.
 * `children`: digests an index refers to (platform and attestation manifests); `subject`: the digest an OCI
 * 1.1 referrer (signature, attestation, SBOM) points at.
 */
export interface ManifestInfo {
  children: string[]
  subject?: string
}
/** Manifests read from the registry, by digest. `undefined` where it was needed and could not be read. */
export type ImageStructure = ReadonlyMap<string, ManifestInfo>

/** A write's answer: 2xx on success, else GitHub's status and message (status 0: no answer at all). */
export interface ApiAnswer {
  status: number
  message: string
}

export type Action = 'delete' | 'keep'

export interface Decision {
  version: PackageVersion
  action: Action
  /** Every reason behind the decision, each starting with `keep:` or `delete:`; never empty. */
  reasons: string[]
}

export interface DeletionPlan {
  /** Every version exactly once, newest first. */
  decisions: Decision[]
  /** The versions to delete, in the order to delete them (oldest image first, a parent before its children). */
  deletions: Decision[]
}
