import { describe, expect, test } from '@jest/globals'
import { generateScenario } from '../../fake-github/generate.js'
import { parseScenario, type PackageSpec, type VersionSpec } from '../../fake-github/scenario.js'
import { startFakeGitHub } from '../../fake-github/server.js'
import { call } from './helpers.js'

const scenario = generateScenario({ seed: 7 })
const byName = (name: string) => scenario.packages.find(p => p.name === name) as PackageSpec
const names = (pkg: PackageSpec) => pkg.versions.map(v => v.name)
const time = (v: VersionSpec) => Date.parse(v.created_at)

describe('generateScenario', () => {
  test('is deterministic for a seed and differs between seeds', () => {
    expect(generateScenario({ seed: 7 })).toEqual(scenario)
    expect(JSON.stringify(generateScenario({ seed: 8 }))).not.toEqual(JSON.stringify(scenario))
  })

  test('produces a valid scenario with the requested sizes', () => {
    const small = generateScenario({
      seed: 3,
      npmVersions: 5,
      mavenVersions: 4,
      containerBuilds: 6,
      owner: 'octo'
    })
    expect(() => parseScenario(small)).not.toThrow()
    expect(small.packages.map(p => [p.owner, p.type, p.name, p.versions.length >= 4])).toEqual([
      ['octo', 'npm', 'web-ui', true],
      ['octo', 'maven', 'com.octo.core', true],
      ['octo', 'container', 'app', true],
      ['octo', 'npm', 'sdk', true]
    ])
    expect(byName('web-ui').versions).toHaveLength(40)
    expect(() => parseScenario(scenario)).not.toThrow()
  })

  test('npm and Maven follow semver with pre-releases and snapshots', () => {
    expect(names(byName('web-ui'))[0]).toBe('1.0.0')
    expect(names(byName('web-ui')).every(n => /^\d+\.\d+\.\d+(-(rc|beta)\.\d+)?$/.test(n))).toBe(true)
    expect(names(byName('web-ui')).some(n => n.includes('-rc.'))).toBe(true)
    expect(names(byName('com.acme.core')).some(n => n.endsWith('-SNAPSHOT'))).toBe(true)
    const times = byName('web-ui').versions.map(time)
    expect(times).toEqual([...times].sort((a, b) => a - b))
  })

  test('a public package has versions over 5000 downloads', () => {
    const sdk = byName('sdk')
    expect(sdk.visibility).toBe('public')
    expect(sdk.versions.filter(v => (v.downloads ?? 0) > 5000).length).toBe(3)
  })

  test('container history: moving tags, untagged leftovers, multi-arch images and signatures', () => {
    const app = byName('app')
    const tags = app.versions.flatMap(v => v.tags ?? [])
    expect(new Set(tags).size).toBe(tags.length)
    expect(tags.filter(t => t === 'latest')).toHaveLength(1)
    for (const pattern of [/^pr-\d+$/, /^sha-[0-9a-f]{7}$/, /^v1\.\d+\.\d+$/, /^sha256-[0-9a-f]{64}\.sig$/])
      expect([String(pattern), tags.some(t => pattern.test(t))]).toEqual([String(pattern), true])

    const indexes = app.versions.filter(v => v.manifest?.kind === 'index')
    expect(indexes.length).toBeGreaterThan(10)
    for (const index of indexes) {
      const children = (index.manifest as { children: string[] }).children.map(d =>
        app.versions.find(v => v.name === d)
      )
      expect(children).toHaveLength(4)
      for (const child of children) {
        expect(child?.tags).toEqual([])
        const lead = time(index) - time(child as VersionSpec)
        expect(lead).toBeGreaterThan(0)
        expect(lead).toBeLessThanOrEqual(5000)
      }
      expect(children.filter(c => c?.manifest?.kind === 'attestation')).toHaveLength(2)
    }
    const untaggedImages = app.versions.filter(
      v => v.tags?.length === 0 && v.manifest?.kind !== 'attestation'
    )
    expect(untaggedImages.length).toBeGreaterThan(indexes.length * 2)

    for (const signature of app.versions.filter(v => v.tags?.some(t => t.endsWith('.sig')))) {
      const subject = (signature.tags as string[])[0].replace(/^sha256-/, 'sha256:').replace(/\.sig$/, '')
      expect(app.versions.some(v => v.name === subject)).toBe(true)
    }
  })

  test('the fake serves a generated scenario', async () => {
    const fake = await startFakeGitHub(scenario)
    try {
      const answer = await call(
        fake,
        'GET',
        '/orgs/acme/packages/container/app/versions?per_page=100',
        'ghp_generated'
      )
      expect(answer.status).toBe(200)
      expect((answer.body as unknown[]).length).toBe(100)
      expect(answer.headers.get('link')).toContain('rel="last"')
    } finally {
      await fake.close()
    }
  })
})
