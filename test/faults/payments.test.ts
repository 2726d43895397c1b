// Stripe unreachable, or refusing what an admin asked for: clear answers, nothing half done.
import t, { type Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ObjectId } from 'mongodb'
import { freePort } from '../../scripts/local-stack.js'
import { build, isError, signUp } from '../helper.js'

/** A 503 with the standard body (a server-side error also carries the request id) and Retry-After. */
function isUnavailable (t: Test, res: LightMyRequestResponse) {
  t.equal(res.statusCode, 503)
  t.match(res.json(), { error: { status: 503, code: 'payments_unavailable', message: /payment provider is unavailable/, requestId: String } })
  t.ok(res.headers['retry-after'], 'with Retry-After')
}

t.test('with Stripe unreachable, offers, checkout and the portal answer 503 payments_unavailable', async (t) => {
  const app = await build(t, { STRIPE_API_URL: `http://127.0.0.1:${await freePort()}` })
  const [admin, viewer] = [await signUp(app, 'admin'), await signUp(app, 'viewer')]
  const offer = await app.inject({ method: 'POST', url: '/admin/offers', headers: admin.auth, payload: { kind: 'vip', name: 'VIP', stripePriceId: 'price_unreachable' } })
  isUnavailable(t, offer)
  t.equal((await app.repos.offers.list(false)).length, 0, 'no offer saved')

  const pack = await app.repos.offers.create({
    kind: 'coins', name: 'Pack', stripePriceId: 'price_pack', amount: 499, currency: 'usd', period: null, coins: 100, bonusCoins: 0
  })
  const checkout = await app.inject({ method: 'POST', url: '/billing/checkout', headers: viewer.auth, payload: { offerId: pack!._id.toHexString() } })
  isUnavailable(t, checkout)
  await app.repos.users.setStripeCustomer(new ObjectId(viewer.user.id), 'cus_test_unreachable')
  isUnavailable(t, await app.inject({ method: 'POST', url: '/billing/portal', headers: viewer.auth }))
})

t.test('a price Stripe does not know is 422 price_not_usable', async (t) => {
  // stripe-mock answers every id it is asked for ("testing for specific responses and errors is not supported", its
  // README says): this server answers what Stripe's API answers for an unknown price, and nothing else.
  const stripe = createServer((req, res) => {
    res.writeHead(404, { 'content-type': 'application/json', 'request-id': 'req_test' })
    res.end(JSON.stringify({ error: { type: 'invalid_request_error', code: 'resource_missing', param: 'price', message: `No such price: '${req.url?.split('/').at(-1)}'` } }))
  })
  await new Promise<void>((resolve) => stripe.listen(0, '127.0.0.1', resolve))
  t.teardown(() => stripe.close())
  const app = await build(t, { STRIPE_API_URL: `http://127.0.0.1:${(stripe.address() as AddressInfo).port}` })
  const admin = await signUp(app, 'admin')
  const res = await app.inject({ method: 'POST', url: '/admin/offers', headers: admin.auth, payload: { kind: 'coins', name: 'Pack', stripePriceId: 'price_unknown', coins: 10 } })
  isError(t, res, 422, 'price_not_usable', 'Stripe does not know this price')
})
