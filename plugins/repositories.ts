import fp from 'fastify-plugin'
import { createUsersRepository, type UsersRepository } from '../src/repositories/users.js'
import { createVideosRepository, type VideosRepository } from '../src/repositories/videos.js'
import { createSeriesRepository, type SeriesRepository } from '../src/repositories/series.js'
import { createEpisodesRepository, type EpisodesRepository } from '../src/repositories/episodes.js'
import { createAuditRepository, type AuditRepository } from '../src/repositories/audit.js'
import { createWatchHistoryRepository, type WatchHistoryRepository } from '../src/repositories/watch-history.js'

export interface Repositories {
  users: UsersRepository
  videos: VideosRepository
  series: SeriesRepository
  episodes: EpisodesRepository
  watchHistory: WatchHistoryRepository
  audit: AuditRepository
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
    audit: createAuditRepository(db)
  }
  for (const repo of Object.values(repos)) await repo.ensureIndexes()
  app.decorate('repos', repos)
}, { name: 'repositories', dependencies: ['mongodb'] })
