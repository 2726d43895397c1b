import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, envelope, errors, ObjectIdSchema, page, ref } from '../../src/schemas/common.js'
import { ALLOWED_VIDEO_TYPES, CreatorEpisodeSchema, SeriesSchema, SeriesStatusSchema, VideoSchema } from '../../src/schemas/catalog.js'
import { listQuery } from '../../src/lib/pagination.js'
import { toObjectId } from '../../src/lib/ids.js'
import { toVideo } from '../../src/repositories/videos.js'
import { toSeries } from '../../src/repositories/series.js'
import { toCreatorEpisode } from '../../src/repositories/episodes.js'
import { uploadPrefix } from '../../src/lib/keys.js'

const CreateVideoBodySchema = Type.Object({
  s3Key: Type.String({ minLength: 1, maxLength: 512, description: 'The key from POST /uploads/presign, after the upload' }),
  title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 }))
}, { additionalProperties: false, examples: [{ s3Key: 'videos/665f1c2b9d3e4a0012345678/0b9c6c1e-episode-1.mp4', title: 'Episode 1 master' }] })

// Titles and genres need a visible character: they are trimmed before they are stored.
const Title = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' })
const Genre = Type.String({ minLength: 1, maxLength: 40, pattern: '^\\s*[^$\\s][^$]*$' })

const CreateSeriesBodySchema = Type.Object({
  title: Title,
  description: Type.Optional(Type.String({ maxLength: 5000, default: '' })),
  genres: Type.Optional(Type.Array(Genre, { maxItems: 10, uniqueItems: true, default: [], description: 'Stored lowercased' }))
}, { additionalProperties: false, examples: [{ title: 'The Billionaire\'s Secret Twin', description: 'Two sisters, one fortune.', genres: ['romance', 'revenge'] }] })

const CreateEpisodeBodySchema = Type.Object({
  number: Type.Integer({ minimum: 1, maximum: 10_000, format: 'int32', description: 'Position in the series, unique within it (409 otherwise)' }),
  title: Title,
  videoId: ref(ObjectIdSchema)
}, { additionalProperties: false, examples: [{ number: 1, title: 'The wedding', videoId: '665f1c2b9d3e4a0012345678' }] })

const SeriesParamsSchema = Type.Object({ seriesId: ref(ObjectIdSchema) })

