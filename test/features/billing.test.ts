// Money in: offers, Stripe Checkout (against the local stack's stripe-mock), Stripe's events signed as Stripe
// signs them, coins and unlocks, VIP subscriptions and the ledger's invariants under concurrency.
import t from 'tap'
import { devBanner } from '../../scripts/dev-banner.js'
import { ObjectId } from 'mongodb'
import type { FastifyInstance } from 'fastify'
import {
  build, createEpisode, createOffer, createSeries, deliverStripeEvent, injectWithRetry, isError, signUp, stripeEvent,
  uploadVideo, type Account
} from '../helper.js'

const PRICE = 50

/** A published series of `count` episodes, the first `free` of them free, each other one `PRICE` coins. */
async function series (app: FastifyInstance, count: number, free: number) {
  const [creator, admin] = [await signUp(app, 'creator'), await signUp(app, 'admin')]
  const video = await uploadVideo(app, creator)
  const created = await createSeries(app, creator, { freeEpisodes: free, coinPrice: PRICE })
  const episodes = []
  for (let n = 1; n <= count; n++) episodes.push(await createEpisode(app, creator, created.id, video.id, n))
  await Promise.all(episodes.map(async (e) => await injectWithRetry(app, { method: 'POST', url: `/admin/episodes/${e.id}/approve`, headers: admin.auth })))
  return { creator, admin, series: created, episodes }
}

const get = async (app: FastifyInstance, account: Account, url: string) =>
  await injectWithRetry(app, { url, headers: account.auth })
const unlock = async (app: FastifyInstance, account: Account, episodeId: string, key: string) =>
  await app.inject({ method: 'POST', url: `/content/episodes/${episodeId}/unlock`, headers: { ...account.auth, 'idempotency-key': key } })

/** The ledger, every page, and whether its entries chain: each balance is the previous one plus its delta. */
async function ledger (app: FastifyInstance, account: Account) {
  const res = await get(app, account, '/me/wallet/ledger?limit=100&sort=seq:asc')
  const entries = res.json().data as Array<{ kind: string, delta: number, balance: number, shortfall: number }>
  const sum = entries.reduce((n, e) => n + e.delta, 0)
  const chained = entries.every((e, i) => e.balance === (entries[i - 1]?.balance ?? 0) + e.delta && e.balance >= 0)
  const balance = (await get(app, account, '/me/wallet')).json().data.balance as number
  return { entries, sum, chained, balance }
}

/** A paid Checkout Session for a coin pack, as Stripe sends it back with the metadata we gave it. */
function paidPack (
  buyer: Account, offer: { id: string, coins: number, bonusCoins: number }, sessionId: string, paymentIntent: string
) {
  return stripeEvent('checkout.session.completed', {
    id: sessionId,
    object: 'checkout.session',
    mode: 'payment',
    payment_status: 'paid',
    status: 'complete',
    client_reference_id: buyer.user.id,
    customer: 'cus_test_buyer',
    payment_intent: paymentIntent,
    metadata: { userId: buyer.user.id, offerId: offer.id, coins: String(offer.coins + offer.bonusCoins) }
  })
}

/** A Stripe subscription as its events carry it. */
function subscription (userId: string, priceId: string, status: string, periodEnd: number, id = 'sub_test_1') {
  return {
    id,
    object: 'subscription',
    customer: 'cus_test_vip',
    status,
    cancel_at_period_end: false,
    metadata: { userId },
    items: { object: 'list', data: [{ id: 'si_test', object: 'subscription_item', current_period_end: periodEnd, price: { id: priceId, object: 'price' } }] }
  }
}

