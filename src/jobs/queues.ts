import { Queue } from 'bullmq'
import { BullMQOtel } from 'bullmq-otel'
import { Redis } from 'ioredis'
import { tracingStarted } from '../lib/tracing.js'

/**
 * Background jobs on BullMQ: the queues, their options and schedules (what each job runs is in ./handlers.ts, the
 * workers that run them in ./workers.ts). Every job is a small function of its payload that can run twice safely,
 * calls one service function, is retried with exponential backoff, and is picked up again when the worker running
 * it dies (a stalled job). Jobs that keep failing stay in the failed list, where admins see them (GET /admin/jobs).
 */
export const QUEUE_NAMES = ['maintenance', 'media', 'webhooks', 'mail'] as const
export type QueueName = typeof QUEUE_NAMES[number]

export const defaultJobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { count: 200 },
  removeOnFail: { count: 2000 }
}

/**
 * BullMQ's own Redis connection: it waits through an outage instead of failing (a job is never dropped), and
 * takes no key prefix (BullMQ prefixes its keys itself, with REDIS_KEY_PREFIX + 'bull').
 */
export const jobsConnection = (url: string): Redis =>
  new Redis(url, { maxRetriesPerRequest: null, connectTimeout: 5000 })

export type Queues = Record<QueueName, Queue>

/**
 * With tracing on (src/adapters/telemetry.ts) BullMQ carries the trace of the request that queued a job into the worker
 * that runs it; off, nothing is added to a job.
 */
export const jobsTelemetry = () => tracingStarted() ? { telemetry: new BullMQOtel({ tracerName: 'microdrama' }) } : {}

/** Webhook deliveries: `attempts` tries, the waits doubling from `retryBaseMs` (12 from 20 s: about 23 hours). */
export const webhookJobOptions = ({ attempts = 12, retryBaseMs = 20_000 } = {}) =>
  ({ ...defaultJobOptions, attempts, backoff: { type: 'exponential', delay: retryBaseMs } })

export function createQueues (
  connection: Redis, keyPrefix: string, webhooks: { attempts?: number, retryBaseMs?: number } = {}
): Queues {
  const common = { connection, prefix: `${keyPrefix}bull`, ...jobsTelemetry() }
  return {
    maintenance: new Queue('maintenance', { ...common, defaultJobOptions }),
    // Transcodes: minutes each, on their own queue so that they never hold up the counting of views.
    media: new Queue('media', { ...common, defaultJobOptions }),
    webhooks: new Queue('webhooks', { ...common, defaultJobOptions: webhookJobOptions(webhooks) }),
    // Verification and password reset messages: seconds each, never behind a transcode.
    mail: new Queue('mail', { ...common, defaultJobOptions })
  }
}

export async function closeQueues (queues: Queues): Promise<void> {
  await Promise.all(Object.values(queues).map(async (queue) => await queue.close()))
}

/**
 * The deployment's repeatable jobs, one schedule each whatever the number of workers (upserted by every worker
 * at start: the same id replaces the same schedule).
 */
export async function scheduleMaintenance (queues: Queues, { viewsFlushMs }: { viewsFlushMs: number }): Promise<void> {
  await queues.maintenance.upsertJobScheduler('flush-views', { every: viewsFlushMs }, { name: 'flush-views' })
  await queues.maintenance.upsertJobScheduler('refresh-trending', { every: 3_600_000 }, { name: 'refresh-trending' })
  await queues.maintenance.upsertJobScheduler('enqueue-waiting', { every: 300_000 }, { name: 'enqueue-waiting' })
  await queues.maintenance.upsertJobScheduler('abort-abandoned-uploads', { every: 3_600_000 }, { name: 'abort-abandoned-uploads' })
  await queues.maintenance.upsertJobScheduler('prune-expired-tokens', { every: 3_600_000 }, { name: 'prune-expired-tokens' })
  await queues.maintenance.upsertJobScheduler('refresh-stats', { every: 60_000 }, { name: 'refresh-stats' })
}
