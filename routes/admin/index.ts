import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, envelope, errors, ObjectIdSchema, page, ref, StringEnum, UserSchema } from '../../src/schemas/common.js'
import { CreatorEpisodeSchema, SeriesSchema } from '../../src/schemas/catalog.js'
import { listQuery } from '../../src/lib/pagination.js'
import { toObjectId } from '../../src/lib/ids.js'
import { toSeries } from '../../src/repositories/series.js'
import { toCreatorEpisode } from '../../src/repositories/episodes.js'
import { toUser } from '../../src/repositories/users.js'

const SubscriptionBodySchema = Type.Object({
  status: Type.Optional(StringEnum(['active', 'canceled'], { description: 'Omit it (or send no body) to toggle' }))
}, { additionalProperties: false, examples: [{ status: 'active' }] })

const admin: FastifyPluginAsyncTypebox = async (app) => {
  const { series, episodes, users, audit } = app.repos
  const tags = ['admin']

  app.get('/series/pending', {
    schema: {
      tags,
      operationId: 'listPendingSeries',
      summary: 'Series waiting for moderation',
      description: 'Admins only. Oldest first by default.',
      security: bearer,
      querystring: listQuery(['createdAt'], 'createdAt:asc'),
      response: { 200: page(ref(SeriesSchema)), ...errors(400, 401, 403) }
    }
  }, async (request) => {
    const { items, meta } = await series.listByStatus('pending', undefined, request.query)
    return { data: items.map(toSeries), meta }
  })

  app.get('/episodes/pending', {
    schema: {
      tags,
      operationId: 'listPendingEpisodes',
      summary: 'Episodes waiting for moderation',
      description: 'Admins only. Oldest first by default. Admins can play a pending episode to review it.',
      security: bearer,
      querystring: listQuery(['createdAt'], 'createdAt:asc'),
      response: { 200: page(ref(CreatorEpisodeSchema)), ...errors(400, 401, 403) }
    },
    links: {
      200: {
        approveFirst: { operationId: 'approveEpisode', parameters: { episodeId: '$response.body#/data/0/id' } }
      }
    }
  }, async (request) => {
    const { items, meta } = await episodes.listByStatus('pending', request.query)
    return { data: items.map(toCreatorEpisode), meta }
  })

  app.post('/episodes/:episodeId/approve', {
    schema: {
      tags,
      operationId: 'approveEpisode',
      summary: 'Publish a pending episode',
      description: 'Admins only. pending → published; its series is published too if it was draft or pending. ' +
        'An episode that is not pending is 409 `not_pending` (so two admins approving at once get one 200 and one 409).',
      security: bearer,
      params: Type.Object({ episodeId: ref(ObjectIdSchema) }),
      response: { 200: envelope(ref(CreatorEpisodeSchema)), ...errors(400, 401, 403, 404, 409) }
    },
    links: {
      200: {
        getEpisode: { operationId: 'getPublishedEpisode', parameters: { episodeId: '$response.body#/data/id' } },
        getSeries: { operationId: 'getPublishedSeries', parameters: { seriesId: '$response.body#/data/seriesId' } }
      }
    }
  }, async (request) => {
    const id = toObjectId(request.params.episodeId)
    const episode = await episodes.findById(id)
    if (episode === null) throw app.httpErrors.createError(404, 'Episode not found', { code: 'episode_not_found' })
    const notPending = () => app.httpErrors.createError(409, 'This episode is not pending', { code: 'not_pending' })
    if (episode.status !== 'pending') throw notPending()
    const now = new Date()
    const won = await audit.claim({
      actorId: toObjectId(request.user.sub), action: 'episode.approve', targetType: 'episode', targetId: id,
      revision: episode.revision, before: 'pending', after: 'published', reason: null, at: now
    })
    if (!won) throw notPending()
    const published = await episodes.publish(id, episode.revision, now)
    if (published === null) throw notPending()
    await series.publishIfUnpublished(published.seriesId, now)
    request.log.info({ episodeId: request.params.episodeId, adminId: request.user.sub }, 'episode approved')
    return { data: toCreatorEpisode(published) }
  })

  app.post('/users/:userId/subscription', {
    // No body at all means "toggle", the same as an empty object.
    preValidation: async (request) => { if (request.body === undefined) request.body = {} },
    schema: {
      tags,
      operationId: 'setUserSubscription',
      'x-body-optional': true,
      summary: 'Set or toggle a user\'s subscription',
      description: 'Admins only. `{ "status": "active" | "canceled" }` sets it (idempotent); an empty body toggles ' +
        'active ↔ canceled (none → active). Until billing exists, this is how subscriptions change.',
      security: bearer,
      params: Type.Object({ userId: ref(ObjectIdSchema) }),
      body: SubscriptionBodySchema,
      response: { 200: envelope(ref(UserSchema)), ...errors(400, 401, 403, 404) }
    }
  }, async (request) => {
    const id = toObjectId(request.params.userId)
    const status = request.body.status
    const user = await users.changeSubscription(id, (current) => status ?? (current === 'active' ? 'canceled' : 'active'),
      (from, to, revision) => audit.claim({
        actorId: toObjectId(request.user.sub), action: 'user.subscription', targetType: 'user', targetId: id,
        revision, before: from, after: to, reason: null, at: new Date()
      }))
    if (user === null) throw app.httpErrors.createError(404, 'User not found', { code: 'user_not_found' })
    request.log.info({ userId: request.params.userId, adminId: request.user.sub, status: user.subscription.status }, 'subscription changed')
    return { data: toUser(user) }
  })
}

export default admin
