import { randomBytes } from 'node:crypto'
import { ObjectId } from 'mongodb'
import { Webhook } from 'standardwebhooks'
import { ApiError } from '../errors.js'
import { WEBHOOK_EVENTS, type DomainEvent, type WebhookEvent } from '../events.js'
import type { WebhookDeliveryDoc, WebhookEndpointDoc } from '../repositories/webhooks.js'
import type { PageRequest } from '../schemas/params.js'
import { checkTarget, postJson, TargetRefused } from '../adapters/webhook-targets.js'
import type { Caller, Page, ServiceDeps } from './types.js'

/** An endpoint whose deliveries failed for good this many times in a row is disabled. */
const DISABLE_AFTER = 5
const TIMEOUT_MS = 10_000
/** A delivery made this long ago and still pending lost its job (Redis was down): the sweep queues it. */
const WAITING_MS = 60_000

const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`

export interface EndpointInput { url: string, events: WebhookEvent[], description?: string }

export const toEndpoint = (doc: WebhookEndpointDoc) => ({
  id: doc._id.toHexString(),
  url: doc.url,
  events: doc.events,
  description: doc.description,
  enabled: doc.enabled,
  disabledReason: doc.disabledReason,
  createdAt: doc.createdAt.toISOString(),
  updatedAt: doc.updatedAt.toISOString()
})

export const toDelivery = (doc: WebhookDeliveryDoc) => ({
  id: doc._id.toHexString(),
  eventType: doc.eventType,
  status: doc.status,
  attempts: doc.attempts,
  lastStatusCode: doc.lastStatusCode,
  lastError: doc.lastError,
  createdAt: doc.createdAt.toISOString(),
  lastAttemptAt: doc.lastAttemptAt?.toISOString() ?? null,
  deliveredAt: doc.deliveredAt?.toISOString() ?? null
})

/**
 * Outbound webhooks, signed per the Standard Webhooks specification (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`: HMAC-SHA256 of `id.timestamp.body` with the endpoint's secret). Every domain event of a
 * subscribed type becomes one delivery per endpoint, sent by a job and retried with exponential backoff for
 * about a day; its id is the `webhook-id` of every attempt, so a receiver applies it once. An endpoint whose
 * deliveries keep failing is disabled. Targets on loopback or private networks are refused unless
 * WEBHOOK_ALLOW_PRIVATE_TARGETS is set outside production.
 */
