/**
 * The JSON Schema of a policy file. The validation uses it (policy-file.ts), and `policy.schema.json` at the
 * repository's root is this object as JSON, for editors (`# yaml-language-server: $schema=...`); a test keeps
 * the two equal.
 */
import { DURATION_PATTERN } from '../engine/time.js'
import { CLOSED_KINDS, IN_USE_KINDS } from '../types.js'

const kinds = (description: string, allowed: readonly string[]) => ({
  description,
  type: 'array',
  minItems: 1,
  uniqueItems: true,
  items: { enum: allowed }
})

const templates = (description: string) => ({
  description,
  type: 'array',
  minItems: 1,
  items: { type: 'string', minLength: 1 }
})

const globList = (description: string) => ({
  description,
  type: 'array',
  minItems: 1,
  items: { type: 'string', minLength: 1 }
})

export const POLICY_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'package-retention policy',
  description:
    'Rules in order: each version (for containers, each image) is governed by the first rule that matches it; a version no rule matches is kept.',
  type: 'object',
  additionalProperties: false,
  required: ['rules'],
  properties: {
    'delete-closed': kinds(
      'Deletes, at any age and outside any keep-last, the images of closed pull requests and deleted branches (whose other tags are only such tags or commit tags). See docs/repository-life.md.',
      CLOSED_KINDS
    ),
    'keep-in-use': kinds(
      'Keeps every image a release names and what each environment runs now; wins over every rule.',
      IN_USE_KINDS
    ),
    'pull-request-tags': templates("Tag templates of a pull request's images. Default: pr-{number}."),
    'branch-tags': templates("Tag templates of a branch's images. Default: {branch}."),
    'commit-tags': templates("Tag templates of a commit's images ({sha}, {sha:7}). Default: sha-{sha:7}."),
    'release-tags': templates(
      "Tag templates of a release's images ({tag}, {version}). Default: {tag}, {version}."
    ),
    repository: {
      description:
        "owner/name whose pull requests, branches, releases and deployments decide. Default: the package's own, else the workflow's.",
      type: 'string',
      minLength: 3
    },
    rules: {
      description: 'The rules, first match wins.',
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'match'],
        properties: {
          name: {
            description:
              'Names the rule in every reason, e.g. keep: rule "pull requests": among the 5 newest.',
            type: 'string',
            minLength: 1
          },
          match: {
            description:
              'Globs over container tags (a version matches when any tag does) or version names for the other types; { semver: RANGE }; or "untagged" for untagged container images and signatures whose image is gone.',
            oneOf: [
              { const: 'untagged' },
              globList('Globs; a leading ! excludes.'),
              {
                description:
                  'A node-semver range: versions (container tags, a leading v allowed) that are semantic versions in the range; a pre-release only when the range names one of the same major.minor.patch.',
                type: 'object',
                additionalProperties: false,
                required: ['semver'],
                properties: { semver: { type: 'string', minLength: 1 } }
              }
            ]
          },
          prerelease: {
            description:
              'Narrows what match matched: only keeps pre-releases (1.2.0-rc.1), exclude drops them, include (default) keeps all.',
            enum: ['only', 'exclude', 'include']
          },
          order: {
            description:
              'How keep-last counts: created (default), newest first; semver, highest version first (equal precedence by creation, newest first; names that are not versions after all versions).',
            enum: ['created', 'semver']
          },
          per: {
            description:
              'keep-last counts within each line separately: major (2.x) or minor (2.3.x); a name that is not a version is a line of its own.',
            enum: ['major', 'minor']
          },
          packages: globList('Only these packages (names or globs). Default: every package of the run.'),
          keep: {
            description: 'forever: keep every version the rule governs.',
            enum: ['forever']
          },
          'keep-last': {
            description:
              "Keep the N newest of the rule's versions (containers: images); with order: semver the N highest, with per: N in each line.",
            type: 'integer',
            minimum: 0
          },
          'min-age': {
            description:
              'Never delete a version younger than this: 30d, 12h, 90min, 1h30min, 2w, 1w3d, P30D, PT12H, P1DT2H; 0 for none.',
            oneOf: [{ const: 0 }, { type: 'string', pattern: DURATION_PATTERN }]
          }
        }
      }
    }
  }
} as const
