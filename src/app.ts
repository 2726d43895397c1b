import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify'
import autoload from '@fastify/autoload'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Config } from './config.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
  }
}

export interface AppOptions {
  config: Config
  /** Overrides the logger built from the config (tests pass false or a stream). */
  logger?: FastifyServerOptions['logger']
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/

export function loggerOptions (config: Config): FastifyServerOptions['logger'] {
  const pretty = config.NODE_ENV !== 'production' && process.stdout.isTTY
  return {
    level: config.LOG_LEVEL,
    redact: { paths: ['req.headers.authorization', '*.password', '*.passwordHash', '*.token'], censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } } : {})
  }
}

/** Builds the application: plugins first (config, database, auth, storage, errors, docs), then routes. */
export async function buildApp ({ config, logger }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger ?? loggerOptions(config),
    // A caller's X-Request-Id is kept when it is short and plain; otherwise we make one.
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
    },
    bodyLimit: 64 * 1024,
    connectionTimeout: 30_000,
    requestTimeout: 30_000,
    keepAliveTimeout: 10_000,
    routerOptions: { ignoreTrailingSlash: true },
    // Errors the router raises before any route runs (a malformed URL, a path segment over 100
    // characters) get the standard body too; no id is that long, so a 400 says it.
    frameworkErrors: (err, request, reply) => {
      request.log.info({ code: err.code }, 'request refused by the router')
      const error = { message: 'The URL is malformed or a path segment is too long', status: 400, code: 'bad_request' }
      ;(reply as FastifyReply).code(400).send({ error })
    },
    // While closing, a request on a connection already accepted is still served, not refused with 503.
    return503OnClosing: false,
    trustProxy: config.TRUST_PROXY === 'true'
  }).withTypeProvider<TypeBoxTypeProvider>()

  // JSON is the only body the API reads: a text/plain body is 415 like any other type, not a string to validate.
  app.removeContentTypeParser('text/plain')
  app.decorate('config', config)
  app.addHook('onRequest', async (request, reply) => { reply.header('x-request-id', request.id) })

  const here = import.meta.dirname
  await app.register(autoload, { dir: join(here, '..', 'plugins') })
  await app.register(autoload, { dir: join(here, '..', 'routes'), autoHooks: true, cascadeHooks: true })
  return app
}
