import type { Db } from 'mongodb'
import type { SessionCache } from '../adapters/sessions.js'
import { createUsersRepository } from './users.js'
import { createVideosRepository } from './videos.js'
import { createSeriesRepository } from './series.js'
import { createEpisodesRepository } from './episodes.js'
import { createMyListRepository } from './my-list.js'
import { createAuditRepository } from './audit.js'
import { createWatchHistoryRepository } from './watch-history.js'
import { createMultipartUploadsRepository } from './multipart-uploads.js'
import { createWebhooksRepository } from './webhooks.js'
import { createCoinsRepository } from './coins.js'
import { createOffersRepository } from './offers.js'
import { createBillingRepository } from './billing.js'
import { createClaimsRepository } from './claims.js'
import { createAccountTokensRepository } from './account-tokens.js'
import { createAnalyticsRepository } from './analytics.js'
import { createStoresRepository } from './stores.js'

export interface CacheOptions {
  /** Where sessions are cached between requests (none: read on every request); see SESSION_CACHE_MS. */
  sessions?: SessionCache
}

/** Every repository on one database: what the app decorates as `app.repos` (and the bench uses directly). */
export function createRepositories (db: Db, { sessions }: CacheOptions = {}) {
  return {
    users: createUsersRepository(db, sessions),
    videos: createVideosRepository(db),
    series: createSeriesRepository(db),
    episodes: createEpisodesRepository(db),
    watchHistory: createWatchHistoryRepository(db),
    audit: createAuditRepository(db),
    myList: createMyListRepository(db),
    multipartUploads: createMultipartUploadsRepository(db),
    webhooks: createWebhooksRepository(db),
    coins: createCoinsRepository(db),
    offers: createOffersRepository(db),
    billing: createBillingRepository(db),
    claims: createClaimsRepository(db),
    accountTokens: createAccountTokensRepository(db),
    analytics: createAnalyticsRepository(db),
    stores: createStoresRepository(db)
  }
}

export type Repositories = ReturnType<typeof createRepositories>

/** Creates every collection's indexes (idempotent). */
export async function ensureIndexes (repos: Repositories): Promise<void> {
  for (const repo of Object.values(repos)) await repo.ensureIndexes()
}
