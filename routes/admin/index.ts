import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, envelope, errors, ObjectIdSchema, page, ref, StringEnum, UserSchema } from '../../src/schemas/common.js'
import { AuditEntrySchema, CreatorEpisodeSchema, CreatorSeriesSchema } from '../../src/schemas/catalog.js'
import { listQuery } from '../../src/lib/pagination.js'
import { toObjectId } from '../../src/lib/ids.js'
import { toCreatorSeries, type SeriesStatus } from '../../src/repositories/series.js'
import type { ObjectId } from 'mongodb'
import { toAuditEntry } from '../../src/repositories/audit.js'
import { transition, type TransitionResult } from '../../src/lib/moderation.js'
import { toCreatorEpisode } from '../../src/repositories/episodes.js'
import { toUser } from '../../src/repositories/users.js'

const SubscriptionBodySchema = Type.Object({
  status: Type.Optional(StringEnum(['active', 'canceled'], { description: 'Omit it (or send no body) to toggle' }))
}, { additionalProperties: false, examples: [{ status: 'active' }] })

const ReasonBodySchema = Type.Object({
  reason: Type.String({ minLength: 1, maxLength: 1000, pattern: '\\S', description: 'Shown to the creator and kept in the audit log' })
}, { additionalProperties: false, examples: [{ reason: 'Episode 3 has no audio after 0:40.' }] })

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
      response: { 200: page(ref(CreatorSeriesSchema)), ...errors(400, 401, 403) }
    }
  }, async (request) => {
    const { items, meta } = await series.listByStatus('pending', {}, request.query)
    return { data: items.map(toCreatorSeries), meta }
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

  const EpisodeParams = Type.Object({ episodeId: ref(ObjectIdSchema) })
  const SeriesParams = Type.Object({ seriesId: ref(ObjectIdSchema) })

  /** Runs a moderation step and turns its refusal into 404 or 409 `wrong_status`. */
  async function moderate<T> (result: Promise<TransitionResult<T>>, kind: 'Episode' | 'Series', expected: string): Promise<T> {
    const outcome = await result
    if (outcome.ok) return outcome.doc
    if (outcome.why === 'not_found') throw app.httpErrors.createError(404, `${kind} not found`, { code: `${kind.toLowerCase()}_not_found` })
    throw app.httpErrors.createError(409, `This ${kind.toLowerCase()} is not ${expected}`,
      { code: expected === 'pending' ? 'not_pending' : 'wrong_status' })
  }

  const publishSeries = async (id: ObjectId, actorId: ObjectId, now: Date, from: SeriesStatus[] = ['draft', 'pending']) =>
    await transition(series.collection, audit, {
      target: 'series', id, from, to: 'published', actorId, action: 'series.publish', set: { publishedAt: now, moderationNote: null }
    })

  app.post('/episodes/:episodeId/approve', {
    schema: {
      tags,
      operationId: 'approveEpisode',
      summary: 'Publish a pending episode',
      description: 'Admins only. pending → published; its series is published too if it was draft or pending. ' +
        'An episode that is not pending is 409 `not_pending` (so two admins approving at once get one 200 and one 409).',
      security: bearer,
      params: EpisodeParams,
      response: { 200: envelope(ref(CreatorEpisodeSchema)), ...errors(400, 401, 403, 404, 409) }
    },
    links: {
      200: {
        getEpisode: { operationId: 'getPublishedEpisode', parameters: { episodeId: '$response.body#/data/id' } },
        getSeries: { operationId: 'getPublishedSeries', parameters: { seriesId: '$response.body#/data/seriesId' } }
      }
    }
  }, async (request) => {
    const now = new Date()
    const published = await moderate(transition(episodes.collection, audit, {
      target: 'episode', id: toObjectId(request.params.episodeId), from: ['pending'], to: 'published',
      actorId: request.account._id, action: 'episode.approve', set: { publishedAt: now, moderationNote: null }
    }), 'Episode', 'pending')
    // Its series goes live with it, as a step of its own in the audit log (already published, rejected or
    // taken down: it stays as it is).
    await publishSeries(published.seriesId, request.account._id, now)
    return { data: toCreatorEpisode(published) }
  })

  app.post('/series/:seriesId/approve', {
    schema: {
      tags,
      operationId: 'approveSeries',
      summary: 'Publish a pending series',
      description: 'Admins only. pending → published, e.g. a series resubmitted after a takedown whose episodes are ' +
        'still published. (A new series is published with its first approved episode.) Not pending: 409 `not_pending`.',
      security: bearer,
      params: SeriesParams,
      response: { 200: envelope(ref(CreatorSeriesSchema)), ...errors(400, 401, 403, 404, 409) }
    }
  }, async (request) => {
    const published = await moderate(publishSeries(toObjectId(request.params.seriesId), request.account._id, new Date(), ['pending']), 'Series', 'pending')
    return { data: toCreatorSeries(published) }
  })

  // Reject and take down, for episodes and series alike: a reason the creator sees, kept in the audit log.
  const reasonedActions = [
    {
      kind: 'Episode', path: '/episodes/:episodeId/reject', operationId: 'rejectEpisode', from: ['pending'], to: 'rejected', expected: 'pending',
      summary: 'Send a pending episode back to its creator',
      description: 'pending → rejected, with a reason the creator sees; the creator may edit it and resubmit it. Not pending: 409 `not_pending`.'
    },
    {
      kind: 'Episode', path: '/episodes/:episodeId/unpublish', operationId: 'unpublishEpisode', from: ['published'], to: 'unpublished', expected: 'published',
      summary: 'Take a published episode down',
      description: 'published → unpublished, with a reason the creator sees: it leaves the catalogue and playback is 404 at once. ' +
        'Not published: 409 `wrong_status`.'
    },
    {
      kind: 'Series', path: '/series/:seriesId/reject', operationId: 'rejectSeries', from: ['draft', 'pending'], to: 'rejected', expected: 'pending',
      summary: 'Send a draft or pending series back to its creator',
      description: 'draft or pending → rejected, with a reason the creator sees. Otherwise 409 `wrong_status`.'
    },
    {
      kind: 'Series', path: '/series/:seriesId/unpublish', operationId: 'unpublishSeries', from: ['published'], to: 'unpublished', expected: 'published',
      summary: 'Take a whole series down',
      description: 'published → unpublished, with a reason the creator sees: the series and all its episodes leave the catalogue ' +
        'and playback is 404 at once. Not published: 409 `wrong_status`.'
    }
  ] as const

  for (const action of reasonedActions) {
    const isEpisode = action.kind === 'Episode'
    app.post(action.path, {
      schema: {
        tags,
        operationId: action.operationId,
        summary: action.summary,
        description: `Admins only. ${action.description}`,
        security: bearer,
        params: isEpisode ? EpisodeParams : SeriesParams,
        body: ReasonBodySchema,
        response: { 200: envelope(ref(isEpisode ? CreatorEpisodeSchema : CreatorSeriesSchema)), ...errors(400, 401, 403, 404, 409) }
      }
    }, async (request) => {
      const { reason } = request.body as { reason: string }
      const params = request.params as { episodeId?: string, seriesId?: string }
      const step = {
        id: toObjectId((params.episodeId ?? params.seriesId)!), from: action.from, to: action.to, actorId: request.account._id,
        action: `${action.kind.toLowerCase()}.${action.to === 'rejected' ? 'reject' : 'unpublish'}`, reason, set: { moderationNote: reason }
      }
      return isEpisode
        ? { data: toCreatorEpisode(await moderate(transition(episodes.collection, audit, { ...step, target: 'episode' }), 'Episode', action.expected)) }
        : { data: toCreatorSeries(await moderate(transition(series.collection, audit, { ...step, target: 'series' }), 'Series', action.expected)) }
    })
  }

  app.get('/audit', {
    schema: {
      tags,
      operationId: 'listAuditLog',
      summary: 'Who changed what, when and why',
      description: 'Admins only. Every status change of a series, an episode or a subscription, newest first; ' +
        'filter by the actor or the target.',
      security: bearer,
      querystring: listQuery(['at'], 'at:desc', {
        actorId: Type.Optional(ref(ObjectIdSchema)),
        targetId: Type.Optional(ref(ObjectIdSchema))
      }),
      response: { 200: page(ref(AuditEntrySchema)), ...errors(400, 401, 403) }
    }
  }, async (request) => {
    const { actorId, targetId, ...pageRequest } = request.query
    const { items, meta } = await audit.list({
      actorId: actorId === undefined ? undefined : toObjectId(actorId),
      targetId: targetId === undefined ? undefined : toObjectId(targetId)
    }, pageRequest)
    return { data: items.map((e) => toAuditEntry(e as Required<typeof e>)), meta }
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
        actorId: request.account._id, action: 'user.subscription', targetType: 'user', targetId: id,
        revision, before: from, after: to, reason: null, at: new Date()
      }))
    if (user === null) throw app.httpErrors.createError(404, 'User not found', { code: 'user_not_found' })
    request.log.info({ userId: request.params.userId, adminId: request.user.sub, status: user.subscription.status }, 'subscription changed')
    return { data: toUser(user) }
  })
}

export default admin
