import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, envelope, errors, ObjectIdSchema, page, ref } from '../../src/schemas/common.js'
import { ALLOWED_IMAGE_TYPES, ALLOWED_VIDEO_TYPES, CreatorEpisodeSchema, CreatorSeriesSchema, SeriesStatusSchema, VideoSchema } from '../../src/schemas/catalog.js'
import { transition } from '../../src/lib/moderation.js'
import type { ObjectId } from 'mongodb'
import { listQuery } from '../../src/lib/pagination.js'
import { toObjectId } from '../../src/lib/ids.js'
import { toVideo } from '../../src/repositories/videos.js'
import { toCreatorSeries } from '../../src/repositories/series.js'
import { toCreatorEpisode } from '../../src/repositories/episodes.js'
import { uploadPrefix, type UploadKind } from '../../src/lib/keys.js'

const CreateVideoBodySchema = Type.Object({
  s3Key: Type.String({ minLength: 1, maxLength: 512, description: 'The key from POST /uploads/presign, after the upload' }),
  title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 }))
}, { additionalProperties: false, examples: [{ s3Key: 'videos/665f1c2b9d3e4a0012345678/0b9c6c1e-episode-1.mp4', title: 'Episode 1 master' }] })

// Titles and genres need a visible character: they are trimmed before they are stored.
const Title = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' })
const Genre = Type.String({ minLength: 1, maxLength: 40, pattern: '^\\s*[^$\\s][^$]*$' })

const SeriesFieldsSchema = {
  title: Title,
  description: Type.String({ maxLength: 5000 }),
  genres: Type.Array(Genre, { maxItems: 10, uniqueItems: true, description: 'Stored lowercased' }),
  freeEpisodes: Type.Integer({ minimum: 0, maximum: 10_000, format: 'int32', description: 'Episodes 1 to freeEpisodes play without a subscription' })
}

