import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { envelope, errors, Nullable, ObjectIdSchema, ref, StringEnum } from '../../../src/schemas/common.js'
import { OfferSchema } from '../../../src/schemas/billing.js'
import { toObjectId } from '../../../src/lib/ids.js'

const Name = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' })
const Coins = Type.Integer({ minimum: 0, maximum: 1_000_000, format: 'int32' })
const ProductId = (description: string) => Type.String({ minLength: 1, maxLength: 150, pattern: '^[A-Za-z0-9._-]+$', description })
const OfferParams = Type.Object({ offerId: ref(ObjectIdSchema) })

const CreateBodySchema = Type.Object({
  kind: StringEnum(['vip', 'coins']),
  name: Name,
  stripePriceId: Type.String({ minLength: 3, maxLength: 255, pattern: '^[A-Za-z0-9_]+$', description: 'price_... from the Stripe dashboard' }),
  coins: Type.Optional({ ...Coins, default: 0, description: 'A pack: the coins it gives' }),
  bonusCoins: Type.Optional({ ...Coins, default: 0, description: 'A pack: coins on top' })
}, {
  additionalProperties: false,
  examples: [
    { kind: 'coins', name: '500 coins + 50 bonus', stripePriceId: 'price_1PackOf500', coins: 500, bonusCoins: 50 },
    { kind: 'vip', name: 'VIP monthly', stripePriceId: 'price_1VipMonthly' }
  ]
})

const UpdateBodySchema = Type.Partial(Type.Object({
  name: Name,
  coins: Coins,
  bonusCoins: Coins,
  active: Type.Boolean({ description: 'false retires it (no new purchases); true puts it back on sale' }),
  appleProductId: Nullable(ProductId('The App Store product that sells it; null: none')),
  googleProductId: Nullable(ProductId('The Google Play product (a pack) or subscription (a plan) that sells it; null: none'))
}), { additionalProperties: false, minProperties: 1, examples: [{ active: false }] })

/** What the platform sells (src/services/billing.ts): admins only (routes/admin/autohooks.ts). */
const offers: FastifyPluginAsyncTypebox = async (app) => {
  const { billing } = app.services

  app.get('/', {
    schema: {
      operationId: 'listAllOffers',
      summary: 'Every offer, on sale or retired',
      description: 'Admins only.',
      response: { 200: envelope(Type.Array(ref(OfferSchema), { maxItems: 200 })) }
    }
  }, async () => ({ data: await billing.allOffers() }))

  app.post('/', {
    schema: {
      operationId: 'createOffer',
      summary: 'Put a VIP plan or a coin pack on sale',
      description: 'Admins only. The offer sells one Stripe Price (create it in the Stripe dashboard first): its amount and ' +
        'currency are read from Stripe, and a plan\'s period from the price\'s recurrence (422 `price_not_usable` for a ' +
        'price Stripe does not know, a plan whose price does not renew, or a pack whose price does: a pack needs a ' +
        'one-time price). One offer per price (409 `price_taken`).',
      body: CreateBodySchema,
      response: { 201: envelope(ref(OfferSchema)), ...errors('price_not_usable', 'price_taken', 'payments_unavailable') }
    }
  }, async (request, reply) => {
    const { coins = 0, bonusCoins = 0, ...rest } = request.body
    return reply.code(201).send({ data: await billing.createOffer({ ...rest, coins, bonusCoins }) })
  })

  app.patch('/:offerId', {
    schema: {
      operationId: 'updateOffer',
      summary: 'Rename, re-count, retire or restore an offer, or name the store products that sell it',
      description: 'Admins only. A pack\'s coins apply to checkouts and store purchases after the change; retiring an offer ' +
        'stops new purchases, and subscriptions to a retired plan run on. The Stripe price never changes: sell a new price ' +
        'as a new offer. `appleProductId` and `googleProductId` bind the App Store and Google Play products that sell it ' +
        '(prices are the stores\'; null unbinds; 409 `product_taken` when another offer has it).',
      params: OfferParams,
      body: UpdateBodySchema,
      response: { 200: envelope(ref(OfferSchema)), ...errors('offer_not_found', 'product_taken') }
    }
  }, async (request) => ({ data: await billing.updateOffer(toObjectId(request.params.offerId), request.body) }))
}

export default offers
