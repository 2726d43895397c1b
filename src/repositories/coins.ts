import type { Db, ObjectId } from 'mongodb'
import { ObjectId as Id } from 'mongodb'
import type { PageRequest } from '../schemas/params.js'
import { findPage, unlessDuplicate } from '../adapters/db.js'

export const LEDGER_KINDS = ['purchase', 'check_in', 'unlock', 'refund', 'admin_grant', 'admin_revoke', 'ad_reward'] as const
export type LedgerKind = typeof LEDGER_KINDS[number]

/** What an entry was for: the episode unlocked, the offer bought, the Stripe object, the admin and why. */
export interface LedgerRef {
  episodeId?: ObjectId
  seriesId?: ObjectId
  /** The creator an unlock pays (creator earnings). */
  creatorId?: ObjectId
  offerId?: ObjectId
  /** The Checkout Session, charge or refund at Stripe. */
  stripeId?: string
  paymentIntent?: string
  /** Coins a refund could not take back (already spent): recorded, never a negative balance. */
  shortfall?: number
  actorId?: ObjectId
  reason?: string
  /** The check-in's day of the streak. */
  streak?: number
  /** An app store purchase or refund: `<provider>:<the store's id of the payment>`. */
  storeId?: string
  /** An unlock: the market whose price was charged (absent: the series' one price). */
  country?: string
  /** A rewarded ad: AdMob's transaction and ad unit. */
  adTransactionId?: string
  adUnit?: string
}

export interface LedgerDoc {
  _id: ObjectId
  userId: ObjectId
  /** 1, 2, 3… per user, unique: each entry follows exactly one other, so two writers never spend one balance. */
  seq: number
  /** What the entry is for, unique per user: `unlock:<episodeId>`, `check-in:<day>`, `purchase:<session>`... */
  key: string
  kind: LedgerKind
  delta: number
  /** The balance after this entry: the previous entry's plus `delta`, never below zero. */
  balance: number
  ref: LedgerRef
  /** The UTC day (YYYY-MM-DD), for earnings per day. */
  day: string
  at: Date
}

/** What a caller adds to the ledger: the amount, decided from the balance it would follow. */
export type LedgerChange = Pick<LedgerDoc, 'kind' | 'delta' | 'ref'>

/**
 * The coin ledger: every coin in or out is an entry, append-only, and a user's balance is the balance of their
 * last entry. Appending is claiming the next `seq`: a unique (userId, seq) insert, atomic on MongoDB and on
 * FerretDB (which does not re-check a conditional update's filter), so of two writers reading the same balance
 * one wins and the other reads again. A unique (userId, key) makes each purchase, check-in day, unlock and
 * refund happen once, however often it is retried. There is no balance to keep in step: nothing to lose
 * between two writes.
 */
