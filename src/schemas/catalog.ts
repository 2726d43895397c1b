import { Type, type Static } from '@sinclair/typebox'
import { Nullable, ObjectIdSchema, StringEnum, ref } from './common.js'

const DateTime = Type.String({ format: 'date-time' })

export const ALLOWED_VIDEO_TYPES = ['video/mp4', 'video/quicktime', 'video/webm'] as const

export const SeriesStatusSchema = StringEnum(['draft', 'pending', 'published'], { $id: 'SeriesStatus' })
export const EpisodeStatusSchema = StringEnum(['pending', 'published'], { $id: 'EpisodeStatus' })

export const VideoSchema = Type.Object({
  id: ref(ObjectIdSchema),
  s3Key: Type.String({ description: 'Object key in the bucket; only ever shown to its owner' }),
  title: Nullable(Type.String()),
  contentType: Type.String(),
  sizeBytes: Type.Integer({ minimum: 0, format: 'int64' }),
  status: StringEnum(['pending']),
  createdAt: DateTime
}, { $id: 'Video', additionalProperties: false, description: 'An uploaded video file, as its owner sees it' })

export const SeriesSchema = Type.Object({
  id: ref(ObjectIdSchema),
  creatorId: ref(ObjectIdSchema),
  title: Type.String(),
  description: Type.String(),
  genres: Type.Array(Type.String()),
  status: ref(SeriesStatusSchema),
  createdAt: DateTime,
  updatedAt: DateTime,
  publishedAt: Nullable(DateTime)
}, { $id: 'Series', additionalProperties: false })

export const EpisodeSchema = Type.Object({
  id: ref(ObjectIdSchema),
  seriesId: ref(ObjectIdSchema),
  number: Type.Integer({ minimum: 1, format: 'int32', description: 'Position in the series, from 1' }),
  title: Type.String(),
  status: ref(EpisodeStatusSchema),
  createdAt: DateTime,
  updatedAt: DateTime,
  publishedAt: Nullable(DateTime)
}, { $id: 'Episode', additionalProperties: false, description: 'An episode; the video behind it is reached only through playback' })

export const CreatorEpisodeSchema = Type.Composite([
  Type.Omit(EpisodeSchema, ['$id']),
  Type.Object({ videoId: ref(ObjectIdSchema) })
], { $id: 'CreatorEpisode', additionalProperties: false, description: 'An episode as its creator and admins see it' })

export type Video = Static<typeof VideoSchema>
export type Series = Static<typeof SeriesSchema>
export type Episode = Static<typeof EpisodeSchema>
export type CreatorEpisode = Static<typeof CreatorEpisodeSchema>

export const WatchEntrySchema = Type.Object({
  episodeId: ref(ObjectIdSchema),
  seriesId: ref(ObjectIdSchema),
  positionSec: Type.Number({ minimum: 0 }),
  durationSec: Nullable(Type.Number({ minimum: 0 })),
  completed: Type.Boolean(),
  updatedAt: DateTime
}, { $id: 'WatchEntry', additionalProperties: false, description: 'Where the caller stopped in an episode' })

export type WatchEntry = Static<typeof WatchEntrySchema>
