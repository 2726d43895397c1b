import type { Db } from 'mongodb'
import { createUsersRepository } from './users.js'
import { createVideosRepository } from './videos.js'
import { createSeriesRepository } from './series.js'
import { createEpisodesRepository } from './episodes.js'
import { createMyListRepository } from './my-list.js'
import { createAuditRepository } from './audit.js'
import { createWatchHistoryRepository } from './watch-history.js'

export interface CacheOptions {
  /** Milliseconds a session read is reused (0: none); see SESSION_CACHE_MS. */
  sessionCacheMs?: number
  /** Milliseconds a catalogue total is reused (0: none); see CATALOGUE_TOTAL_CACHE_MS. */
  catalogueTotalCacheMs?: number
}

/** Every repository on one database: what the app decorates as `app.repos` (and the bench uses directly). */
export function createRepositories (db: Db, { sessionCacheMs = 0, catalogueTotalCacheMs = 0 }: CacheOptions = {}) {
  return {
    users: createUsersRepository(db, sessionCacheMs),
    videos: createVideosRepository(db),
    series: createSeriesRepository(db, catalogueTotalCacheMs),
    episodes: createEpisodesRepository(db),
    watchHistory: createWatchHistoryRepository(db),
    audit: createAuditRepository(db),
    myList: createMyListRepository(db)
  }
}

export type Repositories = ReturnType<typeof createRepositories>

/** Creates every collection's indexes (idempotent). */
export async function ensureIndexes (repos: Repositories): Promise<void> {
  for (const repo of Object.values(repos)) await repo.ensureIndexes()
}
