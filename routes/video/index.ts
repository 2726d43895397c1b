import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, envelope, errors, ObjectIdSchema, page, ref } from '../../src/schemas/common.js'
import { WatchEntrySchema } from '../../src/schemas/catalog.js'
import { listQuery } from '../../src/lib/pagination.js'
import { toObjectId } from '../../src/lib/ids.js'
import { findPublishedEpisode } from '../../src/lib/catalog.js'
import { accessFor } from '../../src/lib/access.js'
import { toWatchEntry } from '../../src/repositories/watch-history.js'

const PlaySchema = envelope(Type.Object({
  url: Type.String({ format: 'uri', description: 'Signed GET URL of the video file' }),
  expiresAt: Type.String({ format: 'date-time' })
}, { additionalProperties: false }))

const ProgressBodySchema = Type.Object({
  episodeId: ref(ObjectIdSchema),
  positionSec: Type.Number({ minimum: 0, maximum: 86_400 }),
  durationSec: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 86_400 })),
  completed: Type.Optional(Type.Boolean({ description: 'Defaults to true once positionSec reaches 95 % of a known duration' }))
}, { additionalProperties: false, examples: [{ episodeId: '665f1c2b9d3e4a0012345678', positionSec: 42.5, durationSec: 95 }] })

const video: FastifyPluginAsyncTypebox = async (app) => {
  const { episodes, series, videos, watchHistory } = app.repos
  const tags = ['playback']
  const episodeNotFound = () => app.httpErrors.createError(404, 'Episode not found', { code: 'episode_not_found' })

  app.get('/play/:episodeId', {
    schema: {
      tags,
      operationId: 'getPlaybackUrl',
      summary: 'Get a signed URL to play an episode',
      description: 'Any signed-in user, for a published episode of a published series (404 otherwise): free previews (number ≤ ' +
        'the series\' freeEpisodes) for anyone, the rest with an active subscription (403 `subscription_required` otherwise). Admins and the episode\'s creator may always play it, ' +
        'published or not, to review it. The URL lives PLAYBACK_URL_TTL seconds.',
      security: bearer,
      params: Type.Object({ episodeId: ref(ObjectIdSchema) }),
      response: { 200: PlaySchema, ...errors(400, 401, 403, 404) }
    },
    links: {
      200: {
        saveProgress: { operationId: 'recordProgress', description: 'While watching, save the position, with the same episodeId in the body.' }
      }
    }
  }, async (request) => {
    const id = toObjectId(request.params.episodeId)
    const caller = request.account
    const episode = await episodes.findById(id)
    if (episode === null) throw episodeNotFound()
    const reviewer = caller.role === 'admin' || episode.ownerId.equals(caller._id)
    if (!reviewer) {
      const published = episode.status === 'published' ? await series.findPublished(episode.seriesId) : null
      if (published === null) throw episodeNotFound()
      if (accessFor(episode, published, caller) === 'locked') {
        throw app.httpErrors.createError(403, 'An active subscription is needed to play this episode', { code: 'subscription_required' })
      }
      // A viewer's play counts towards the series' views and trending score; it need not delay the answer.
      series.recordView(published._id).catch((err: unknown) => request.log.warn({ err }, 'could not count a view'))
    }
    const file = await videos.findById(episode.videoId)
    if (file === null) throw episodeNotFound()
    const ttl = app.config.PLAYBACK_URL_TTL
    const url = await app.storage.presignDownload(file.s3Key, ttl)
    return { data: { url, expiresAt: new Date(Date.now() + ttl * 1000).toISOString() } }
  })

  app.post('/progress', {
    schema: {
      tags,
      operationId: 'recordProgress',
      summary: 'Save where I am in an episode',
      description: 'Any signed-in user, for a published episode (404 otherwise). One entry per user and episode: the ' +
        'latest call wins. A position past the known duration (sent now or before) is saved as the end of the episode.',
      security: bearer,
      body: ProgressBodySchema,
      response: { 200: envelope(ref(WatchEntrySchema)), ...errors(400, 401, 404) }
    },
    links: {
      200: {
        history: { operationId: 'listWatchHistory' },
        getEpisode: { operationId: 'getPublishedEpisode', parameters: { episodeId: '$response.body#/data/episodeId' } }
      }
    }
  }, async (request) => {
    const { completed } = request.body
    const found = await findPublishedEpisode(app.repos, toObjectId(request.body.episodeId))
    if (found === null) throw episodeNotFound()
    const { episode } = found
    const userId = toObjectId(request.user.sub)
    const durationSec = request.body.durationSec ?? (await watchHistory.find(userId, episode._id))?.durationSec ?? null
    // Players report a little past the end (rounding, a stale duration): that is the end, not an error.
    const positionSec = durationSec === null ? request.body.positionSec : Math.min(request.body.positionSec, durationSec)
    const entry = await watchHistory.record({
      userId,
      episodeId: episode._id,
      seriesId: episode.seriesId,
      positionSec,
      durationSec,
      completed: completed ?? (durationSec !== null && positionSec >= durationSec * 0.95)
    })
    return { data: toWatchEntry(entry) }
  })

  app.get('/history', {
    schema: {
      tags,
      operationId: 'listWatchHistory',
      summary: 'My watch history',
      description: 'Any signed-in user: their own entries, most recently watched first.',
      security: bearer,
      querystring: listQuery(['updatedAt'], 'updatedAt:desc'),
      response: { 200: page(ref(WatchEntrySchema)), ...errors(400, 401) }
    },
    links: {
      200: {
        resumeFirst: { operationId: 'getPlaybackUrl', parameters: { episodeId: '$response.body#/data/0/episodeId' } }
      }
    }
  }, async (request) => {
    const { items, meta } = await watchHistory.listForUser(toObjectId(request.user.sub), request.query)
    return { data: items.map(toWatchEntry), meta }
  })
}

export default video
