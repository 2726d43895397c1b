import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errors } from '../../../src/schemas/common.js'
import { STRIPE_EVENTS } from '../../../src/services/billing.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The body as received: what Stripe signed (this route only). */
    rawBody?: Buffer
  }
}

const StripeEventSchema = Type.Object({
  id: Type.String({ maxLength: 255 }),
  type: Type.String({ maxLength: 255 }),
  created: Type.Integer({ minimum: 0, maximum: 2 ** 40, format: 'int64' })
}, {
  additionalProperties: true,
  description: `A Stripe event, as Stripe sends it. Applied: ${STRIPE_EVENTS.map((e) => `\`${e}\``).join(', ')}; others are acknowledged.`,
  examples: [{ id: 'evt_1NG8Du2eZvKYlo2CUI79vXWy', object: 'event', type: 'checkout.session.completed', created: 1700000000, data: { object: {} } }]
})

/**
 * Stripe's webhook endpoint: no bearer token (Stripe calls it); the Stripe-Signature header over the raw body is
 * the proof. Outside the global rate limit (Stripe's retries come in bursts; a forged request costs one HMAC).
 */
const webhook: FastifyPluginAsyncTypebox = async (app) => {
  // Here only: keep the raw bytes Stripe signed; then parse them as JSON for the schema.
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body as Buffer
    try {
      done(null, JSON.parse((body as Buffer).toString('utf8')))
    } catch {
      done(Object.assign(new Error('The body is not valid JSON'), { statusCode: 400 }), undefined)
    }
  })

  app.post('/', {
    bodyLimit: 1024 * 1024,
    schema: {
      operationId: 'receiveStripeWebhook',
      summary: 'Stripe\'s events (payments, subscriptions, refunds)',
      description: 'Called by Stripe only. The Stripe-Signature header must sign the raw body with the endpoint\'s secret ' +
        '(STRIPE_WEBHOOK_SECRET) within 5 minutes (400 `webhook_signature_invalid` otherwise). Each event is applied once ' +
        'by its id and in any order; 200 once applied (or known), so Stripe stops retrying; any 5xx makes Stripe retry.',
      headers: Type.Object({ 'stripe-signature': Type.String({ minLength: 1, maxLength: 4096 }) }),
      body: StripeEventSchema,
      response: {
        200: Type.Object({ received: Type.Literal(true), duplicate: Type.Boolean({ description: 'Already applied before' }) },
          { additionalProperties: false }),
        ...errors('webhook_signature_invalid')
      }
    }
  }, async (request) => {
    const result = await app.services.billing.receive(request.rawBody!, request.headers['stripe-signature'])
    if (!result.duplicate) request.log.info({ stripeEvent: request.body.id, type: result.type }, 'stripe event applied')
    return { received: true as const, duplicate: result.duplicate }
  })
}

export default webhook
