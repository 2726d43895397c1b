import fp from 'fastify-plugin'
import type { FastifyError } from 'fastify'
import { MongoServerSelectionError, MongoNetworkError, MongoNotConnectedError } from 'mongodb'
import Router, { type HTTPMethod } from 'find-my-way'
import type { ErrorResponse } from '../src/schemas/common.js'

/** The machine-readable code for an error that did not bring its own. */
const codeForStatus: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable_entity',
  429: 'rate_limited',
  503: 'service_unavailable'
}

/** An AWS SDK error (it carries $metadata) or a refused connection on the way to the object store. */
function isStorageUnavailable (err: unknown): boolean {
  return typeof err === 'object' && err !== null && ('$metadata' in err || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT'].includes((err as { code?: string }).code ?? ''))
}

function isDatabaseUnavailable (err: unknown): boolean {
  return err instanceof MongoServerSelectionError || err instanceof MongoNetworkError || err instanceof MongoNotConnectedError
}

/**
 * One error handler: every error answers `{ error: { message, status, code } }`. Client errors keep their
 * message; server errors are logged with the request id and answered with a generic message and that id.
 */
export default fp(async (app) => {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    let status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500
    let code: string
    let message = err.message
    if (err.validation !== undefined) {
      status = 400
      code = 'validation_failed'
      const params = err.validation[0]?.params as { allowedValues?: unknown[], additionalProperty?: string } | undefined
      if (Array.isArray(params?.allowedValues)) message += `: ${params.allowedValues.join(', ')}`
      if (params?.additionalProperty !== undefined) message += `: '${params.additionalProperty}'`
    } else if (isDatabaseUnavailable(err)) {
      status = 503
      code = 'database_unavailable'
      message = 'The database is unavailable; try again shortly'
    } else if (isStorageUnavailable(err)) {
      status = 503
      code = 'storage_unavailable'
      message = 'Video storage is unavailable; try again shortly'
    } else {
      // Our own errors carry a lowercase code (email_taken); framework codes (FST_..., FAST_JWT_...) do not.
      code = typeof err.code === 'string' && /^[a-z][a-z_]*$/.test(err.code) ? err.code : codeForStatus[status] ?? 'error'
    }
    if (status === 503) {
      request.log.warn({ status, code, cause: err.message }, 'request refused: unavailable')
    } else if (status >= 500) {
      request.log.error({ err }, 'request failed')
      if (status === 500) {
        code = 'internal_error'
        message = 'Something went wrong on our side'
      }
    } else {
      request.log.info({ status, code, message }, 'request refused')
    }
    if (status === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', '5')
    const body: ErrorResponse = { error: { message, status, code } }
    if (status >= 500) body.error.requestId = request.id
    return reply.code(status).send(body)
  })

  // Every route, so that a known path called with another method is a 405 naming the allowed ones.
  const routes = Router()
  const methods = new Set<string>()
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method === 'HEAD' || method === 'OPTIONS') continue
      routes.on(method as HTTPMethod, route.url, () => {})
      methods.add(method)
    }
  })

  // Before the body is read: a known path with another method is a 405 naming the allowed methods.
  app.addHook('onRequest', async (request, reply) => {
    if (!request.is404) return
    const path = request.url.split('?')[0] ?? '/'
    const allowed = [...methods].filter((m) => routes.find(m as HTTPMethod, path) !== null)
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '))
      throw app.httpErrors.createError(405, `${request.method} is not allowed here; use ${allowed.join(', ')}`, { code: 'method_not_allowed' })
    }
  })

  // Unknown routes count against the global rate limit too (plugins/rate-limit.ts), so scanning costs the scanner.
  app.setNotFoundHandler((request, reply) => {
    const body: ErrorResponse = { error: { message: `Route ${request.method} ${request.url.split('?')[0]} not found`, status: 404, code: 'not_found' } }
    return reply.code(404).send(body)
  })
}, { name: 'errors', dependencies: ['rate-limit'] })
