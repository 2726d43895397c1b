import type { Redis } from 'ioredis'
import type { Metrics } from './metrics.js'

/**
 * The read cache for published content, in Redis and shared by every instance. Entries live in scopes (a Redis
 * hash each: 'catalogue' for the lists and genres, 'series:<id>' for one series and its episodes), so that a
 * change drops a whole scope with one DEL; the services drop the scopes a domain event touches before the change
 * is answered (src/services/catalogue.ts). Each entry also carries the time it was made and is used for at most
 * `ttlMs`, which bounds what no event announces (view counts, changes made to the database directly). Values in a
 * shared scope are what every caller sees, never a per-caller field; what belongs to one caller lives in a scope
 * of its own ('my-list:<userId>'). Redis unreachable: every read goes to the database.
 */
export function createReadCache (redis: Redis, ttlMs: number, metrics?: Pick<Metrics, 'cache'>) {
  const scopeKey = (scope: string) => `cache:${scope}`
  /** A scope's kind for metrics ('series', 'my-list'...), never its id. */
  const kindOf = (scope: string) => scope.split(':', 1)[0]!
  // Bumped by every drop: a read that raced a change cannot put what it read before the change back.
  const generationKey = (scope: string) => `cache-generation:${scope}`
  redis.defineCommand('putCachedIfGeneration', {
    numberOfKeys: 2,
    lua: "if (redis.call('GET', KEYS[2]) or '') == ARGV[3] then\n" +
      "  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])\n  redis.call('PEXPIRE', KEYS[1], ARGV[4])\nend"
  })
  type PutIfGeneration = (
    scope: string, generation: string, field: string, value: string, seen: string, ttl: number
  ) => Promise<unknown>
  const put = redis as unknown as { putCachedIfGeneration: PutIfGeneration }
  let hits = 0
  let misses = 0

  return {
    /** The cached value of `field` in `scope`, or `load()`'s, then kept (best effort). */
    async get<T> (scope: string, field: string, load: () => Promise<T>): Promise<T> {
      if (ttlMs === 0) return await load()
      const read = await redis.pipeline().hget(scopeKey(scope), field).get(generationKey(scope)).exec()
        .catch(() => null)
      const cached = read?.[0]?.[1] as string | null | undefined
      const seen = (read?.[1]?.[1] as string | null | undefined) ?? ''
      if (cached != null) {
        const { at, value } = JSON.parse(cached) as { at: number, value: T }
        if (Date.now() - at < ttlMs) {
          hits++
          metrics?.cache.inc({ scope: kindOf(scope), result: 'hit' })
          return value
        }
      }
      misses++
      metrics?.cache.inc({ scope: kindOf(scope), result: 'miss' })
      const value = await load()
      if (read != null) {
        const entry = JSON.stringify({ at: Date.now(), value })
        put.putCachedIfGeneration(scopeKey(scope), generationKey(scope), field, entry, seen, ttlMs * 10).catch(() => {})
      }
      return value
    },

    /** Forgets every entry of these scopes, on every instance. */
    async drop (...scopes: string[]): Promise<void> {
      if (scopes.length === 0) return
      const step = redis.multi()
      for (const scope of scopes) {
        step.incr(generationKey(scope)).pexpire(generationKey(scope), Math.max(ttlMs, 1000) * 10)
      }
      await step.del(...scopes.map(scopeKey)).exec().catch(() => {})
    },

    /** Reads answered from the cache and from the database, since this instance started (for the bench). */
    stats: () => ({ hits, misses })
  }
}

export type ReadCache = ReturnType<typeof createReadCache>
