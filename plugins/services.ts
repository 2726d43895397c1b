import fp from 'fastify-plugin'
import { createEventBus, type EventBus } from '../src/events.js'
import { createServices, type Services } from '../src/services/index.js'
import { createStripe } from '../src/adapters/stripe.js'

declare module 'fastify' {
  interface FastifyInstance {
    services: Services
    /** Domain events: subscribe with `app.events.on(type, listener)`; services emit after each change. */
    events: EventBus
  }
}

/** The services (src/services), built on the app's repositories, storage and event bus. */
export default fp(async (app) => {
  const events = createEventBus(app.log)
  events.on('*', (e) => {
    app.log.info({ event: e.type, actorId: e.actorId?.toHexString(), targetId: e.target.id.toHexString(), before: e.before, after: e.after }, 'domain event')
  })
  app.decorate('events', events)
  app.decorate('services', createServices({
    repos: app.repos,
    storage: app.storage,
    redis: app.redis,
    queues: app.queues,
    events,
    stripe: createStripe(app.config),
    signToken: app.signToken,
    metrics: app.metrics,
    config: app.config,
    log: app.log
  }))
}, { name: 'services', dependencies: ['repositories', 's3', 'redis', 'jobs', 'auth'], decorators: { fastify: ['config'] } })
