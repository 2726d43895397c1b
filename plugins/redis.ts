import fp from 'fastify-plugin'
import redis from '@fastify/redis'
import { redisClientOptions } from '../src/adapters/redis.js'

/**
 * Redis (ioredis through @fastify/redis), `app.redis`: rate limits, sessions and the read cache, shared by every
 * instance. Every key starts with REDIS_KEY_PREFIX. While Redis is unreachable a command fails at once instead of
 * queueing, so that each use can fall back (to the database, or letting a request through) rather than wait.
 */
export default fp(async (app) => {
  const { REDIS_URL, REDIS_KEY_PREFIX } = app.config
  await app.register(redis, { url: REDIS_URL, closeClient: true, ...redisClientOptions(REDIS_KEY_PREFIX) })
  app.metrics.instrumentRedis(app.redis)
  let warned = 0
  app.redis.on('error', (err: Error) => {
    // ioredis retries by itself; say so at most once every 10 s.
    if (Date.now() - warned > 10_000) {
      warned = Date.now()
      app.log.warn({ err: err.message }, 'Redis is unreachable; serving without it until it returns')
    }
  })
}, { name: 'redis', dependencies: ['metrics'], decorators: { fastify: ['config'] } })
