import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { envelope, errors, ObjectIdSchema, page, ref, RoleSchema, StringEnum, UserSchema } from '../../src/schemas/common.js'
import { AuditEntrySchema, CreatorEpisodeSchema, CreatorSeriesSchema } from '../../src/schemas/catalog.js'
import { EpisodeParamsSchema, IdempotencyHeadersSchema, listQuery, SeriesParamsSchema, UserParamsSchema } from '../../src/schemas/params.js'
import { LedgerEntrySchema } from '../../src/schemas/billing.js'
import { toObjectId } from '../../src/lib/ids.js'
import { toUser } from '../../src/services/views.js'

const SubscriptionBodySchema = Type.Object({
  status: Type.Optional(StringEnum(['active', 'canceled'], { description: 'Omit it (or send no body) to toggle' }))
}, { additionalProperties: false, examples: [{ status: 'active' }] })

const CoinsBodySchema = Type.Object({
  amount: Type.Integer({
    minimum: -1_000_000, maximum: 1_000_000, not: { enum: [0] }, format: 'int32', description: 'Coins to grant (positive) or take back (negative), not 0'
  }),
  reason: Type.String({ minLength: 1, maxLength: 1000, pattern: '\\S', description: 'Kept in the ledger and the audit log' })
}, { additionalProperties: false, examples: [{ amount: 100, reason: 'Goodwill: episode 4 would not play on 26 November' }] })

const Day = Type.String({ format: 'date', maxLength: 10, description: 'A UTC day, YYYY-MM-DD' })
const Count = Type.Integer({ minimum: 0, format: 'int64' })

const ReasonBodySchema = Type.Object({
  reason: Type.String({ minLength: 1, maxLength: 1000, pattern: '\\S', description: 'Shown to the creator and kept in the audit log' })
}, { additionalProperties: false, examples: [{ reason: 'Episode 3 has no audio after 0:40.' }] })

