import fp from 'fastify-plugin'
import type { FastifyError } from 'fastify'
import { MongoServerSelectionError, MongoNetworkError, MongoNotConnectedError } from 'mongodb'
import Router, { type HTTPMethod } from 'find-my-way'
import type { ErrorResponse } from '../src/schemas/common.js'
import { ApiError, codeForStatus, errorCatalogue, isErrorCode, type ErrorCode } from '../src/errors.js'

interface ValidationIssue {
  keyword: string
  instancePath: string
  schemaPath: string
  message?: string
  params: Record<string, unknown>
}

/**
 * One plain sentence per problem, each said once: `body must have required property 'sizeBytes'`,
 * `body must NOT have additional properties: 'rol'`. For a body that may take one of several shapes, the
 * shapes whose only complaint is the value that picks the shape (e.g. an image type on the video shape)
 * are left out, and so is the "must match a schema in anyOf" summary.
 */
export function validationMessage (issues: ValidationIssue[], context: string): string {
  const branch = (issue: ValidationIssue) => /^#\/(?:anyOf|oneOf)\/(\d+)\//.exec(issue.schemaPath)?.[1]
  let relevant = issues.filter((issue) => !['anyOf', 'oneOf'].includes(issue.keyword))
  const pickers = relevant.filter((issue) => branch(issue) !== undefined && ['enum', 'const'].includes(issue.keyword))
  if (pickers.length < relevant.length) relevant = relevant.filter((issue) => !pickers.includes(issue))
  const sentences = relevant.map((issue) => {
    let text = `${context}${issue.instancePath} ${issue.message ?? 'is not valid'}`
    if (Array.isArray(issue.params.allowedValues)) text += `: ${issue.params.allowedValues.join(', ')}`
    if (issue.params.additionalProperty !== undefined) text += `: '${String(issue.params.additionalProperty)}'`
    return text
  })
  return [...new Set(sentences)].join('; ')
}

/** An AWS SDK error (it carries $metadata) or a refused connection on the way to the object store. */
function isStorageUnavailable (err: unknown): boolean {
  return typeof err === 'object' && err !== null && ('$metadata' in err || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT'].includes((err as { code?: string }).code ?? ''))
}

function isDatabaseUnavailable (err: unknown): boolean {
  const unavailable = [MongoServerSelectionError, MongoNetworkError, MongoNotConnectedError]
  // The driver does not export these two: a stalled pool's queue, and a pool cleared by a network error.
  return unavailable.some((type) => err instanceof type) ||
    ['MongoWaitQueueTimeoutError', 'MongoPoolClearedError'].includes((err as Error | null)?.name ?? '')
}

/**
 * One error handler: every error answers `{ error: { message, status, code } }`. Client errors keep their
 * message; server errors are logged with the request id and answered with a generic message and that id.
 */
export default fp(async (app) => {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    let status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500
    let code: ErrorCode
    let message = err.message
    if (err.validation !== undefined) {
      status = 400
      code = 'validation_failed'
      message = validationMessage(err.validation as ValidationIssue[], err.validationContext ?? 'request')
    } else if (isDatabaseUnavailable(err) || isStorageUnavailable(err)) {
      code = isDatabaseUnavailable(err) ? 'database_unavailable' : 'storage_unavailable'
      status = errorCatalogue[code].status
      message = errorCatalogue[code].message
    } else if (err instanceof ApiError) {
      code = err.code
    } else {
      // A plugin's error with a catalogued code keeps it; framework errors (FST_...) get their status's.
      code = isErrorCode(err.code) && errorCatalogue[err.code].status === status ? err.code : codeForStatus(status)
    }
    if (status === 503) {
      request.log.warn({ status, code, cause: err.message }, 'request refused: unavailable')
    } else if (status >= 500) {
      request.log.error({ err }, 'request failed')
      if (status === 500) {
        code = 'internal_error'
        message = errorCatalogue.internal_error.message
      }
    } else {
      request.log.info({ status, code, message }, 'request refused')
    }
    if (status === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', '5')
    const body: ErrorResponse = { error: { message, status, code } }
    if (status >= 500) body.error.requestId = request.id
    // By code: rate_limited counts rate-limit refusals, service_unavailable load shedding.
    app.metrics.errors.inc({ route: request.routeOptions.url ?? 'unmatched', code })
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
      throw new ApiError('method_not_allowed', `${request.method} is not allowed here; use ${allowed.join(', ')}`)
    }
  })

  // Unknown routes count against the global rate limit too (plugins/rate-limit.ts), so scanning costs the scanner.
  app.setNotFoundHandler((request, reply) => {
    const body: ErrorResponse = { error: { message: `Route ${request.method} ${request.url.split('?')[0]} not found`, status: 404, code: 'not_found' } }
    return reply.code(404).send(body)
  })
}, { name: 'errors', dependencies: ['rate-limit', 'metrics'] })
