// Google Play purchases: the Play Developer API, the OAuth token endpoint and the OIDC certificates played by a
// local server (test/fixtures/google-play.ts), Google's own libraries used for real in the API.
import { generateKeyPairSync, randomUUID } from 'node:crypto'
import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { balanceOf, build, isError, ledgerSum, lockedEpisode, signUp, type Account } from '../helper.js'
import { push, startGoogle } from '../fixtures/google-play.js'

const PACK = 'coins_100'
const PLAN = 'vip_monthly'

async function setUp (t: Test) {
  const google = await startGoogle()
  t.teardown(google.close)
  const app = await build(t, google.env)
  const admin = await signUp(app, 'admin')
  for (const [kind, googleProductId] of [['coins', PACK], ['vip', PLAN]] as const) {
    const created = await app.repos.offers.create({
      kind,
      name: kind,
      stripePriceId: `price_${randomUUID().slice(0, 8)}`,
      amount: 499,
      currency: 'usd',
      period: kind === 'vip' ? 'month' : null,
      coins: kind === 'coins' ? 100 : 0,
      bonusCoins: kind === 'coins' ? 10 : 0
    })
    const res = await app.inject({ method: 'PATCH', url: `/admin/offers/${created!._id.toHexString()}`, headers: admin.auth, payload: { googleProductId } })
    t.equal(res.statusCode, 200, res.body)
  }
  return { app, google, admin }
}

const tokenOf = async (app: FastifyInstance, who: Account) =>
  (await app.inject({ url: '/billing/store-account', headers: who.auth })).json().data.accountToken as string
const submit = async (app: FastifyInstance, who: Account, payload: object) =>
  await app.inject({ method: 'POST', url: '/billing/google/purchases', headers: who.auth, payload })

t.test('a coin pack bought in Google Play: credited once from Google\'s answer, consumed; voided, taken back', async (t) => {
  const { app, google } = await setUp(t)
  const [viewer, other] = [await signUp(app), await signUp(app)]
  const account = await tokenOf(app, viewer)
  const product = (orderId: string, extra = {}) => ({
    purchaseState: 0 as const,
    consumptionState: 0 as const,
    orderId,
    purchaseTimeMillis: String(Date.now()),
    obfuscatedExternalAccountId: account,
    productId: PACK,
    ...extra
  })
  const notify = async (payload: object, bearer = google.pushToken()) =>
    await app.inject({ method: 'POST', url: '/billing/google/notifications', headers: { authorization: `Bearer ${bearer}` }, payload })

  google.products.set('tok-1', product('GPA.0001'))
  const first = await submit(app, viewer, { kind: 'product', productId: PACK, purchaseToken: 'tok-1' })
  t.equal(first.statusCode, 200, first.body)
  t.match(first.json().data, { purchaseId: 'google:GPA.0001', kind: 'coins', coins: 110 })
  t.equal(google.products.get('tok-1')!.consumptionState, 1, 'consumed at Google, so it can be bought again')
  t.equal((await submit(app, viewer, { kind: 'product', productId: PACK, purchaseToken: 'tok-1' })).statusCode, 200, 'sent again')
  t.equal(await balanceOf(app, viewer), 110, 'credited once')

  // Fifty pushes of one purchase at once (and the app's own report): one credit.
  google.products.set('tok-2', product('GPA.0002'))
  const notification = { oneTimeProductNotification: { version: '1.0', notificationType: 1, purchaseToken: 'tok-2', sku: PACK } }
  const answers = await Promise.all([
    ...Array.from({ length: 48 }, async () => await notify(push(notification))),
    ...Array.from({ length: 2 }, async () => await submit(app, viewer, { kind: 'product', productId: PACK, purchaseToken: 'tok-2' }))
  ])
  t.same([...new Set(answers.map((a) => a.statusCode))], [200])
  t.equal(await balanceOf(app, viewer), 220)
  const again = push(notification, 'message-1')
  t.same((await notify(again)).json(), { received: true, duplicate: false })
  t.same((await notify(again)).json(), { received: true, duplicate: true }, 'a message id applies once')

  // Refused: another user's purchase, a token Google does not know, a pending or canceled payment, an unknown product.
  google.products.set('tok-3', product('GPA.0003', { obfuscatedExternalAccountId: await tokenOf(app, other) }))
  isError(t, await submit(app, viewer, { kind: 'product', productId: PACK, purchaseToken: 'tok-3' }), 403, 'store_account_mismatch')
  isError(t, await submit(app, viewer, { kind: 'product', productId: PACK, purchaseToken: 'tok-unknown' }), 422, 'store_transaction_invalid')
  google.products.set('tok-4', product('GPA.0004', { purchaseState: 2 }))
  isError(t, await submit(app, viewer, { kind: 'product', productId: PACK, purchaseToken: 'tok-4' }), 409, 'store_purchase_pending')
  google.products.set('tok-5', product('GPA.0005', { purchaseState: 1 }))
  isError(t, await submit(app, viewer, { kind: 'product', productId: PACK, purchaseToken: 'tok-5' }), 409, 'store_purchase_revoked')
  google.products.set('tok-6', product('GPA.0006', { productId: 'coins_unknown' }))
  isError(t, await submit(app, viewer, { kind: 'product', productId: 'coins_unknown', purchaseToken: 'tok-6' }), 422, 'store_product_unknown')
  t.match(await app.repos.stores.findPurchase('google:GPA.0006'), { status: 'refused', reason: 'unknown_product' })
  t.equal(await balanceOf(app, viewer), 220)

  // Google's API down: the app and Pub/Sub are asked to retry; the message is not taken as applied.
  const down = await submit(app, viewer, { kind: 'product', productId: PACK, purchaseToken: 'down' })
  t.equal(down.statusCode, 503)
  t.match(down.json().error, { code: 'payments_unavailable' })
  const downPush = push({ oneTimeProductNotification: { version: '1.0', notificationType: 1, purchaseToken: 'down', sku: PACK } }, 'message-down')
  t.equal((await notify(downPush)).statusCode, 503)
  t.equal((await notify(downPush)).statusCode, 503, 'pushed again, tried again (not a duplicate)')

  // Pushes not from Google's Pub/Sub: no token, another audience, another key, another service account.
  const forged = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  isError(t, await app.inject({ method: 'POST', url: '/billing/google/notifications', payload: push(notification) }), 401, 'store_signature_invalid')
  isError(t, await notify(push(notification), google.pushToken({ aud: 'https://elsewhere.example.com' })), 401, 'store_signature_invalid')
  isError(t, await notify(push(notification), google.pushToken({}, forged)), 401, 'store_signature_invalid')
  isError(t, await notify(push(notification), google.pushToken({ email: 'someone@example.com' })), 401, 'store_signature_invalid')

  // Google voids the first purchase (a refund): its coins are taken back once; voided unseen, never credited.
  const voided = { voidedPurchaseNotification: { purchaseToken: 'tok-1', orderId: 'GPA.0001', productType: 2, refundType: 1 } }
  t.equal((await notify(push(voided))).statusCode, 200)
  t.equal((await notify(push(voided))).statusCode, 200, 'another message of the same void')
  t.equal(await balanceOf(app, viewer), 110)
  await notify(push({ voidedPurchaseNotification: { purchaseToken: 'tok-7', orderId: 'GPA.0007', productType: 2, refundType: 1 } }))
  google.products.set('tok-7', product('GPA.0007'))
  isError(t, await submit(app, viewer, { kind: 'product', productId: PACK, purchaseToken: 'tok-7' }), 409, 'store_purchase_revoked')
  t.equal(await balanceOf(app, viewer), 110)
  t.equal(await ledgerSum(app, viewer), 110, 'the ledger sums to the balance')
})

