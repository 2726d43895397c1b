import fp from 'fastify-plugin'
import { createStorage, type Storage } from '../src/adapters/storage.js'

declare module 'fastify' {
  interface FastifyInstance {
    storage: Storage
  }
}

/** Object storage (src/adapters/storage.ts) for the app, its client destroyed when the app closes. */
export default fp(async (app) => {
  const storage = createStorage(app.config, app.metrics.enabled ? app.metrics : undefined)
  app.decorate('storage', storage)
  app.addHook('onClose', async () => storage.client.destroy())
}, { name: 's3', dependencies: ['metrics'], decorators: { fastify: ['config'] } })
