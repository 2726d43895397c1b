import { Type } from '@sinclair/typebox'
import { Nullable, ObjectIdSchema, ref, StringEnum } from './common.js'
import { WEBHOOK_EVENTS } from '../events.js'

const DateTime = Type.String({ format: 'date-time' })

export const WebhookEventSchema = StringEnum(WEBHOOK_EVENTS, { description: 'A domain event sent to webhooks' })

export const WebhookEndpointSchema = Type.Object({
  id: ref(ObjectIdSchema),
  url: Type.String(),
  events: Type.Array(WebhookEventSchema),
  description: Type.String(),
  enabled: Type.Boolean({ description: 'False once disabled, by an admin or after deliveries kept failing' }),
  disabledReason: Nullable(Type.String()),
  createdAt: DateTime,
  updatedAt: DateTime
}, { additionalProperties: false, description: 'Where webhooks go (its secret is shown only when made or rotated)' })

export const WebhookDeliverySchema = Type.Object({
  id: ref(ObjectIdSchema),
  eventType: WebhookEventSchema,
  status: StringEnum(['pending', 'delivered', 'failed']),
  attempts: Type.Integer({ minimum: 0, format: 'int32' }),
  lastStatusCode: Nullable(Type.Integer({ format: 'int32', description: 'What the endpoint answered last' })),
  lastError: Nullable(Type.String()),
  createdAt: DateTime,
  lastAttemptAt: Nullable(DateTime),
  deliveredAt: Nullable(DateTime)
}, { additionalProperties: false, description: 'One event sent to one endpoint: the `webhook-id` of every attempt is its id' })

export const SecretSchema = Type.String({ description: 'The signing secret (whsec_ + base64), for the Standard Webhooks verify; shown once' })
