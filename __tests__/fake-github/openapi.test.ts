import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { createRoutes } from '../../fake-github/routes.js'
import { startFakeGitHub, type FakeGitHub } from '../../fake-github/server.js'
import type { Store } from '../../fake-github/state.js'
import { baseScenario, call, NOW, TOKENS } from './helpers.js'

/**
 * The packages operations of GitHub's OpenAPI description (from @octokit/openapi, MIT), with every component
 * they reference: written by scripts/openapi-subset.mjs, whose header says how to update it.
 */
interface OpenApi {
  info: { 'x-source': { package: string; version: string } }
  paths: Record<string, Record<string, { responses: Record<string, Response> }>>
  components: { schemas: Record<string, object>; responses: Record<string, Response> }
}
/** Either the response itself or a `$ref` to one in `#/components/responses`. */
interface Response {
  $ref?: string
  content?: Record<string, { schema: object }>
}

type Schema = Record<string, unknown>

/** OpenAPI 3.0's `nullable: true` is not JSON Schema: it becomes a union with null. */
function withoutNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutNullable)
  if (node === null || typeof node !== 'object') return node
  const { nullable, ...rest } = node as Schema
  const converted = Object.fromEntries(
    Object.entries(rest).map(([key, value]) => [key, withoutNullable(value)])
  )
  if (nullable !== true) return converted
  if (typeof converted.type === 'string') {
    const union = { ...converted, type: [converted.type, 'null'] }
    return Array.isArray(converted.enum) ? { ...union, enum: [...converted.enum, null] } : union
  }
  return { anyOf: [converted, { type: 'null' }] }
}

const DOCUMENT_ID = 'https://api.github.com/openapi.json'
let spec: OpenApi
let ajv: Ajv
let fake: FakeGitHub

beforeAll(async () => {
  spec = JSON.parse(readFileSync(new URL('./openapi-packages.json', import.meta.url), 'utf8')) as OpenApi
  ajv = new Ajv({ strict: false, allErrors: true })
  addFormatsModule.default(ajv)
  ajv.addSchema({ $id: DOCUMENT_ID, components: { schemas: withoutNullable(spec.components.schemas) } })
  fake = await startFakeGitHub(baseScenario(), { now: () => NOW })
})
afterAll(() => fake.close())

/** The JSON schema of one operation's answer, its `#/components/...` references pointing into the document. */
function responseValidator(path: string, method: string, status: string): ValidateFunction {
  let response = spec.paths[path]?.[method]?.responses[status]
  if (response?.$ref) response = spec.components.responses[response.$ref.split('/').at(-1) ?? '']
  const schema = response?.content?.['application/json']?.schema
  if (!schema) throw new Error(`no ${status} JSON response for ${method} ${path}`)
  const text = JSON.stringify(withoutNullable(schema)).replaceAll(
    '"#/components/',
    `"${DOCUMENT_ID}#/components/`
  )
  return ajv.compile(JSON.parse(text) as Schema)
}

function expectValid(validate: ValidateFunction, body: unknown): void {
  const valid = validate(body)
  expect(validate.errors ?? []).toEqual([])
  expect(valid).toBe(true)
}

const SCOPES = [
  { spec: '/orgs/{org}', real: '/orgs/acme' },
  { spec: '/users/{username}', real: '/users/acme' },
  { spec: '/user', real: '/user' }
]

