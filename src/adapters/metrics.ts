import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { Redis } from 'ioredis'
import type { MongoClient } from 'mongodb'
import type { Queues } from '../jobs/queues.js'

/** Latency buckets (seconds) for calls that take milliseconds: HTTP answers, database, Redis and S3 calls. */
const FAST = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/**
 * The service's Prometheus metrics (prom-client), one registry per process (the API or the worker): RED metrics
 * per route pattern, the latency of every MongoDB, Redis and S3 call, the read cache's hits, queue depths, job
 * durations and failures, transcode seconds, webhook deliveries, and the process's own (CPU, memory, event loop).
 * Labels are patterns and names, never ids or raw URLs.
 */
export function createMetrics () {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const registers = [registry]

  const metrics = {
    registry,
    /** Served (METRICS_PORT): the MongoDB, Redis and S3 clients are instrumented only then. */
    enabled: false,
    http: new Histogram({
      name: 'http_request_duration_seconds', help: 'HTTP requests by method, route pattern and status', labelNames: ['method', 'route', 'status'], buckets: FAST, registers
    }),
    errors: new Counter({
      name: 'http_errors_total',
      help: 'Error answers by route pattern and error code (rate_limited: rate-limit refusals; service_unavailable: load shedding)',
      labelNames: ['route', 'code'],
      registers
    }),
    mongo: new Histogram({ name: 'mongodb_command_duration_seconds', help: 'MongoDB commands by name', labelNames: ['command', 'outcome'], buckets: FAST, registers }),
    redis: new Histogram({ name: 'redis_command_duration_seconds', help: 'Redis commands by name', labelNames: ['command', 'outcome'], buckets: FAST, registers }),
    s3: new Histogram({ name: 's3_request_duration_seconds', help: 'S3 calls by operation', labelNames: ['operation', 'outcome'], buckets: FAST, registers }),
    cache: new Counter({ name: 'read_cache_reads_total', help: 'Read cache lookups by kind of scope: hit or miss', labelNames: ['scope', 'result'], registers }),
    jobs: new Histogram({
      name: 'job_duration_seconds', help: 'Jobs run, by queue, name and outcome', labelNames: ['queue', 'job', 'outcome'], buckets: [0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 900], registers
    }),
    transcode: new Histogram({
      name: 'transcode_duration_seconds', help: 'Media pipeline runs (probe, ladder, poster) by outcome', labelNames: ['outcome'], buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800], registers
    }),
    transcodedMedia: new Counter({ name: 'transcoded_media_seconds_total', help: 'Seconds of video transcoded', registers }),
    webhooks: new Counter({ name: 'webhook_deliveries_total', help: 'Webhook delivery attempts by outcome', labelNames: ['outcome'], registers }),
    queueJobs: new Gauge({ name: 'queue_jobs', help: 'Jobs per queue and state', labelNames: ['queue', 'state'], registers }),

    /** Times `run`, observing its duration on `histogram` with `labels` and an outcome. */
    async time<T> (histogram: Histogram<string>, labels: Record<string, string>, run: () => Promise<T>): Promise<T> {
      const end = histogram.startTimer(labels)
      try {
        const value = await run()
        end({ outcome: 'ok' })
        return value
      } catch (err) {
        end({ outcome: 'error' })
        throw err
      }
    },

    /** Times every command of this Redis client (ioredis has no hooks: its sendCommand is wrapped). */
    instrumentRedis (redis: Redis): void {
      if (!metrics.enabled) return
      const send = redis.sendCommand.bind(redis)
      redis.sendCommand = ((command, stream) => {
        const end = metrics.redis.startTimer({ command: command.name })
        const sent = send(command, stream)
        command.promise.then(() => end({ outcome: 'ok' }), () => end({ outcome: 'error' }))
        return sent
      }) as typeof redis.sendCommand
    },

    /** Times every command of this MongoDB client (started with monitorCommands). */
    instrumentMongo (client: MongoClient): void {
      if (!metrics.enabled) return
      client.on('commandSucceeded', (e) => metrics.mongo.observe({ command: e.commandName, outcome: 'ok' }, e.duration / 1000))
      client.on('commandFailed', (e) => metrics.mongo.observe({ command: e.commandName, outcome: 'error' }, e.duration / 1000))
    },

    /** Reads the queues' depths on every scrape. */
    watchQueues (queues: Queues): void {
      const collect = async () => {
        for (const [name, queue] of Object.entries(queues)) {
          const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized')
          for (const [state, n] of Object.entries(counts)) metrics.queueJobs.set({ queue: name, state }, n)
        }
      }
      scrapes.push(collect)
    },

    /** The text a scrape answers (queue depths read first; a queue that cannot answer leaves its last figures). */
    async scrape (): Promise<string> {
      await Promise.all(scrapes.map(async (collect) => await collect().catch(() => {})))
      return await registry.metrics()
    }
  }
  const scrapes: Array<() => Promise<void>> = []
  return metrics
}

export type Metrics = ReturnType<typeof createMetrics>

/**
 * Serves the metrics on a port of their own (METRICS_PORT), never on the API's: Prometheus scrapes it on the
 * private network. With `token` (METRICS_TOKEN) a scrape must send it as a bearer token (401 otherwise).
 */
export async function serveMetrics (
  metrics: Metrics, host: string, port: number, token?: string
): Promise<{ server: Server, url: string }> {
  const server = createServer((req, res) => {
    // The process answers: what an orchestrator's probes ask of a worker (no token: it tells nothing).
    if (req.url === '/health' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}')
      return
    }
    if (req.url !== '/metrics' || req.method !== 'GET') {
      res.writeHead(404).end()
      return
    }
    if (token !== undefined && req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401, { 'www-authenticate': 'Bearer' }).end()
      return
    }
    metrics.scrape().then((text) => {
      res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text)
    }, () => res.writeHead(500).end())
  })
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, () => resolve()))
  const { port: bound } = server.address() as AddressInfo
  return { server, url: `http://${host}:${bound}/metrics` }
}