t.test('a VIP subscription from Google Play plays as Google says, acknowledged, in any order of notifications', async (t) => {
  const { app, google, admin } = await setUp(t)
  const viewer = await signUp(app)
  const { access } = await lockedEpisode(app, admin, viewer)

  const account = await tokenOf(app, viewer)
  const expiry = new Date(Date.now() + 30 * 86_400_000).toISOString()
  const state = (subscriptionState: string, expiryTime = expiry) => google.subscriptions.set('sub-1', {
    subscriptionState,
    acknowledgementState: google.subscriptions.get('sub-1')?.acknowledgementState ?? 'ACKNOWLEDGEMENT_STATE_PENDING',
    startTime: new Date().toISOString(),
    externalAccountIdentifiers: { obfuscatedExternalAccountId: account },
    lineItems: [{ productId: PLAN, expiryTime, latestSuccessfulOrderId: 'GPA.9000', autoRenewingPlan: { autoRenewEnabled: true } }]
  })
  const notify = async (notificationType: number) => await app.inject({
    method: 'POST',
    url: '/billing/google/notifications',
    headers: { authorization: `Bearer ${google.pushToken()}` },
    payload: push({ subscriptionNotification: { version: '1.0', notificationType, purchaseToken: 'sub-1', subscriptionId: PLAN } })
  })

  state('SUBSCRIPTION_STATE_ACTIVE')
  const bought = await submit(app, viewer, { kind: 'subscription', productId: PLAN, purchaseToken: 'sub-1' })
  t.equal(bought.statusCode, 200, bought.body)
  t.match(bought.json().data, { kind: 'vip', vipUntil: expiry })
  t.equal(google.subscriptions.get('sub-1')!.acknowledgementState, 'ACKNOWLEDGEMENT_STATE_ACKNOWLEDGED', 'acknowledged at Google')
  t.equal(await access(), 'subscription', 'VIP from Google Play plays')

  state('SUBSCRIPTION_STATE_ON_HOLD', new Date(Date.now() - 60_000).toISOString())
  await notify(5)
  t.equal(await access(), 'locked', 'on hold: payment failed past the grace period')
  // A RENEWED notification that arrives after the hold: Google's truth (on hold) is what is applied.
  await notify(2)
  t.equal(await access(), 'locked', 'a late notification applies Google\'s present state, not its own')
  state('SUBSCRIPTION_STATE_IN_GRACE_PERIOD', new Date(Date.now() + 3 * 86_400_000).toISOString())
  await notify(6)
  t.equal(await access(), 'subscription', 'plays in the grace period')
  state('SUBSCRIPTION_STATE_ACTIVE')
  await notify(1)
  t.equal(await access(), 'subscription', 'recovered')
  await app.inject({
    method: 'POST',
    url: '/billing/google/notifications',
    headers: { authorization: `Bearer ${google.pushToken()}` },
    payload: push({ voidedPurchaseNotification: { purchaseToken: 'sub-1', orderId: 'GPA.9000', productType: 1, refundType: 1 } })
  })
  t.equal(await access(), 'locked', 'voided: revoked')
  t.equal((await app.repos.stores.findEntitlement('google:sub-1'))?.state, 'revoked')
})

t.test('without GOOGLE_PLAY_PACKAGE_NAME the Google Play routes are off', async (t) => {
  const app = await build(t)
  const viewer = await signUp(app)
  const res = await submit(app, viewer, { kind: 'product', productId: PACK, purchaseToken: 'tok' })
  t.equal(res.statusCode, 503)
  t.match(res.json().error, { code: 'provider_not_configured' })
})