describe('answers validate against GitHub’s OpenAPI description', () => {
  test('the description covers every operation the fake serves', () => {
    expect(spec.info['x-source']).toMatchObject({ package: '@octokit/openapi', version: expect.any(String) })
    const routes = createRoutes({} as Store, () => '')
    expect(routes.length).toBeGreaterThan(20)
    const missing = routes
      .map(route => `${route.method} ${route.template}`)
      .filter(operation => {
        const [method, path] = operation.split(' ')
        // Link headers name the owner by id (`/organizations/{id}`, `/user/{id}`): the same operations under
        // paths the description does not list, checked here as the ones they stand for.
        const described = path
          .replace(/^\/organizations\/\{organization_id\}/, '/orgs/{org}')
          .replace(/^\/user\/\{user_id\}/, '/users/{username}')
        return spec.paths[described]?.[method.toLowerCase()] === undefined
      })
    expect(missing).toEqual([])
  })

  test.each(SCOPES)('$spec: list and get packages and versions, deleted versions included', async scope => {
    const owned =
      scope.spec === '/user' ? { type: 'container', name: 'tool' } : { type: 'container', name: 'app' }
    const pkgSpec = `${scope.spec}/packages/{package_type}/{package_name}`
    const pkgPath = `${scope.real}/packages/${owned.type}/${owned.name}`

    const packages = await call(fake, 'GET', `${scope.real}/packages?package_type=container`, TOKENS.all)
    expect((packages.body as unknown[]).length).toBeGreaterThan(0)
    expectValid(responseValidator(`${scope.spec}/packages`, 'get', '200'), packages.body)

    const pkg = await call(fake, 'GET', pkgPath, TOKENS.all)
    expect(pkg.body).toMatchObject({ name: owned.name, package_type: 'container' })
    expectValid(responseValidator(pkgSpec, 'get', '200'), pkg.body)

    const versions = await call(fake, 'GET', `${pkgPath}/versions`, TOKENS.all)
    const listValidator = responseValidator(`${pkgSpec}/versions`, 'get', '200')
    expectValid(listValidator, versions.body)

    const [first] = versions.body as { id: number }[]
    const version = await call(fake, 'GET', `${pkgPath}/versions/${first.id}`, TOKENS.all)
    expect(version.body).toMatchObject({ id: first.id, metadata: { package_type: 'container' } })
    expectValid(responseValidator(`${pkgSpec}/versions/{package_version_id}`, 'get', '200'), version.body)

    expect((await call(fake, 'DELETE', `${pkgPath}/versions/${first.id}`, TOKENS.all)).status).toBe(204)
    const deleted = await call(fake, 'GET', `${pkgPath}/versions?state=deleted`, TOKENS.all)
    expect(deleted.body).toEqual([expect.objectContaining({ id: first.id, deleted_at: expect.any(String) })])
    expectValid(listValidator, deleted.body)
    expect((await call(fake, 'POST', `${pkgPath}/versions/${first.id}/restore`, TOKENS.all)).status).toBe(204)
  })

  test('GET /user and GET /users/{username}', async () => {
    const me = await call(fake, 'GET', '/user', TOKENS.read)
    expect(me.body).toMatchObject({ login: 'octocat', user_view_type: 'private' })
    expectValid(responseValidator('/user', 'get', '200'), me.body)
    for (const login of ['octocat', 'acme']) {
      const user = await call(fake, 'GET', `/users/${login}`, TOKENS.read)
      expect(user.body).toMatchObject({ login })
      expectValid(responseValidator('/users/{username}', 'get', '200'), user.body)
    }
  })

  test('error bodies match basic-error', async () => {
    const answer = await call(fake, 'DELETE', '/orgs/acme/packages/npm/web-ui/versions/999', TOKENS.all)
    expect(answer.status).toBe(404)
    expectValid(
      responseValidator(
        '/orgs/{org}/packages/{package_type}/{package_name}/versions/{package_version_id}',
        'delete',
        '404'
      ),
      answer.body
    )
  })

  test('the validators do reject objects GitHub would not send', async () => {
    const version = await call(fake, 'GET', '/orgs/acme/packages/npm/web-ui/versions/101', TOKENS.read)
    const validate = responseValidator(
      '/orgs/{org}/packages/{package_type}/{package_name}/versions/{package_version_id}',
      'get',
      '200'
    )
    const withoutUrl: Schema = { ...(version.body as Schema) }
    delete withoutUrl.url
    expect(validate(withoutUrl)).toBe(false)
    expect(validate({ ...(version.body as Schema), metadata: { package_type: 'pypi' } })).toBe(false)
    const publicUser = (await call(fake, 'GET', '/users/acme', TOKENS.read)).body as Schema
    expect(responseValidator('/users/{username}', 'get', '200')({ ...publicUser, gravatar_id: 7 })).toBe(
      false
    )
  })
})
