import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { ApiError } from '../src/errors.js'

type Guard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * A hook allowing `max` requests a minute per key (e.g. per IP, per email). Unlike `app.rateLimit()`,
     * several of these can guard one route, each counting on its own.
     */
    limitPerMinute: (max: number, key: (request: FastifyRequest) => string) => Guard
  }
}

/**
 * A global limit per client IP (RATE_LIMIT_MAX a minute), answered with 429, Retry-After and the
 * standard error body. Routes that need a tighter limit (login, register) add `app.limitPerMinute(...)`.
 * The counters live in Redis, so a limit holds across every instance behind the balancer; while Redis is
 * unreachable, requests go through (plugins/redis.ts logs the outage) rather than fail.
 */
export default fp(async (app) => {
  await app.register(rateLimit, {
    global: false, // applied below, first of all hooks, so refused (401/403/404) requests count too
    max: app.config.RATE_LIMIT_MAX,
    timeWindow: 60_000,
    redis: app.redis,
    nameSpace: 'rate-limit:',
    skipOnError: true,
    // The balancer's health probes (no I/O), and HLS playlists (a player fetches one every few seconds; a playback
    // token is checked with one HMAC and the playlist comes from memory): no Redis round trip, never refused. Stripe's
    // webhook: its retries come in bursts, and a forged request costs one HMAC.
    allowList: (request) => /^\/(health|stream|billing\/webhook)\//.test(`${request.routeOptions.url ?? ''}/`),
    errorResponseBuilder: (_request, context) => new ApiError('rate_limited', `Too many requests; retry in ${context.after}`)
  })
  app.addHook('onRequest', app.rateLimit())

  app.decorate('limitPerMinute', (max: number, key: (request: FastifyRequest) => string) => {
    const check = app.createRateLimit({ max, timeWindow: 60_000, keyGenerator: key })
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const result = await check(request)
      if (result.isAllowed) return // Redis unreachable: not counted
      // The same headers as the global limit's, from whichever limit of the route has the fewest requests left.
      const shown = Number(reply.getHeader('x-ratelimit-remaining') ?? Number.POSITIVE_INFINITY)
      if (result.remaining <= shown) {
        reply.header('x-ratelimit-limit', result.max)
        reply.header('x-ratelimit-remaining', result.remaining)
        reply.header('x-ratelimit-reset', result.ttlInSeconds)
      }
      if (result.isExceeded) {
        reply.header('retry-after', result.ttlInSeconds)
        throw new ApiError('rate_limited', `Too many requests; retry in ${result.ttlInSeconds} seconds`)
      }
    }
  })
}, { name: 'rate-limit', dependencies: ['redis'], decorators: { fastify: ['config'] } })
