import { seededRandom } from './prng.js'
import type { OwnerType, PackageSpec, Scenario, VersionSpec } from './scenario.js'

export interface GenerateOptions {
  /** Same seed, same scenario. Default 1. */
  seed?: number
  /** Default `acme`. */
  owner?: string
  ownerType?: OwnerType
  /** When the history starts; default 2026-01-01T00:00:00Z. */
  start?: string
  /** How many days the history spans; default 180. */
  days?: number
  /** Versions of the private npm package `web-ui`; default 40. */
  npmVersions?: number
  /** Versions of the Maven package `com.<owner>.core`, snapshots included; default 30. */
  mavenVersions?: number
  /** Image builds pushed to the container package `app` (main, pull requests, releases); default 60. */
  containerBuilds?: number
  /** Share of builds pushed as multi-architecture images; default 0.5. */
  multiArchShare?: number
  /** Share of main and release builds signed with cosign; default 0.3. */
  signedShare?: number
  /** The classic token (every scope); default `ghp_generated`. */
  token?: string
}

const DAY_MS = 86_400_000
const PLATFORMS = ['linux/amd64', 'linux/arm64']

/**
 * A realistic history for one owner: npm and Maven releases with pre-releases and snapshots, a container image
 * built from main, pull requests and releases (moving tags, untagged leftovers, multi-arch indexes with
 * attestations, cosign signatures), and a public npm package with versions past 5,000 downloads.
 */
export function generateScenario(options: GenerateOptions = {}): Scenario {
  const owner = options.owner ?? 'acme'
  const ownerType = options.ownerType ?? 'Organization'
  const history = historyTools(options)
  const login = ownerType === 'User' ? owner : `${owner}-admin`
  const packages: PackageSpec[] = [
    {
      owner,
      type: 'npm',
      name: 'web-ui',
      visibility: 'private',
      repository: `${owner}/web-ui`,
      versions: releases(history, options.npmVersions ?? 40, false, () => Math.floor(history.random() * 300))
    },
    {
      owner,
      type: 'maven',
      name: `com.${owner}.core`,
      visibility: 'private',
      repository: `${owner}/core`,
      versions: releases(history, options.mavenVersions ?? 30, true, () => Math.floor(history.random() * 100))
    },
    {
      owner,
      type: 'container',
      name: 'app',
      visibility: 'private',
      repository: `${owner}/app`,
      versions: containerHistory(history, options)
    },
    {
      owner,
      type: 'npm',
      name: 'sdk',
      visibility: 'public',
      repository: `${owner}/sdk`,
      // Old releases of a public package are the popular ones GitHub refuses to delete.
      versions: releases(history, 8, false, i =>
        Math.floor(i < 3 ? 5001 + history.random() * 20000 : history.random() * 900)
      )
    }
  ]

  return {
    owners:
      ownerType === 'User'
        ? [{ login, type: 'User' }]
        : [
            { login: owner, type: 'Organization' },
            { login, type: 'User' }
          ],
    tokens: [
      {
        value: options.token ?? 'ghp_generated',
        kind: 'classic',
        login,
        scopes: ['read:packages', 'write:packages', 'delete:packages', 'repo']
      },
      { value: 'ghs_generated_actions', kind: 'actions', repository: `${owner}/app` }
    ],
    packages
  }
}

/** The seeded dice and clock one history is drawn from. */
interface HistoryTools {
  random(): number
  hex(length: number): string
  iso(ms: number): string
  /** `count` increasing instants spread over the history, with jitter. */
  timeline(count: number): number[]
  newId(): number
}

