import fp from 'fastify-plugin'
import { createRepositories, ensureIndexes, type Repositories } from '../src/repositories/index.js'
import { createSessionCache } from '../src/adapters/sessions.js'

export type { Repositories }

declare module 'fastify' {
  interface FastifyInstance {
    repos: Repositories
  }
}

/** Data access, one small repository per collection; their indexes are created at start-up (unless a release's
 * migration Job builds them: INDEXES_AT_STARTUP=false, src/migrate.ts). */
export default fp(async (app) => {
  const db = app.mongo.db!
  const repos = createRepositories(db, {
    sessions: createSessionCache(app.redis, app.config.SESSION_CACHE_MS)
  })
  if (app.config.INDEXES_AT_STARTUP === 'true') await ensureIndexes(repos)
  app.decorate('repos', repos)
  // Trending scores decay in the worker's hourly job (src/jobs/), once for the whole deployment.
}, { name: 'repositories', dependencies: ['mongodb', 'redis'] })
