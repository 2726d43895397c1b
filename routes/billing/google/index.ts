import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, envelope, errors, ref, StringEnum } from '../../../src/schemas/common.js'
import { StorePurchaseResultSchema } from '../../../src/schemas/billing.js'

const PushSchema = Type.Object({
  message: Type.Object({
    data: Type.String({
      minLength: 1, maxLength: 65_536, pattern: '^[A-Za-z0-9+/=_-]+$', description: 'The notification, base64 JSON'
    }),
    messageId: Type.String({ minLength: 1, maxLength: 200, description: 'Pub/Sub\'s id: applied once' }),
    publishTime: Type.Optional(Type.String({ maxLength: 64 })),
    attributes: Type.Optional(Type.Record(Type.String({ maxLength: 256 }), Type.String({ maxLength: 1024 }), {
      maxProperties: 50
    }))
  }, { additionalProperties: true, description: 'Pub/Sub also sends message_id and publish_time (the same values): accepted, unused' }),
  subscription: Type.String({ maxLength: 512, description: 'The Pub/Sub subscription that pushed it' })
}, {
  additionalProperties: false,
  examples: [{
    message: { data: 'eyJ2ZXJzaW9uIjoiMS4wIiwicGFja2FnZU5hbWUiOiJjb20uZXhhbXBsZS5taWNyb2RyYW1hIn0=', messageId: '136969346945' },
    subscription: 'projects/microdrama/subscriptions/play-rtdn'
  }]
})

/** Google Play (src/services/stores.ts): the app's purchase tokens, and Pub/Sub's pushes of Play's notifications. */
const google: FastifyPluginAsyncTypebox = async (app) => {
  const { stores } = app.services
  const perUser = app.limitPerMinute(30, (request) => `google:${request.account._id.toHexString()}`)

  app.post('/purchases', {
    onRequest: [app.authenticate, perUser],
    schema: {
      operationId: 'submitGooglePurchase',
      summary: 'Apply a Google Play purchase made in the app',
      description: 'Any signed-in user, with the purchase token Google Play Billing gave the app, bought with ' +
        '`obfuscatedExternalAccountId` set to the caller\'s token (GET /billing/store-account; 403 `store_account_mismatch` ' +
        'otherwise). The Play Developer API is asked for the purchase (422 `store_transaction_invalid` when Google knows ' +
        'no such purchase of this app): a coin pack (`kind: product`) credits its offer\'s coins once per order and is ' +
        'consumed; a VIP plan (`kind: subscription`) plays until Google says it ends and is acknowledged. Pending: 409 ' +
        '`store_purchase_pending`; canceled: 409 `store_purchase_revoked`; a product no offer is sold by: recorded and ' +
        'refused (422 `store_product_unknown`). 503 `provider_not_configured` without GOOGLE_PLAY_PACKAGE_NAME.',
      security: bearer,
      body: Type.Object({
        kind: StringEnum(['product', 'subscription'], { description: 'A one-time product (coin pack) or a subscription (VIP)' }),
        productId: Type.String({ minLength: 1, maxLength: 150, pattern: '^[A-Za-z0-9._-]+$', description: 'The Play product or subscription id' }),
        purchaseToken: Type.String({ minLength: 1, maxLength: 4096, pattern: '^[\\x21-\\x7e]+$', description: 'Purchase.getPurchaseToken()' })
      }, { additionalProperties: false, examples: [{ kind: 'product', productId: 'coins_500', purchaseToken: 'opaque-token-from-play-billing' }] }),
      response: {
        200: envelope(ref(StorePurchaseResultSchema)),
        ...errors('store_account_mismatch', 'store_purchase_pending', 'store_purchase_revoked', 'store_transaction_invalid',
          'store_product_unknown', 'payments_unavailable', 'provider_not_configured')
      }
    }
  }, async (request) => ({ data: await stores.googlePurchase(request.account, request.body) }))

  app.post('/notifications', {
    bodyLimit: 1024 * 1024, // room for `data` at its maxLength in any JSON escaping: a 400, not a 413
    schema: {
      operationId: 'receiveGoogleNotification',
      summary: 'Google Play\'s real-time developer notifications, pushed by Pub/Sub',
      description: 'Called by Pub/Sub only (a push subscription with authentication, its audience GOOGLE_PUBSUB_AUDIENCE, its ' +
        'service account GOOGLE_PUBSUB_SERVICE_ACCOUNT): the bearer token must be an OIDC token Google signed for them ' +
        '(401 `store_signature_invalid`). Applied once per messageId: each purchase is read again from the Play ' +
        'Developer API before anything is credited; voided purchases\' coins are taken back, voided subscriptions end. ' +
        '200 once applied or known (Pub/Sub stops pushing it); a 5xx makes Pub/Sub push it again.',
      headers: Type.Object({ authorization: Type.Optional(Type.String({ maxLength: 8192 })) }),
      body: PushSchema,
      response: {
        200: Type.Object({
          received: Type.Literal(true), duplicate: Type.Boolean({ description: 'Already applied before' })
        }, { additionalProperties: false }),
        ...errors('store_signature_invalid', 'payments_unavailable', 'provider_not_configured')
      }
    }
  }, async (request) => {
    const result = await stores.googleNotification(request.headers.authorization, request.body.message)
    return { received: true as const, duplicate: result.duplicate }
  })
}

export default google
