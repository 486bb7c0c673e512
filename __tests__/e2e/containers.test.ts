import { describe, expect, it } from '@jest/globals'
import { generateScenario } from '../../fake-github/generate.js'
import { SERVER_STYLE, startFakeGitHub, type FakeGitHub } from '../../fake-github/server.js'
import type { InputValue } from '../../fake-github/run-action.js'
import { runAction } from '../support/run-action.js'
import { activeIds, aWorld, daysAgo, digest, parsed } from './world.js'

const TOKEN = 'ghp_generated'

const scenarioOf = (seed: number, containerBuilds = 16) =>
  generateScenario({ seed, containerBuilds, multiArchShare: 0.6, signedShare: 0.5, token: TOKEN })

async function generated(seed: number, containerBuilds = 16): Promise<FakeGitHub> {
  return startFakeGitHub(scenarioOf(seed, containerBuilds), SERVER_STYLE)
}

/**
 * Active untagged versions that are neither part of an active tagged image nor a referrer of an active version.
 * The scenario names versions by labels; the fake serves each under the sha256 of its manifest (`digestOf`).
 */
function leftoverOrphans(fake: FakeGitHub, seed: number): string[] {
  const specs = new Map(
    scenarioOf(seed)
      .packages.find(p => p.name === 'app')!
      .versions.map(v => [fake.digestOf(v.name), v])
  )
  const active = containerVersions(fake).filter(v => v.state === 'active')
  const activeNames = new Set(active.map(v => v.name))
  const parts = new Set<string>()
  const walk = (digest: string): void => {
    const manifest = specs.get(digest)?.manifest
    if (manifest?.kind === 'index')
      manifest.children.map(fake.digestOf).forEach(child => (parts.add(child), walk(child)))
  }
  active.filter(v => v.tags.length > 0).forEach(v => walk(v.name))
  return active
    .filter(v => v.tags.length === 0 && !parts.has(v.name))
    .filter(v => {
      const manifest = specs.get(v.name)?.manifest
      return !(
        manifest?.kind === 'image' &&
        manifest.subject &&
        activeNames.has(fake.digestOf(manifest.subject))
      )
    })
    .map(v => v.name)
}

function containerVersions(fake: FakeGitHub) {
  return fake.state().packages.find(p => p.type === 'container' && p.name === 'app')!.versions
}

/** Runs the bundled action on the generated container package acme/app with these policy inputs. */
const runOnApp = (fake: FakeGitHub, policy: Record<string, InputValue>) =>
  runAction({
    fake,
    token: TOKEN,
    inputs: { owner: 'acme', 'package-type': 'container', 'package-names': 'app', ...policy }
  })

/** Every tag still on an active version must pull: the tagged manifest and all it refers to are there. */
function unpullableTags(fake: FakeGitHub): string[] {
  return containerVersions(fake)
    .filter(v => v.state === 'active')
    .flatMap(v => v.tags)
    .filter(tag => !fake.isPullable('acme', 'app', tag))
}

