import fp from 'fastify-plugin'
import { closeQueues, createQueues, jobsConnection, type Queues } from '../src/jobs/queues.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The job queues (src/jobs/): the API adds jobs and shows them to admins; the worker runs them. */
    queues: Queues
  }
}

export default fp(async (app) => {
  const connection = jobsConnection(app.config.REDIS_URL)
  connection.on('error', () => {}) // plugins/redis.ts reports an outage; this connection waits it out
  const webhooks = { attempts: app.config.WEBHOOK_ATTEMPTS, retryBaseMs: app.config.WEBHOOK_RETRY_BASE_MS }
  app.decorate('queues', createQueues(connection, app.config.REDIS_KEY_PREFIX, webhooks))
  app.metrics.watchQueues(app.queues)
  app.addHook('onClose', async () => {
    await closeQueues(app.queues)
    connection.disconnect()
  })
}, { name: 'jobs', dependencies: ['metrics'], decorators: { fastify: ['config'] } })
