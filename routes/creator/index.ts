import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { envelope, errors, Nullable, ObjectIdSchema, page, ref, StringEnum } from '../../src/schemas/common.js'
import {
  CreatorEpisodeSchema, CreatorSeriesSchema, LanguageTag, RegionalPricesSchema, SeriesStatusSchema, VideoSchema
} from '../../src/schemas/catalog.js'
import { EpisodeParamsSchema, listQuery, SeriesParamsSchema, VideoParamsSchema } from '../../src/schemas/params.js'
import { toObjectId } from '../../src/lib/ids.js'
import languages from './languages.js'

const CreateVideoBodySchema = Type.Object({
  s3Key: Type.String({ minLength: 1, maxLength: 512, description: 'The key from POST /uploads/presign, after the upload' }),
  title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  posterTimeSec: Type.Optional(Type.Number({
    minimum: 0, maximum: 21_600, description: 'Take the poster from this second of the video (within it); by default the pipeline chooses'
  }))
}, {
  additionalProperties: false,
  examples: [{ s3Key: 'videos/665f1c2b9d3e4a0012345678/0b9c6c1e-episode-1.mp4', title: 'Episode 1 master', posterTimeSec: 3.5 }]
})

// Titles and genres need a visible character: they are trimmed before they are stored.
const Title = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' })
const Genre = Type.String({ minLength: 1, maxLength: 40, pattern: '^\\s*[^$\\s][^$]*$' })

const SeriesFieldsSchema = {
  title: Title,
  description: Type.String({ maxLength: 5000 }),
  genres: Type.Array(Genre, { maxItems: 10, uniqueItems: true, description: 'Stored lowercased' }),
  freeEpisodes: Type.Integer({ minimum: 0, maximum: 10_000, format: 'int32', description: 'Episodes 1 to freeEpisodes play without a subscription' }),
  coinPrice: Type.Integer({
    minimum: 1,
    maximum: 100_000,
    format: 'int32',
    description: 'Coins that unlock one of its other episodes, within the platform\'s bounds (422 `coin_price_out_of_bounds`); ' +
      'the platform\'s default when not given'
  })
}

const UpdateSeriesBodySchema = Type.Partial(Type.Object({
  ...SeriesFieldsSchema,
  regionalPrices: { ...RegionalPricesSchema, description: 'Replaces its prices per market (each within the bounds, in MARKETS: 422 `market_not_supported`)' },
  coverKey: Type.String({ minLength: 1, maxLength: 512, description: 'The key of a cover image uploaded with POST /uploads/presign' })
}), {
  additionalProperties: false, minProperties: 1, examples: [{ freeEpisodes: 3, genres: ['romance', 'ceo'] }]
})

const UpdateEpisodeBodySchema = Type.Partial(Type.Object({ title: Title, videoId: ref(ObjectIdSchema) }), {
  additionalProperties: false, minProperties: 1, examples: [{ title: 'The wedding (re-cut)' }]
})

const CreateSeriesBodySchema = Type.Object({
  title: Title,
  description: Type.Optional({ ...SeriesFieldsSchema.description, default: '' }),
  genres: Type.Optional({ ...SeriesFieldsSchema.genres, default: [] }),
  freeEpisodes: Type.Optional({ ...SeriesFieldsSchema.freeEpisodes, default: 0 }),
  coinPrice: Type.Optional(SeriesFieldsSchema.coinPrice),
  draft: Type.Optional(Type.Boolean({ default: false, description: 'Keep it a draft (submit it later) instead of sending it for review now' })),
  language: Type.Optional(LanguageTag('The language its title and description are in: one of the deployment\'s (422 ' +
    '`language_not_supported`), the first of them when not given')),
  regionalPrices: Type.Optional({ ...RegionalPricesSchema, description: 'Prices per market (each within the bounds, in MARKETS)' })
}, { additionalProperties: false, examples: [{ title: 'The Billionaire\'s Secret Twin', description: 'Two sisters, one fortune.', genres: ['romance', 'revenge'] }] })

