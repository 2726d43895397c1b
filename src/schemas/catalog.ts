import { Type, type Static } from '@sinclair/typebox'
import { Nullable, ObjectIdSchema, StringEnum, ref } from './common.js'

const DateTime = Type.String({ format: 'date-time' })

export const ALLOWED_VIDEO_TYPES = ['video/mp4', 'video/quicktime', 'video/webm'] as const
export const ALLOWED_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const
/** Cover images are small: 5 MiB at most. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024

export const SeriesStatusSchema = StringEnum(['draft', 'pending', 'published', 'rejected', 'unpublished'], { $id: 'SeriesStatus' })
export const EpisodeStatusSchema = StringEnum(['pending', 'published', 'rejected', 'unpublished'], { $id: 'EpisodeStatus' })
export const VideoStatusSchema = StringEnum(['uploaded', 'processing', 'ready', 'failed'], {
  $id: 'VideoStatus',
  description: 'uploaded (waiting for the pipeline), processing, ready (playable; episodes may use it) or failed (see failure)'
})
export const VideoFailureCodeSchema = StringEnum(
  ['not_a_video', 'unsupported_codec', 'too_long', 'not_vertical', 'corrupt', 'processing_failed'],
  { $id: 'VideoFailureCode', description: 'Why processing failed; every code but processing_failed is about the file itself' })
/** What an audit entry (and a domain event) is about. */
export const AuditTargetSchema = StringEnum(['episode', 'series', 'user', 'ledger_entry'])

export type SeriesStatus = Static<typeof SeriesStatusSchema>
export type EpisodeStatus = Static<typeof EpisodeStatusSchema>
export type VideoStatus = Static<typeof VideoStatusSchema>
export type VideoFailureCode = Static<typeof VideoFailureCodeSchema>
export type AuditTarget = Static<typeof AuditTargetSchema>

export const VideoSchema = Type.Object({
  id: ref(ObjectIdSchema),
  s3Key: Type.String({ description: 'Object key in the bucket; only ever shown to its owner' }),
  title: Nullable(Type.String()),
  contentType: Type.String(),
  sizeBytes: Type.Integer({ minimum: 0, format: 'int64' }),
  status: ref(VideoStatusSchema),
  failure: Nullable(Type.Object({
    code: ref(VideoFailureCodeSchema),
    message: Type.String()
  }, { additionalProperties: false, description: 'Why processing failed; null unless failed' })),
  durationSec: Nullable(Type.Number({ minimum: 0, description: 'From the file itself, once processed' })),
  width: Nullable(Type.Integer({ minimum: 1, format: 'int32', description: 'As displayed (after rotation), once processed' })),
  height: Nullable(Type.Integer({ minimum: 1, format: 'int32' })),
  renditions: Type.Array(Type.Object({
    name: Type.String({ description: 'e.g. 720p: 720 pixels wide' }),
    width: Type.Integer({ minimum: 1, format: 'int32' }),
    height: Type.Integer({ minimum: 1, format: 'int32' }),
    bitrateKbps: Type.Integer({ minimum: 1, format: 'int32', description: 'Video bitrate' })
  }, { additionalProperties: false }), { description: 'The HLS ladder made from it (never wider than the source); empty until ready' }),
  posterTimeSec: Nullable(Type.Number({ minimum: 0, description: 'Where the poster is taken from; null: the pipeline chooses' })),
  posterUrl: Nullable(Type.String({ description: 'A short-lived URL of its poster image, once ready' })),
  createdAt: DateTime,
  processedAt: Nullable(DateTime)
}, { $id: 'Video', additionalProperties: false, description: 'An uploaded video file and what processing made of it, as its owner sees it' })

const ModerationNote = Nullable(Type.String({ description: 'Why an admin rejected it or took it down; null otherwise' }))

const SeriesFields = Type.Object({
  id: ref(ObjectIdSchema),
  creatorId: ref(ObjectIdSchema),
  title: Type.String(),
  description: Type.String(),
  genres: Type.Array(Type.String()),
  freeEpisodes: Type.Integer({ minimum: 0, format: 'int32', description: 'Episodes 1 to freeEpisodes play without a subscription' }),
  coinPrice: Nullable(Type.Integer({
    minimum: 1, format: 'int32', description: 'Coins that unlock one of its other episodes for good; null: not sold for coins (VIP only)'
  })),
  views: Type.Integer({ minimum: 0, format: 'int64', description: 'Plays of its episodes by viewers, in total' }),
  coverUrl: Nullable(Type.String({ description: 'Path of its cover image (GET redirects to the image), or null' })),
  status: ref(SeriesStatusSchema),
  createdAt: DateTime,
  updatedAt: DateTime,
  publishedAt: Nullable(DateTime)
})