const creator: FastifyPluginAsyncTypebox = async (app) => {
  const { videos, series, episodes } = app.repos
  const tags = ['creator']

  /** The caller's own series, or 404: another creator's series does not exist for this caller. */
  async function ownedSeries (ownerId: string, seriesId: string) {
    const found = await series.findOwned(toObjectId(ownerId), toObjectId(seriesId))
    if (found === null) throw app.httpErrors.createError(404, 'Series not found', { code: 'series_not_found' })
    return found
  }

  app.post('/videos', {
    schema: {
      tags,
      operationId: 'createVideo',
      summary: 'Save an uploaded video',
      description: 'Creators and admins. The key must be one this caller was given by POST /uploads/presign (403 otherwise) ' +
        'and the file must be in the bucket (404 `upload_missing` otherwise; 422 `unsupported_upload` if it is not a video). Size and type are read from the stored object.',
      security: bearer,
      body: CreateVideoBodySchema,
      response: { 201: envelope(ref(VideoSchema)), ...errors(400, 401, 403, 404, 409, 422) }
    },
    links: {
      201: {
        addEpisode: { operationId: 'createEpisode', description: 'Use data.id as the videoId of an episode.' }
      }
    }
  }, async (request, reply) => {
    const { s3Key, title } = request.body
    if (!s3Key.startsWith(uploadPrefix(request.user.sub)) || s3Key.includes('..')) {
      throw app.httpErrors.createError(403, 'This key was not issued to you', { code: 'forbidden_key' })
    }
    const object = await app.storage.head(s3Key)
    if (object === null) throw app.httpErrors.createError(404, 'No uploaded file at this key', { code: 'upload_missing' })
    if (!(ALLOWED_VIDEO_TYPES as readonly string[]).includes(object.contentType)) {
      throw app.httpErrors.createError(422, 'The uploaded file is not an allowed video type', { code: 'unsupported_upload' })
    }
    const video = await videos.create({
      ownerId: toObjectId(request.user.sub), s3Key, title: title ?? null, contentType: object.contentType, sizeBytes: object.sizeBytes
    })
    if (video === null) throw app.httpErrors.createError(409, 'This upload is already saved as a video', { code: 'video_exists' })
    return reply.code(201).send({ data: toVideo(video) })
  })

  app.get('/videos', {
    schema: {
      tags,
      operationId: 'listMyVideos',
      summary: 'List my videos',
      description: 'Creators and admins: their own videos, newest first by default.',
      security: bearer,
      querystring: listQuery(['createdAt'], 'createdAt:desc'),
      response: { 200: page(ref(VideoSchema)), ...errors(400, 401, 403) }
    }
  }, async (request) => {
    const { items, meta } = await videos.listOwned(toObjectId(request.user.sub), request.query)
    return { data: items.map(toVideo), meta }
  })

  app.post('/series', {
    schema: {
      tags,
      operationId: 'createSeries',
      summary: 'Create a series',
      description: 'Creators and admins. The series starts pending; it is published when an admin approves its first episode.',
      security: bearer,
      body: CreateSeriesBodySchema,
      response: { 201: envelope(ref(SeriesSchema)), ...errors(400, 401, 403) }
    },
    links: {
      201: {
        addEpisode: { operationId: 'createEpisode', parameters: { seriesId: '$response.body#/data/id' } },
        listEpisodes: { operationId: 'listMySeriesEpisodes', parameters: { seriesId: '$response.body#/data/id' } }
      }
    }
  }, async (request, reply) => {
    const { title, description = '', genres = [] } = request.body
    const created = await series.create({
      ownerId: toObjectId(request.user.sub),
      title: title.trim(),
      description,
      genres: [...new Set(genres.map((g) => g.trim().toLowerCase()))]
    })
    return reply.code(201).send({ data: toSeries(created) })
  })

  app.get('/series', {
    schema: {
      tags,
      operationId: 'listMySeries',
      summary: 'List my series',
      description: 'Creators and admins: their own series, optionally of one status.',
      security: bearer,
      querystring: listQuery(['createdAt', 'title'], 'createdAt:desc', { status: Type.Optional(ref(SeriesStatusSchema)) }),
      response: { 200: page(ref(SeriesSchema)), ...errors(400, 401, 403) }
    }
  }, async (request) => {
    const { status, ...pageRequest } = request.query
    const { items, meta } = await series.listOwned(toObjectId(request.user.sub), status, pageRequest)
    return { data: items.map(toSeries), meta }
  })

  app.post('/series/:seriesId/episodes', {
    schema: {
      tags,
      operationId: 'createEpisode',
      summary: 'Add an episode to my series',
      description: 'Creators and admins, on their own series (404 otherwise). The video must be one of the caller\'s ' +
        '(403 `video_not_yours` otherwise, whether it exists or not); a number already used in the series is 409. The episode starts pending.',
      security: bearer,
      params: SeriesParamsSchema,
      body: CreateEpisodeBodySchema,
      response: { 201: envelope(ref(CreatorEpisodeSchema)), ...errors(400, 401, 403, 404, 409) }
    },
    links: {
      201: {
        listEpisodes: { operationId: 'listMySeriesEpisodes', parameters: { seriesId: '$response.body#/data/seriesId' } },
        approve: { operationId: 'approveEpisode', parameters: { episodeId: '$response.body#/data/id' }, description: 'For an admin.' }
      }
    }
  }, async (request, reply) => {
    const owned = await ownedSeries(request.user.sub, request.params.seriesId)
    const { number, title, videoId } = request.body
    const video = await videos.findOwned(owned.ownerId, toObjectId(videoId))
    if (video === null) throw app.httpErrors.createError(403, 'videoId is not one of your videos', { code: 'video_not_yours' })
    const episode = await episodes.create({ seriesId: owned._id, ownerId: owned.ownerId, videoId: video._id, number, title: title.trim() })
    if (episode === null) {
      throw app.httpErrors.createError(409, `Episode ${number} already exists in this series`, { code: 'episode_number_taken' })
    }
    return reply.code(201).send({ data: toCreatorEpisode(episode) })
  })

  app.get('/series/:seriesId/episodes', {
    schema: {
      tags,
      operationId: 'listMySeriesEpisodes',
      summary: 'List the episodes of my series',
      description: 'Creators and admins, on their own series (404 otherwise): every episode, in order of number.',
      security: bearer,
      params: SeriesParamsSchema,
      querystring: listQuery(['number'], 'number:asc'),
      response: { 200: page(ref(CreatorEpisodeSchema)), ...errors(400, 401, 403, 404) }
    }
  }, async (request) => {
    const owned = await ownedSeries(request.user.sub, request.params.seriesId)
    const { items, meta } = await episodes.listForSeries(owned._id, undefined, request.query)
    return { data: items.map(toCreatorEpisode), meta }
  })
}

export default creator