export function createWebhooksService ({ repos, queues, events, config, log, metrics }: ServiceDeps) {
  const { webhooks } = repos
  const allowPrivate = config.WEBHOOK_ALLOW_PRIVATE_TARGETS === 'true' && config.NODE_ENV !== 'production'

  async function enqueue (deliveryId: ObjectId): Promise<void> {
    if (queues === undefined) return
    await queues.webhooks.add('deliver-webhook', { deliveryId: deliveryId.toHexString() }, { jobId: `deliver-${deliveryId.toHexString()}` })
  }

  async function endpoint (id: ObjectId) {
    const found = await webhooks.findById(id)
    if (found === null) throw new ApiError('webhook_not_found')
    return found
  }

  async function allowedUrl (url: string): Promise<void> {
    const refused = await checkTarget(url, allowPrivate)
    if (refused !== null) throw new ApiError('webhook_url_not_allowed', `This URL cannot receive webhooks: ${refused}`)
  }

  /** A delivery of the event to every enabled endpoint that subscribed to it. */
  async function fanOut (event: DomainEvent): Promise<void> {
    if (!(WEBHOOK_EVENTS as readonly string[]).includes(event.type) || queues === undefined) return
    const type = event.type as WebhookEvent
    const subscribed = await webhooks.subscribedTo(type)
    for (const target of subscribed) {
      const id = new ObjectId()
      const payload = JSON.stringify({
        type: event.type,
        timestamp: event.at.toISOString(),
        data: {
          id: event.target.id.toHexString(),
          object: event.target.type,
          ...(event.target.seriesId === undefined ? {} : { seriesId: event.target.seriesId.toHexString() }),
          status: event.after,
          previousStatus: event.before
        }
      })
      await webhooks.addDelivery({
        _id: id,
        endpointId: target._id,
        eventType: type,
        payload,
        status: 'pending',
        attempts: 0,
        lastStatusCode: null,
        lastError: null,
        createdAt: new Date(),
        lastAttemptAt: null,
        deliveredAt: null
      })
      await enqueue(id).catch((err: unknown) => log.warn({ err, deliveryId: id }, 'could not queue a webhook delivery: the sweep will'))
    }
  }
  events.on('*', fanOut)

  return {
    async create (caller: Caller, input: EndpointInput) {
      await allowedUrl(input.url)
      const now = new Date()
      const created = await webhooks.create({
        _id: new ObjectId(),
        url: input.url,
        events: [...new Set(input.events)],
        description: input.description ?? '',
        secret: newSecret(),
        enabled: true,
        failureStreak: 0,
        disabledReason: null,
        createdBy: caller._id,
        createdAt: now,
        updatedAt: now
      })
      return { ...toEndpoint(created), secret: created.secret }
    },

    async list (page: PageRequest): Promise<Page<ReturnType<typeof toEndpoint>>> {
      const { items, meta } = await webhooks.list(page)
      return { data: items.map(toEndpoint), meta }
    },

    /** Changes the events or the description, or enables it again (a disabled endpoint starts afresh). */
    async update (id: ObjectId, edit: { events?: WebhookEvent[], description?: string, enabled?: boolean }) {
      await endpoint(id)
      const updated = await webhooks.update(id, {
        ...(edit.events === undefined ? {} : { events: [...new Set(edit.events)] }),
        ...(edit.description === undefined ? {} : { description: edit.description }),
        ...(edit.enabled === undefined ? {} : { enabled: edit.enabled, failureStreak: 0, disabledReason: null })
      })
      if (updated === null) throw new ApiError('webhook_not_found')
      return toEndpoint(updated)
    },

    async remove (id: ObjectId): Promise<void> {
      if (!await webhooks.remove(id)) throw new ApiError('webhook_not_found')
    },

    /** A new secret; the old one stops signing at once. */
    async rotateSecret (id: ObjectId): Promise<{ secret: string }> {
      await endpoint(id)
      const secret = newSecret()
      await webhooks.update(id, { secret })
      return { secret }
    },

    async deliveries (id: ObjectId, page: PageRequest): Promise<Page<ReturnType<typeof toDelivery>>> {
      await endpoint(id)
      const { items, meta } = await webhooks.listDeliveries(id, page)
      return { data: items.map(toDelivery), meta }
    },

    /** Sends a delivery again (as a new attempt of the same message: same webhook-id and body). */
    async redeliver (id: ObjectId, deliveryId: ObjectId) {
      await endpoint(id)
      const delivery = await webhooks.findDelivery(deliveryId)
      if (delivery === null || !delivery.endpointId.equals(id)) throw new ApiError('delivery_not_found')
      await webhooks.updateDelivery(deliveryId, { status: 'pending' })
      if (queues === undefined) throw new Error('no job queues here')
      await queues.webhooks.add('deliver-webhook', { deliveryId: deliveryId.toHexString(), manual: true })
      return toDelivery({ ...delivery, status: 'pending' })
    },

    /**
     * One attempt of a delivery (the job): a 2xx delivers it; anything else is thrown to be retried, and after the
     * last attempt the delivery fails, and the endpoint with it after DISABLE_AFTER such failures in a row.
     */
    async deliver (deliveryId: ObjectId, { lastAttempt }: { lastAttempt: boolean }): Promise<string> {
      const delivery = await webhooks.findDelivery(deliveryId)
      if (delivery === null || delivery.status === 'delivered') return delivery?.status ?? 'gone'
      const target = await webhooks.findById(delivery.endpointId)
      if (target === null || !target.enabled) {
        await webhooks.updateDelivery(deliveryId, { status: 'failed', lastError: 'the endpoint was deleted or disabled' })
        return 'failed'
      }
      const now = new Date()
      const headers = {
        'webhook-id': delivery._id.toHexString(),
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': new Webhook(target.secret).sign(delivery._id.toHexString(), now, delivery.payload),
        'user-agent': 'microdrama-webhooks/1'
      }
      let status = 0
      let error: string | null = null
      try {
        status = await postJson(target.url, delivery.payload, headers, { timeoutMs: TIMEOUT_MS, allowPrivate })
      } catch (err) {
        error = (err as Error).message
        if (err instanceof TargetRefused) lastAttempt = true // not a passing fault: no retry
      }
      const lastStatusCode = status === 0 ? null : status
      const attempt = { attempts: delivery.attempts + 1, lastAttemptAt: now, lastStatusCode }
      metrics?.webhooks.inc({ outcome: status >= 200 && status < 300 ? 'delivered' : lastAttempt ? 'failed' : 'retried' })
      if (status >= 200 && status < 300) {
        await webhooks.updateDelivery(deliveryId, { ...attempt, status: 'delivered', lastError: null, deliveredAt: now })
        if (target.failureStreak > 0) await webhooks.update(target._id, { failureStreak: 0 })
        return 'delivered'
      }
      const lastError = error ?? `answered ${status}`
      await webhooks.updateDelivery(deliveryId, { ...attempt, lastError, status: lastAttempt ? 'failed' : 'pending' })
      if (!lastAttempt) throw new Error(`webhook delivery ${deliveryId.toHexString()}: ${lastError}`)
      const streak = target.failureStreak + 1
      const disable = streak >= DISABLE_AFTER
      const disabledReason = disable ? `${streak} deliveries in a row failed; the last: ${lastError}` : null
      const disabling = disable ? { enabled: false, disabledReason } : {}
      await webhooks.update(target._id, { failureStreak: streak, ...disabling })
      if (disable) log.warn({ endpointId: target._id, url: target.url, reason: disabledReason }, 'webhook endpoint disabled')
      return 'failed'
    },

    /** Queues the pending deliveries whose job never reached the queue (made while Redis was down). */
    async enqueueWaiting (): Promise<number> {
      const waiting = await webhooks.findWaitingDeliveries(new Date(Date.now() - WAITING_MS), 500)
      for (const delivery of waiting) await enqueue(delivery._id)
      return waiting.length
    }
  }
}

export type WebhooksService = ReturnType<typeof createWebhooksService>
