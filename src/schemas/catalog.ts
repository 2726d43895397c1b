import { Type, type Static, type TProperties } from '@sinclair/typebox'
import { Nullable, ObjectIdSchema, StringEnum, ref } from './common.js'

const DateTime = Type.String({ format: 'date-time' })

export const ALLOWED_VIDEO_TYPES = ['video/mp4', 'video/quicktime', 'video/webm'] as const
export const ALLOWED_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const
/** Dubbed audio: an episode's soundtrack in another language. */
export const ALLOWED_AUDIO_TYPES = ['audio/mpeg', 'audio/mp4', 'audio/aac', 'audio/wav', 'audio/flac', 'audio/ogg'] as const
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

/** A BCP 47 language tag, as the API answers it (canonical: `pt-BR`). */
export const LanguageTag = (description: string) =>
  Type.String({ minLength: 2, maxLength: 35, pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$', description })

export const MediaTrackSchema = Type.Object({
  language: LanguageTag('Its language (BCP 47): the LANGUAGE of its EXT-X-MEDIA rendition'),
  name: Type.String({ description: 'The language\'s name in itself ("español"): the rendition\'s NAME' })
}, { $id: 'MediaTrack', additionalProperties: false, description: 'Subtitles or dubbed audio in one language, in the episode\'s HLS stream' })

const Translations = <T extends TProperties>(what: string, text: T) => Type.Array(Type.Object({
  language: LanguageTag('One of the deployment\'s languages, not the original'),
  ...text
}, { additionalProperties: false }), { maxItems: 50, description: `Its ${what} in other languages than the original` })

const ModerationNote = Nullable(Type.String({ description: 'Why an admin rejected it or took it down; null otherwise' }))

const SeriesFields = Type.Object({
  id: ref(ObjectIdSchema),
  creatorId: ref(ObjectIdSchema),
  title: Type.String({ description: 'In `language`' }),
  description: Type.String({ description: 'In `language`' }),
  language: LanguageTag('The language its title and description are in: the caller\'s (`lang`, else Accept-Language) ' +
    'when it has a translation in it, else its original'),
  originalLanguage: LanguageTag('The language it was written in (`und` for series made before languages)'),
  languages: Type.Array(LanguageTag('A language it has a title in'), { maxItems: 51, description: 'Its original, then its translations' }),
  genres: Type.Array(Type.String()),
  freeEpisodes: Type.Integer({ minimum: 0, format: 'int32', description: 'Episodes 1 to freeEpisodes play without a subscription' }),
  coinPrice: Nullable(Type.Integer({
    minimum: 1,
    format: 'int32',
    description: 'Coins that unlock one of its other episodes for good (for a viewer: the price in ' +
      'their market); null: not sold for coins (VIP only)'
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

export const RegionalPricesSchema = Type.Array(Type.Object({
  country: Type.String({ minLength: 2, maxLength: 2, pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2, one of the deployment\'s markets' }),
  coinPrice: Type.Integer({ minimum: 1, maximum: 100_000, format: 'int32', description: 'Coins per episode there (within the platform\'s bounds)' })
}, { additionalProperties: false }), {
  maxItems: 250, description: 'Coin prices per market where they differ from coinPrice (a viewer\'s market comes from the CDN)'
})

export const CreatorSeriesSchema = Type.Composite([SeriesFields, Type.Object({
  translations: Translations('title and description', { title: Type.String(), description: Type.String() }),
  regionalPrices: RegionalPricesSchema,
  moderationNote: ModerationNote
})],
{ $id: 'CreatorSeries', additionalProperties: false, description: 'A series as its creator and admins see it' })

const EpisodeFields = Type.Object({
  id: ref(ObjectIdSchema),
  seriesId: ref(ObjectIdSchema),
  number: Type.Integer({ minimum: 1, format: 'int32', description: 'Position in the series, from 1' }),
  title: Type.String(),
  durationSec: Nullable(Type.Number({ minimum: 0, description: 'Read from its video by the media pipeline' })),
  subtitles: Type.Array(ref(MediaTrackSchema), { maxItems: 50, description: 'The subtitle languages its stream offers' }),
  audio: Type.Array(ref(MediaTrackSchema), { maxItems: 50, description: 'The dubbed audio languages its stream offers (beside the original)' }),
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
  language: LanguageTag('The language its title is in: the caller\'s when it has a translation in it, else its series\' original'),
  access: ref(AccessSchema),
  coinPrice: Nullable(Type.Integer({ minimum: 1, format: 'int32', description: 'While locked: the coins that unlock it; null otherwise' }))
})],
{ $id: 'Episode', additionalProperties: false, description: 'A published episode; the video behind it is reached only through playback' })

export const CreatorEpisodeSchema = Type.Composite(
  [EpisodeFields, Type.Object({
    translations: Translations('title', { title: Type.String() }),
    audioTracks: Type.Array(Type.Object({
      language: LanguageTag('The dub\'s language'),
      status: ref(VideoStatusSchema),
      failure: Nullable(Type.Object({
        code: StringEnum(['not_audio', 'duration_mismatch', 'corrupt', 'processing_failed']),
        message: Type.String()
      }, { additionalProperties: false, description: 'Why processing failed; null unless failed' })),
      updatedAt: DateTime
    }, { additionalProperties: false }), { maxItems: 50, description: 'Its dubs and their processing, ready or not' }),
    videoId: ref(ObjectIdSchema),
    moderationNote: ModerationNote
  })],
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
