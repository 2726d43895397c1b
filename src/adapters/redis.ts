import type { RedisOptions } from 'ioredis'

/**
 * Options of the API's Redis client: a command on an unreachable Redis fails at once (no offline queue) and on
 * a stalled one within half a second (commandTimeout), so that the request falls back instead of waiting; the
 * client reconnects by itself. BullMQ's connections are made apart (src/jobs/): they must wait, and take no
 * key prefix.
 */
export const redisClientOptions = (keyPrefix: string): RedisOptions => ({
  keyPrefix,
  connectTimeout: 2000,
  commandTimeout: 500,
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  retryStrategy: (times) => Math.min(times * 200, 2000)
})
