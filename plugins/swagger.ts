import { STATUS_CODES } from 'node:http'
import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'

type Json = Record<string, any>

const errorResponse = (description: string, headers?: Json): Json => ({
  description, ...(headers === undefined ? {} : { headers }), content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } }
})

/** Query parameters that are the same on every list: described once under components.parameters. */
const SHARED_QUERY = ['page', 'limit', 'cursor']

/**
 * What the routes' schemas cannot say, applied once to the generated document (a copy: route schemas
 * are left alone):
 * - responses any operation can give: 429 from the global rate limit (plugins/rate-limit.ts) and 500
 *   from the error handler (plugins/errors.ts), both with the shared error body;
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
      op.responses['429'] ??= errorResponse('Too many requests: wait as long as Retry-After says', {
        'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 86400 } }
      })
      op.responses['500'] ??= errorResponse('An unexpected error; the body carries a requestId to quote')
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
        version: '1.0.0',
        description: 'REST API of a vertical micro-drama streaming app: creators upload episodic series, ' +
          'admins moderate them and subscribers watch. Errors always answer `{ "error": { "message", "status", "code" } }`.'
      },
      tags: [
        { name: 'health', description: 'Liveness and readiness probes' },
        { name: 'auth', description: 'Accounts and bearer tokens' },
        { name: 'uploads', description: 'Presigned uploads of video files (creators, admins)' },
        { name: 'creator', description: 'A creator\'s own videos, series and episodes (creators, admins)' },
        { name: 'admin', description: 'Moderation and subscriptions (admins)' },
        { name: 'content', description: 'The published catalogue (any signed-in user)' },
        { name: 'playback', description: 'Playback URLs, watch progress and history (any signed-in user)' },
        { name: 'me', description: 'My list and continue watching (any signed-in user)' }
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
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
}, { name: 'swagger', dependencies: ['schemas', 'helmet'] })
