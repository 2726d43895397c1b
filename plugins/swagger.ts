import { STATUS_CODES } from 'node:http'
import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { packageVersion } from '../src/config.js'
import { errorCatalogue, isErrorCode, operationTraits, sharedErrorCodes, type ErrorCode } from '../src/errors.js'

type Json = Record<string, any>

const version = packageVersion()

const errorBody = (): Json => ({ 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } })
const retryAfter = (): Json => ({
  'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 86400 } }
})

/**
 * Each error response of an operation lists its codes (`x-error-codes`, named in its description too): the
 * route's own (named in the description `errors()` gave it: the generator keeps no other key beside a $ref)
 * and `shared`.
 */
function describeErrors (responses: Json, shared: readonly ErrorCode[]): void {
  const codes = new Map<string, ErrorCode[]>()
  for (const [status, response] of Object.entries<Json>(responses)) {
    const own = [...String(response.description).matchAll(/`([a-z_]+)`/g)].map((m) => m[1]).filter(isErrorCode)
    if (own.length > 0) codes.set(status, own)
  }
  for (const code of shared) {
    const status = String(errorCatalogue[code].status)
    const listed = codes.get(status) ?? []
    if (!listed.includes(code)) codes.set(status, [...listed, code])
  }
  for (const [status, listed] of codes) {
    responses[status] = {
      description: `${STATUS_CODES[status] ?? 'Error'}: ${listed.map((c) => `\`${c}\``).join(', ')}`,
      ...(status === '429' || status === '503' ? { headers: retryAfter() } : {}),
      content: errorBody(),
      'x-error-codes': listed
    }
  }
}

/** Query parameters that are the same on every list: described once under components.parameters. */
const SHARED_QUERY = ['page', 'limit', 'cursor']

/**
 * What the routes' schemas cannot say, applied once to the generated document (a copy: route schemas
 * are left alone):
 * - error codes any operation of its kind can give (src/errors.ts sharedErrorCodes: the rate limit,
 *   outages, bearer-token refusals, bad input), added to the codes its route lists;
 * - a query parameter with a default is optional (@fastify/swagger marks every key of a query schema required);
 * - page, limit and cursor are referenced from components.parameters instead of repeated in every list;
 * - a response without a description of its own (@fastify/swagger writes "Default Response") is described
 *   by its status text;
 * - an operation marked `x-body-optional` (its handler treats no body as `{}`) has an optional requestBody;
 * - JSON Schema's numeric `exclusiveMinimum: n` (what Ajv checks) is written as OpenAPI 3.0's
 *   `minimum: n, exclusiveMinimum: true`.
 */
function finishDocument (generated: Json): Json {
  const doc = structuredClone(generated)
  const parameters: Json = {}
  for (const item of Object.values<Json>(doc.paths ?? {})) {
    for (const op of Object.values<Json>(item)) {
      if (Array.isArray(op.parameters)) {
        op.parameters = op.parameters.map((p: Json) => {
          if (p.in === 'query' && p.schema?.default !== undefined) p.required = false
          if (p.in !== 'query' || !SHARED_QUERY.includes(p.name)) return p
          parameters[p.name] ??= p
          return JSON.stringify(parameters[p.name]) === JSON.stringify(p) ? { $ref: `#/components/parameters/${p.name}` } : p
        })
      }
      if (op['x-body-optional'] === true) {
        delete op['x-body-optional']
        op.requestBody.required = false
      }
      for (const [status, response] of Object.entries<Json>(op.responses)) {
        if (response.description === 'Default Response') response.description = STATUS_CODES[status] ?? 'Response'
      }
      describeErrors(op.responses, sharedErrorCodes(operationTraits(op)))
    }
  }
  if (Object.keys(parameters).length > 0) doc.components.parameters = parameters
  const exclusiveBounds = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return
    const schema = node as Json
    for (const [bound, limit] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
      if (typeof schema[bound] === 'number') {
        schema[limit] = schema[bound]
        schema[bound] = true
      }
    }
    Object.values(schema).forEach(exclusiveBounds)
  }
  exclusiveBounds(doc)
  return doc
}

// Each deployment has its own origin: clients take a base URL (the dev server is http://127.0.0.1:3000),
// and /docs calls the origin that serves it (transformSpecification below).
const deployment = {
  url: 'https://{host}',
  description: 'A production or staging deployment of this API',
  variables: { host: { default: 'api.example.com', description: 'The deployment\'s host name (and port)' } },
  'x-internal': false
}

/**
 * The OpenAPI document, generated from the routes' schemas: JSON at /openapi.json, Swagger UI at /docs.
 * Shared schemas keep their $id as their name under components.schemas. openapi.yaml is this document,
 * committed and checked by a test, and linted by test/openapi-lint.test.ts (.spectral.yaml).
 */
export default fp(async (app) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Micro-drama API',
        version,
        description: 'REST API of a vertical micro-drama streaming app: creators upload episodic series, ' +
          'admins moderate them and subscribers watch. Errors always answer `{ "error": { "message", "status", "code" } }`.'
      },
      servers: [deployment],
      tags: [
        { name: 'health', description: 'Liveness and readiness probes' },
        { name: 'auth', description: 'Accounts and bearer tokens' },
        { name: 'uploads', description: 'Presigned uploads of video files (creators, admins)' },
        { name: 'creator', description: 'A creator\'s own videos, series and episodes (creators, admins)' },
        { name: 'admin', description: 'Moderation, offers, coins and subscriptions (admins)' },
        { name: 'billing', description: 'VIP plans and coin packs through Stripe; Stripe\'s webhook' },
        { name: 'content', description: 'The published catalogue (any signed-in user)' },
        { name: 'playback', description: 'Playback URLs, watch progress and history (any signed-in user)' },
        { name: 'me', description: 'My list, continue watching, wallet, check-in and unlocks (any signed-in user)' }
      ],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: 'The token from POST /auth/login or /auth/register, sent as `Authorization: Bearer <token>`. ' +
              'A JWS following the best practices of RFC8725: HS256 only (`alg: none` and other algorithms are refused), ' +
              '`exp`, issuer and audience always checked; logout or a password change revokes older tokens.'
          }
        }
      }
    },
    transformObject: (document) => finishDocument((document as { openapiObject: Json }).openapiObject),
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}`
    }
  })
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    // "Try it out" calls the server that serves the page.
    transformSpecification: (document, request) => ({ ...document, servers: [{ url: `${request.protocol}://${request.host}` }] })
  })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
}, { name: 'swagger', dependencies: ['schemas', 'helmet'] })
