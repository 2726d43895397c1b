import type { Db, ObjectId } from 'mongodb'
import { insertOrNull, unlessDuplicate } from '../adapters/db.js'

export type StoreProvider = 'apple' | 'google'

/** A purchase in an app store, as first seen: credited, refused (unknown product, another user's) or refunded. */
export interface StorePurchaseDoc {
  /** `<provider>:<transaction id or order id>` */
  _id: string
  provider: StoreProvider
  userId: ObjectId | null
  productId: string
  offerId: ObjectId | null
  status: 'credited' | 'entitled' | 'refused' | 'refunded'
  reason: string | null
  at: Date
}

/** A subscription in an app store: what its newest event says, whichever order the events came in. */
export interface EntitlementDoc {
  /** `<provider>:<original transaction id or purchase token>` */
  _id: string
  provider: StoreProvider
  userId: ObjectId
  offerId: ObjectId | null
  productId: string
  state: 'active' | 'grace' | 'billing_retry' | 'expired' | 'revoked'
  /** Until when it plays (the period's end, or the grace period's); null: it does not. */
  playsUntil: Date | null
  /** The store's time of the event applied (ms): an older one never overwrites it. */
  eventAt: number
  updatedAt: Date
}

/**
 * The app stores' side of billing: which store product sells which offer, which user an account token stands
 * for, each store purchase once, and each store subscription's newest state.
 */
export function createStoresRepository (db: Db) {
  const products = db.collection<{ _id: string, offerId: ObjectId }>('store_products')
  const accounts = db.collection<{ _id: string, userId: ObjectId }>('store_accounts')
  const purchases = db.collection<StorePurchaseDoc>('store_purchases')
  const entitlements = db.collection<EntitlementDoc>('entitlements')

  return {
    collections: { products, accounts, purchases, entitlements },

    async ensureIndexes (): Promise<void> {
      await products.createIndex({ offerId: 1 }, { name: 'offerId' })
      await entitlements.createIndex({ userId: 1 }, { name: 'userId' })
      await purchases.createIndex({ userId: 1, at: -1 }, { name: 'user_at' })
    },

    async offerOf (provider: StoreProvider, productId: string): Promise<ObjectId | null> {
      return (await products.findOne({ _id: `${provider}:${productId}` }))?.offerId ?? null
    },

    /** Binds a store product to an offer (replacing its previous product); false when another offer sells it. */
    async setProduct (provider: StoreProvider, productId: string | null, offerId: ObjectId): Promise<boolean> {
      if (productId !== null) {
        const taken = await products.findOne({ _id: `${provider}:${productId}` })
        if (taken !== null && !taken.offerId.equals(offerId)) return false
        if (taken === null && await insertOrNull(products, { _id: `${provider}:${productId}`, offerId }) === null) return false
      }
      await products.deleteMany({ offerId, _id: { $regex: `^${provider}:`, ...(productId === null ? {} : { $ne: `${provider}:${productId}` }) } })
      return true
    },

    async rememberAccount (token: string, userId: ObjectId): Promise<void> {
      await unlessDuplicate(() => accounts.insertOne({ _id: token, userId }))
    },

    async userOfAccount (token: string): Promise<ObjectId | null> {
      return (await accounts.findOne({ _id: token }))?.userId ?? null
    },

    /** Records a purchase the first time it is seen; the record as it was when already known. */
    async record (doc: StorePurchaseDoc): Promise<{ purchase: StorePurchaseDoc, created: boolean }> {
      const created = await insertOrNull(purchases, doc)
      if (created !== null) return { purchase: created, created: true }
      return { purchase: (await purchases.findOne({ _id: doc._id }))!, created: false }
    },

    async findPurchase (id: string): Promise<StorePurchaseDoc | null> {
      return await purchases.findOne({ _id: id })
    },

    async setPurchaseStatus (id: string, status: StorePurchaseDoc['status']): Promise<void> {
      await purchases.updateOne({ _id: id }, { $set: { status } })
    },

    /**
     * Applies a subscription's state unless a newer event was applied: an upsert filtered on an older event time;
     * when the stored one is newer, the filter misses and the insert meets the unique _id (skipped). True if applied.
     */
    async applyEntitlement (doc: Omit<EntitlementDoc, 'updatedAt'>): Promise<boolean> {
      const { _id, ...set } = doc
      return await unlessDuplicate(() => entitlements.updateOne(
        { _id, eventAt: { $lte: doc.eventAt } },
        { $set: { ...set, updatedAt: new Date() } },
        { upsert: true }
      ))
    },

    async findEntitlement (id: string): Promise<EntitlementDoc | null> {
      return await entitlements.findOne({ _id: id })
    },

    async entitlementsOf (userId: ObjectId): Promise<EntitlementDoc[]> {
      return await entitlements.find({ userId }).toArray()
    }
  }
}

export type StoresRepository = ReturnType<typeof createStoresRepository>
