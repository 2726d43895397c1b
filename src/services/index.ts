import { createAccountsService } from './accounts.js'
import { createCatalogueService } from './catalogue.js'
import { createJobsService } from './jobs.js'
import { createLibraryService } from './library.js'
import { createMediaService } from './media.js'
import { createModerationService } from './moderation.js'
import { createPlaybackService } from './playback.js'
import { createStreamingService } from './streaming.js'
import { createStudioService } from './studio.js'
import type { ServiceDeps } from './types.js'
import { createUploadsService } from './uploads.js'
import { createWebhooksService } from './webhooks.js'
import { createWalletService } from './wallet.js'
import { createBillingService } from './billing.js'
import { createTokensService } from './tokens.js'
import { createRecoveryService } from './recovery.js'
import { createMfaService } from './mfa.js'
import { createAnalyticsService } from './analytics.js'
import { createAdsService } from './ads.js'
import { createStoresService } from './stores.js'
import { createSubtitlesService } from './subtitles.js'
import { createDubbingService } from './dubbing.js'

export type { Caller, Page, ServiceDeps } from './types.js'

/**
 * Every business rule, one home each: what the routes call (app.services), and the bench and scripts too.
 * Services take plain inputs and the caller, return what the API answers, and throw catalogued errors.
 */
export function createServices (deps: ServiceDeps) {
  const uploads = createUploadsService(deps)
  const catalogue = createCatalogueService(deps)
  const media = createMediaService(deps)
  const streaming = createStreamingService(deps)
  const wallet = createWalletService(deps, catalogue)
  const tokens = createTokensService(deps)
  const analytics = createAnalyticsService(deps)
  return {
    accounts: createAccountsService(deps),
    uploads,
    media,
    studio: createStudioService(deps, uploads, media),
    subtitles: createSubtitlesService(deps),
    dubbing: createDubbingService(deps, uploads),
    moderation: createModerationService(deps),
    catalogue,
    playback: createPlaybackService(deps, catalogue, streaming, analytics),
    streaming,
    library: createLibraryService(deps, catalogue),
    jobs: createJobsService(deps),
    webhooks: createWebhooksService(deps),
    wallet,
    billing: createBillingService(deps, wallet),
    ads: createAdsService(deps, wallet, catalogue),
    stores: createStoresService(deps, wallet),
    tokens,
    recovery: createRecoveryService(deps),
    mfa: createMfaService(deps, tokens),
    analytics
  }
}

export type Services = ReturnType<typeof createServices>
