import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq'
import { BullMQOtel } from 'bullmq-otel'
import { Redis } from 'ioredis'
import { ObjectId } from 'mongodb'
import type { Services } from './services/index.js'
import type { Metrics } from './metrics.js'
import { tracingStarted } from './lib/tracing.js'

/**
 * Background jobs on BullMQ. Every job is a small function of its payload that can run twice safely, calls one
 * service function, is retried with exponential backoff, and is picked up again when the worker running it dies
 * (a stalled job). Jobs that keep failing stay in the failed list, where admins see them (GET /admin/jobs).
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
 * With tracing on (src/telemetry.ts), BullMQ carries the trace of the request that queued a job into the worker
 * that runs it; off, nothing is added to a job.
 */
const telemetry = () => tracingStarted() ? { telemetry: new BullMQOtel({ tracerName: 'microdrama' }) } : {}

/** Webhook deliveries: `attempts` tries, the waits doubling from `retryBaseMs` (12 from 20 s: about 23 hours). */
export const webhookJobOptions = ({ attempts = 12, retryBaseMs = 20_000 } = {}) =>
  ({ ...defaultJobOptions, attempts, backoff: { type: 'exponential', delay: retryBaseMs } })

export function createQueues (
  connection: Redis, keyPrefix: string, webhooks: { attempts?: number, retryBaseMs?: number } = {}
): Queues {
  const common = { connection, prefix: `${keyPrefix}bull`, ...telemetry() }
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

/** What each job of a queue runs, by job name. */
export type Handlers = Record<string, (job: Job) => Promise<unknown>>

/** The maintenance jobs: each runs one service function (the same the API would call). */
export const maintenanceHandlers = (services: Pick<Services, 'playback' | 'media' | 'uploads' | 'webhooks' | 'tokens' | 'analytics'>): Handlers => ({
  'flush-views': async () => await services.playback.flushViews(),
  'refresh-trending': async () => await services.playback.refreshTrending(),
  'enqueue-waiting': async () => ({
    videos: await services.media.enqueueWaiting(), deliveries: await services.webhooks.enqueueWaiting()
  }),
  'abort-abandoned-uploads': async () => await services.uploads.abortAbandoned(),
  'prune-expired-tokens': async () => await services.tokens.pruneExpired(),
  'refresh-stats': async () => await services.analytics.refresh()
})

/** The webhook jobs: one per delivery (and one per manual redelivery). */
export const webhooksHandlers = (services: Pick<Services, 'webhooks'>): Handlers => ({
  'deliver-webhook': async (job) => await services.webhooks.deliver(
    ObjectId.createFromHexString(String((job.data as { deliveryId?: unknown }).deliveryId)),
    { lastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) }
  )
})

/** The mail jobs: one per message (the link is made by the job, so no secret waits in Redis). */
export const mailHandlers = (services: Pick<Services, 'recovery'>): Handlers => ({
  'send-verification': async (job) => await services.recovery.sendVerification(
    ObjectId.createFromHexString(String((job.data as { userId?: unknown }).userId))),
  'send-password-reset': async (job) => await services.recovery.sendPasswordReset(String((job.data as { email?: unknown }).email))
})

/** The media jobs: one per uploaded video. */
export const mediaHandlers = (services: Pick<Services, 'media'>): Handlers => ({
  'process-video': async (job) => await services.media.process(services.media.videoIdOf(job.data as { videoId?: unknown }), {
    lastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1)
  })
})

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

export interface WorkerLog {
  info: (obj: object, msg: string) => void
  warn: (obj: object, msg: string) => void
}

/**
 * How soon a job whose worker died runs again: its lock lapses after `lockDurationMs` without renewal and the
 * stalled-job check, every `stalledIntervalMs`, hands it to a live worker (at most twice, then it fails).
 */
export const workerTiming = { lockDurationMs: 30_000, stalledIntervalMs: 30_000 }
export const timingFor = (jobLockMs: number) => ({ lockDurationMs: jobLockMs, stalledIntervalMs: jobLockMs })

/** A worker for one queue: a job whose name has no handler fails at once (no retry); any other failure is retried. */
export function startWorker (
  name: QueueName, connection: Redis, keyPrefix: string, handlers: Handlers, log: WorkerLog, timing = workerTiming,
  metrics?: Pick<Metrics, 'jobs'>
): Worker {
  const worker = new Worker(name, async (job) => {
    const run = handlers[job.name]
    if (run === undefined) throw new UnrecoverableError(`no handler for the job ${job.name}`)
    return await run(job)
  }, {
    connection,
    prefix: `${keyPrefix}bull`,
    ...telemetry(),
    concurrency: 1,
    lockDuration: timing.lockDurationMs,
    stalledInterval: timing.stalledIntervalMs,
    maxStalledCount: 2
  })
  const observe = (job: Job | undefined, outcome: string) => {
    if (job?.processedOn != null && job.finishedOn != null) {
      metrics?.jobs.observe({ queue: name, job: job.name, outcome }, (job.finishedOn - job.processedOn) / 1000)
    }
  }
  worker.on('completed', (job) => observe(job, 'ok'))
  worker.on('failed', (job, err) => {
    observe(job, 'error')
    log.warn({ queue: name, job: job?.name, jobId: job?.id, attempt: job?.attemptsMade, err: err.message }, 'job failed')
  })
  worker.on('error', (err) => log.warn({ queue: name, err: err.message }, 'worker error'))
  return worker
}
