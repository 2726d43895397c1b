import fp from 'fastify-plugin'
import { createRepositories, ensureIndexes, type Repositories } from '../src/repositories/index.js'
import { createSessionCache } from '../src/sessions.js'

export type { Repositories }

declare module 'fastify' {
  interface FastifyInstance {
    repos: Repositories
  }
}

/** Data access, one small repository per collection; their indexes are created at start-up. */
export default fp(async (app) => {
  const db = app.mongo.db!
  const repos = createRepositories(db, {
    sessions: createSessionCache(app.redis, app.config.SESSION_CACHE_MS),
    catalogueTotalCacheMs: app.config.CATALOGUE_TOTAL_CACHE_MS
  })
  await ensureIndexes(repos)
  app.decorate('repos', repos)

  // Trending is the last 7 days' plays: let the scores of series nobody plays any more decay, hourly.
  const timer = setInterval(() => {
    repos.series.refreshTrending().catch((err: unknown) => app.log.warn({ err }, 'could not refresh trending scores'))
  }, 3_600_000).unref()
  app.addHook('onClose', async () => clearInterval(timer))
}, { name: 'repositories', dependencies: ['mongodb', 'redis'] })
