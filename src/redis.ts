import type { RedisOptions } from 'ioredis'

/**
 * Options of the API's Redis client: a command on a stalled or unreachable Redis fails within about a second
 * (commandTimeout, no offline queue) so that the request falls back instead of waiting; the client reconnects
 * by itself. BullMQ's connections are made apart (src/jobs.ts): they must wait, and take no key prefix.
 */
export const redisClientOptions = (keyPrefix: string): RedisOptions => ({
  keyPrefix,
  connectTimeout: 2000,
  commandTimeout: 1000,
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  retryStrategy: (times) => Math.min(times * 200, 2000)
})