t.test('a viewer buys a coin pack, unlocks episode 6 of a series with 5 free and plays it', async (t) => {
  const app = await build(t)
  const { admin, episodes } = await series(app, 6, 5)
  const viewer = await signUp(app, 'viewer')
  const pack = await createOffer(app, admin, { kind: 'coins', name: '100 coins + 20 bonus', coins: 100, bonusCoins: 20 })

  const offers = await get(app, viewer, '/billing/offers')
  t.equal(offers.statusCode, 200)
  t.match(offers.json().data, [{ id: pack.id, kind: 'coins', coins: 100, bonusCoins: 20, amount: Number, currency: String, active: true }])

  const checkout = await injectWithRetry(app, { method: 'POST', url: '/billing/checkout', headers: viewer.auth, payload: { offerId: pack.id } })
  t.equal(checkout.statusCode, 201, checkout.body)
  t.match(checkout.json().data, { id: /^cs_/, url: /^https:\/\//, expiresAt: String })
  t.ok((await app.repos.users.findById(new ObjectId(viewer.user.id)))?.stripeCustomerId?.startsWith('cus_'), 'the buyer has a Stripe customer')

  const sixth = episodes[5]!
  const before = (await get(app, viewer, `/content/episodes/${sixth.id}`)).json().data
  t.match(before, { access: 'locked', coinPrice: PRICE })
  isError(t, await get(app, viewer, `/video/play/${sixth.id}`), 403, 'episode_locked', /unlock it with coins/)
  isError(t, await unlock(app, viewer, sixth.id, 'key-before-buying'), 402, 'insufficient_coins', /costs 50 coins; you have 0/)

  // Stripe tells the API the session was paid, and (as it may) tells it again.
  const paid = paidPack(viewer, pack, 'cs_test_pack_1', 'pi_test_pack_1')
  const first = await deliverStripeEvent(app, paid)
  t.equal(first.statusCode, 200, first.body)
  t.same(first.json(), { received: true, duplicate: false })
  t.same((await deliverStripeEvent(app, paid)).json(), { received: true, duplicate: true })
  t.equal((await get(app, viewer, '/me/wallet')).json().data.balance, 120, 'the pack and its bonus credited once')

  const unlocked = await unlock(app, viewer, sixth.id, 'key-before-buying')
  t.equal(unlocked.statusCode, 200, unlocked.body)
  t.match(unlocked.json().data, { unlock: { episodeId: sixth.id, coins: PRICE }, balance: 70 })
  const replay = await unlock(app, viewer, sixth.id, 'key-before-buying')
  t.same(replay.json(), unlocked.json(), 'the same key answers the same unlock')
  t.equal(replay.headers['idempotent-replayed'], 'true')
  t.match((await unlock(app, viewer, sixth.id, 'another-key-same-episode')).json().data, { balance: 70 }, 'never charged twice')
  isError(t, await unlock(app, viewer, episodes[4]!.id, 'key-before-buying'), 422, 'idempotency_key_reused')
  isError(t, await unlock(app, viewer, episodes[0]!.id, 'key-for-a-free-one'), 409, 'episode_not_locked')

  t.match((await get(app, viewer, `/content/episodes/${sixth.id}`)).json().data, { access: 'unlocked', coinPrice: null })
  const list = (await get(app, viewer, `/content/series/${sixth.seriesId}/episodes?limit=10`)).json().data
  t.same(list.map((e: { access: string }) => e.access), ['free', 'free', 'free', 'free', 'free', 'unlocked'])
  t.equal((await get(app, viewer, `/video/play/${sixth.id}`)).statusCode, 200, 'it plays')
  t.match((await get(app, viewer, '/me/unlocks')).json(), { data: [{ episodeId: sixth.id, coins: PRICE }], meta: { total: 1 } })

  const { entries, sum, chained, balance } = await ledger(app, viewer)
  t.same(entries.map((e) => e.kind), ['purchase', 'unlock'])
  t.equal(sum, balance, 'the ledger sums to the balance')
  t.ok(chained)

  // Refunded in two parts after spending 50 of 120: half (60 coins) is taken back, then the rest: the 10 left
  // and the 50 already spent recorded as a shortfall.
  const refund = (amountRefunded: number) => stripeEvent('charge.refunded', {
    id: 'ch_test_1', object: 'charge', amount: 500, amount_refunded: amountRefunded, refunded: amountRefunded === 500, payment_intent: 'pi_test_pack_1'
  })
  const half = refund(250)
  t.equal((await deliverStripeEvent(app, half)).statusCode, 200)
  await deliverStripeEvent(app, { ...half, id: `${half.id}_again` }) // the same refund, as another event
  t.match((await ledger(app, viewer)).entries.at(-1), { kind: 'refund', delta: -60, shortfall: 0 })
  t.equal((await deliverStripeEvent(app, refund(500))).statusCode, 200)
  const after = await ledger(app, viewer)
  t.equal(after.balance, 0, 'never below zero')
  t.match(after.entries.slice(-2), [{ kind: 'refund', delta: -60, shortfall: 0 }, { kind: 'refund', delta: -10, shortfall: 50 }])
  t.equal(after.entries.length, 4, 'each refunded amount taken back once')
  t.equal(after.sum, after.balance)
  t.equal((await get(app, viewer, `/video/play/${sixth.id}`)).statusCode, 200, 'an unlock stays: it was paid for')
})

t.test('a VIP subscriber plays every episode until Stripe deletes the subscription', async (t) => {
  const app = await build(t)
  const { admin, episodes } = await series(app, 6, 5)
  const viewer = await signUp(app, 'viewer')
  const plan = await createOffer(app, admin, { kind: 'vip', name: 'VIP monthly' })
  t.match(plan, { kind: 'vip', period: 'month', coins: 0 })

  const checkout = await injectWithRetry(app, { method: 'POST', url: '/billing/checkout', headers: viewer.auth, payload: { offerId: plan.id } })
  t.equal(checkout.statusCode, 201, checkout.body)
  const sixth = episodes[5]!
  isError(t, await get(app, viewer, `/video/play/${sixth.id}`), 403, 'episode_locked', /unlock it with coins/)

  const periodEnd = Math.floor(Date.now() / 1000) + 30 * 86_400
  const created = stripeEvent('customer.subscription.created', subscription(viewer.user.id, plan.stripePriceId, 'active', periodEnd))
  t.equal((await deliverStripeEvent(app, created)).statusCode, 200)
  t.equal((await get(app, viewer, `/video/play/${sixth.id}`)).statusCode, 200, 'plays with VIP')
  t.match((await get(app, viewer, `/content/episodes/${sixth.id}`)).json().data, { access: 'subscription', coinPrice: null })
  t.match((await get(app, viewer, '/auth/me')).json().data.subscription, {
    status: 'active', offerId: plan.id, currentPeriodEnd: new Date(periodEnd * 1000).toISOString()
  })
  isError(t, await injectWithRetry(app, { method: 'POST', url: '/billing/checkout', headers: viewer.auth, payload: { offerId: plan.id } }),
    409, 'already_subscribed')
  const portal = await injectWithRetry(app, { method: 'POST', url: '/billing/portal', headers: viewer.auth })
  t.equal(portal.statusCode, 201)
  t.match(portal.json().data, { url: /^https:\/\// })

  const deleted = stripeEvent('customer.subscription.deleted', subscription(viewer.user.id, plan.stripePriceId, 'canceled', periodEnd))
  t.equal((await deliverStripeEvent(app, deleted)).statusCode, 200)
  isError(t, await get(app, viewer, `/video/play/${sixth.id}`), 403, 'episode_locked', /unlock it with coins/)
  t.match((await get(app, viewer, `/content/episodes/${sixth.id}`)).json().data, { access: 'locked', coinPrice: PRICE })

  // Stripe may deliver a late update after the deletion: the subscription stays ended.
  const late = stripeEvent('customer.subscription.updated', subscription(viewer.user.id, plan.stripePriceId, 'active', periodEnd),
    { created: created.created })
  t.equal((await deliverStripeEvent(app, late)).statusCode, 200)
  t.equal((await get(app, viewer, '/auth/me')).json().data.subscription.status, 'canceled')
  const audit = (await get(app, admin, `/admin/audit?targetId=${viewer.user.id}`)).json().data
  t.match(audit, [{ actorId: null, before: 'active', after: 'canceled', reason: /customer.subscription.deleted/ },
    { actorId: null, before: 'none', after: 'active', reason: /customer.subscription.created/ }])
})

t.test('subscription events applied in any order, each once: an older one never overwrites a newer state', async (t) => {
  const app = await build(t)
  const [admin, viewer] = [await signUp(app, 'admin'), await signUp(app, 'viewer')]
  const plan = await createOffer(app, admin, { kind: 'vip', name: 'VIP weekly' })
  const now = Math.floor(Date.now() / 1000)
  const end = now + 7 * 86_400
  const events = [
    stripeEvent('customer.subscription.created', subscription(viewer.user.id, plan.stripePriceId, 'active', end), { created: now - 300 }),
    stripeEvent('invoice.payment_failed', {
      id: 'in_test_1',
      object: 'invoice',
      customer: 'cus_test_vip',
      period_end: end,
      lines: { data: [] },
      parent: { type: 'subscription_details', subscription_details: { subscription: 'sub_test_1', metadata: { userId: viewer.user.id } } }
    }, { created: now - 200 }),
    stripeEvent('customer.subscription.updated', subscription(viewer.user.id, plan.stripePriceId, 'past_due', end), { created: now - 100 })
  ]
  // Newest first, then every one again: the state is the newest one's.
  for (const e of [...events].reverse()) t.equal((await deliverStripeEvent(app, e)).statusCode, 200)
  for (const e of events) t.same((await deliverStripeEvent(app, e)).json(), { received: true, duplicate: true })
  t.equal((await get(app, viewer, '/auth/me')).json().data.subscription.status, 'past_due')
  const user = await app.repos.users.findById(new ObjectId(viewer.user.id))
  t.equal(user?.subscription.entitledUntil?.getTime(), (end + 72 * 3600) * 1000, 'past due plays on for the grace period')
  t.equal(user?.subscription.revision, 1, 'one change applied: the older events were skipped')
})

t.test('the webhook refuses a forged signature, a stale timestamp and a body changed by one byte', async (t) => {
  const app = await build(t)
  const viewer = await signUp(app, 'viewer')
  const event = paidPack(viewer, { id: new ObjectId().toHexString(), coins: 10, bonusCoins: 0 }, 'cs_test_forged', 'pi_test_forged')
  isError(t, await deliverStripeEvent(app, event, { secret: 'whsec_not_ours' }), 400, 'webhook_signature_invalid')
  isError(t, await deliverStripeEvent(app, event, { timestamp: Math.floor(Date.now() / 1000) - 600 }), 400, 'webhook_signature_invalid')
  isError(t, await deliverStripeEvent(app, event, { tamper: (body) => body.replace('"coins":"10"', '"coins":"90"') }), 400, 'webhook_signature_invalid')
  const unsigned = await app.inject({ method: 'POST', url: '/billing/webhook', payload: event })
  isError(t, unsigned, 400, 'validation_failed')
  t.equal((await get(app, viewer, '/me/wallet')).json().data.balance, 0, 'nothing credited')
  t.equal((await deliverStripeEvent(app, event)).statusCode, 200, 'the genuine one is applied')
  t.equal((await get(app, viewer, '/me/wallet')).json().data.balance, 10)
})

t.test('the webhook signing secret `npm run dev` prints is the one the API verifies', async (t) => {
  const app = await build(t)
  const viewer = await signUp(app, 'viewer')
  const printed = /webhook signing secret (\S+)\)/.exec(devBanner(app.config, { email: 'a@example.com', password: 'p' }))?.[1]
  t.ok(printed?.startsWith('whsec_'), `printed: ${printed}`)
  const event = paidPack(viewer, { id: new ObjectId().toHexString(), coins: 10, bonusCoins: 0 }, 'cs_test_printed', 'pi_test_printed')
  t.equal((await deliverStripeEvent(app, event, { secret: printed })).statusCode, 200, 'an event signed with it is applied')
  t.equal((await get(app, viewer, '/me/wallet')).json().data.balance, 10)
})

t.test('50 concurrent unlocks at a wallet that can afford 3: exactly 3 succeed, the ledger sums to the balance', async (t) => {
  const app = await build(t)
  const { admin, episodes } = await series(app, 50, 0)
  const viewer = await signUp(app, 'viewer')
  const grant = await app.inject({
    method: 'POST',
    url: `/admin/users/${viewer.user.id}/coins`,
    headers: { ...admin.auth, 'idempotency-key': 'grant-three-unlocks' },
    payload: { amount: 3 * PRICE, reason: 'Test coins' }
  })
  t.equal(grant.statusCode, 201, grant.body)
  const answers = await Promise.all(episodes.map(async (e, i) => await unlock(app, viewer, e.id, `concurrent-${i}`)))
  const statuses = answers.map((r) => r.statusCode)
  t.equal(statuses.filter((s) => s === 200).length, 3, 'three unlocks')
  t.equal(statuses.filter((s) => s === 402).length, 47, 'the others: not enough coins')
  const { entries, sum, chained, balance } = await ledger(app, viewer)
  t.equal(balance, 0)
  t.equal(sum, balance)
  t.ok(chained, 'each entry follows the one before')
  t.equal(entries.filter((e) => e.kind === 'unlock').length, 3)
})

t.test('the daily check-in gives coins once per UTC day, more for a streak', async (t) => {
  const app = await build(t)
  const viewer = await signUp(app, 'viewer')
  const first = await injectWithRetry(app, { method: 'POST', url: '/me/check-in', headers: viewer.auth })
  t.equal(first.statusCode, 201)
  t.same(first.json().data, { coins: 10, streak: 1, balance: 10, nextReward: 10 })
  isError(t, await injectWithRetry(app, { method: 'POST', url: '/me/check-in', headers: viewer.auth }), 409, 'already_checked_in')
  // The next days, through the service (the API's clock is today's).
  const caller = (await app.repos.users.findSession(new ObjectId(viewer.user.id)))!
  const day = (n: number) => new Date(Date.now() + n * 86_400_000)
  t.match(await app.services.wallet.checkIn(caller, day(1)), { streak: 2, coins: 10 })
  t.match(await app.services.wallet.checkIn(caller, day(2)), { streak: 3, coins: 15 })
  t.match(await app.services.wallet.checkIn(caller, day(4)), { streak: 1, coins: 10 }, 'a missed day starts again')
  const { sum, balance } = await ledger(app, viewer)
  t.equal(balance, 45)
  t.equal(sum, balance)
})

t.test('admins grant and take back coins, audited; a retry with the same key is one entry', async (t) => {
  const app = await build(t)
  const [admin, viewer] = [await signUp(app, 'admin'), await signUp(app, 'viewer')]
  const adjust = async (amount: number, key: string) => await app.inject({
    method: 'POST', url: `/admin/users/${viewer.user.id}/coins`, headers: { ...admin.auth, 'idempotency-key': key }, payload: { amount, reason: 'Support ticket 42' }
  })
  const granted = await adjust(100, 'grant-0001')
  t.equal(granted.statusCode, 201)
  t.match(granted.json().data, { kind: 'admin_grant', delta: 100, balance: 100, reason: 'Support ticket 42' })
  t.same((await adjust(100, 'grant-0001')).json(), granted.json())
  isError(t, await adjust(200, 'grant-0001'), 422, 'idempotency_key_reused')
  isError(t, await adjust(-150, 'revoke-0001'), 422, 'balance_too_low')
  t.match((await adjust(-40, 'revoke-0002')).json().data, { kind: 'admin_revoke', delta: -40, balance: 60 })
  isError(t, await app.inject({
    method: 'POST', url: `/admin/users/${new ObjectId().toHexString()}/coins`, headers: { ...admin.auth, 'idempotency-key': 'grant-0003' }, payload: { amount: 1, reason: 'x' }
  }), 404, 'user_not_found')
  const audit = (await get(app, admin, `/admin/audit?actorId=${admin.user.id}`)).json().data
  t.match(audit, [{ action: 'user.coins', targetType: 'ledger_entry', before: '100', after: '60' }, { action: 'user.coins', before: '0', after: '100' }])
  isError(t, await get(app, viewer, '/admin/offers'), 403, 'forbidden')
})

t.test('creators set a coin price within bounds and see what their episodes earned', async (t) => {
  const app = await build(t)
  const { creator, admin, series: s, episodes } = await series(app, 3, 1)
  isError(t, await injectWithRetry(app, { method: 'PATCH', url: `/creator/series/${s.id}`, headers: creator.auth, payload: { coinPrice: 100_000 } }),
    422, 'coin_price_out_of_bounds')
  isError(t, await injectWithRetry(app, { method: 'POST', url: '/creator/series', headers: creator.auth, payload: { title: 'Too cheap', coinPrice: 0 } }),
    400, 'validation_failed')
  isError(t, await injectWithRetry(app, { method: 'POST', url: '/creator/series', headers: creator.auth, payload: { title: 'Dear', coinPrice: 501 } }),
    422, 'coin_price_out_of_bounds', 'coinPrice must be from 1 to 500 coins')
  const viewer = await signUp(app, 'viewer')
  await app.inject({
    method: 'POST', url: `/admin/users/${viewer.user.id}/coins`, headers: { ...admin.auth, 'idempotency-key': 'grant-earnings' }, payload: { amount: 500, reason: 'x' }
  })
  for (const e of episodes.slice(1)) t.equal((await unlock(app, viewer, e.id, `earn-${e.id}`)).statusCode, 200)
  const today = new Date().toISOString().slice(0, 10)
  const earnings = await get(app, creator, '/creator/earnings')
  t.equal(earnings.statusCode, 200)
  t.same(earnings.json().data.series, [{ seriesId: s.id, coins: 2 * PRICE, unlocks: 2 }])
  t.same(earnings.json().data.days, [{ day: today, seriesId: s.id, coins: 2 * PRICE, unlocks: 2 }])
  t.equal(earnings.json().data.coins, 2 * PRICE)
  t.same((await get(app, admin, '/creator/earnings')).json().data.series, [], 'only the caller\'s own series')

  // A series without a coin price is for subscribers only.
  await app.mongo.db!.collection('series').updateOne({ _id: new ObjectId(s.id) }, { $unset: { coinPrice: '' } })
  const other = await signUp(app, 'viewer')
  isError(t, await unlock(app, other, episodes[1]!.id, 'not-for-coins'), 409, 'not_for_coins')
  isError(t, await get(app, other, `/video/play/${episodes[1]!.id}`), 403, 'subscription_required', /VIP subscription only/)
})

t.test('offers: admins create, retire and restore them; buyers see those on sale only', async (t) => {
  const app = await build(t)
  const [admin, viewer] = [await signUp(app, 'admin'), await signUp(app, 'viewer')]
  const pack = await createOffer(app, admin, { kind: 'coins', name: 'Small pack', coins: 50 })
  // stripe-mock's prices all renew monthly: a plan, never a pack (Checkout would refuse it in payment mode).
  isError(t, await injectWithRetry(app, { method: 'POST', url: '/admin/offers', headers: admin.auth, payload: { kind: 'coins', name: 'Renewing', stripePriceId: 'price_renews', coins: 10 } }),
    422, 'price_not_usable', 'A coin pack needs a one-time price, not one that renews')
  const plan = await createOffer(app, admin, { kind: 'vip', name: 'VIP monthly' })
  t.match(plan, { kind: 'vip' })
  isError(t, await injectWithRetry(app, { method: 'POST', url: '/admin/offers', headers: admin.auth, payload: { kind: 'vip', name: 'Again', stripePriceId: plan.stripePriceId } }),
    409, 'price_taken')
  await injectWithRetry(app, { method: 'PATCH', url: `/admin/offers/${plan.id}`, headers: admin.auth, payload: { active: false } })
  const retired = await injectWithRetry(app, { method: 'PATCH', url: `/admin/offers/${pack.id}`, headers: admin.auth, payload: { active: false } })
  t.match(retired.json().data, { active: false })
  t.same((await get(app, viewer, '/billing/offers')).json().data, [])
  isError(t, await injectWithRetry(app, { method: 'POST', url: '/billing/checkout', headers: viewer.auth, payload: { offerId: pack.id } }), 404, 'offer_not_found')
  t.equal((await get(app, admin, '/admin/offers')).json().data.length, 2)
  isError(t, await injectWithRetry(app, { method: 'PATCH', url: `/admin/offers/${new ObjectId().toHexString()}`, headers: admin.auth, payload: { active: true } }),
    404, 'offer_not_found')
  isError(t, await injectWithRetry(app, { method: 'POST', url: '/billing/portal', headers: viewer.auth }), 404, 'no_billing_account')
})
