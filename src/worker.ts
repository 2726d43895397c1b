import { fileURLToPath } from 'node:url'
import closeWithGrace from 'close-with-grace'
import { MongoClient } from 'mongodb'
import { Redis } from 'ioredis'
import pino from 'pino'
import { loadConfigOrExit } from './config.js'
import { mongoClientOptions } from './adapters/db.js'
import { createEventBus } from './events.js'
import { closeQueues, createQueues, jobsConnection, scheduleMaintenance } from './jobs/queues.js'
import { mailHandlers, maintenanceHandlers, mediaHandlers, webhooksHandlers } from './jobs/handlers.js'
import { startWorker, timingFor } from './jobs/workers.js'
import { redisClientOptions } from './adapters/redis.js'
import { createRepositories, ensureIndexes } from './repositories/index.js'
import { createSessionCache } from './adapters/sessions.js'
import { createServices } from './services/index.js'
import { createStripe } from './adapters/stripe.js'
import { createMailer } from './adapters/mail.js'
import { createMetrics, serveMetrics } from './adapters/metrics.js'
import { createStorage } from './adapters/storage.js'
import type { Config } from './config.js'

/**
 * The worker: the background jobs (src/jobs/) on the same services as the API. Several may run; each
 * schedule still runs once per interval for the whole deployment.
 */
export async function startJobs (config: Config, log: pino.Logger) {
  const metrics = createMetrics()
  metrics.enabled = config.METRICS_PORT !== undefined
  const options = { ...mongoClientOptions('microdrama-worker'), monitorCommands: metrics.enabled }
  const mongo = await new MongoClient(config.MONGODB_URI, options).connect()
  metrics.instrumentMongo(mongo)
  const redis = new Redis(config.REDIS_URL, redisClientOptions(config.REDIS_KEY_PREFIX))
  metrics.instrumentRedis(redis)
  const repos = createRepositories(mongo.db(), {
    sessions: createSessionCache(redis, config.SESSION_CACHE_MS)
  })
  if (config.INDEXES_AT_STARTUP === 'true') await ensureIndexes(repos)
  const events = createEventBus(log)
  const connection = jobsConnection(config.REDIS_URL)
  const queues = createQueues(connection, config.REDIS_KEY_PREFIX, {
    attempts: config.WEBHOOK_ATTEMPTS, retryBaseMs: config.WEBHOOK_RETRY_BASE_MS
  })
  const mailer = createMailer(config)
  const services = createServices({
    repos,
    storage: createStorage(config, metrics.enabled ? metrics : undefined),
    redis,
    events,
    queues,
    config,
    log,
    stripe: createStripe(config),
    mailer,
    metrics
  })
  metrics.watchQueues(queues)
  const { METRICS_PORT, METRICS_TOKEN, HOST } = config
  const served = METRICS_PORT === undefined ? null : await serveMetrics(metrics, HOST, METRICS_PORT, METRICS_TOKEN)
  await scheduleMaintenance(queues, { viewsFlushMs: config.VIEWS_FLUSH_MS })
  const timing = timingFor(config.JOB_LOCK_MS)
  const workers = [
    startWorker('maintenance', connection, config.REDIS_KEY_PREFIX, maintenanceHandlers(services), log, timing, metrics),
    startWorker('media', connection, config.REDIS_KEY_PREFIX, mediaHandlers(services), log, timing, metrics),
    startWorker('webhooks', connection, config.REDIS_KEY_PREFIX, webhooksHandlers(services), log, timing, metrics),
    startWorker('mail', connection, config.REDIS_KEY_PREFIX, mailHandlers(services), log, timing, metrics)
  ]
  // Videos saved while Redis was down, or before the pipeline existed, are queued now rather than in 5 minutes.
  await services.media.enqueueWaiting()
  log.info({ queues: Object.keys(queues), metrics: served?.url }, 'worker started')

  return {
    services,
    metricsUrl: served?.url ?? null,
    /** Finishes the job in hand (or hands it back when it outlasts the grace period), then disconnects. */
    async close (): Promise<void> {
      await Promise.all(workers.map(async (worker) => await worker.close()))
      if (served !== null) await new Promise((resolve) => served.server.close(resolve))
      await closeQueues(queues)
      mailer.close()
      connection.disconnect()
      redis.disconnect()
      await mongo.close()
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const config = loadConfigOrExit()
  const log = pino({ level: config.LOG_LEVEL, name: 'worker' })
  const jobs = await startJobs(config, log)
  // SIGTERM / SIGINT: stop taking jobs, let the current one finish (up to 30 s; after that it is handed back
  // and another worker picks it up as stalled), disconnect, exit.
  closeWithGrace({ delay: 30_000 }, async ({ signal, err }) => {
    if (err !== undefined) log.error({ err }, 'worker shutting down after an error')
    else log.info({ signal }, 'worker shutting down')
    await jobs.close()
  })
}
