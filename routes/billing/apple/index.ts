import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, envelope, errors, ref } from '../../../src/schemas/common.js'
import { StorePurchaseResultSchema } from '../../../src/schemas/billing.js'

const Jws = (description: string) => Type.String({ minLength: 20, maxLength: 60_000, pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$', description })

/** The App Store (src/services/stores.ts): the app's transactions, and Apple's signed notifications. */
const apple: FastifyPluginAsyncTypebox = async (app) => {
  const { stores } = app.services
  const perUser = app.limitPerMinute(30, (request) => `apple:${request.account._id.toHexString()}`)

  // The body limits leave room for a JWS at its maxLength in any JSON escaping, so a long one is a 400, not a 413.
  app.post('/transactions', {
    onRequest: [app.authenticate, perUser],
    bodyLimit: 1024 * 1024,
    schema: {
      operationId: 'submitAppleTransaction',
      summary: 'Apply an App Store purchase made in the app',
      description: 'Any signed-in user, with the signed transaction StoreKit 2 gave the app (`Transaction.jwsRepresentation`), ' +
        'bought with `appAccountToken` set to the caller\'s token (GET /billing/store-account; 403 `store_account_mismatch` ' +
        'otherwise). Verified with Apple\'s root certificates, the bundle id and the environment (422 ' +
        '`store_transaction_invalid`). A consumable coin pack credits its offer\'s coins once per transaction (sending it ' +
        'again answers the same); an auto-renewable VIP plan plays until its period ends. A product no offer is sold by ' +
        'is recorded and refused (422 `store_product_unknown`); a refunded or revoked one is 409 `store_purchase_revoked`. ' +
        'Prices are the store\'s: nothing the app sends sets one. 503 `provider_not_configured` without APPLE_BUNDLE_ID.',
      security: bearer,
      body: Type.Object({ signedTransaction: Jws('The JWS of the transaction, as StoreKit 2 gives it') }, {
        additionalProperties: false, examples: [{ signedTransaction: 'eyJhbGciOiJFUzI1NiIsIng1YyI6WyJNSUlFTUR.eyJ0cmFuc2FjdGlvbklkIjoiMjAwMDAwMDAwMDAwMDAwMSJ9.MEUCIQDxQ2R' }]
      }),
      response: {
        200: envelope(ref(StorePurchaseResultSchema)),
        ...errors('store_account_mismatch', 'store_purchase_revoked', 'store_transaction_invalid', 'store_product_unknown', 'payments_unavailable', 'provider_not_configured')
      }
    }
  }, async (request) => ({ data: await stores.appleTransaction(request.account, request.body.signedTransaction) }))

  app.post('/notifications', {
    bodyLimit: 1024 * 1024,
    schema: {
      operationId: 'receiveAppleNotification',
      summary: 'App Store Server Notifications V2',
      description: 'Called by Apple only (set it as the app\'s App Store Server Notifications V2 URL). The signed payload ' +
        'must verify as Apple\'s (401 `store_signature_invalid`). Applied once per notificationUUID and in any order: ' +
        'renewals extend VIP, a failed renewal plays through its grace period (not in billing retry), expiry, refund and ' +
        'revocation end it, a refunded coin pack\'s coins are taken back (down to zero; the rest is a shortfall). 200 once ' +
        'applied or known, so Apple stops retrying.',
      body: Type.Object({ signedPayload: Jws('The notification\'s JWS') }, {
        additionalProperties: false, examples: [{ signedPayload: 'eyJhbGciOiJFUzI1NiIsIng1YyI6WyJNSUlFTUR.eyJub3RpZmljYXRpb25UeXBlIjoiRElEX1JFTkVXIn0.MEUCIQDxQ2R' }]
      }),
      response: {
        200: Type.Object({ received: Type.Literal(true), duplicate: Type.Boolean({ description: 'Already applied before' }) }, { additionalProperties: false }),
        ...errors('store_signature_invalid', 'payments_unavailable', 'provider_not_configured')
      }
    }
  }, async (request) => {
    const result = await stores.appleNotification(request.body.signedPayload)
    if (!result.duplicate) request.log.info({ type: result.type }, 'App Store notification applied')
    return { received: true as const, duplicate: result.duplicate }
  })
}

export default apple
