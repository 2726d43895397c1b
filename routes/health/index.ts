import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { envelope, errors } from '../../src/schemas/common.js'
import { ApiError } from '../../src/errors.js'

const HealthSchema = envelope(Type.Object({ status: Type.Literal('ok') }, { additionalProperties: false }))

async function withTimeout<T> (promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms) })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Probes for orchestrators and load balancers: public, cheap, no secrets in the answers. */
const health: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/', {
    schema: {
      operationId: 'getLiveness',
      summary: 'Liveness: the process is up',
      description: 'Does no I/O. Public.',
      response: { 200: HealthSchema }
    }
  }, async () => ({ data: { status: 'ok' as const } }))

  app.get('/ready', {
    schema: {
      operationId: 'getReadiness',
      summary: 'Readiness: the database, the bucket and Redis answer',
      description: 'Pings MongoDB and Redis and checks the S3 bucket. 503 with the standard error body when one is unreachable ' +
        '(while Redis is down the API still serves, without its cache and shared limits). Public.',
      response: { 200: HealthSchema, ...errors('not_ready') }
    }
  }, async (request) => {
    const checks = await Promise.allSettled([
      withTimeout(app.mongo.db!.command({ ping: 1 }), 2000),
      withTimeout(app.storage.ping(), 3000),
      withTimeout(app.redis.ping(), 2000)
    ])
    const down = ['database', 'object storage', 'Redis'].filter((_name, i) => checks[i]?.status === 'rejected')
    if (down.length > 0) {
      request.log.warn({ reasons: checks.map((c) => c.status === 'rejected' ? String(c.reason) : 'ok') }, 'not ready')
      throw new ApiError('not_ready', `Not ready: ${down.join(', ')} unreachable`)
    }
    return { data: { status: 'ok' as const } }
  })
}

export default health