const CreateEpisodeBodySchema = Type.Object({
  number: Type.Integer({ minimum: 1, maximum: 10_000, format: 'int32', description: 'Position in the series, unique within it (409 otherwise)' }),
  title: Title,
  videoId: ref(ObjectIdSchema)
}, { additionalProperties: false, examples: [{ number: 1, title: 'The wedding', videoId: '665f1c2b9d3e4a0012345678' }] })

const Day = Type.String({ format: 'date', maxLength: 10, description: 'A UTC day, YYYY-MM-DD' })

const EarningsSchema = envelope(Type.Object({
  from: Day,
  to: Day,
  coins: Type.Integer({ minimum: 0, format: 'int64', description: 'Coins spent on the caller\'s episodes in these days' }),
  series: Type.Array(Type.Object({
    seriesId: ref(ObjectIdSchema),
    coins: Type.Integer({ minimum: 0, format: 'int64' }),
    unlocks: Type.Integer({ minimum: 0, format: 'int64' })
  }, { additionalProperties: false }), { description: 'Per series, most coins first' }),
  days: Type.Array(Type.Object({
    day: Day,
    seriesId: ref(ObjectIdSchema),
    coins: Type.Integer({ minimum: 0, format: 'int64' }),
    unlocks: Type.Integer({ minimum: 0, format: 'int64' })
  }, { additionalProperties: false }), { description: 'Per day and series, oldest first; days without unlocks are left out' })
}, { additionalProperties: false }))

const Share = Type.Number({ minimum: 0, maximum: 1 })
const SeriesStatsSchema = envelope(Type.Object({
  seriesId: ref(ObjectIdSchema),
  episodes: Type.Array(Type.Object({
    episodeId: ref(ObjectIdSchema),
    number: Type.Integer({ minimum: 1, format: 'int32' }),
    plays: Type.Integer({ minimum: 0, format: 'int64', description: 'Plays by viewers (not its creator or admins)' }),
    uniqueViewers: Type.Integer({ minimum: 0, format: 'int64', description: 'Viewers who reported progress in it' }),
    watchTimeSec: Type.Number({ minimum: 0, description: 'Seconds of it viewers got through (each one\'s furthest position), summed' }),
    avgCompletion: { ...Share, description: 'The mean of how far each viewer got (0 to 1)' },
    dropOff: Type.Array(Share, {
      minItems: 11, maxItems: 11, description: 'Share of its viewers who reached 0 %, 10 %, … 100 % of it (the first is 1 with any viewer)'
    })
  }, { additionalProperties: false }), { description: 'By number' }),
  funnel: Type.Array(Type.Object({
    episodeId: ref(ObjectIdSchema), number: Type.Integer({ minimum: 1, format: 'int32' }), viewers: Type.Integer({ minimum: 0, format: 'int64' })
  }, { additionalProperties: false }), { description: 'Viewers per episode, by number: where the audience drops out' }),
  paywall: Type.Object({
    firstLockedNumber: Type.Integer({ minimum: 1, format: 'int32', description: 'The first episode that is not free' }),
    reached: Type.Integer({ minimum: 0, format: 'int64', description: 'Viewers who finished the last free episode or started a locked one' }),
    converted: Type.Integer({ minimum: 0, format: 'int64', description: 'Of them, those who started a locked one (unlocked it or subscribed)' }),
    conversionRate: { ...Share, description: 'converted / reached' }
  }, { additionalProperties: false }),
  days: Type.Array(Type.Object({ day: Day, plays: Type.Integer({ minimum: 0, format: 'int64' }) }, { additionalProperties: false }), {
    maxItems: 90, description: 'Plays of its episodes per UTC day, the last 90 days with plays, oldest first (counted about every minute)'
  }),
  languages: Type.Array(Type.Object({
    kind: StringEnum(['subtitles', 'audio'], { description: 'What the viewers chose' }),
    language: Nullable(Type.String({ description: 'Subtitles: their language, null for none. Audio: a dub\'s, or the original\'s' })),
    views: Type.Integer({ minimum: 0, format: 'int64', description: 'Viewer-episode pairs watched this way (each viewer\'s latest choice)' }),
    viewers: Type.Integer({ minimum: 0, format: 'int64' }),
    completed: Type.Integer({ minimum: 0, format: 'int64', description: 'Of the views, those watched to the end' }),
    avgCompletion: { ...Share, description: 'The mean of how far they got (0 to 1)' }
  }, { additionalProperties: false }), { maxItems: 200, description: 'Views and completion by subtitle and audio language: which markets watch' }),
  updatedAt: Nullable(Type.String({ format: 'date-time', description: 'When the figures were computed (a job, about every minute); null: not yet' }))
}, { additionalProperties: false }))

