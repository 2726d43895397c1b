import type { Db, ObjectId } from 'mongodb'
import { insertOrNull } from '../adapters/db.js'

export type OfferKind = 'vip' | 'coins'
export type Period = 'week' | 'month' | 'year'

export interface OfferDoc {
  _id: ObjectId
  kind: OfferKind
  name: string
  /** The Stripe Price that Checkout charges; its amount and currency are copied from Stripe when set. */
  stripePriceId: string
  amount: number
  currency: string
  /** VIP plans: how often the subscription renews. */
  period: Period | null
  /** Coin packs: coins and bonus coins credited once paid. */
  coins: number
  bonusCoins: number
  /** The product that sells it in the App Store and in Google Play (unique: src/repositories/stores.ts), if any. */
  appleProductId?: string | null
  googleProductId?: string | null
  /** Shown to buyers; a retired offer is not sold any more (a subscription to it runs on). */
  active: boolean
  createdAt: Date
  updatedAt: Date
}

export type OfferInput = Pick<OfferDoc, 'kind' | 'name' | 'stripePriceId' | 'amount' | 'currency' | 'period' | 'coins' | 'bonusCoins'>

/** What admins sell: VIP plans and coin packs, each bound to one Stripe Price. */
export function createOffersRepository (db: Db) {
  const offers = db.collection<OfferDoc>('offers')

  return {
    collection: offers,

    async ensureIndexes (): Promise<void> {
      await offers.createIndex({ stripePriceId: 1 }, { unique: true, name: 'price_unique' })
      await offers.createIndex({ active: 1, kind: 1, amount: 1 }, { name: 'active_kind_amount' })
    },

    /** Null when another offer already sells this Stripe price. */
    async create (input: OfferInput): Promise<OfferDoc | null> {
      const now = new Date()
      return await insertOrNull(offers, { ...input, active: true, createdAt: now, updatedAt: now } as OfferDoc)
    },

    async findById (id: ObjectId): Promise<OfferDoc | null> {
      return await offers.findOne({ _id: id })
    },

    async findByPrice (stripePriceId: string): Promise<OfferDoc | null> {
      return await offers.findOne({ stripePriceId })
    },

    /** Every offer on sale (a handful), cheapest first within each kind; or every offer, for admins. */
    async list (activeOnly: boolean): Promise<OfferDoc[]> {
      const filter = activeOnly ? { active: true } : {}
      return await offers.find(filter, { sort: { active: -1, kind: 1, amount: 1 }, limit: 200 }).toArray()
    },

    async update (id: ObjectId, set: Partial<Pick<OfferDoc, 'name' | 'coins' | 'bonusCoins' | 'active' | 'appleProductId' | 'googleProductId'>>): Promise<OfferDoc | null> {
      return await offers.findOneAndUpdate({ _id: id }, { $set: { ...set, updatedAt: new Date() } }, { returnDocument: 'after' })
    }
  }
}

export type OffersRepository = ReturnType<typeof createOffersRepository>
