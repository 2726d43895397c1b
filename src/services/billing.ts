import { ObjectId } from 'mongodb'
import type Stripe from 'stripe'
import { ApiError } from '../errors.js'
import { event } from '../events.js'
import type { OfferDoc, OfferInput, Period } from '../repositories/offers.js'
import type { Subscription, UserDoc } from '../repositories/users.js'
import type { SubscriptionStatus } from '../schemas/common.js'
import { stripeFailure } from '../adapters/stripe.js'
import type { Caller, ServiceDeps } from './types.js'
import type { WalletService } from './wallet.js'

export function toOffer (doc: OfferDoc) {
  return {
    id: doc._id.toHexString(),
    kind: doc.kind,
    name: doc.name,
    amount: doc.amount,
    currency: doc.currency,
    period: doc.period,
    coins: doc.coins,
    bonusCoins: doc.bonusCoins,
    active: doc.active,
    stripePriceId: doc.stripePriceId,
    appleProductId: doc.appleProductId ?? null,
    googleProductId: doc.googleProductId ?? null
  }
}

/** What an admin may change of an offer. */
interface OfferChange {
  name?: string
  coins?: number
  bonusCoins?: number
  active?: boolean
  appleProductId?: string | null
  googleProductId?: string | null
}

const PERIODS: Record<string, Period> = { week: 'week', month: 'month', year: 'year' }

/** Stripe's subscription statuses, as ours: trialing plays like active; anything unpaid or ended does not play. */
function statusOf (stripe: Stripe.Subscription.Status): SubscriptionStatus {
  if (stripe === 'active' || stripe === 'trialing') return 'active'
  if (stripe === 'past_due') return 'past_due'
  return 'canceled'
}

/** What a Stripe event says of one subscription. */
interface StripeState {
  id: string
  status: SubscriptionStatus
  currentPeriodEnd: Date | null
  /** The plan, when the event names its price (undefined: unchanged). */
  offerId?: ObjectId | null
  ended: boolean
}

const idOf = (value: string | { id: string } | null | undefined): string | null =>
  value == null ? null : typeof value === 'string' ? value : value.id

/** The events POST /billing/webhook applies; any other is acknowledged and ignored. */
export const STRIPE_EVENTS = [
  'checkout.session.completed', 'checkout.session.async_payment_succeeded', 'customer.subscription.created',
  'customer.subscription.updated', 'customer.subscription.deleted', 'invoice.paid', 'invoice.payment_failed', 'charge.refunded'
] as const

/**
 * Money in through Stripe: the offers admins sell (VIP plans, coin packs), Checkout and the customer portal, and
 * the webhook's events, each applied once and in any order: a purchase credits its coins under the Checkout
 * Session's key, a subscription changes only from an event newer than the one it reflects (and never after its
 * deletion), a refund takes back what it paid for under the charge's key.
 */