/** A creator's own videos, series and episodes (src/services/studio.ts; status steps in src/services/moderation.ts). */
const creator: FastifyPluginAsyncTypebox = async (app) => {
  const { studio, moderation, wallet, analytics } = app.services
  // Their titles in other languages and their subtitles (with a body parser of their own).
  await app.register(languages)

  app.post('/videos', {
    schema: {
      operationId: 'createVideo',
      summary: 'Save an uploaded video',
      description: 'Creators and admins. The key must be one this caller was given by POST /uploads/presign (403 otherwise) ' +
        'and the file must be in the bucket (404 `upload_missing` otherwise; 422 `unsupported_upload` if it is not a video). ' +
        'Size and type are read from the stored object. The video starts `uploaded` and the media pipeline takes it: ' +
        'it probes the file, refuses what is not a vertical video it takes (`failed`, with a failure code), or makes an ' +
        'HLS ladder and a poster (`ready`). Follow it with GET /creator/videos/{videoId}; an episode needs a ready video.',
      body: CreateVideoBodySchema,
      response: { 201: envelope(ref(VideoSchema)), ...errors('forbidden_key', 'upload_missing', 'video_exists', 'unsupported_upload') }
    },
    links: {
      201: {
        addEpisode: { operationId: 'createEpisode', description: 'Use data.id as the videoId of an episode, once it is ready.' },
        getVideo: { operationId: 'getMyVideo', parameters: { videoId: '$response.body#/data/id' } }
      }
    }
  }, async (request, reply) => reply.code(201).send({ data: await studio.createVideo(request.account, request.body) }))

  app.get('/videos/:videoId', {
    schema: {
      operationId: 'getMyVideo',
      summary: 'One of my videos, with its processing state',
      description: 'Creators and admins, their own videos (404 for anyone else\'s): status (uploaded → processing → ready | ' +
        'failed), the failure code and message, duration and size as read from the file, the renditions made, and a ' +
        'short-lived poster URL.',
      params: VideoParamsSchema,
      response: { 200: envelope(ref(VideoSchema)), ...errors('video_not_found') }
    }
  }, async (request) => ({ data: await studio.getVideo(request.account, toObjectId(request.params.videoId)) }))

  app.get('/videos', {
    schema: {
      operationId: 'listMyVideos',
      summary: 'List my videos',
      description: 'Creators and admins: their own videos, newest first by default.',
      querystring: listQuery(['createdAt'], 'createdAt:desc'),
      response: { 200: page(ref(VideoSchema)) }
    }
  }, async (request) => await studio.listVideos(request.account, request.query))

  app.post('/series', {
    schema: {
      operationId: 'createSeries',
      summary: 'Create a series',
      description: 'Creators and admins. The series starts pending (or draft, when asked); it is published when an admin ' +
        'approves its first episode.',
      body: CreateSeriesBodySchema,
      response: { 201: envelope(ref(CreatorSeriesSchema)), ...errors('coin_price_out_of_bounds', 'language_not_supported', 'market_not_supported') }
    },
    links: {
      201: {
        addEpisode: { operationId: 'createEpisode', parameters: { seriesId: '$response.body#/data/id' } },
        listEpisodes: { operationId: 'listMySeriesEpisodes', parameters: { seriesId: '$response.body#/data/id' } }
      }
    }
  }, async (request, reply) => reply.code(201).send({ data: await studio.createSeries(request.account, request.body) }))

  app.get('/series', {
    schema: {
      operationId: 'listMySeries',
      summary: 'List my series',
      description: 'Creators and admins: their own series, optionally of one status.',
      querystring: listQuery(['createdAt', 'title'], 'createdAt:desc', { status: Type.Optional(ref(SeriesStatusSchema)) }),
      response: { 200: page(ref(CreatorSeriesSchema)) }
    }
  }, async (request) => {
    const { status, ...pageRequest } = request.query
    return await studio.listSeries(request.account, status, pageRequest)
  })

  app.get('/series/:seriesId', {
    schema: {
      operationId: 'getMySeries',
      summary: 'One of my series',
      description: 'Creators and admins, their own series in any status, with the reviewer\'s note (404 for anyone else\'s).',
      params: SeriesParamsSchema,
      response: { 200: envelope(ref(CreatorSeriesSchema)), ...errors('series_not_found') }
    }
  }, async (request) => ({ data: await studio.getSeries(request.account, toObjectId(request.params.seriesId)) }))

  app.patch('/series/:seriesId', {
    schema: {
      operationId: 'updateSeries',
      summary: 'Edit my series',
      description: 'Creators and admins, on their own series (404 otherwise): title, description, genres, freeEpisodes, ' +
        'and a cover image (coverKey: an image uploaded with POST /uploads/presign; 403 `forbidden_key` for a key not ' +
        'issued to the caller, 404 `upload_missing` if not uploaded). Its status does not change.',
      params: SeriesParamsSchema,
      body: UpdateSeriesBodySchema,
      response: { 200: envelope(ref(CreatorSeriesSchema)), ...errors('forbidden_key', 'series_not_found', 'upload_missing', 'unsupported_upload', 'coin_price_out_of_bounds', 'market_not_supported') }
    }
  }, async (request) => ({
    data: await studio.updateSeries(request.account, toObjectId(request.params.seriesId), request.body)
  }))

  app.post('/series/:seriesId/submit', {
    schema: {
      operationId: 'submitSeries',
      summary: 'Send my series for review',
      description: 'Creators and admins, on their own series (404 otherwise): draft, rejected or unpublished → pending ' +
        '(otherwise 409 `wrong_status`). Its episodes are submitted on their own, each with a ready video.',
      params: SeriesParamsSchema,
      response: { 200: envelope(ref(CreatorSeriesSchema)), ...errors('series_not_found', 'wrong_status') }
    }
  }, async (request) => ({ data: await moderation.submitSeries(request.account, toObjectId(request.params.seriesId)) }))

  app.delete('/series/:seriesId', {
    schema: {
      operationId: 'deleteSeries',
      summary: 'Delete my draft or rejected series',
      description: 'Creators and admins, on their own series (404 otherwise), with its episodes. Only a draft or ' +
        'rejected series with no published episode: otherwise 409 `wrong_status` (ask an admin to take it down).',
      params: SeriesParamsSchema,
      response: { 204: Type.Null({ description: 'Deleted' }), ...errors('series_not_found', 'wrong_status') }
    }
  }, async (request, reply) => {
    await studio.deleteSeries(request.account, toObjectId(request.params.seriesId))
    return reply.code(204).send(null)
  })

  app.post('/series/:seriesId/episodes', {
    schema: {
      operationId: 'createEpisode',
      summary: 'Add an episode to my series',
      description: 'Creators and admins, on their own series (404 otherwise). The video must be one of the caller\'s ' +
        '(403 `video_not_yours` otherwise, whether it exists or not) and ready (409 `video_not_ready` while it is processing ' +
        'or when it failed); a number already used in the series is 409. The episode starts pending; its durationSec is its video\'s.',
      params: SeriesParamsSchema,
      body: CreateEpisodeBodySchema,
      response: {
        201: envelope(ref(CreatorEpisodeSchema)),
        ...errors('video_not_yours', 'series_not_found', 'episode_number_taken', 'video_not_ready')
      }
    },
    links: {
      201: {
        listEpisodes: { operationId: 'listMySeriesEpisodes', parameters: { seriesId: '$response.body#/data/seriesId' } },
        approve: { operationId: 'approveEpisode', parameters: { episodeId: '$response.body#/data/id' }, description: 'For an admin.' }
      }
    }
  }, async (request, reply) => {
    const { videoId, ...episode } = request.body
    const seriesId = toObjectId(request.params.seriesId)
    const created = await studio.createEpisode(request.account, seriesId, { ...episode, videoId: toObjectId(videoId) })
    return reply.code(201).send({ data: created })
  })

  app.get('/series/:seriesId/episodes', {
    schema: {
      operationId: 'listMySeriesEpisodes',
      summary: 'List the episodes of my series',
      description: 'Creators and admins, on their own series (404 otherwise): every episode, in order of number.',
      params: SeriesParamsSchema,
      querystring: listQuery(['number'], 'number:asc'),
      response: { 200: page(ref(CreatorEpisodeSchema)), ...errors('series_not_found') }
    }
  }, async (request) =>
    await studio.listSeriesEpisodes(request.account, toObjectId(request.params.seriesId), request.query))

  app.patch('/episodes/:episodeId', {
    schema: {
      operationId: 'updateEpisode',
      summary: 'Edit my episode',
      description: 'Creators and admins, on their own episode (404 otherwise): title, or the video (one of the caller\'s, ' +
        '403 `video_not_yours` otherwise; ready, 409 `video_not_ready` otherwise). The video of a published episode cannot be ' +
        'replaced: 409 `episode_published`.',
      params: EpisodeParamsSchema,
      body: UpdateEpisodeBodySchema,
      response: {
        200: envelope(ref(CreatorEpisodeSchema)),
        ...errors('video_not_yours', 'episode_not_found', 'episode_published', 'video_not_ready')
      }
    }
  }, async (request) => {
    const { title, videoId } = request.body
    const edit = { title, videoId: videoId === undefined ? undefined : toObjectId(videoId) }
    return { data: await studio.updateEpisode(request.account, toObjectId(request.params.episodeId), edit) }
  })

  app.post('/episodes/:episodeId/submit', {
    schema: {
      operationId: 'submitEpisode',
      summary: 'Send my rejected or taken-down episode for review again',
      description: 'Creators and admins, on their own episode (404 otherwise): rejected or unpublished → pending. ' +
        'Otherwise 409 `wrong_status`; 409 `video_not_ready` unless its video is ready.',
      params: EpisodeParamsSchema,
      response: { 200: envelope(ref(CreatorEpisodeSchema)), ...errors('episode_not_found', 'wrong_status', 'video_not_ready') }
    }
  }, async (request) => ({
    data: await moderation.submitEpisode(request.account, toObjectId(request.params.episodeId))
  }))

  app.delete('/episodes/:episodeId', {
    schema: {
      operationId: 'deleteEpisode',
      summary: 'Delete my pending or rejected episode',
      description: 'Creators and admins, on their own episode (404 otherwise). A published or taken-down episode ' +
        'cannot be deleted: 409 `wrong_status`.',
      params: EpisodeParamsSchema,
      response: { 204: Type.Null({ description: 'Deleted' }), ...errors('episode_not_found', 'wrong_status') }
    }
  }, async (request, reply) => {
    await studio.deleteEpisode(request.account, toObjectId(request.params.episodeId))
    return reply.code(204).send(null)
  })

  app.get('/series/:seriesId/stats', {
    schema: {
      operationId: 'getSeriesStats',
      summary: 'What viewers did with my series',
      description: 'Creators and admins, for their own series (404 otherwise; admins any): per episode plays, unique ' +
        'viewers, watch time, average completion and the drop-off curve; the funnel across episodes; the paywall ' +
        'conversion. Computed from viewers\' progress by a job about every minute.',
      params: SeriesParamsSchema,
      response: { 200: SeriesStatsSchema, ...errors('series_not_found') }
    }
  }, async (request) => ({ data: await analytics.seriesReport(request.account, toObjectId(request.params.seriesId)) }))

  app.get('/earnings', {
    schema: {
      operationId: 'getCreatorEarnings',
      summary: 'Coins viewers spent on my episodes',
      description: 'Creators and admins, for their own series: coins spent unlocking their episodes, per series and per ' +
        'UTC day, from `from` to `to` (inclusive; the last 30 days by default, at most 366 days).',
      querystring: Type.Object({ from: Type.Optional(Day), to: Type.Optional(Day) }, { additionalProperties: false }),
      response: { 200: EarningsSchema }
    }
  }, async (request) => {
    const to = request.query.to ?? new Date().toISOString().slice(0, 10)
    const from = request.query.from ?? new Date(Date.parse(to) - 29 * 86_400_000).toISOString().slice(0, 10)
    return { data: await wallet.earnings(request.account, from, to) }
  })
}

export default creator
