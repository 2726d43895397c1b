import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'

/**
 * A global limit per client IP (RATE_LIMIT_MAX a minute), answered with 429, Retry-After and the
 * standard error body. Routes that need a tighter limit (login, register) add `app.rateLimit(...)`.
 * The counters live in memory, per instance; several instances behind a balancer each count alone
 * (@fastify/rate-limit takes a Redis store for a shared count).
 */
export default fp(async (app) => {
  await app.register(rateLimit, {
    global: true,
    max: app.config.RATE_LIMIT_MAX,
    timeWindow: 60_000,
    errorResponseBuilder: (_request, context) => app.httpErrors.createError(429,
      `Too many requests; retry in ${context.after}`, { code: 'rate_limited' })
  })
}, { name: 'rate-limit', dependencies: ['sensible'], decorators: { fastify: ['config'] } })
