import { ObjectId } from 'mongodb'
import type { Redis } from 'ioredis'
import type { Role, SubscriptionStatus } from '../schemas/common.js'

/** What each authenticated request knows of its caller, from one lookup by _id. */
export interface Session {
  _id: ObjectId
  role: Role
  tokenVersion: number
  /** entitledUntil comes back from the session cache as an ISO string. */
  subscription: { status: SubscriptionStatus, entitledUntil?: Date | string | null }
  /** Until when an app store subscription plays (as subscription.entitledUntil, a string from the cache). */
  storeEntitledUntil?: Date | string | null
  emailVerified?: boolean
  mfa?: { enabled: boolean }
  /** Sign-ins (refresh-token families) ended by a reused refresh token: their access tokens are refused. */
  revokedSignIns?: Record<string, Date | string>
}

/**
 * Sessions (each caller's role, token version and subscription) kept in Redis for `ttlMs`, shared by every
 * instance. A change to a user drops the entry before it is answered, so a logout, a password, role or
 * subscription change is refused on every instance at once. A read that raced a change cannot put the old
 * session back: each user has a generation, bumped by every drop, and an entry is stored only if the
 * generation is still the one seen before the database was read. Redis unreachable: every read goes to the
 * database.
 */
export function createSessionCache (redis: Redis, ttlMs: number) {
  const key = (id: ObjectId) => `session:${id.toHexString()}`
  const generation = (id: ObjectId) => `session-generation:${id.toHexString()}`
  redis.defineCommand('putSessionIfGeneration', {
    numberOfKeys: 2,
    lua: "if (redis.call('GET', KEYS[2]) or '') == ARGV[2] then\n" +
      "  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])\nend"
  })
  type PutIfGeneration = (key: string, generation: string, value: string, seen: string, ttl: number) => Promise<unknown>
  const put = redis as unknown as { putSessionIfGeneration: PutIfGeneration }

  return {
    /** The cached session and the generation seen; undefined when Redis cannot answer. */
    async read (id: ObjectId): Promise<{ session: Session | null, seen: string } | undefined> {
      if (ttlMs === 0) return undefined
      const found = await redis.mget(key(id), generation(id)).catch(() => undefined)
      if (found === undefined) return undefined
      const [value, seen] = found
      const parsed = value == null ? null : JSON.parse(value) as Omit<Session, '_id'> & { _id: string }
      return { session: parsed === null ? null : { ...parsed, _id: ObjectId.createFromHexString(parsed._id) }, seen: seen ?? '' }
    },

    /** Keeps a session read from the database, unless the user changed since `seen`. Best effort. */
    write (id: ObjectId, session: Session, seen: string): void {
      const value = JSON.stringify({ ...session, _id: session._id.toHexString() })
      put.putSessionIfGeneration(key(id), generation(id), value, seen, ttlMs).catch(() => {})
    },

    /**
     * Forgets the user's session on every instance (after a change to the user, before it is answered). With
     * Redis unreachable nobody can read the entry meanwhile; one kept from before lives at most `ttlMs`.
     */
    async drop (id: ObjectId): Promise<void> {
      await redis.multi().incr(generation(id)).pexpire(generation(id), Math.max(ttlMs, 1000) * 10).del(key(id)).exec()
        .catch(() => {})
    }
  }
}

export type SessionCache = ReturnType<typeof createSessionCache>