function historyTools(options: GenerateOptions): HistoryTools {
  const random = seededRandom(options.seed ?? 1)
  const startMs = Date.parse(options.start ?? '2026-01-01T00:00:00Z')
  const spanMs = (options.days ?? 180) * DAY_MS
  let nextId = 1000
  return {
    random,
    hex: length => Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join(''),
    iso: ms => new Date(Math.round(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
    timeline: count =>
      Array.from({ length: count }, (_, i) => startMs + ((i + random() * 0.8) / count) * spanMs),
    newId: () => nextId++
  }
}

function releases(
  history: HistoryTools,
  count: number,
  snapshots: boolean,
  downloads: (index: number) => number
): VersionSpec[] {
  const names = semverHistory(history.random, count, snapshots)
  const times = history.timeline(names.length)
  return names.map((name, i) => ({
    id: history.newId(),
    name,
    created_at: history.iso(times[i]),
    // Snapshots are republished under the same version, so they keep changing after creation.
    updated_at: history.iso(name.endsWith('-SNAPSHOT') ? times[i] + history.random() * 5 * DAY_MS : times[i]),
    downloads: downloads(i)
  }))
}

/** `1.0.0`, patches, minors announced by `-rc.N` (or `-SNAPSHOT` for Maven), now and then a major `-beta.1`. */
function semverHistory(random: () => number, count: number, snapshots: boolean): string[] {
  const names = ['1.0.0']
  let [major, minor, patch] = [1, 0, 0]
  while (names.length < count) {
    const roll = random()
    if (roll < 0.6) names.push(`${major}.${minor}.${++patch}`)
    else if (roll < 0.92) {
      minor += 1
      patch = 0
      const candidates = snapshots ? 1 : 1 + Math.floor(random() * 3)
      for (let rc = 1; rc <= candidates; rc++)
        names.push(snapshots ? `${major}.${minor}.0-SNAPSHOT` : `${major}.${minor}.0-rc.${rc}`)
      names.push(`${major}.${minor}.0`)
    } else {
      major += 1
      minor = 0
      patch = 0
      names.push(`${major}.0.0-beta.1`, `${major}.0.0`)
    }
  }
  return names.slice(0, count)
}

/**
 * Builds from main (`sha-xxxxxxx`, `latest`), pull requests (`pr-N`) and releases (`vX.Y.Z`, `latest`). A tag
 * names one manifest, so each push takes its tags from the version that had them, which may be left untagged.
 */
function containerHistory(history: HistoryTools, options: GenerateOptions): VersionSpec[] {
  const { random, hex, iso } = history
  const versions: VersionSpec[] = []
  const digest = () => `sha256:${hex(64)}`
  const push = (spec: Omit<VersionSpec, 'id' | 'tags'>, tags: string[]): VersionSpec => {
    for (const other of versions) other.tags = other.tags?.filter(tag => !tags.includes(tag))
    const version = { id: history.newId(), ...spec, tags, downloads: Math.floor(random() * 50) }
    versions.push(version)
    return version
  }
  const openPulls: number[] = []
  let pullNumber = 10
  let release = { minor: 0, patch: 0 }

  for (const time of history.timeline(options.containerBuilds ?? 60)) {
    const roll = random()
    let tags: string[]
    if (roll < 0.35) {
      // A pull request is pushed again now and then, moving its tag to the new image.
      const reuse = openPulls.length > 0 && random() < 0.5
      const pull = reuse ? openPulls[Math.floor(random() * openPulls.length)] : ++pullNumber
      if (!reuse) openPulls.push(pull)
      tags = [`pr-${pull}`]
    } else if (roll < 0.9) tags = [`sha-${hex(7)}`, 'latest']
    else {
      release =
        random() < 0.3 ? { minor: release.minor + 1, patch: 0 } : { ...release, patch: release.patch + 1 }
      tags = [`v1.${release.minor}.${release.patch}`, 'latest']
    }

    let image: VersionSpec
    if (random() < (options.multiArchShare ?? 0.5)) {
      // Children are pushed a few seconds before the index that lists them.
      const children = PLATFORMS.flatMap((platform, i) => {
        const manifest = push(
          { name: digest(), created_at: iso(time - 4000 + i * 500), manifest: { kind: 'image', platform } },
          []
        )
        const attestation = push(
          {
            name: digest(),
            created_at: iso(time - 2000 + i * 500),
            manifest: { kind: 'attestation', reference: manifest.name }
          },
          []
        )
        return [manifest.name, attestation.name]
      })
      image = push({ name: digest(), created_at: iso(time), manifest: { kind: 'index', children } }, tags)
    } else image = push({ name: digest(), created_at: iso(time) }, tags)

    if (!tags[0].startsWith('pr-') && random() < (options.signedShare ?? 0.3))
      push({ name: digest(), created_at: iso(time + 5000) }, [`${image.name.replace(':', '-')}.sig`])
  }
  return versions
}