/** Moderation (src/services/moderation.ts), the audit log and subscriptions: admins only. */
const admin: FastifyPluginAsyncTypebox = async (app) => {
  const { moderation, accounts, wallet, analytics } = app.services

  app.get('/series/pending', {
    schema: {
      operationId: 'listPendingSeries',
      summary: 'Series waiting for moderation',
      description: 'Admins only. Oldest first by default.',
      querystring: listQuery(['createdAt'], 'createdAt:asc'),
      response: { 200: page(ref(CreatorSeriesSchema)) }
    }
  }, async (request) => await moderation.pendingSeries(request.query))

  app.get('/episodes/pending', {
    schema: {
      operationId: 'listPendingEpisodes',
      summary: 'Episodes waiting for moderation',
      description: 'Admins only. Oldest first by default. Admins can play a pending episode to review it.',
      querystring: listQuery(['createdAt'], 'createdAt:asc'),
      response: { 200: page(ref(CreatorEpisodeSchema)) }
    },
    links: {
      200: {
        approveFirst: { operationId: 'approveEpisode', parameters: { episodeId: '$response.body#/data/0/id' } }
      }
    }
  }, async (request) => await moderation.pendingEpisodes(request.query))

  app.post('/episodes/:episodeId/approve', {
    schema: {
      operationId: 'approveEpisode',
      summary: 'Publish a pending episode',
      description: 'Admins only. pending → published; its series is published too if it was draft or pending. ' +
        'An episode that is not pending is 409 `not_pending` (so two admins approving at once get one 200 and one 409); ' +
        'one whose video is not ready is 409 `video_not_ready`.',
      params: EpisodeParamsSchema,
      response: { 200: envelope(ref(CreatorEpisodeSchema)), ...errors('episode_not_found', 'not_pending', 'video_not_ready') }
    },
    links: {
      200: {
        getEpisode: { operationId: 'getPublishedEpisode', parameters: { episodeId: '$response.body#/data/id' } },
        getSeries: { operationId: 'getPublishedSeries', parameters: { seriesId: '$response.body#/data/seriesId' } }
      }
    }
  }, async (request) => ({
    data: await moderation.approveEpisode(request.account, toObjectId(request.params.episodeId))
  }))

  app.post('/series/:seriesId/approve', {
    schema: {
      operationId: 'approveSeries',
      summary: 'Publish a pending series',
      description: 'Admins only. pending → published, e.g. a series resubmitted after a takedown whose episodes are ' +
        'still published. (A new series is published with its first approved episode.) Not pending: 409 `not_pending`.',
      params: SeriesParamsSchema,
      response: { 200: envelope(ref(CreatorSeriesSchema)), ...errors('series_not_found', 'not_pending') }
    }
  }, async (request) => ({
    data: await moderation.approveSeries(request.account, toObjectId(request.params.seriesId))
  }))

  // Reject and take down, for episodes and series alike: a reason the creator sees, kept in the audit log.
  app.post('/episodes/:episodeId/reject', {
    schema: {
      operationId: 'rejectEpisode',
      summary: 'Send a pending episode back to its creator',
      description: 'Admins only. pending → rejected, with a reason the creator sees; the creator may edit it and resubmit it. ' +
        'Not pending: 409 `not_pending`.',
      params: EpisodeParamsSchema,
      body: ReasonBodySchema,
      response: { 200: envelope(ref(CreatorEpisodeSchema)), ...errors('episode_not_found', 'not_pending') }
    }
  }, async (request) => ({
    data: await moderation.rejectEpisode(request.account, toObjectId(request.params.episodeId), request.body.reason)
  }))

  app.post('/episodes/:episodeId/unpublish', {
    schema: {
      operationId: 'unpublishEpisode',
      summary: 'Take a published episode down',
      description: 'Admins only. published → unpublished, with a reason the creator sees: it leaves the catalogue and ' +
        'playback is 404 at once. Not published: 409 `wrong_status`.',
      params: EpisodeParamsSchema,
      body: ReasonBodySchema,
      response: { 200: envelope(ref(CreatorEpisodeSchema)), ...errors('episode_not_found', 'wrong_status') }
    }
  }, async (request) => ({
    data: await moderation.unpublishEpisode(request.account, toObjectId(request.params.episodeId), request.body.reason)
  }))

  app.post('/series/:seriesId/reject', {
    schema: {
      operationId: 'rejectSeries',
      summary: 'Send a draft or pending series back to its creator',
      description: 'Admins only. draft or pending → rejected, with a reason the creator sees. Otherwise 409 `wrong_status`.',
      params: SeriesParamsSchema,
      body: ReasonBodySchema,
      response: { 200: envelope(ref(CreatorSeriesSchema)), ...errors('series_not_found', 'wrong_status') }
    }
  }, async (request) => ({
    data: await moderation.rejectSeries(request.account, toObjectId(request.params.seriesId), request.body.reason)
  }))

  app.post('/series/:seriesId/unpublish', {
    schema: {
      operationId: 'unpublishSeries',
      summary: 'Take a whole series down',
      description: 'Admins only. published → unpublished, with a reason the creator sees: the series and all its episodes ' +
        'leave the catalogue and playback is 404 at once. Not published: 409 `wrong_status`.',
      params: SeriesParamsSchema,
      body: ReasonBodySchema,
      response: { 200: envelope(ref(CreatorSeriesSchema)), ...errors('series_not_found', 'wrong_status') }
    }
  }, async (request) => ({
    data: await moderation.unpublishSeries(request.account, toObjectId(request.params.seriesId), request.body.reason)
  }))

  app.get('/audit', {
    schema: {
      operationId: 'listAuditLog',
      summary: 'Who changed what, when and why',
      description: 'Admins only. Every status change of a series, an episode or a subscription, newest first; ' +
        'filter by the actor or the target.',
      querystring: listQuery(['at'], 'at:desc', {
        actorId: Type.Optional(ref(ObjectIdSchema)),
        targetId: Type.Optional(ref(ObjectIdSchema))
      }),
      response: { 200: page(ref(AuditEntrySchema)) }
    }
  }, async (request) => {
    const { actorId, targetId, ...pageRequest } = request.query
    return await moderation.auditLog({
      actorId: actorId === undefined ? undefined : toObjectId(actorId),
      targetId: targetId === undefined ? undefined : toObjectId(targetId)
    }, pageRequest)
  })

  app.get('/users', {
    schema: {
      operationId: 'listUsers',
      summary: 'Accounts, newest first',
      description: 'Admins only. Every account, or the one with `email` (compared trimmed and lowercased), or those of one `role`: ' +
        'where support finds a user to grant coins or a subscription.',
      querystring: listQuery(['createdAt'], 'createdAt:desc', {
        email: Type.Optional(Type.String({ minLength: 3, maxLength: 254, description: 'The account\'s email, exactly' })),
        role: Type.Optional(ref(RoleSchema))
      }),
      response: { 200: page(ref(UserSchema)) }
    }
  }, async (request) => {
    const { email, role, ...pageRequest } = request.query
    return await accounts.list({ email, role }, pageRequest)
  })

  app.post('/users/:userId/subscription', {
    // No body at all means "toggle", the same as an empty object.
    preValidation: async (request) => { if (request.body === undefined) request.body = {} },
    schema: {
      operationId: 'setUserSubscription',
      'x-body-optional': true,
      summary: 'Set or toggle a user\'s subscription',
      description: 'Admins only. `{ "status": "active" | "canceled" }` sets it (idempotent); an empty body toggles ' +
        'active ↔ canceled (none → active): an override with no end (support, partners, tests) until the next change, ' +
        'an admin\'s or a Stripe event\'s. Paying users subscribe through POST /billing/checkout.',
      params: UserParamsSchema,
      body: SubscriptionBodySchema,
      response: { 200: envelope(ref(UserSchema)), ...errors('user_not_found') }
    }
  }, async (request) => {
    const user = await accounts.setSubscription(request.account, toObjectId(request.params.userId), request.body.status)
    return { data: toUser(user) }
  })

  app.post('/users/:userId/coins', {
    schema: {
      operationId: 'adjustUserCoins',
      summary: 'Grant or take back a user\'s coins',
      description: 'Admins only: one ledger entry (admin_grant or admin_revoke) with the reason, in the audit log too. ' +
        'Taking back more than the balance is 422 `balance_too_low`. Send an Idempotency-Key: a retry answers the same ' +
        'entry (422 `idempotency_key_reused` when it carried another amount).',
      params: UserParamsSchema,
      headers: IdempotencyHeadersSchema,
      body: CoinsBodySchema,
      response: {
        201: envelope(ref(LedgerEntrySchema)),
        ...errors('user_not_found', 'balance_too_low', 'idempotency_key_reused')
      }
    }
  }, async (request, reply) => {
    const { amount, reason } = request.body
    const { entry, replayed } = await wallet.adjust(request.account, toObjectId(request.params.userId), amount, reason, request.headers['idempotency-key'])
    if (replayed) reply.header('idempotent-replayed', 'true')
    return reply.code(201).send({ data: entry })
  })

  app.get('/stats', {
    schema: {
      operationId: 'getPlatformStats',
      summary: 'The platform per day',
      description: 'Admins only: per UTC day from `from` to `to` (inclusive; the last 30 days by default, at most 366), ' +
        'sign-ups, active viewers (who reported progress), plays, coins bought and spent, subscriptions started and ended. ' +
        'Computed by a job about every minute; days without a figure are left out.',
      querystring: Type.Object({ from: Type.Optional(Day), to: Type.Optional(Day) }, { additionalProperties: false }),
      response: {
        200: envelope(Type.Object({
          from: Day,
          to: Day,
          days: Type.Array(Type.Object({
            day: Day,
            signups: Count,
            activeViewers: Count,
            plays: Count,
            coinsPurchased: Count,
            coinsSpent: Count,
            subscriptionsStarted: Count,
            subscriptionsEnded: Count
          }, { additionalProperties: false }))
        }, { additionalProperties: false }))
      }
    }
  }, async (request) => {
    const to = request.query.to ?? new Date().toISOString().slice(0, 10)
    const from = request.query.from ?? new Date(Date.parse(to) - 29 * 86_400_000).toISOString().slice(0, 10)
    return { data: await analytics.platformReport(from, to) }
  })
}

export default admin
