import type { Db, ObjectId } from 'mongodb'
import type { PageRequest } from '../schemas/params.js'
import { findPage } from '../adapters/db.js'
import type { WebhookEvent } from '../events.js'

export interface WebhookEndpointDoc {
  _id: ObjectId
  url: string
  events: WebhookEvent[]
  description: string
  /** Standard Webhooks secret (`whsec_` + base64): shown once, when made or rotated. */
  secret: string
  enabled: boolean
  /** Deliveries in a row that failed for good; at WEBHOOK_DISABLE_AFTER the endpoint is disabled. */
  failureStreak: number
  disabledReason: string | null
  createdBy: ObjectId
  createdAt: Date
  updatedAt: Date
}

export interface WebhookDeliveryDoc {
  /** Also the message's `webhook-id`: the same on every attempt, so receivers can drop a repeat. */
  _id: ObjectId
  endpointId: ObjectId
  eventType: WebhookEvent
  /** The exact body sent (and signed). */
  payload: string
  status: 'pending' | 'delivered' | 'failed'
  attempts: number
  lastStatusCode: number | null
  lastError: string | null
  createdAt: Date
  lastAttemptAt: Date | null
  deliveredAt: Date | null
}

/** Webhook endpoints that admins registered, and every delivery to them. */
export function createWebhooksRepository (db: Db) {
  const endpoints = db.collection<WebhookEndpointDoc>('webhook_endpoints')
  const deliveries = db.collection<WebhookDeliveryDoc>('webhook_deliveries')

  return {
    collection: endpoints,

    async ensureIndexes (): Promise<void> {
      await endpoints.createIndex({ enabled: 1, events: 1 }, { name: 'enabled_events' })
      await deliveries.createIndex({ endpointId: 1, createdAt: -1, _id: -1 }, { name: 'endpoint_createdAt' })
      await deliveries.createIndex({ status: 1, createdAt: 1 }, { name: 'status_createdAt' })
    },

    async create (doc: WebhookEndpointDoc): Promise<WebhookEndpointDoc> {
      await endpoints.insertOne(doc)
      return doc
    },

    async findById (id: ObjectId): Promise<WebhookEndpointDoc | null> {
      return await endpoints.findOne({ _id: id })
    },

    async list (page: PageRequest) {
      return await findPage(endpoints, {}, page)
    },

    async update (id: ObjectId, set: Partial<WebhookEndpointDoc>): Promise<WebhookEndpointDoc | null> {
      return await endpoints.findOneAndUpdate({ _id: id }, { $set: { ...set, updatedAt: new Date() } }, { returnDocument: 'after' })
    },

    async remove (id: ObjectId): Promise<boolean> {
      return (await endpoints.deleteOne({ _id: id })).deletedCount === 1
    },

    /** The enabled endpoints that asked for events of this type. */
    async subscribedTo (eventType: WebhookEvent): Promise<WebhookEndpointDoc[]> {
      return await endpoints.find({ enabled: true, events: eventType }).toArray()
    },

    async addDelivery (doc: WebhookDeliveryDoc): Promise<void> {
      await deliveries.insertOne(doc)
    },

    async findDelivery (id: ObjectId): Promise<WebhookDeliveryDoc | null> {
      return await deliveries.findOne({ _id: id })
    },

    async updateDelivery (id: ObjectId, set: Partial<WebhookDeliveryDoc>): Promise<void> {
      await deliveries.updateOne({ _id: id }, { $set: set })
    },

    async listDeliveries (endpointId: ObjectId, page: PageRequest) {
      return await findPage(deliveries, { endpointId }, page)
    },

    /** Pending deliveries made before `before` (their job may never have reached the queue). */
    async findWaitingDeliveries (before: Date, limit: number): Promise<WebhookDeliveryDoc[]> {
      return await deliveries.find({ status: 'pending', createdAt: { $lt: before } }, { limit, sort: { createdAt: 1 } }).toArray()
    }
  }
}

export type WebhooksRepository = ReturnType<typeof createWebhooksRepository>
