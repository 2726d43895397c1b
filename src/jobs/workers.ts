import { UnrecoverableError, Worker, type Job } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Metrics } from '../adapters/metrics.js'
import type { Handlers } from './handlers.js'
import { jobsTelemetry, type QueueName } from './queues.js'

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
    ...jobsTelemetry(),
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