describe('container images are whole', () => {
  it.each([1, 2, 3])(
    'deleting untagged versions (seed %i) deletes only true orphans; every tag still pulls',
    async seed => {
      const fake = await generated(seed)
      try {
        const before = containerVersions(fake)
        const run = await runOnApp(fake, { untagged: 'only', 'keep-last': 0, 'min-age': 0 })
        expect(run.exitCode).toBe(0)
        expect(unpullableTags(fake)).toEqual([])
        // Every untagged version left is part of a tagged image or refers to a version still there.
        expect(leftoverOrphans(fake, seed)).toEqual([])
        const deleted = parsed(run, 'deleted')
        expect(deleted.length).toBeGreaterThan(0)
        // Nothing tagged went, except cosign signatures whose image is gone.
        for (const d of deleted)
          expect(d.tags.every(t => /^sha256-[0-9a-f]{64}\.(sig|att|sbom)$/.test(t))).toBe(true)
        // Manifests were read only for the tagged images (signatures aside), each once.
        const tagged = before.filter(v => v.tags.some(t => !t.startsWith('sha256-')))
        expect(fake.manifestReads).toBe(tagged.length)
        expect(run.summary).toContain(`${fake.manifestReads} manifest reads`)
      } finally {
        await fake.close()
      }
    }
  )

  it('keep-last counts images, and deleting an image takes its parts and signatures with it', async () => {
    const fake = await generated(4, 10)
    try {
      const run = await runOnApp(fake, { 'keep-last': 3, 'min-age': 0, 'keep-tags': 'latest' })
      expect(run.exitCode).toBe(0)
      expect(unpullableTags(fake)).toEqual([])
      const active = containerVersions(fake).filter(v => v.state === 'active')
      const images = active.filter(v => v.tags.some(t => !t.startsWith('sha256-')))
      expect(images.length).toBeLessThanOrEqual(4) // three newest plus whatever carries `latest`
      // No signature is left without its image.
      const digests = new Set(active.map(v => v.name))
      for (const v of active) {
        for (const t of v.tags.filter(t => t.startsWith('sha256-'))) {
          expect(digests.has(`sha256:${t.slice(7, 71)}`)).toBe(true)
        }
      }
    } finally {
      await fake.close()
    }
  })

  it('deletes nothing in the package when the registry cannot be read, fails it and says why', async () => {
    const fake = await generated(5, 8)
    try {
      const before = containerVersions(fake).filter(v => v.state === 'active').length
      const run = await runOnApp(fake, {
        untagged: 'include',
        'keep-last': 0,
        'min-age': 0,
        'registry-url': 'http://127.0.0.1:9'
      })
      expect(run.exitCode).not.toBe(0)
      expect(
        run.annotations.some(
          a =>
            a.level === 'error' &&
            a.message.includes('registry http://127.0.0.1:9') &&
            a.message.includes('nothing in this package is deleted')
        )
      ).toBe(true)
      expect(containerVersions(fake).filter(v => v.state === 'active').length).toBe(before)
      expect(unpullableTags(fake)).toEqual([])
    } finally {
      await fake.close()
    }
  })
})

describe('images whose parts are easy to miss', () => {
  const index = (id: number, label: string, days: number, tags: string[], children: string[]) => ({
    id,
    name: digest(label),
    tags,
    created_at: daysAgo(days),
    manifest: { kind: 'index' as const, children: children.map(digest) }
  })
  const platform = (id: number, label: string, days: number, tags: string[] = []) => ({
    id,
    name: digest(label),
    tags,
    created_at: daysAgo(days, -5)
  })

  it('keeps the parts of a young untagged index (a tag moved on, still pulled by digest)', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('container', 'app', [
        platform(1, 'shared/amd64', 40),
        platform(2, 'old/arm64', 40),
        index(3, 'old', 40, ['v1'], ['shared/amd64', 'old/arm64']),
        platform(4, 'moved/arm64', 2),
        index(5, 'moved', 2, [], ['shared/amd64', 'moved/arm64']),
        platform(6, 'new/amd64', 1),
        index(7, 'new', 1, ['v2', 'latest'], ['new/amd64'])
      ])
      .start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'container',
      'package-names': 'app',
      'keep-last': 1,
      'min-age': '7d'
    })
    expect(run.exitCode).toBe(0)
    // v1 and its own arm64 manifest go; the amd64 manifest it shares with the young untagged index stays.
    expect(activeIds(fake, 'app')).toEqual([1, 4, 5, 6, 7])
  })

  it('keeps tagged platform manifests of a kept index (the `docker manifest create` pattern)', async () => {
    const fake = await aWorld()
      .withOrganisation('acme')
      .withClassicToken('octocat')
      .withPackage('container', 'app', [
        platform(1, 'v1/amd64', 30, ['v1-amd64']),
        platform(2, 'v1/arm64', 30, ['v1-arm64']),
        index(3, 'v1', 30, ['v1'], ['v1/amd64', 'v1/arm64']),
        platform(4, 'dev/amd64', 20, ['dev-amd64'])
      ])
      .start()
    const run = await fake.run({
      owner: 'acme',
      'package-type': 'container',
      'package-names': 'app',
      untagged: 'exclude',
      'delete-tags': '*-amd64, *-arm64',
      'keep-tags': 'v1',
      'keep-last': 0,
      'min-age': 0
    })
    expect(run.exitCode).toBe(0)
    expect(activeIds(fake, 'app')).toEqual([1, 2, 3])
    expect(fake.isPullable('acme', 'app', 'v1')).toBe(true)
  })
})
