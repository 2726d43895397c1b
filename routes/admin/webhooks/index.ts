import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { envelope, errors, ObjectIdSchema, page, ref } from '../../../src/schemas/common.js'
import { listQuery } from '../../../src/schemas/params.js'
import { SecretSchema, WebhookDeliverySchema, WebhookEndpointSchema, WebhookEventSchema } from '../../../src/schemas/webhooks.js'
import { toObjectId } from '../../../src/lib/ids.js'

const Events = Type.Array(WebhookEventSchema, { minItems: 1, maxItems: 20, uniqueItems: true })
const Description = Type.String({ maxLength: 500 })
const EndpointParams = Type.Object({ webhookId: ref(ObjectIdSchema) })

const CreateBodySchema = Type.Object({
  url: Type.String({ minLength: 1, maxLength: 2000, format: 'uri', description: 'http(s); not a loopback or private address in production' }),
  events: Events,
  description: Type.Optional(Description)
}, {
  additionalProperties: false,
  examples: [{ url: 'https://hooks.example.com/microdrama', events: ['episode.published', 'video.ready'], description: 'Catalogue sync' }]
})

const UpdateBodySchema = Type.Partial(Type.Object({
  events: Events,
  description: Description,
  enabled: Type.Boolean({ description: 'true enables a disabled endpoint again, its failure count reset' })
}), { additionalProperties: false, minProperties: 1, examples: [{ enabled: true }] })

/** Outbound webhooks (src/services/webhooks.ts): admins only (routes/admin/autohooks.ts). */
const webhooks: FastifyPluginAsyncTypebox = async (app) => {
  const { webhooks } = app.services
  const id = (params: { webhookId: string }) => toObjectId(params.webhookId)

  app.post('/', {
    schema: {
      operationId: 'createWebhook',
      summary: 'Register a webhook endpoint',
      description: 'Admins only. Every event of the listed types is POSTed to url as JSON, signed per the Standard Webhooks ' +
        'specification (webhook-id, webhook-timestamp, webhook-signature: HMAC-SHA256 with the secret answered here, once). ' +
        'A delivery is retried with exponential backoff for about a day; its webhook-id is the same on every attempt. A URL ' +
        'that is not http(s), or resolves to a loopback or private address, is 422 `webhook_url_not_allowed`.',
      body: CreateBodySchema,
      response: {
        201: envelope(Type.Composite([WebhookEndpointSchema, Type.Object({ secret: SecretSchema })],
          { additionalProperties: false })),
        ...errors('webhook_url_not_allowed')
      }
    },
    links: {
      201: { deliveries: { operationId: 'listWebhookDeliveries', parameters: { webhookId: '$response.body#/data/id' } } }
    }
  }, async (request, reply) => reply.code(201).send({ data: await webhooks.create(request.account, request.body) }))

  app.get('/', {
    schema: {
      operationId: 'listWebhooks',
      summary: 'The webhook endpoints',
      description: 'Admins only, newest first by default; secrets are never listed.',
      querystring: listQuery(['createdAt'], 'createdAt:desc'),
      response: { 200: page(WebhookEndpointSchema) }
    }
  }, async (request) => await webhooks.list(request.query))

  app.patch('/:webhookId', {
    schema: {
      operationId: 'updateWebhook',
      summary: 'Change a webhook endpoint\'s events or description, or enable or disable it',
      description: 'Admins only.',
      params: EndpointParams,
      body: UpdateBodySchema,
      response: { 200: envelope(WebhookEndpointSchema), ...errors('webhook_not_found') }
    }
  }, async (request) => ({ data: await webhooks.update(id(request.params), request.body) }))

  app.delete('/:webhookId', {
    schema: {
      operationId: 'deleteWebhook',
      summary: 'Delete a webhook endpoint',
      description: 'Admins only. Deliveries not yet made are dropped.',
      params: EndpointParams,
      response: { 204: Type.Null({ description: 'Deleted' }), ...errors('webhook_not_found') }
    }
  }, async (request, reply) => {
    await webhooks.remove(id(request.params))
    return await reply.code(204).send(null)
  })

  app.post('/:webhookId/rotate-secret', {
    schema: {
      operationId: 'rotateWebhookSecret',
      summary: 'Give a webhook endpoint a new signing secret',
      description: 'Admins only. Deliveries from now on are signed with the new secret, answered here once.',
      params: EndpointParams,
      response: { 200: envelope(Type.Object({ secret: SecretSchema }, { additionalProperties: false })), ...errors('webhook_not_found') }
    }
  }, async (request) => ({ data: await webhooks.rotateSecret(id(request.params)) }))

  app.get('/:webhookId/deliveries', {
    schema: {
      operationId: 'listWebhookDeliveries',
      summary: 'The deliveries to a webhook endpoint',
      description: 'Admins only, newest first: each event sent, its status, attempts and the last answer.',
      params: EndpointParams,
      querystring: listQuery(['createdAt'], 'createdAt:desc'),
      response: { 200: page(WebhookDeliverySchema), ...errors('webhook_not_found') }
    }
  }, async (request) => await webhooks.deliveries(id(request.params), request.query))

  app.post('/:webhookId/deliveries/:deliveryId/redeliver', {
    schema: {
      operationId: 'redeliverWebhook',
      summary: 'Send a delivery again',
      description: 'Admins only. The same message (webhook-id and body), signed anew, sent by a job: 202.',
      params: Type.Object({ webhookId: ref(ObjectIdSchema), deliveryId: ref(ObjectIdSchema) }),
      response: { 202: envelope(WebhookDeliverySchema), ...errors('webhook_not_found', 'delivery_not_found') }
    }
  }, async (request, reply) =>
    reply.code(202).send({ data: await webhooks.redeliver(id(request.params), toObjectId(request.params.deliveryId)) }))
}

export default webhooks
