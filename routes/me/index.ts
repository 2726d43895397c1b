import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errors, page, ref } from '../../src/schemas/common.js'
import { ContinueWatchingRowSchema, SeriesSchema } from '../../src/schemas/catalog.js'
import { LimitQuerySchema, listQuery, SeriesParamsSchema } from '../../src/schemas/params.js'
import { toObjectId } from '../../src/lib/ids.js'

const ContinueWatchingSchema = Type.Object({
  data: Type.Array(ContinueWatchingRowSchema, { maxItems: 100 })
}, { additionalProperties: false })

/** My list and continue watching (src/services/library.ts). */
const me: FastifyPluginAsyncTypebox = async (app) => {
  const { library } = app.services

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
      querystring: listQuery(['addedAt'], 'addedAt:desc'),
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
      querystring: LimitQuerySchema,
      response: { 200: ContinueWatchingSchema }
    }
  }, async (request) => ({ data: await library.continueWatching(request.account, request.query.limit) }))
}

export default me
