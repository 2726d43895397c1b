// App Store purchases: transactions and notifications signed by a chain made here (root, intermediate and leaf
// with Apple's OIDs), verified by Apple's own library in the API with only that root; coins on the one ledger,
// VIP in the one access rule.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomUUID } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { balanceOf, build, isError, ledgerSum, lockedEpisode, signUp, type Account } from '../helper.js'
import { BUNDLE_ID, makePki, notification, signJws, transaction, type Pki, type TransactionInput } from '../fixtures/app-store.js'

const PACK = 'com.example.microdrama.coins100'
const PLAN = 'com.example.microdrama.vip.monthly'
const DAY = 86_400_000

async function setUp (t: Test) {
  const pki = await makePki()
  const dir = mkdtempSync(join(tmpdir(), 'apple-root-'))
  writeFileSync(join(dir, 'root.cer'), pki.rootDer)
  const app = await build(t, {
    APPLE_BUNDLE_ID: BUNDLE_ID, APPLE_ENVIRONMENT: 'Sandbox', APPLE_ROOT_CERTIFICATES: join(dir, 'root.cer'), APPLE_ONLINE_CHECKS: 'false'
  })
  const admin = await signUp(app, 'admin')
  const offer = async (kind: 'coins' | 'vip', appleProductId: string) => {
    const created = await app.repos.offers.create({
      kind,
      name: kind,
      stripePriceId: `price_${kind}_${randomUUID().slice(0, 8)}`,
      amount: 499,
      currency: 'usd',
      period: kind === 'vip' ? 'month' : null,
      coins: kind === 'coins' ? 100 : 0,
      bonusCoins: kind === 'coins' ? 10 : 0
    })
    const res = await app.inject({ method: 'PATCH', url: `/admin/offers/${created!._id.toHexString()}`, headers: admin.auth, payload: { appleProductId } })
    t.equal(res.statusCode, 200, res.body)
    return res.json().data as { id: string }
  }
  const pack = await offer('coins', PACK)
  const plan = await offer('vip', PLAN)
  return { app, pki, admin, pack, plan }
}

const tokenOf = async (app: FastifyInstance, who: Account) =>
  (await app.inject({ url: '/billing/store-account', headers: who.auth })).json().data.accountToken as string
const post = async (app: FastifyInstance, who: Account, signedTransaction: string) =>
  await app.inject({ method: 'POST', url: '/billing/apple/transactions', headers: who.auth, payload: { signedTransaction } })
const notify = async (app: FastifyInstance, pki: Pki, payload: object) =>
  await app.inject({ method: 'POST', url: '/billing/apple/notifications', payload: { signedPayload: signJws(payload, pki) } })

