import { ErrorResponseSchema, ObjectIdSchema, PageMetaSchema, RoleSchema, SubscriptionStatusSchema, UserSchema } from './common.js'
import {
  AccessSchema, AuditEntrySchema, CreatorEpisodeSchema, CreatorSeriesSchema, EpisodeSchema, EpisodeStatusSchema,
  SeriesSchema, SeriesStatusSchema, MediaTrackSchema, VideoFailureCodeSchema, VideoSchema, VideoStatusSchema,
  WatchEntrySchema
} from './catalog.js'
import { LedgerEntrySchema, OfferSchema, StorePurchaseResultSchema, UnlockSchema } from './billing.js'

/** The schemas registered once with `addSchema` (dependencies first) and named in components.schemas. */
export const sharedSchemas = [
  ObjectIdSchema, ErrorResponseSchema, RoleSchema, SubscriptionStatusSchema, UserSchema, PageMetaSchema,
  SeriesStatusSchema, EpisodeStatusSchema, VideoStatusSchema, VideoFailureCodeSchema, VideoSchema, SeriesSchema,
  CreatorSeriesSchema, AccessSchema, MediaTrackSchema, EpisodeSchema, CreatorEpisodeSchema, WatchEntrySchema,
  AuditEntrySchema,
  OfferSchema, LedgerEntrySchema, UnlockSchema, StorePurchaseResultSchema
]
