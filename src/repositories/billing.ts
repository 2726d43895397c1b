import type { Db, ObjectId } from 'mongodb'
import { insertOrNull, unlessDuplicate } from '../adapters/db.js'

/** A Stripe event applied: its id, so that a redelivery is applied once. */
export interface StripeEventDoc {
  _id: string
  type: string
  created: Date
  appliedAt: Date
}

/** An Idempotency-Key a user sent, bound to what it was first used for (an episode to unlock). */
export interface IdempotencyKeyDoc {
  _id: ObjectId
  userId: ObjectId
  key: string
  /** e.g. `unlock:<episodeId>`: the same key for anything else is refused. */
  request: string
  at: Date
}

/** What billing remembers to apply each thing once: Stripe's events, and clients' idempotency keys. */
export function createBillingRepository (db: Db) {
  const events = db.collection<StripeEventDoc>('stripe_events')
  const keys = db.collection<IdempotencyKeyDoc>('idempotency_keys')

  return {
    collections: { events, keys },

    async ensureIndexes (): Promise<void> {
      await keys.createIndex({ userId: 1, key: 1 }, { unique: true, name: 'user_key_unique' })
    },

    async eventApplied (id: string): Promise<boolean> {
      return await events.countDocuments({ _id: id }, { limit: 1 }) > 0
    },

    /** After its effects (each idempotent on its own): a redelivery is then skipped. */
    async recordEvent (id: string, type: string, created: Date): Promise<void> {
      await unlessDuplicate(() => events.insertOne({ _id: id, type, created, appliedAt: new Date() }))
    },

    /**
     * Binds `key` to `request` for this user: the request it was first bound to (the same `request` when this is
     * a retry, another one when the key is reused).
     */
    async bindKey (userId: ObjectId, key: string, request: string): Promise<string> {
      const bound = await insertOrNull(keys, { userId, key, request, at: new Date() } as IdempotencyKeyDoc)
      return bound?.request ?? (await keys.findOne({ userId, key }))!.request
    }
  }
}

export type BillingRepository = ReturnType<typeof createBillingRepository>