t.test('a coin pack bought in the app is credited once, bound to its buyer; forged or foreign transactions credit nothing', async (t) => {
  const { app, pki, admin } = await setUp(t)
  const [viewer, other] = [await signUp(app), await signUp(app)]
  const token = await tokenOf(app, viewer)
  t.match(token, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a UUID')
  t.equal(await tokenOf(app, viewer), token, 'always the same')
  const tx = (input: Partial<TransactionInput>) => transaction({ transactionId: '2000000000000001', productId: PACK, appAccountToken: token, ...input })

  const first = await post(app, viewer, signJws(tx({}), pki))
  t.equal(first.statusCode, 200, first.body)
  t.match(first.json().data, { purchaseId: 'apple:2000000000000001', productId: PACK, kind: 'coins', coins: 110, vipUntil: null })
  t.equal((await post(app, viewer, signJws(tx({}), pki))).json().data.coins, 110, 'sent again: the same answer')
  t.equal(await balanceOf(app, viewer), 110, 'credited once')

  // Fifty deliveries of one new transaction at once (Apple's notifications of it, and the app's own): one credit.
  const burst = tx({ transactionId: '2000000000000002', quantity: 2 })
  const answers = await Promise.all([
    ...Array.from({ length: 45 }, async () => await notify(app, pki, notification(pki, { type: 'ONE_TIME_CHARGE', transaction: burst }))),
    ...Array.from({ length: 5 }, async () => await post(app, viewer, signJws(burst, pki)))
  ])
  t.same([...new Set(answers.map((a) => a.statusCode))], [200])
  t.equal(await balanceOf(app, viewer), 330, 'quantity 2 of the pack, once')

  // Refused, nothing credited: forged, another chain, Apple's OIDs missing, another app, another environment,
  // another user's token, an unknown product.
  const [, payload] = signJws(tx({ transactionId: '2000000000000003' }), pki).split('.')
  const forged = signJws(tx({ transactionId: '2000000000000003' }), pki).split('.')
  forged[1] = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), quantity: 50 })).toString('base64url')
  isError(t, await post(app, viewer, forged.join('.')), 422, 'store_transaction_invalid')
  isError(t, await post(app, viewer, signJws(tx({ transactionId: '2000000000000004' }), await makePki('Mallory'))), 422, 'store_transaction_invalid')
  isError(t, await post(app, viewer, signJws(tx({ transactionId: '2000000000000005' }), await makePki('Test Apple', { leafOid: false }))), 422, 'store_transaction_invalid')
  isError(t, await post(app, viewer, signJws(tx({ transactionId: '2000000000000006', bundleId: 'com.example.other' }), pki)), 422, 'store_transaction_invalid')
  isError(t, await post(app, viewer, signJws(tx({ transactionId: '2000000000000007', environment: 'Production' }), pki)), 422, 'store_transaction_invalid')
  isError(t, await post(app, other, signJws(tx({ transactionId: '2000000000000008' }), pki)), 403, 'store_account_mismatch')
  isError(t, await post(app, viewer, signJws(tx({ transactionId: '2000000000000009', productId: 'com.example.unknown' }), pki)), 422, 'store_product_unknown')
  t.match(await app.repos.stores.findPurchase('apple:2000000000000009'), { status: 'refused', reason: 'unknown_product' }, 'the unknown product is recorded')
  t.equal(await balanceOf(app, viewer), 330)
  t.equal(await balanceOf(app, other), 0)

  // Apple refunds the first pack: its coins are taken back once, however often the notification comes.
  const refund = notification(pki, { type: 'REFUND', transaction: tx({ revocationDate: Date.now() }) })
  t.same((await notify(app, pki, refund)).json(), { received: true, duplicate: false })
  t.same((await notify(app, pki, refund)).json(), { received: true, duplicate: true })
  t.equal((await notify(app, pki, { ...refund, notificationUUID: randomUUID() })).statusCode, 200, 'the same refund in another notification')
  t.equal(await balanceOf(app, viewer), 220, 'the refunded pack\'s 110 coins taken back once')
  isError(t, await post(app, viewer, signJws(tx({}), pki)), 409, 'store_purchase_revoked')
  t.equal(await ledgerSum(app, viewer), await balanceOf(app, viewer), 'the ledger sums to the balance')

  // A refund that arrives before its purchase: the purchase is never credited.
  await notify(app, pki, notification(pki, { type: 'REFUND', transaction: tx({ transactionId: '2000000000000010', revocationDate: Date.now() }) }))
  isError(t, await post(app, viewer, signJws(tx({ transactionId: '2000000000000010' }), pki)), 409, 'store_purchase_revoked')
  t.equal(await balanceOf(app, viewer), 220)

  isError(t, await notify(app, await makePki('Mallory'), refund), 401, 'store_signature_invalid')
  isError(t, await app.inject({ method: 'PATCH', url: `/admin/offers/${(await setUpOther(app, admin)).id}`, headers: admin.auth, payload: { appleProductId: PACK } }), 409, 'product_taken')
})

/** Another coin pack, to show that one store product sells one offer. */
async function setUpOther (app: FastifyInstance, _admin: Account) {
  const created = await app.repos.offers.create({
    kind: 'coins', name: 'other', stripePriceId: `price_other_${randomUUID().slice(0, 8)}`, amount: 99, currency: 'usd', period: null, coins: 10, bonusCoins: 0
  })
  return { id: created!._id.toHexString() }
}

