import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { envelope, errors, page, ref, StringEnum } from '../../src/schemas/common.js'
import { ContinueWatchingRowSchema, SeriesSchema } from '../../src/schemas/catalog.js'
import { LangProperty, LimitQuerySchema, listQuery, SeriesParamsSchema } from '../../src/schemas/params.js'
import { toObjectId } from '../../src/lib/ids.js'
import { LedgerEntrySchema, UnlockSchema } from '../../src/schemas/billing.js'
import { LEDGER_KINDS } from '../../src/repositories/coins.js'

const ContinueWatchingSchema = Type.Object({
  data: Type.Array(ContinueWatchingRowSchema, { maxItems: 100 })
}, { additionalProperties: false })

/** My list and continue watching (src/services/library.ts). */
const me: FastifyPluginAsyncTypebox = async (app) => {
  const { library, wallet } = app.services

  app.put('/list/:seriesId', {
    schema: {
      operationId: 'addToMyList',
      summary: 'Save a series to My list',
      description: 'Any signed-in user, for a published series (404 otherwise). Idempotent.',
      params: SeriesParamsSchema,
      response: { 204: Type.Null({ description: 'Saved' }), ...errors('series_not_found') }
    }
  }, async (request, reply) => {
    await library.add(request.account, toObjectId(request.params.seriesId))
    return reply.code(204).send(null)
  })

  app.delete('/list/:seriesId', {
    schema: {
      operationId: 'removeFromMyList',
      summary: 'Remove a series from My list',
      description: 'Any signed-in user. Idempotent: removing a series that is not in the list is a 204 too.',
      params: SeriesParamsSchema,
      response: { 204: Type.Null({ description: 'Removed' }) }
    }
  }, async (request, reply) => {
    await library.remove(request.account, toObjectId(request.params.seriesId))
    return reply.code(204).send(null)
  })

  app.get('/list', {
    schema: {
      operationId: 'listMyList',
      summary: 'My list',
      description: 'Any signed-in user: the series they saved, most recently saved first. A series taken down since ' +
        'is left out of the page (it comes back if it is published again).',
      querystring: listQuery(['addedAt'], 'addedAt:desc', LangProperty),
      response: { 200: page(ref(SeriesSchema)) }
    }
  }, async (request) => await library.list(request.account, request.query))

  app.get('/continue-watching', {
    schema: {
      operationId: 'listContinueWatching',
      summary: 'Continue watching',
      description: 'Any signed-in user: one row per series they started and have not finished, most recent first, ' +
        'with the episode to resume, its position and the episode after it (`next`, absent at the end). A series whose last watched episode is ' +
        'completed shows the next episode to start; one with nothing left to watch is left out.',
      querystring: Type.Object({ ...LimitQuerySchema.properties, ...LangProperty }, { additionalProperties: false }),
      response: { 200: ContinueWatchingSchema }
    }
  }, async (request) => ({ data: await library.continueWatching(request.account, request.query.limit) }))

  app.get('/wallet', {
    schema: {
      operationId: 'getWallet',
      summary: 'My coins',
      description: 'Any signed-in user: their balance, which is always the sum of their ledger.',
      response: { 200: envelope(Type.Object({ balance: Type.Integer({ minimum: 0, format: 'int64' }) }, { additionalProperties: false })) }
    }
  }, async (request) => ({ data: await wallet.wallet(request.account) }))

  app.get('/wallet/ledger', {
    schema: {
      operationId: 'listLedger',
      summary: 'Every movement of my coins',
      description: 'Any signed-in user: their ledger, newest first (purchases, check-ins, unlocks, refunds, admin grants); ' +
        'entries are never changed or removed. Filter by `kind`.',
      querystring: listQuery(['seq'], 'seq:desc', { kind: Type.Optional(StringEnum(LEDGER_KINDS)) }),
      response: { 200: page(ref(LedgerEntrySchema)) }
    }
  }, async (request) => {
    const { kind, ...pageRequest } = request.query
    return await wallet.ledger(request.account, pageRequest, kind)
  })

  app.post('/check-in', {
    schema: {
      operationId: 'checkIn',
      summary: 'Daily check-in: free coins',
      description: 'Any signed-in user, once per UTC day (409 `already_checked_in` after): coins by the day of their streak ' +
        '(days in a row), as configured; `nextReward` is tomorrow\'s if they come back.',
      response: {
        201: envelope(Type.Object({
          coins: Type.Integer({ minimum: 0, format: 'int32' }),
          streak: Type.Integer({ minimum: 1, format: 'int32', description: 'Days in a row, today included' }),
          balance: Type.Integer({ minimum: 0, format: 'int64' }),
          nextReward: Type.Integer({ minimum: 0, format: 'int32' })
        }, { additionalProperties: false })),
        ...errors('already_checked_in')
      }
    }
  }, async (request, reply) => reply.code(201).send({ data: await wallet.checkIn(request.account) }))

  app.get('/unlocks', {
    schema: {
      operationId: 'listUnlocks',
      summary: 'Episodes I unlocked with coins',
      description: 'Any signed-in user: their unlocks, newest first; each plays for good.',
      querystring: listQuery(['seq'], 'seq:desc'),
      response: { 200: page(ref(UnlockSchema)) }
    }
  }, async (request) => await wallet.unlocks(request.account, request.query))
}

export default me
