import fp from 'fastify-plugin'
import { createMetrics, serveMetrics, type Metrics } from '../src/adapters/metrics.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The process's Prometheus metrics (src/adapters/metrics.ts). */
    metrics: Metrics
    /** Where they are served (METRICS_PORT), or null when they are not. */
    metricsUrl: string | null
  }
}

/**
 * Prometheus metrics: every answer's latency by method, route pattern (never the raw URL) and status; other
 * plugins add their calls' (MongoDB, Redis, S3), the error handler its codes. Served on METRICS_PORT only.
 */
export default fp(async (app) => {
  const metrics = createMetrics()
  app.decorate('metrics', metrics)
  const { METRICS_PORT, METRICS_TOKEN, HOST } = app.config
  if (METRICS_PORT === undefined) {
    // Not served: nothing is measured on the request path (the bench compares the two).
    app.decorate('metricsUrl', null)
    return
  }
  metrics.enabled = true
  app.addHook('onResponse', async (request, reply) => {
    metrics.http.observe({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: reply.statusCode }, reply.elapsedTime / 1000)
  })
  const { server, url } = await serveMetrics(metrics, HOST, METRICS_PORT, METRICS_TOKEN)
  app.decorate('metricsUrl', url)
  app.addHook('onClose', async () => { await new Promise((resolve) => server.close(resolve)) })
}, { name: 'metrics', decorators: { fastify: ['config'] } })