t.test('a VIP plan from the App Store plays as its newest event says, in any order', async (t) => {
  const { app, pki, admin } = await setUp(t)
  const viewer = await signUp(app)
  const { access } = await lockedEpisode(app, admin, viewer)
  t.equal(await access(), 'locked')

  const token = await tokenOf(app, viewer)
  const now = Date.now()
  const sub = (input: Partial<TransactionInput>) => transaction({
    transactionId: '3000000000000001',
    originalTransactionId: '3000000000000000',
    productId: PLAN,
    type: 'Auto-Renewable Subscription',
    appAccountToken: token,
    expiresDate: now + 30 * DAY,
    signedDate: now - 60_000,
    ...input
  })
  const bought = await post(app, viewer, signJws(sub({}), pki))
  t.equal(bought.statusCode, 200, bought.body)
  t.match(bought.json().data, { kind: 'vip', coins: 0, vipUntil: new Date(now + 30 * DAY).toISOString() })
  t.equal(await access(), 'subscription', 'VIP from the App Store plays')

  // A renewal, then an older event delivered late: the renewal stands.
  const renewal = notification(pki, { type: 'DID_RENEW', signedDate: now, transaction: sub({ transactionId: '3000000000000002', expiresDate: now + 60 * DAY, signedDate: now }) })
  t.equal((await notify(app, pki, renewal)).statusCode, 200)
  const late = notification(pki, { type: 'SUBSCRIBED', signedDate: now - 30_000, transaction: sub({ signedDate: now - 30_000 }) })
  t.equal((await notify(app, pki, late)).statusCode, 200)
  t.equal((await app.repos.stores.findEntitlement('apple:3000000000000000'))?.playsUntil?.getTime(), now + 60 * DAY, 'the newest event wins')

  // The renewal fails: in the grace period it plays until the grace period ends; in billing retry it does not.
  const lapsed = sub({ transactionId: '3000000000000002', expiresDate: now - DAY, signedDate: now + 1000 })
  await notify(app, pki, notification(pki, {
    type: 'DID_FAIL_TO_RENEW',
    subtype: 'GRACE_PERIOD',
    signedDate: now + 1000,
    transaction: lapsed,
    renewal: { originalTransactionId: '3000000000000000', productId: PLAN, autoRenewProductId: PLAN, autoRenewStatus: 1, gracePeriodExpiresDate: now + 3 * DAY }
  }))
  t.equal(await access(), 'subscription', 'plays in the grace period')
  await notify(app, pki, notification(pki, { type: 'DID_FAIL_TO_RENEW', signedDate: now + 2000, transaction: { ...lapsed, signedDate: now + 2000 } }))
  t.equal(await access(), 'locked', 'billing retry without grace does not play')
  await notify(app, pki, notification(pki, { type: 'DID_RENEW', signedDate: now + 3000, transaction: sub({ transactionId: '3000000000000003', expiresDate: now + 30 * DAY, signedDate: now + 3000 }) }))
  t.equal(await access(), 'subscription', 'recovered')
  await notify(app, pki, notification(pki, { type: 'REVOKE', signedDate: now + 4000, transaction: sub({ transactionId: '3000000000000003', signedDate: now + 4000, revocationDate: now + 4000 }) }))
  t.equal(await access(), 'locked', 'revoked (family sharing ended)')
  t.equal((await app.repos.stores.findEntitlement('apple:3000000000000000'))?.state, 'revoked')
})

t.test('with online checks, Apple\'s revocation service down asks the app and Apple to retry, nothing applied', async (t) => {
  const ocsp = createServer((req, res) => { res.writeHead(503).end() })
  await new Promise<void>((resolve) => ocsp.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { ocsp.close() })
  const pki = await makePki('Test Apple', { ocspUrl: `http://127.0.0.1:${(ocsp.address() as AddressInfo).port}/ocsp` })
  const root = join(mkdtempSync(join(tmpdir(), 'apple-root-')), 'root.cer')
  writeFileSync(root, pki.rootDer)
  const app = await build(t, { APPLE_BUNDLE_ID: BUNDLE_ID, APPLE_ENVIRONMENT: 'Sandbox', APPLE_ROOT_CERTIFICATES: root, APPLE_ONLINE_CHECKS: 'true' })
  const viewer = await signUp(app)
  const tx = transaction({ transactionId: '4000000000000001', productId: PACK, appAccountToken: await tokenOf(app, viewer) })
  const unavailable = (res: { statusCode: number, json: () => any }) => {
    t.equal(res.statusCode, 503)
    t.match(res.json().error, { code: 'payments_unavailable', requestId: String })
  }
  unavailable(await post(app, viewer, signJws(tx, pki)))
  unavailable(await notify(app, pki, notification(pki, { type: 'ONE_TIME_CHARGE', transaction: tx })))
  t.equal(await balanceOf(app, viewer), 0)
})

t.test('without APPLE_BUNDLE_ID the App Store routes are off', async (t) => {
  const app = await build(t)
  const viewer = await signUp(app)
  const res = await post(app, viewer, 'aaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbb.cccccccccc')
  t.equal(res.statusCode, 503)
  t.match(res.json().error, { code: 'provider_not_configured' })
})