export function createCoinsRepository (db: Db) {
  const ledger = db.collection<LedgerDoc>('coin_ledger')
  const last = async (userId: ObjectId) => await ledger.findOne({ userId }, { sort: { seq: -1 } })
  /** Episodes unlocked for a while (a rewarded ad): `<userId>:<episodeId>` until when. */
  const rentals = db.collection<{ _id: string, userId: ObjectId, episodeId: string, until: Date }>('episode_rentals')

  return {
    collection: ledger,

    async ensureIndexes (): Promise<void> {
      await ledger.createIndex({ userId: 1, seq: -1 }, { unique: true, name: 'user_seq_unique' })
      await ledger.createIndex({ userId: 1, key: 1 }, { unique: true, name: 'user_key_unique' })
      await ledger.createIndex({ userId: 1, kind: 1, seq: -1 }, { name: 'user_kind_seq' })
      await ledger.createIndex({ 'ref.paymentIntent': 1, kind: 1 }, { name: 'payment_intent_kind' })
      await ledger.createIndex({ 'ref.creatorId': 1, kind: 1, day: 1 }, { name: 'creator_kind_day' })
      await ledger.createIndex({ day: 1, kind: 1 }, { name: 'day_kind' })
      await rentals.createIndex({ userId: 1, until: -1 }, { name: 'user_until' })
    },

    async balance (userId: ObjectId): Promise<number> {
      return (await last(userId))?.balance ?? 0
    },

    /** The entry for `key` when there is one (an unlock, a check-in day, a purchase). */
    async findByKey (userId: ObjectId, key: string): Promise<LedgerDoc | null> {
      return await ledger.findOne({ userId, key })
    },

    /**
     * Adds the entry `key` once: `change(balance)` decides it from the current balance (and may throw, e.g. not
     * enough coins). `created` false: the entry was already there (a retry, or another request first).
     */
    async append (
      userId: ObjectId, key: string, change: (balance: number, previous: LedgerDoc | null) => LedgerChange,
      at = new Date()
    ): Promise<{ entry: LedgerDoc, created: boolean }> {
      for (;;) {
        const existing = await ledger.findOne({ userId, key })
        if (existing !== null) return { entry: existing, created: false }
        const previous = await last(userId)
        const balance = previous?.balance ?? 0
        const { kind, delta, ref } = change(balance, previous)
        if (balance + delta < 0) throw new Error(`a ledger entry may not take ${userId.toHexString()} below zero`)
        const entry: LedgerDoc = {
          _id: new Id(),
          userId,
          seq: (previous?.seq ?? 0) + 1,
          key,
          kind,
          delta,
          balance: balance + delta,
          ref,
          day: at.toISOString().slice(0, 10),
          at
        }
        // Lost to another entry (the same seq, or the same key): read again.
        if (await unlessDuplicate(() => ledger.insertOne(entry))) return { entry, created: true }
      }
    },

    async list (userId: ObjectId, page: PageRequest, kind?: LedgerKind) {
      return await findPage(ledger, kind === undefined ? { userId } : { userId, kind }, page, { uniqueSort: true })
    },

    /** The episodes the user unlocked, at most `limit` of them (ids). */
    async unlockedIds (userId: ObjectId, limit: number): Promise<string[]> {
      const rows = await ledger.find({ userId, kind: 'unlock' }, { projection: { 'ref.episodeId': 1 }, sort: { seq: -1 }, limit }).toArray()
      return rows.flatMap((r) => r.ref.episodeId === undefined ? [] : [r.ref.episodeId.toHexString()])
    },

    /** Which of these episodes the user unlocked (one query by the unique keys). */
    async unlockedAmong (userId: ObjectId, episodeIds: string[]): Promise<Set<string>> {
      const rows = await ledger.find({ userId, key: { $in: episodeIds.map((id) => `unlock:${id}`) } }, { projection: { key: 1 } }).toArray()
      return new Set(rows.map((r) => r.key.slice('unlock:'.length)))
    },

    /** Unlocks an episode for the user until `until` (a later one extends it; an earlier one changes nothing). */
    async rent (userId: ObjectId, episodeId: ObjectId, until: Date): Promise<Date> {
      const _id = `${userId.toHexString()}:${episodeId.toHexString()}`
      const found = await rentals.findOne({ _id })
      if (found !== null && found.until >= until) return found.until
      const set = { userId, episodeId: episodeId.toHexString(), until }
      await rentals.updateOne({ _id }, { $set: set }, { upsert: true })
      return until
    },

    /** The episodes the user has for a while now, with until when (at most `limit`). */
    async rentedNow (userId: ObjectId, limit: number): Promise<Array<{ episodeId: string, until: string }>> {
      const rows = await rentals.find({ userId, until: { $gt: new Date() } }, { sort: { until: -1 }, limit }).toArray()
      return rows.map((r) => ({ episodeId: r.episodeId, until: r.until.toISOString() }))
    },

    /** The last entry of this kind (the last check-in: its streak). */
    async lastOf (userId: ObjectId, kind: LedgerKind): Promise<LedgerDoc | null> {
      return await ledger.findOne({ userId, kind }, { sort: { seq: -1 } })
    },

    /** The purchase paid by this Stripe PaymentIntent (a refund takes back its coins). */
    async findPurchase (paymentIntent: string): Promise<LedgerDoc | null> {
      return await ledger.findOne({ 'ref.paymentIntent': paymentIntent, kind: 'purchase' })
    },

    /** Coins already taken back (or owed: a shortfall) by the refunds of a purchase's payment. */
    async refundedFor (paymentIntent: string): Promise<number> {
      const rows = await ledger.find({ 'ref.paymentIntent': paymentIntent, kind: 'refund' }).toArray()
      return rows.reduce((n, r) => n - r.delta + (r.ref.shortfall ?? 0), 0)
    },

    /** Coins moved on a UTC day, by kind of entry (purchase, unlock...): the platform's day. */
    async totalsOn (day: string): Promise<Partial<Record<LedgerKind, number>>> {
      const rows = await ledger.aggregate<{ _id: LedgerKind, n: number }>([
        { $match: { day } }, { $group: { _id: '$kind', n: { $sum: '$delta' } } }
      ]).toArray()
      return Object.fromEntries(rows.map((r) => [r._id, r.n]))
    },

    /** Coins spent on a creator's episodes from day `from` to day `to` (inclusive), per series and day. */
    async earnings (creatorId: ObjectId, from: string, to: string) {
      const match = { $match: { 'ref.creatorId': creatorId, kind: 'unlock', day: { $gte: from, $lte: to } } }
      const group = { _id: { seriesId: '$ref.seriesId', day: '$day' } }
      // One accumulator per $group: FerretDB v1 answers 0 for every accumulator after the first one.
      type Row = { _id: { seriesId: ObjectId, day: string }, n: number }
      const [coins, unlocks] = await Promise.all([
        ledger.aggregate<Row>([match, { $group: { ...group, n: { $sum: '$delta' } } }]).toArray(),
        ledger.aggregate<Row>([match, { $group: { ...group, n: { $sum: 1 } } }]).toArray()
      ])
      const count = new Map(unlocks.map((r) => [`${r._id.seriesId.toHexString()}:${r._id.day}`, r.n]))
      return coins.map((r) => ({ ...r._id, coins: -r.n, unlocks: count.get(`${r._id.seriesId.toHexString()}:${r._id.day}`) ?? 0 }))
    }
  }
}

export type CoinsRepository = ReturnType<typeof createCoinsRepository>
