import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, envelope, errors, ObjectIdSchema, ref } from '../../src/schemas/common.js'
import { OfferSchema } from '../../src/schemas/billing.js'
import { toObjectId } from '../../src/lib/ids.js'

const CheckoutBodySchema = Type.Object({ offerId: ref(ObjectIdSchema) },
  { additionalProperties: false, examples: [{ offerId: '665f1c2b9d3e4a0012345678' }] })

/** VIP plans and coin packs through Stripe (src/services/billing.ts): any signed-in user. */
const billing: FastifyPluginAsyncTypebox = async (app) => {
  const { billing } = app.services
  // Each call to Stripe costs time and a request against Stripe's rate limits: a client may make a few a minute.
  const perUser = app.limitPerMinute(20, (request) => `billing:${request.account._id.toHexString()}`)

  app.get('/offers', {
    onRequest: app.authenticate,
    schema: {
      operationId: 'listOffers',
      summary: 'What is for sale: VIP plans and coin packs',
      description: 'Any signed-in user. The offers on sale, plans first, cheapest first; buy one with POST /billing/checkout.',
      security: bearer,
      response: { 200: envelope(Type.Array(ref(OfferSchema), { maxItems: 200 })) }
    }
  }, async () => ({ data: await billing.offers() }))

  app.get('/store-account', {
    onRequest: app.authenticate,
    schema: {
      operationId: 'getStoreAccount',
      summary: 'My account token for in-app purchases',
      description: 'Any signed-in user: the UUID the app passes with every store purchase, as Apple\'s `appAccountToken` ' +
        'and as Google Play\'s `obfuscatedExternalAccountId`. It binds the purchase to the caller: a purchase made with ' +
        'another token is refused, and the stores\' notifications find the caller by it. Always the same for a user.',
      security: bearer,
      response: { 200: envelope(Type.Object({ accountToken: Type.String({ format: 'uuid' }) }, { additionalProperties: false })) }
    }
  }, async (request) => ({ data: await app.services.stores.account(request.account) }))

  app.post('/checkout', {
    onRequest: [app.authenticate, perUser],
    schema: {
      operationId: 'createCheckout',
      summary: 'Pay for an offer on Stripe Checkout',
      description: 'Any signed-in user. Answers the URL of a Stripe Checkout page for the offer, bound to the caller: send ' +
        'the buyer there; Stripe sends them back to the app and tells the API by webhook (a pack\'s coins are credited, ' +
        'a plan starts). 404 `offer_not_found` for an offer not on sale; 409 `already_subscribed` for a plan while ' +
        'another one runs (change it in the portal instead).',
      security: bearer,
      body: CheckoutBodySchema,
      response: {
        201: envelope(Type.Object({
          id: Type.String({ description: 'The Checkout Session at Stripe' }),
          url: Type.String({ description: 'Stripe\'s hosted payment page' }),
          expiresAt: Type.String({ format: 'date-time' })
        }, { additionalProperties: false })),
        ...errors('offer_not_found', 'already_subscribed', 'payments_unavailable')
      }
    }
  }, async (request, reply) =>
    reply.code(201).send({ data: await billing.checkout(request.account, toObjectId(request.body.offerId)) }))

  app.post('/portal', {
    onRequest: [app.authenticate, perUser],
    schema: {
      operationId: 'createBillingPortal',
      summary: 'Manage a subscription on Stripe\'s customer portal',
      description: 'Any signed-in user who has paid before (404 `no_billing_account` otherwise): the URL of Stripe\'s ' +
        'customer portal, to change plan or card, see invoices or cancel.',
      security: bearer,
      response: {
        201: envelope(Type.Object({ url: Type.String({ description: 'Stripe\'s customer portal for the caller' }) }, { additionalProperties: false })),
        ...errors('no_billing_account', 'payments_unavailable')
      }
    }
  }, async (request, reply) => reply.code(201).send({ data: await billing.portal(request.account) }))
}

export default billing
