/**
 * The client of GitHub's npm registry (npm.pkg.github.com, `npm.HOST` on GitHub Enterprise Server,
 * `npm.SUBDOMAIN.ghe.com`), read for a package's dist-tags: deleting the version `latest` points at breaks
 * `npm install` for everyone. Any doubt about the answer throws, and the run deletes nothing of that package.
 */
import { HttpClient } from '@actions/http-client'
import { fetch } from 'undici'
import { errorMessage } from '../errors.js'
import { isLoopback } from '../config/urls.js'

export interface NpmRegistryOptions {
  token: string
  registryUrl: string
  /** Per request, milliseconds; 30 s by default. */
  timeoutMs?: number
}

/** Tag → version, as the package document's `dist-tags` names them. */
export type DistTags = Readonly<Record<string, string>>

export class NpmRegistryClient {
  constructor(private readonly options: NpmRegistryOptions) {}

  /**
   * The dist-tags of `@owner/name`. Throws, naming the registry, when the registry cannot be asked safely
   * (plain http to a host that is not loopback), does not answer 200, or answers with anything but that
   * package's document with its dist-tags. Tried once: a failure holds the package back for this run only.
   */
  async readDistTags(owner: string, name: string): Promise<DistTags> {
    const fullName = `@${owner.toLowerCase()}/${name}`
    const base = new URL(this.options.registryUrl)
    const where = `the npm registry ${base.origin}`
    if (base.protocol !== 'https:' && !(base.protocol === 'http:' && (await isLoopback(base.hostname))))
      throw new Error(`${where} is not https (plain http only on loopback), so the token is not sent to it`)
    const url = `${this.options.registryUrl.replace(/\/+$/, '')}/${fullName.replace('/', '%2F')}`
    let response: Awaited<ReturnType<typeof fetch>>
    let text: string
    try {
      response = await fetch(url, {
        headers: { authorization: `Bearer ${this.options.token}`, accept: 'application/json' },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
        dispatcher: new HttpClient().getAgentDispatcher(url) // the proxy the environment names
      })
      text = await response.text()
    } catch (error) {
      throw new Error(`${where} did not answer for ${fullName} (${errorMessage(error)})`)
    }
    if (response.status !== 200)
      throw new Error(`${where} answered HTTP ${response.status} for ${fullName}'s dist-tags`)
    let document: { name?: unknown; 'dist-tags'?: unknown }
    try {
      document = JSON.parse(text) as typeof document
    } catch {
      throw new Error(`${where} answered for ${fullName} with something that is not JSON`)
    }
    if (document === null || typeof document !== 'object' || document.name !== fullName)
      throw new Error(`${where} answered for ${fullName} with another package's document`)
    const tags = document['dist-tags']
    if (
      tags === null ||
      typeof tags !== 'object' ||
      Array.isArray(tags) ||
      !Object.values(tags).every(version => typeof version === 'string' && version !== '')
    )
      throw new Error(`${where} sent no readable dist-tags for ${fullName}`)
    return tags as DistTags
  }
}
