import fp from 'fastify-plugin'
import { createUsersRepository, type UsersRepository } from '../src/repositories/users.js'
import { createVideosRepository, type VideosRepository } from '../src/repositories/videos.js'
import { createSeriesRepository, type SeriesRepository } from '../src/repositories/series.js'
import { createEpisodesRepository, type EpisodesRepository } from '../src/repositories/episodes.js'
import { createMyListRepository, type MyListRepository } from '../src/repositories/my-list.js'
import { createAuditRepository, type AuditRepository } from '../src/repositories/audit.js'
import { createWatchHistoryRepository, type WatchHistoryRepository } from '../src/repositories/watch-history.js'

export interface Repositories {
  users: UsersRepository
  videos: VideosRepository
  series: SeriesRepository
  episodes: EpisodesRepository
  watchHistory: WatchHistoryRepository
  audit: AuditRepository
  myList: MyListRepository
}

declare module 'fastify' {
  interface FastifyInstance {
    repos: Repositories
  }
}

/** Data access, one small repository per collection; their indexes are created at start-up. */
export default fp(async (app) => {
  const db = app.mongo.db!
  const repos: Repositories = {
    users: createUsersRepository(db),
    videos: createVideosRepository(db),
    series: createSeriesRepository(db),
    episodes: createEpisodesRepository(db),
    watchHistory: createWatchHistoryRepository(db),
    audit: createAuditRepository(db),
    myList: createMyListRepository(db)
  }
  for (const repo of Object.values(repos)) await repo.ensureIndexes()
  app.decorate('repos', repos)

  // Trending is the last 7 days' plays: let the scores of series nobody plays any more decay, hourly.
  const timer = setInterval(() => {
    repos.series.refreshTrending().catch((err: unknown) => app.log.warn({ err }, 'could not refresh trending scores'))
  }, 3_600_000).unref()
  app.addHook('onClose', async () => clearInterval(timer))
}, { name: 'repositories', dependencies: ['mongodb'] })
