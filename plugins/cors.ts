import fp from 'fastify-plugin'
import cors from '@fastify/cors'

/** CORS for browser clients: CORS_ORIGINS is `*` or a comma-separated list of origins. */
export default fp(async (app) => {
  const value = app.config.CORS_ORIGINS.trim()
  const origin = value === '*' ? '*' : value.split(',').map((o) => o.trim()).filter(Boolean)
  await app.register(cors, {
    origin,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
    // What a browser app may read of an answer: the request id, the rate limit's state, an idempotent replay.
    exposedHeaders: [
      'X-Request-Id', 'Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'Idempotent-Replayed'
    ],
    maxAge: 600
  })
}, { name: 'cors', decorators: { fastify: ['config'] } })