export const SeriesSchema = Type.Composite([SeriesFields, Type.Object({
  inMyList: Type.Boolean({ description: 'Whether the caller saved it to My list' })
})], { $id: 'Series', additionalProperties: false, description: 'A published series, as a viewer sees it' })

export const CreatorSeriesSchema = Type.Composite([SeriesFields, Type.Object({ moderationNote: ModerationNote })],
  { $id: 'CreatorSeries', additionalProperties: false, description: 'A series as its creator and admins see it' })

const EpisodeFields = Type.Object({
  id: ref(ObjectIdSchema),
  seriesId: ref(ObjectIdSchema),
  number: Type.Integer({ minimum: 1, format: 'int32', description: 'Position in the series, from 1' }),
  title: Type.String(),
  durationSec: Nullable(Type.Number({ minimum: 0, description: 'Read from its video by the media pipeline' })),
  status: ref(EpisodeStatusSchema),
  createdAt: DateTime,
  updatedAt: DateTime,
  publishedAt: Nullable(DateTime)
})

export const AccessSchema = StringEnum(['free', 'subscription', 'unlocked', 'locked'], {
  $id: 'Access',
  description: 'For the caller: free (a free preview), subscription (playable with their VIP subscription or role), ' +
    'unlocked (they unlocked it with coins), locked (needs coins or a subscription)'
})

export const EpisodeSchema = Type.Composite([EpisodeFields, Type.Object({
  access: ref(AccessSchema),
  coinPrice: Nullable(Type.Integer({ minimum: 1, format: 'int32', description: 'While locked: the coins that unlock it; null otherwise' }))
})],
{ $id: 'Episode', additionalProperties: false, description: 'A published episode; the video behind it is reached only through playback' })

export const CreatorEpisodeSchema = Type.Composite(
  [EpisodeFields, Type.Object({ videoId: ref(ObjectIdSchema), moderationNote: ModerationNote })],
  { $id: 'CreatorEpisode', additionalProperties: false, description: 'An episode as its creator and admins see it' })

export const AuditEntrySchema = Type.Object({
  id: ref(ObjectIdSchema),
  actorId: Nullable(Type.String({ pattern: '^[0-9a-fA-F]{24}$', description: 'The admin; null for the system (a Stripe event)' })),
  action: Type.String({ description: 'e.g. episode.approve, episode.reject, series.unpublish, user.subscription, user.coins' }),
  targetType: AuditTargetSchema,
  targetId: ref(ObjectIdSchema),
  before: Nullable(Type.String()),
  after: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  at: DateTime
}, { $id: 'AuditEntry', additionalProperties: false, description: 'One status change: who, what, when, from and to, and why' })

export type Video = Static<typeof VideoSchema>
export type AuditEntry = Static<typeof AuditEntrySchema>
export type Series = Static<typeof SeriesSchema>
export type CreatorSeries = Static<typeof CreatorSeriesSchema>
export type Access = Static<typeof AccessSchema>
export type Episode = Static<typeof EpisodeSchema>
export type CreatorEpisode = Static<typeof CreatorEpisodeSchema>

/** Where a viewer stopped in an episode: in the watch history and in continue watching. */
const PositionFields = {
  positionSec: Type.Number({ minimum: 0 }),
  durationSec: Nullable(Type.Number({ minimum: 0 })),
  completed: Type.Boolean(),
  updatedAt: DateTime
}

export const WatchEntrySchema = Type.Object({
  episodeId: ref(ObjectIdSchema),
  seriesId: ref(ObjectIdSchema),
  ...PositionFields
}, { $id: 'WatchEntry', additionalProperties: false, description: 'Where the caller stopped in an episode' })

export type WatchEntry = Static<typeof WatchEntrySchema>

/** A row of continue watching: the episode to resume in a series, where, and the one after it. */
export const ContinueWatchingRowSchema = Type.Object({
  series: ref(SeriesSchema),
  episode: ref(EpisodeSchema),
  ...PositionFields,
  next: Type.Optional(ref(EpisodeSchema)) // absent at the end of what is published
}, { additionalProperties: false })

export type ContinueWatchingRow = Static<typeof ContinueWatchingRowSchema>
