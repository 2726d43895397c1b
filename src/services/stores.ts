import { createHmac } from 'node:crypto'
import type { ObjectId } from 'mongodb'
import { AppleVerificationError, createAppStore, type AppleTransaction } from '../adapters/app-store.js'
import { createGooglePlay, PlayApiError, type PlayProduct, type PlaySubscription } from '../adapters/google-play.js'
import { ApiError } from '../errors.js'
import type { EntitlementDoc, StoreProvider } from '../repositories/stores.js'
import type { Caller, ServiceDeps } from './types.js'
import type { WalletService } from './wallet.js'

/** What a store purchase came to for its buyer. */
export interface StorePurchaseResult {
  purchaseId: string
  productId: string
  offerId: string
  kind: 'coins' | 'vip'
  /** Coins this purchase credited (0 for a plan). */
  coins: number
  /** Until when VIP plays now, from any store (null: it does not). */
  vipUntil: string | null
}

/** A purchase as a store states it, once verified: what the rules below decide on, whichever store it is. */
interface StorePurchase {
  provider: StoreProvider
  /** The store's id of this payment: each is credited once. */
  id: string
  productId: string
  quantity: number
  at: Date
  revoked: boolean
}

/** A subscription's state as a store's newest event says it. */
interface StoreSubscription {
  provider: StoreProvider
  /** The store's id of the whole subscription (its renewals included). */
  id: string
  productId: string
  state: EntitlementDoc['state']
  playsUntil: Date | null
  /** The store's time of the event (ms): the newest applied wins. */
  eventAt: number
}

/** A real-time developer notification of Google Play, as Pub/Sub's message data carries it. */
interface GoogleNotification {
  packageName?: string
  eventTimeMillis?: string
  oneTimeProductNotification?: { notificationType: number, purchaseToken: string, sku: string }
  subscriptionNotification?: { notificationType: number, purchaseToken: string, subscriptionId: string }
  voidedPurchaseNotification?: { purchaseToken: string, orderId: string, productType: number, refundType?: number }
}

/** A purchase the store made that this API refuses (an unknown product, a revoked one): recorded; no retry helps. */
async function ignoreRefusals (applying: Promise<unknown>): Promise<void> {
  await applying.catch((err: unknown) => {
    if (err instanceof ApiError && ['store_product_unknown', 'store_purchase_revoked', 'store_purchase_pending', 'store_account_mismatch'].includes(err.code)) return
    throw err
  })
}

/** Apple's notification types that change a subscription's state beyond its transaction's expiry. */
const APPLE_STATES: Record<string, EntitlementDoc['state'] | undefined> = {
  EXPIRED: 'expired', GRACE_PERIOD_EXPIRED: 'expired', REVOKE: 'revoked', REFUND: 'revoked'
}

/**
 * Money from the app stores, on the one ledger and the one access rule: a coin pack bought in a store credits
 * its offer's coins once per store payment, a refund or revocation takes them back (down to zero, the rest a
 * shortfall), a store subscription plays until its period's end (or its grace period's) as its newest event says,
 * in whatever order events come. Every purchase is bound to one user by the account token the app passed to the
 * store (Apple's appAccountToken, Google's obfuscatedExternalAccountId). Unknown products are recorded, refused.
 */