export function createBillingService ({ repos, stripe, events, config, log }: ServiceDeps, wallet: Pick<WalletService, 'credit'>) {
  const { offers, users, audit, coins, billing } = repos
  const graceMs = config.SUBSCRIPTION_GRACE_HOURS * 3_600_000
  /** BILLING_RETURN_URL with `query` added (as written: Stripe fills in `{CHECKOUT_SESSION_ID}`). */
  const returnTo = (query: string) => `${config.BILLING_RETURN_URL}${config.BILLING_RETURN_URL.includes('?') ? '&' : '?'}${query}`

  async function onSale (id: ObjectId): Promise<OfferDoc> {
    const offer = await offers.findById(id)
    if (offer === null || !offer.active) throw new ApiError('offer_not_found')
    return offer
  }

  /** The caller's Stripe customer, made once (Stripe's idempotency key makes a retry return the same one). */
  async function customerOf (caller: Caller): Promise<string> {
    const user = await users.findById(caller._id)
    if (user === null) throw new ApiError('unauthorized', 'The account no longer exists')
    if (user.stripeCustomerId != null) return user.stripeCustomerId
    const customer = await stripe.customers.create({ email: user.email, metadata: { userId: user._id.toHexString() } },
      { idempotencyKey: `customer-${user._id.toHexString()}` }).catch((err: unknown) => { throw stripeFailure(err) })
    await users.setStripeCustomer(user._id, customer.id)
    return customer.id
  }

  /** The user an event is about: the id we put in its metadata, else its Stripe customer's user. */
  async function userOf (metadata: Stripe.Metadata | null | undefined, customer: string | null) {
    const id = metadata?.userId
    if (id !== undefined && /^[0-9a-f]{24}$/.test(id)) {
      const user = await users.findById(ObjectId.createFromHexString(id))
      if (user !== null) return user
    }
    return customer === null ? null : await users.findByStripeCustomer(customer)
  }

  /**
   * Moves the user's subscription to `state` (from an event about Stripe subscription `state.id`), unless the
   * user's state already reflects a newer event, or that subscription's deletion. Each change claims the
   * subscription's revision in the audit log (actor: none, the reason names the event).
   */
  async function applySubscription (user: UserDoc, state: StripeState, stripeEvent: Stripe.Event) {
    const { id, status, currentPeriodEnd, offerId, ended } = state
    const next = (current: Subscription): Partial<Subscription> | null => {
      if (current.stripeSubscriptionId === id && current.stripeEnded === true) return null
      if ((current.stripeEventAt ?? 0) > stripeEvent.created) return null
      return {
        status,
        source: 'stripe',
        ...(offerId === undefined ? {} : { offerId }),
        currentPeriodEnd,
        // Plays to the period's end and a grace period after it (a renewal's events may come late, a failed one
        // is retried).
        entitledUntil: currentPeriodEnd === null ? new Date(0) : new Date(currentPeriodEnd.getTime() + graceMs),
        stripeSubscriptionId: id,
        stripeEventAt: stripeEvent.created,
        stripeEnded: ended
      }
    }
    let change: { from: SubscriptionStatus, to: SubscriptionStatus, at: Date } | undefined
    await users.changeSubscription(user._id, next, async (from, to, revision) => {
      change = { from: from.status, to: to.status ?? from.status, at: new Date() }
      return await audit.claim({
        actorId: null,
        action: 'user.subscription',
        targetType: 'user',
        targetId: user._id,
        revision,
        before: change.from,
        after: change.to,
        reason: `Stripe ${stripeEvent.type} ${stripeEvent.id}`,
        at: change.at
      })
    })
    if (change !== undefined && change.from !== change.to) {
      await events.emit(event('user.subscription_changed', null, { type: 'user', id: user._id }, change.from, change.to, change.at))
    }
  }

  /** A paid Checkout Session: a coin pack's coins (as shown at checkout) credited once. */
  async function completeCheckout (session: Stripe.Checkout.Session) {
    if (session.mode !== 'payment' || session.payment_status !== 'paid') return
    const user = await userOf(session.metadata, idOf(session.customer))
    const offerId = session.metadata?.offerId
    const amount = Number(session.metadata?.coins)
    if (user === null || offerId === undefined || !Number.isSafeInteger(amount) || amount <= 0) {
      log.warn({ session: session.id }, 'a paid checkout session names no user or coin pack: nothing credited')
      return
    }
    await wallet.credit(user._id, `purchase:${session.id}`, () => ({
      kind: 'purchase',
      delta: amount,
      ref: {
        offerId: ObjectId.createFromHexString(offerId),
        stripeId: session.id,
        paymentIntent: idOf(session.payment_intent) ?? undefined
      }
    }))
  }

  /**
   * A refunded charge of a coin pack: its coins taken back in proportion to all that was refunded so far, less what
   * earlier refunds took, down to zero at most (the rest recorded as a shortfall). Each refunded amount once.
   */
  async function refund (charge: Stripe.Charge) {
    const paymentIntent = idOf(charge.payment_intent)
    const purchase = paymentIntent === null ? null : await coins.findPurchase(paymentIntent)
    if (purchase === null || paymentIntent === null || charge.amount <= 0) return
    const owed = Math.round(purchase.delta * Math.min(charge.amount_refunded, charge.amount) / charge.amount) -
      await coins.refundedFor(paymentIntent)
    if (owed <= 0) return
    await wallet.credit(purchase.userId, `refund:${charge.id}:${charge.amount_refunded}`, (balance) => ({
      kind: 'refund',
      delta: -Math.min(balance, owed),
      ref: { stripeId: charge.id, paymentIntent, offerId: purchase.ref.offerId, shortfall: Math.max(0, owed - balance) }
    }))
  }

  async function applyEvent (stripeEvent: Stripe.Event): Promise<void> {
    switch (stripeEvent.type) {
      case 'checkout.session.completed':
      case 'checkout.session.async_payment_succeeded':
        return await completeCheckout(stripeEvent.data.object)
      case 'customer.subscription.created':
      case 'customer.subscription.updated':
      case 'customer.subscription.deleted': {
        const sub = stripeEvent.data.object
        const user = await userOf(sub.metadata, idOf(sub.customer))
        if (user === null) return log.warn({ subscription: sub.id }, 'a subscription event names no user of ours')
        const item = sub.items.data[0]
        const ended = stripeEvent.type === 'customer.subscription.deleted'
        return await applySubscription(user, {
          id: sub.id,
          status: ended ? 'canceled' : statusOf(sub.status),
          currentPeriodEnd: item === undefined ? null : new Date(item.current_period_end * 1000),
          offerId: item === undefined ? null : (await offers.findByPrice(item.price.id))?._id ?? null,
          ended
        }, stripeEvent)
      }
      case 'invoice.paid':
      case 'invoice.payment_failed': {
        // The subscription's own events carry its status and period too; these move it as soon as the payment is known.
        const invoice = stripeEvent.data.object
        const subId = idOf(invoice.parent?.subscription_details?.subscription)
        if (subId === null) return
        const user = await userOf(invoice.parent?.subscription_details?.metadata, idOf(invoice.customer))
        if (user === null || user.subscription.stripeSubscriptionId !== subId) return
        const paid = stripeEvent.type === 'invoice.paid'
        return await applySubscription(user, {
          id: subId,
          status: paid ? 'active' : 'past_due',
          // A renewal invoice's line covers the new period.
          currentPeriodEnd: paid
            ? new Date((invoice.lines.data[0]?.period.end ?? invoice.period_end) * 1000)
            : user.subscription.currentPeriodEnd ?? null,
          ended: false
        }, stripeEvent)
      }
      case 'charge.refunded':
        return await refund(stripeEvent.data.object)
      default:
    }
  }

  return {
    async offers (): Promise<Array<ReturnType<typeof toOffer>>> {
      return (await offers.list(true)).map(toOffer)
    },

    async allOffers () {
      return (await offers.list(false)).map(toOffer)
    },

    /**
     * A new offer on sale, for a Stripe Price (amount and currency read from Stripe; 422 `price_not_usable` for
     * a price Stripe does not know, a plan's price that does not renew, or a pack's that does: Checkout sells a
     * pack in payment mode, which takes one-time prices only); one offer per price (409 `price_taken`).
     */
    async createOffer (input: Pick<OfferInput, 'kind' | 'name' | 'stripePriceId' | 'coins' | 'bonusCoins'>) {
      const price = await stripe.prices.retrieve(input.stripePriceId)
        .catch((err: unknown) => { throw stripeFailure(err, new ApiError('price_not_usable', 'Stripe does not know this price')) })
      const period = PERIODS[price.recurring?.interval ?? ''] ?? null
      if (input.kind === 'vip' && period === null) throw new ApiError('price_not_usable', 'A VIP plan needs a price that renews weekly, monthly or yearly')
      if (input.kind === 'coins' && price.recurring !== null) throw new ApiError('price_not_usable', 'A coin pack needs a one-time price, not one that renews')
      if (price.unit_amount === null) throw new ApiError('price_not_usable', 'The price has no fixed amount')
      const created = await offers.create({
        ...input,
        coins: input.kind === 'coins' ? input.coins : 0,
        bonusCoins: input.kind === 'coins' ? input.bonusCoins : 0,
        amount: price.unit_amount,
        currency: price.currency,
        period: input.kind === 'vip' ? period : null
      })
      if (created === null) throw new ApiError('price_taken')
      return toOffer(created)
    },

    /**
     * Renames, re-prices in coins (a pack), retires or puts back an offer (a subscription to it runs on), or sets
     * the App Store and Google Play products that sell it (null: none; 409 `product_taken` if another offer's).
     */
    async updateOffer (id: ObjectId, set: OfferChange) {
      const current = await offers.findById(id)
      if (current === null) throw new ApiError('offer_not_found')
      for (const provider of ['apple', 'google'] as const) {
        const productId = set[`${provider}ProductId`]
        if (productId !== undefined && !await repos.stores.setProduct(provider, productId, id)) throw new ApiError('product_taken')
      }
      // A plan gives no coins: only a pack's counts change.
      const { coins, bonusCoins, ...rest } = set
      const counts = current.kind === 'coins' ? { coins, bonusCoins } : {}
      const changed = Object.fromEntries(Object.entries({ ...rest, ...counts }).filter(([, v]) => v !== undefined))
      const updated = await offers.update(id, changed)
      if (updated === null) throw new ApiError('offer_not_found')
      return toOffer(updated)
    },

    /**
     * A Stripe Checkout Session for an offer on sale, bound to the caller (its metadata names them, the offer and
     * a pack's coins as shown now): the URL to send the buyer to. A second VIP plan while one plays: 409.
     */
    async checkout (caller: Caller, offerId: ObjectId) {
      const offer = await onSale(offerId)
      const vip = offer.kind === 'vip'
      if (vip && caller.subscription.status !== 'none' && caller.subscription.status !== 'canceled') {
        const user = await users.findById(caller._id)
        if (user?.subscription.source === 'stripe' && user.subscription.stripeEnded !== true) throw new ApiError('already_subscribed')
      }
      const customer = await customerOf(caller)
      const userId = caller._id.toHexString()
      const coins: Record<string, string> = vip ? {} : { coins: String(offer.coins + offer.bonusCoins) }
      const metadata = { userId, offerId: offer._id.toHexString(), ...coins }
      const session = await stripe.checkout.sessions.create({
        mode: vip ? 'subscription' : 'payment',
        line_items: [{ price: offer.stripePriceId, quantity: 1 }],
        customer,
        client_reference_id: userId,
        metadata,
        ...(vip ? { subscription_data: { metadata } } : { payment_intent_data: { metadata } }),
        success_url: returnTo('checkout=success&session_id={CHECKOUT_SESSION_ID}'),
        cancel_url: returnTo('checkout=canceled')
      }).catch((err: unknown) => { throw stripeFailure(err) })
      if (session.url === null) throw new ApiError('payments_unavailable')
      return { id: session.id, url: session.url, expiresAt: new Date(session.expires_at * 1000).toISOString() }
    },

    /** Stripe's customer portal (change plan, card, cancel), for a caller who has paid before (404 otherwise). */
    async portal (caller: Caller) {
      const user = await users.findById(caller._id)
      if (user?.stripeCustomerId == null) throw new ApiError('no_billing_account')
      const customer = user.stripeCustomerId
      const session = await stripe.billingPortal.sessions.create({ customer, return_url: config.BILLING_RETURN_URL })
        .catch((err: unknown) => { throw stripeFailure(err) })
      return { url: session.url }
    },

    /**
     * A webhook delivery: the event is verified on the raw body with the endpoint's secret (400
     * `webhook_signature_invalid` for a forged, altered or older than 5 minutes one), then applied once by id.
     */
    async receive (rawBody: Buffer, signature: string | undefined): Promise<{ type: string, duplicate: boolean }> {
      let stripeEvent: Stripe.Event
      try {
        stripeEvent = stripe.webhooks.constructEvent(rawBody, signature ?? '', config.STRIPE_WEBHOOK_SECRET)
      } catch {
        throw new ApiError('webhook_signature_invalid')
      }
      if (await billing.eventApplied(stripeEvent.id)) return { type: stripeEvent.type, duplicate: true }
      await applyEvent(stripeEvent)
      await billing.recordEvent(stripeEvent.id, stripeEvent.type, new Date(stripeEvent.created * 1000))
      return { type: stripeEvent.type, duplicate: false }
    }
  }
}

export type BillingService = ReturnType<typeof createBillingService>
