/**
 * The client of the container registry (ghcr.io, or a GitHub Enterprise Server's), read for the structure of
 * images: which manifests an index refers to, and which manifest a referrer points at. With the API client,
 * the only modules that talk HTTP.
 */
import { mapWithConcurrency } from './concurrency.js'
import { errorMessage } from './errors.js'
import type { ImageStructure, Logger, ManifestInfo } from './types.js'

const MANIFEST_CONCURRENCY = 8

export interface RegistryOptions {
  token: string
  registryUrl: string
  log: Logger
}

export class RegistryClient {
  /** Manifests read (each one a download of its package). */
  manifestReads = 0
  private registryTokens = new Map<string, Promise<string | undefined>>()

  constructor(private readonly options: RegistryOptions) {}

  /**
   * Reads the given manifests of one container package from the registry. Each read counts as a download
   * of the package, so callers pass only what the plan needs. Undefined, with a warning, when any read
   * fails: a partial structure could hide a child of a kept image.
   */
  async readImageStructure(
    owner: string,
    name: string,
    digests: string[]
  ): Promise<ImageStructure | undefined> {
    if (digests.length === 0) return new Map()
    const repository = `${owner}/${name}`.toLowerCase()
    try {
      const infos = await mapWithConcurrency(digests, MANIFEST_CONCURRENCY, digest =>
        this.readManifest(repository, digest)
      )
      return new Map(digests.map((digest, i) => [digest, infos[i]]))
    } catch (error) {
      this.options.log.warning(
        `Could not read the image structure of ${name} from ${this.options.registryUrl} (${errorMessage(error)}); no untagged version of it is deleted in this run.`
      )
      return undefined
    }
  }

  private async readManifest(repository: string, digest: string): Promise<ManifestInfo> {
    const url = `${this.options.registryUrl}/v2/${repository}/manifests/${digest}`
    const accept = [
      'application/vnd.oci.image.index.v1+json',
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.docker.distribution.manifest.list.v2+json',
      'application/vnd.docker.distribution.manifest.v2+json',
      // ghcr.io answers 404 MANIFEST_UNKNOWN for a stored type not listed here: signatures pushed as OCI 1.1-rc
      // artifact manifests, and old Docker schema 1 images.
      'application/vnd.oci.artifact.manifest.v1+json',
      'application/vnd.docker.distribution.manifest.v1+prettyjws'
    ].join(', ')
    const send = (bearer: string | undefined) =>
      fetch(url, { headers: { accept, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) } })
    // The first read of a repository learns (from its 401 challenge) where to get a registry token; the
    // others wait for that token instead of each being challenged.
    let token = this.registryTokens.get(repository)
    let response: Response | undefined
    if (!token) {
      const first = send(undefined)
      token = first.then(r =>
        r.status === 401 ? this.registryToken(r.headers.get('www-authenticate') ?? '') : undefined
      )
      this.registryTokens.set(repository, token)
      response = await first
      if (response.status === 401) response = undefined
    }
    response ??= await send(await token)
    if (!response.ok) throw new Error(`manifest ${digest}: HTTP ${response.status}`)
    this.manifestReads++
    const manifest = (await response.json()) as {
      manifests?: { digest: string }[]
      subject?: { digest: string }
    }
    return {
      children: (manifest.manifests ?? []).map(m => m.digest),
      ...(manifest.subject ? { subject: manifest.subject.digest } : {})
    }
  }

  /** Exchanges the API token for a registry token at the realm a 401's `WWW-Authenticate` names. */
  private async registryToken(challenge: string): Promise<string | undefined> {
    const field = (key: string): string | undefined => new RegExp(`${key}="([^"]*)"`).exec(challenge)?.[1]
    const realm = field('realm')
    if (!realm) return undefined
    const url = new URL(realm)
    for (const key of ['service', 'scope']) {
      const value = field(key)
      if (value) url.searchParams.set(key, value)
    }
    const basic = Buffer.from(`package-retention:${this.options.token}`).toString('base64')
    const response = await fetch(url, { headers: { authorization: `Basic ${basic}` } })
    if (!response.ok) throw new Error(`registry token: HTTP ${response.status}`)
    const body = (await response.json()) as { token?: string; access_token?: string }
    return body.token ?? body.access_token
  }
}