export function createStoresService ({ repos, config, log }: ServiceDeps, wallet: Pick<WalletService, 'credit'>) {
  const { stores, offers, users, coins, claims } = repos
  const apple = createAppStore(config)
  const google = createGooglePlay(config)

  /** The user's account token: a UUID derived from their id, the same for every store. */
  function accountToken (userId: ObjectId): string {
    const h = createHmac('sha256', config.JWT_SECRET).update(`store-account:${userId.toHexString()}`).digest()
    h[6] = (h[6]! & 0x0f) | 0x40
    h[8] = (h[8]! & 0x3f) | 0x80
    const x = h.subarray(0, 16).toString('hex')
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`
  }

  async function offerFor (provider: StoreProvider, productId: string, kind: 'coins' | 'vip') {
    const offerId = await stores.offerOf(provider, productId)
    const offer = offerId === null ? null : await offers.findById(offerId)
    return offer?.kind === kind ? offer : null
  }

  async function vipUntil (userId: ObjectId): Promise<Date | null> {
    const now = Date.now()
    const until = (await stores.entitlementsOf(userId))
      .filter((e) => (e.state === 'active' || e.state === 'grace') && e.playsUntil !== null && e.playsUntil.getTime() > now)
      .reduce<Date | null>((latest, e) => latest === null || e.playsUntil! > latest ? e.playsUntil : latest, null)
    await users.setStoreEntitledUntil(userId, until)
    return until
  }

  /** Refused and recorded: a product no offer of this kind is sold by. */
  async function refuseUnknown (purchase: StorePurchase, userId: ObjectId): Promise<never> {
    await stores.record({
      _id: `${purchase.provider}:${purchase.id}`,
      provider: purchase.provider,
      userId,
      productId: purchase.productId,
      offerId: null,
      status: 'refused',
      reason: 'unknown_product',
      at: new Date()
    })
    log.warn({ provider: purchase.provider, productId: purchase.productId }, 'a store purchase of an unknown product: recorded, refused')
    throw new ApiError('store_product_unknown')
  }

  /**
   * A store payment refunded or voided: the coins it credited taken back once (down to zero: the rest is a
   * shortfall), and the payment marked so that it is never credited later (a refund may come before its purchase).
   */
  async function refund (key: string, provider: StoreProvider): Promise<void> {
    const { purchase: record } = await stores.record({
      _id: key, provider, userId: null, productId: '', offerId: null, status: 'refunded', reason: 'refunded before it was seen', at: new Date()
    })
    const credited = record.userId === null ? null : await coins.findByKey(record.userId, key)
    if (credited !== null) {
      await wallet.credit(credited.userId, `refund:${key}`, (balance) => ({
        kind: 'refund',
        delta: -Math.min(balance, credited.delta),
        ref: { offerId: credited.ref.offerId, storeId: key, shortfall: Math.max(0, credited.delta - balance) }
      }))
    }
    await stores.setPurchaseStatus(key, 'refunded')
  }

  /** A coin pack: its offer's coins once per store payment; a refunded one, taken back (or never credited). */
  async function applyPack (purchase: StorePurchase, userId: ObjectId): Promise<StorePurchaseResult> {
    const key = `${purchase.provider}:${purchase.id}`
    const offer = await offerFor(purchase.provider, purchase.productId, 'coins')
    if (offer === null) return await refuseUnknown(purchase, userId)
    const result = { purchaseId: key, productId: purchase.productId, offerId: offer._id.toHexString(), kind: 'coins' as const, vipUntil: null }
    if (purchase.revoked) {
      await refund(key, purchase.provider)
      return { ...result, coins: 0 }
    }
    const { purchase: record } = await stores.record({
      _id: key, provider: purchase.provider, userId, productId: purchase.productId, offerId: offer._id, status: 'credited', reason: null, at: new Date()
    })
    if (record.status === 'refunded') throw new ApiError('store_purchase_revoked')
    if (record.userId?.equals(userId) !== true) throw new ApiError('store_account_mismatch')
    const amount = (offer.coins + offer.bonusCoins) * purchase.quantity
    const { entry } = await wallet.credit(userId, key, () => ({ kind: 'purchase', delta: amount, ref: { offerId: offer._id, storeId: key } }), null, purchase.at)
    return { ...result, coins: entry.delta }
  }

  /** A VIP plan: its newest state, whichever order its events arrive in; then what plays for the user. */
  async function applySubscription (
    subscription: StoreSubscription, purchase: StorePurchase, userId: ObjectId
  ): Promise<StorePurchaseResult> {
    const offer = await offerFor(subscription.provider, subscription.productId, 'vip')
    if (offer === null) return await refuseUnknown(purchase, userId)
    const id = `${subscription.provider}:${subscription.id}`
    const current = await stores.findEntitlement(id)
    if (current !== null && !current.userId.equals(userId)) throw new ApiError('store_account_mismatch')
    await stores.record({
      _id: `${purchase.provider}:${purchase.id}`,
      provider: purchase.provider,
      userId,
      productId: purchase.productId,
      offerId: offer._id,
      status: 'entitled',
      reason: null,
      at: new Date()
    })
    await stores.applyEntitlement({
      _id: id,
      provider: subscription.provider,
      userId,
      offerId: offer._id,
      productId: subscription.productId,
      state: subscription.state,
      playsUntil: subscription.playsUntil,
      eventAt: subscription.eventAt
    })
    const until = await vipUntil(userId)
    return {
      purchaseId: `${purchase.provider}:${purchase.id}`,
      productId: subscription.productId,
      offerId: offer._id.toHexString(),
      kind: 'vip',
      coins: 0,
      vipUntil: until?.toISOString() ?? null
    }
  }

  // Apple ------------------------------------------------------------------------------------------------------

  function needApple () {
    if (apple === null) throw new ApiError('provider_not_configured')
    return apple
  }

  async function verifiedApple<T> (verify: () => Promise<T>, refused: 'store_transaction_invalid' | 'store_signature_invalid'): Promise<T> {
    try {
      return await verify()
    } catch (err) {
      if (err instanceof AppleVerificationError && err.retry) throw new ApiError('payments_unavailable', 'Apple could not be asked about this purchase; try again shortly')
      if (err instanceof AppleVerificationError) throw new ApiError(refused, err.message)
      throw err
    }
  }

  /** An Apple transaction applied for `userId`: a consumable pack, or an auto-renewable plan in `state`. */
  async function applyAppleTransaction (tx: AppleTransaction, userId: ObjectId, eventAt: number, state?: { state: EntitlementDoc['state'], until: Date | null }) {
    const purchase: StorePurchase = {
      provider: 'apple',
      id: String(tx.transactionId),
      productId: String(tx.productId),
      quantity: Math.max(1, tx.quantity ?? 1),
      at: new Date(tx.purchaseDate ?? Date.now()),
      revoked: tx.revocationDate !== undefined
    }
    if (tx.type === 'Auto-Renewable Subscription') {
      const expires = tx.expiresDate === undefined ? null : new Date(tx.expiresDate)
      const derived = purchase.revoked
        ? { state: 'revoked' as const, until: null }
        : expires !== null && expires.getTime() > Date.now() ? { state: 'active' as const, until: expires } : { state: 'expired' as const, until: null }
      const { state: s, until } = purchase.revoked ? derived : state ?? derived
      return await applySubscription({
        provider: 'apple', id: String(tx.originalTransactionId), productId: purchase.productId, state: s, playsUntil: until, eventAt
      }, purchase, userId)
    }
    if (tx.type === 'Consumable') return await applyPack(purchase, userId)
    return await refuseUnknown(purchase, userId)
  }

  // Google Play ------------------------------------------------------------------------------------------------

  function needGoogle () {
    if (google === null) throw new ApiError('provider_not_configured')
    return google
  }

  /** Google's answer: a token Google does not know for this app is the client's fault; anything else, retry later. */
  async function fromPlay<T> (request: () => Promise<T>): Promise<T> {
    try {
      return await request()
    } catch (err) {
      const status = err instanceof PlayApiError ? err.status ?? 0 : 0
      if (status >= 400 && status < 500 && status !== 429) {
        throw new ApiError('store_transaction_invalid', 'Google Play knows no such purchase of this app')
      }
      if (err instanceof PlayApiError) throw new ApiError('payments_unavailable', 'Google Play could not be asked about this purchase; try again shortly')
      throw err
    }
  }

  /** A one-time product as Google states it: a coin pack credited, then consumed (so it can be bought again). */
  async function applyPlayProduct (p: PlayProduct, productId: string, token: string, userId: ObjectId) {
    const play = needGoogle()
    if (p.purchaseState === 2) throw new ApiError('store_purchase_pending')
    const purchase: StorePurchase = {
      provider: 'google',
      id: p.orderId ?? token,
      productId,
      quantity: Math.max(1, p.quantity ?? 1),
      at: new Date(Number(p.purchaseTimeMillis ?? Date.now())),
      revoked: p.purchaseState === 1
    }
    const result = await applyPack(purchase, userId)
    if (purchase.revoked) throw new ApiError('store_purchase_revoked')
    if (p.consumptionState !== 1) await fromPlay(async () => { await play.consume(productId, token) })
    return result
  }

  /** A subscription as Google states it now (so whatever order its notifications came in, the newest truth wins). */
  async function applyPlaySubscription (sub: PlaySubscription, token: string, userId: ObjectId) {
    const play = needGoogle()
    const item = sub.lineItems?.[0]
    const productId = item?.productId ?? ''
    const expiry = item?.expiryTime == null ? null : new Date(item.expiryTime)
    const paid = expiry !== null && expiry.getTime() > Date.now() ? expiry : null
    const states: Record<string, { state: EntitlementDoc['state'], until: Date | null }> = {
      SUBSCRIPTION_STATE_ACTIVE: { state: 'active', until: paid },
      SUBSCRIPTION_STATE_CANCELED: { state: 'active', until: paid }, // canceled: no renewal, but paid until expiry
      SUBSCRIPTION_STATE_IN_GRACE_PERIOD: { state: 'grace', until: paid },
      SUBSCRIPTION_STATE_ON_HOLD: { state: 'billing_retry', until: null },
      SUBSCRIPTION_STATE_PAUSED: { state: 'billing_retry', until: null },
      SUBSCRIPTION_STATE_EXPIRED: { state: 'expired', until: null }
    }
    const { state, until } = states[sub.subscriptionState ?? ''] ?? { state: 'expired', until: null }
    const purchase: StorePurchase = {
      provider: 'google', id: item?.latestSuccessfulOrderId ?? token, productId, quantity: 1, at: new Date(sub.startTime ?? Date.now()), revoked: false
    }
    const result = await applySubscription({ provider: 'google', id: token, productId, state, playsUntil: until, eventAt: Date.now() }, purchase, userId)
    if (sub.acknowledgementState === 'ACKNOWLEDGEMENT_STATE_PENDING' && until !== null) {
      await fromPlay(async () => { await play.acknowledgeSubscription(productId, token) })
    }
    return result
  }

  return {
    accountToken,

    /** The caller's account token, remembered so that the stores' notifications find the caller by it. */
    async account (caller: Caller) {
      const token = accountToken(caller._id)
      await stores.rememberAccount(token, caller._id)
      return { accountToken: token }
    },

    /**
     * A Google Play purchase the app reports (its purchase token): Google's Play Developer API is asked for the
     * purchase's truth, which must carry the caller's account token as obfuscatedExternalAccountId; a coin pack is
     * credited once per order and consumed, a VIP plan plays as Google says and is acknowledged.
     */
    async googlePurchase (caller: Caller, input: { kind: 'product' | 'subscription', productId: string, purchaseToken: string }) {
      const play = needGoogle()
      const token = accountToken(caller._id)
      if (input.kind === 'product') {
        const p = await fromPlay(async () => await play.product(input.productId, input.purchaseToken))
        if (p.obfuscatedExternalAccountId !== token) throw new ApiError('store_account_mismatch')
        await stores.rememberAccount(token, caller._id)
        return await applyPlayProduct(p, input.productId, input.purchaseToken, caller._id)
      }
      const sub = await fromPlay(async () => await play.subscription(input.purchaseToken))
      if (sub.externalAccountIdentifiers?.obfuscatedExternalAccountId !== token) throw new ApiError('store_account_mismatch')
      await stores.rememberAccount(token, caller._id)
      return await applyPlaySubscription(sub, input.purchaseToken, caller._id)
    },

    /**
     * A real-time developer notification pushed by Pub/Sub: its OIDC bearer token verified (audience, service
     * account), applied once per message id, each purchase read again from the Play Developer API before anything
     * is credited; a voided purchase's coins are taken back, a voided subscription revoked.
     */
    async googleNotification (authorization: string | undefined, message: { data: string, messageId: string }) {
      const play = needGoogle()
      const bearer = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1]
      if (bearer === undefined || !await play.isPush(bearer)) throw new ApiError('store_signature_invalid')
      let n: GoogleNotification
      try {
        n = JSON.parse(Buffer.from(message.data, 'base64').toString('utf8')) as GoogleNotification
      } catch {
        throw new ApiError('bad_request', 'The message\'s data is not base64 JSON')
      }
      if (n.packageName !== play.packageName) {
        log.warn({ packageName: n.packageName }, 'a Play notification for another app: acknowledged, nothing applied')
        return { duplicate: false }
      }
      const claim = `google-message:${message.messageId}`
      if (!await claims.claim(claim, new Date(Date.now() + 90 * 86_400_000))) return { duplicate: true }
      const userOf = async (account: string | null | undefined) =>
        account == null ? null : await stores.userOfAccount(account)
      try {
        const product = n.oneTimeProductNotification
        const subscription = n.subscriptionNotification
        const voided = n.voidedPurchaseNotification
        if (product !== undefined && product.notificationType === 1) {
          const p = await fromPlay(async () => await play.product(product.sku, product.purchaseToken))
          const userId = await userOf(p.obfuscatedExternalAccountId)
          if (userId === null) log.warn({ sku: product.sku }, 'a Play purchase for no known user: acknowledged, nothing applied')
          else await ignoreRefusals(applyPlayProduct(p, product.sku, product.purchaseToken, userId))
        } else if (subscription !== undefined) {
          const sub = await fromPlay(async () => await play.subscription(subscription.purchaseToken))
          const userId = await userOf(sub.externalAccountIdentifiers?.obfuscatedExternalAccountId) ??
            (await stores.findEntitlement(`google:${subscription.purchaseToken}`))?.userId ?? null
          if (userId === null) log.warn({ subscription: subscription.subscriptionId }, 'a Play subscription for no known user: acknowledged')
          else await ignoreRefusals(applyPlaySubscription(sub, subscription.purchaseToken, userId))
        } else if (voided !== undefined && voided.productType === 2) {
          await refund(`google:${voided.orderId}`, 'google')
        } else if (voided !== undefined) {
          const current = await stores.findEntitlement(`google:${voided.purchaseToken}`)
          if (current !== null) {
            await stores.applyEntitlement({ ...current, state: 'revoked', playsUntil: null, eventAt: Date.now() })
            await vipUntil(current.userId)
          }
        }
        return { duplicate: false }
      } catch (err) {
        if (err instanceof ApiError && err.code === 'store_transaction_invalid') {
          log.warn({ message: message.messageId }, 'a Play notification of a purchase Google does not know: acknowledged')
          return { duplicate: false }
        }
        await claims.release(claim)
        throw err
      }
    },

    /** A StoreKit 2 transaction the app sends after a purchase: verified, bound to the caller, applied once. */
    async appleTransaction (caller: Caller, signedTransaction: string): Promise<StorePurchaseResult> {
      const store = needApple()
      const tx = await verifiedApple(async () => await store.transaction(signedTransaction), 'store_transaction_invalid')
      if (tx.appAccountToken !== accountToken(caller._id)) throw new ApiError('store_account_mismatch')
      await stores.rememberAccount(tx.appAccountToken, caller._id)
      if (tx.revocationDate !== undefined && tx.type === 'Consumable') {
        await applyAppleTransaction(tx, caller._id, tx.signedDate ?? Date.now())
        throw new ApiError('store_purchase_revoked')
      }
      return await applyAppleTransaction(tx, caller._id, tx.signedDate ?? Date.now())
    },

    /**
     * An App Store Server Notification V2: verified, applied once (by its notificationUUID), in any order (a
     * subscription keeps its newest event's state). Renewals extend VIP; a failed renewal in its grace period
     * plays until the grace period ends, one in billing retry does not; expiry, refund and revocation end it; a
     * refunded pack's coins are taken back. Unknown users and products are logged and acknowledged (Apple would
     * retry them forever otherwise).
     */
    async appleNotification (signedPayload: string): Promise<{ type: string, duplicate: boolean }> {
      const store = needApple()
      const n = await verifiedApple(async () => await store.notification(signedPayload), 'store_signature_invalid')
      const type = String(n.notificationType ?? '')
      const claim = `apple-notification:${n.notificationUUID ?? ''}`
      if (!await claims.claim(claim, new Date(Date.now() + 90 * 86_400_000))) return { type, duplicate: true }
      try {
        const signed = n.data?.signedTransactionInfo
        if (signed === undefined) return { type, duplicate: false }
        const tx = await verifiedApple(async () => await store.transaction(signed), 'store_signature_invalid')
        const renewal = n.data?.signedRenewalInfo === undefined ? undefined : await verifiedApple(async () => await store.renewal(n.data!.signedRenewalInfo!), 'store_signature_invalid')
        const userId = (tx.appAccountToken === undefined ? null : await stores.userOfAccount(tx.appAccountToken)) ??
          (await stores.findEntitlement(`apple:${String(tx.originalTransactionId)}`))?.userId ?? null
        if (userId === null) {
          log.warn({ notification: n.notificationUUID, type }, 'an App Store notification for no known user: acknowledged, nothing applied')
          return { type, duplicate: false }
        }
        let state: { state: EntitlementDoc['state'], until: Date | null } | undefined
        if (type === 'DID_FAIL_TO_RENEW') {
          const grace = renewal?.gracePeriodExpiresDate
          state = n.subtype === 'GRACE_PERIOD' && grace !== undefined ? { state: 'grace', until: new Date(grace) } : { state: 'billing_retry', until: null }
        } else if (APPLE_STATES[type] !== undefined) {
          state = { state: APPLE_STATES[type], until: null }
        }
        await ignoreRefusals(applyAppleTransaction(tx, userId, n.signedDate ?? Date.now(), state))
        return { type, duplicate: false }
      } catch (err) {
        await claims.release(claim)
        throw err
      }
    }
  }
}

export type StoresService = ReturnType<typeof createStoresService>