const UpdateSeriesBodySchema = Type.Partial(Type.Object({
  ...SeriesFieldsSchema,
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
  draft: Type.Optional(Type.Boolean({ default: false, description: 'Keep it a draft (submit it later) instead of sending it for review now' }))
}, { additionalProperties: false, examples: [{ title: 'The Billionaire\'s Secret Twin', description: 'Two sisters, one fortune.', genres: ['romance', 'revenge'] }] })

const CreateEpisodeBodySchema = Type.Object({
  number: Type.Integer({ minimum: 1, maximum: 10_000, format: 'int32', description: 'Position in the series, unique within it (409 otherwise)' }),
  title: Title,
  videoId: ref(ObjectIdSchema)
}, { additionalProperties: false, examples: [{ number: 1, title: 'The wedding', videoId: '665f1c2b9d3e4a0012345678' }] })

const SeriesParamsSchema = Type.Object({ seriesId: ref(ObjectIdSchema) })
const EpisodeParamsSchema = Type.Object({ episodeId: ref(ObjectIdSchema) })

const normaliseGenres = (genres: string[]): string[] => [...new Set(genres.map((g) => g.trim().toLowerCase()))]

const creator: FastifyPluginAsyncTypebox = async (app) => {
  const { videos, series, episodes, audit } = app.repos
  const tags = ['creator']

  const seriesNotFound = () => app.httpErrors.createError(404, 'Series not found', { code: 'series_not_found' })
  const episodeNotFound = () => app.httpErrors.createError(404, 'Episode not found', { code: 'episode_not_found' })
  const wrongStatus = (kind: string, status: string | undefined) =>
    status === undefined
      ? app.httpErrors.createError(404, `${kind} not found`, { code: `${kind}_not_found` })
      : app.httpErrors.createError(409, `Not possible while the ${kind} is ${status}`, { code: 'wrong_status' })

  /** An upload the caller was given the key for, present in the bucket, of one of `types`. */
  async function checkUpload (userId: string, key: string, kind: UploadKind, types: readonly string[]) {
    if (!key.startsWith(uploadPrefix(userId, kind)) || key.includes('..')) {
      throw app.httpErrors.createError(403, 'This key was not issued to you', { code: 'forbidden_key' })
    }
    const object = await app.storage.head(key)
    if (object === null) throw app.httpErrors.createError(404, 'No uploaded file at this key', { code: 'upload_missing' })
    if (!types.includes(object.contentType)) {
      throw app.httpErrors.createError(422, `The uploaded file is not one of ${types.join(', ')}`, { code: 'unsupported_upload' })
    }
    return object
  }

  /** The caller's own episode, or 404, like ownedSeries. */
  async function ownedEpisode (ownerId: ObjectId, episodeId: string) {
    const found = await episodes.findOwned(ownerId, toObjectId(episodeId))
    if (found === null) throw episodeNotFound()
    return found
  }

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
    const object = await checkUpload(request.user.sub, s3Key, 'videos', ALLOWED_VIDEO_TYPES)
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
      description: 'Creators and admins. The series starts pending (or draft, when asked); it is published when an admin ' +
        'approves its first episode.',
      security: bearer,
      body: CreateSeriesBodySchema,
      response: { 201: envelope(ref(CreatorSeriesSchema)), ...errors(400, 401, 403) }
    },
    links: {
      201: {
        addEpisode: { operationId: 'createEpisode', parameters: { seriesId: '$response.body#/data/id' } },
        listEpisodes: { operationId: 'listMySeriesEpisodes', parameters: { seriesId: '$response.body#/data/id' } }
      }
    }
  }, async (request, reply) => {
    const { title, description = '', genres = [], freeEpisodes = 0, draft = false } = request.body
    const created = await series.create({
      ownerId: request.account._id,
      title: title.trim(),
      description,
      genres: normaliseGenres(genres),
      freeEpisodes,
      status: draft ? 'draft' : 'pending'
    })
    return reply.code(201).send({ data: toCreatorSeries(created) })
  })

  app.get('/series', {
    schema: {
      tags,
      operationId: 'listMySeries',
      summary: 'List my series',
      description: 'Creators and admins: their own series, optionally of one status.',
      security: bearer,
      querystring: listQuery(['createdAt', 'title'], 'createdAt:desc', { status: Type.Optional(ref(SeriesStatusSchema)) }),
      response: { 200: page(ref(CreatorSeriesSchema)), ...errors(400, 401, 403) }
    }
  }, async (request) => {
    const { status, ...pageRequest } = request.query
    const { items, meta } = await series.listOwned(toObjectId(request.user.sub), status, pageRequest)
    return { data: items.map(toCreatorSeries), meta }
  })

  app.patch('/series/:seriesId', {
    schema: {
      tags,
      operationId: 'updateSeries',
      summary: 'Edit my series',
      description: 'Creators and admins, on their own series (404 otherwise): title, description, genres, freeEpisodes, ' +
        'and a cover image (coverKey: an image uploaded with POST /uploads/presign; 403 `forbidden_key` for a key not ' +
        'issued to the caller, 404 `upload_missing` if not uploaded). Its status does not change.',
      security: bearer,
      params: SeriesParamsSchema,
      body: UpdateSeriesBodySchema,
      response: { 200: envelope(ref(CreatorSeriesSchema)), ...errors(400, 401, 403, 404, 422) }
    }
  }, async (request) => {
    const { title, genres, coverKey, ...rest } = request.body
    if (coverKey !== undefined) await checkUpload(request.user.sub, coverKey, 'images', ALLOWED_IMAGE_TYPES)
    const updated = await series.update(request.account._id, toObjectId(request.params.seriesId), {
      ...(coverKey === undefined ? {} : { coverKey }),
      ...rest,
      ...(title === undefined ? {} : { title: title.trim() }),
      ...(genres === undefined ? {} : { genres: normaliseGenres(genres) })
    })
    if (updated === null) throw seriesNotFound()
    return { data: toCreatorSeries(updated) }
  })

  app.post('/series/:seriesId/submit', {
    schema: {
      tags,
      operationId: 'submitSeries',
      summary: 'Send my series for review',
      description: 'Creators and admins, on their own series (404 otherwise): draft, rejected or unpublished → pending. ' +
        'Otherwise 409 `wrong_status`.',
      security: bearer,
      params: SeriesParamsSchema,
      response: { 200: envelope(ref(CreatorSeriesSchema)), ...errors(400, 401, 403, 404, 409) }
    }
  }, async (request) => {
    const owned = await ownedSeries(request.user.sub, request.params.seriesId)
    const result = await transition(series.collection, audit, {
      target: 'series', id: owned._id, from: ['draft', 'rejected', 'unpublished'], to: 'pending',
      actorId: request.account._id, action: 'series.submit', set: { moderationNote: null }
    })
    if (!result.ok) throw wrongStatus('series', result.status)
    return { data: toCreatorSeries(result.doc) }
  })

  app.delete('/series/:seriesId', {
    schema: {
      tags,
      operationId: 'deleteSeries',
      summary: 'Delete my draft or rejected series',
      description: 'Creators and admins, on their own series (404 otherwise), with its episodes. Only a draft or ' +
        'rejected series with no published episode: otherwise 409 `wrong_status` (ask an admin to take it down).',
      security: bearer,
      params: SeriesParamsSchema,
      response: { 204: Type.Null({ description: 'Deleted' }), ...errors(400, 401, 403, 404, 409) }
    }
  }, async (request, reply) => {
    const owned = await ownedSeries(request.user.sub, request.params.seriesId)
    if (!['draft', 'rejected'].includes(owned.status) || await episodes.countPublished(owned._id) > 0) {
      throw wrongStatus('series', owned.status)
    }
    await episodes.removeForSeries(owned._id)
    await series.remove(owned._id)
    return reply.code(204).send(null)
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

  app.patch('/episodes/:episodeId', {
    schema: {
      tags,
      operationId: 'updateEpisode',
      summary: 'Edit my episode',
      description: 'Creators and admins, on their own episode (404 otherwise): title, or the video (one of the caller\'s, ' +
        '403 `video_not_yours` otherwise). The video of a published episode cannot be replaced: 409 `episode_published`.',
      security: bearer,
      params: EpisodeParamsSchema,
      body: UpdateEpisodeBodySchema,
      response: { 200: envelope(ref(CreatorEpisodeSchema)), ...errors(400, 401, 403, 404, 409) }
    }
  }, async (request) => {
    const owned = await ownedEpisode(request.account._id, request.params.episodeId)
    const { title, videoId } = request.body
    if (videoId !== undefined && !owned.videoId.equals(toObjectId(videoId))) {
      if (owned.status === 'published') {
        throw app.httpErrors.createError(409, 'A published episode keeps its video; ask an admin to take it down first', { code: 'episode_published' })
      }
      if (await videos.findOwned(owned.ownerId, toObjectId(videoId)) === null) {
        throw app.httpErrors.createError(403, 'videoId is not one of your videos', { code: 'video_not_yours' })
      }
    }
    const updated = await episodes.update(owned.ownerId, owned._id, {
      ...(title === undefined ? {} : { title: title.trim() }),
      ...(videoId === undefined ? {} : { videoId: toObjectId(videoId) })
    })
    if (updated === null) throw episodeNotFound()
    return { data: toCreatorEpisode(updated) }
  })

  app.post('/episodes/:episodeId/submit', {
    schema: {
      tags,
      operationId: 'submitEpisode',
      summary: 'Send my rejected or taken-down episode for review again',
      description: 'Creators and admins, on their own episode (404 otherwise): rejected or unpublished → pending. ' +
        'Otherwise 409 `wrong_status`.',
      security: bearer,
      params: EpisodeParamsSchema,
      response: { 200: envelope(ref(CreatorEpisodeSchema)), ...errors(400, 401, 403, 404, 409) }
    }
  }, async (request) => {
    const owned = await ownedEpisode(request.account._id, request.params.episodeId)
    const result = await transition(episodes.collection, audit, {
      target: 'episode', id: owned._id, from: ['rejected', 'unpublished'], to: 'pending',
      actorId: request.account._id, action: 'episode.submit', set: { moderationNote: null }
    })
    if (!result.ok) throw wrongStatus('episode', result.status)
    return { data: toCreatorEpisode(result.doc) }
  })

  app.delete('/episodes/:episodeId', {
    schema: {
      tags,
      operationId: 'deleteEpisode',
      summary: 'Delete my pending or rejected episode',
      description: 'Creators and admins, on their own episode (404 otherwise). A published or taken-down episode ' +
        'cannot be deleted: 409 `wrong_status`.',
      security: bearer,
      params: EpisodeParamsSchema,
      response: { 204: Type.Null({ description: 'Deleted' }), ...errors(400, 401, 403, 404, 409) }
    }
  }, async (request, reply) => {
    const owned = await ownedEpisode(request.account._id, request.params.episodeId)
    if (!['pending', 'rejected'].includes(owned.status)) throw wrongStatus('episode', owned.status)
    await episodes.remove(owned._id)
    return reply.code(204).send(null)
  })
}

export default creator
