import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, errors, Nullable, ObjectIdSchema, page, ref } from '../../src/schemas/common.js'
import { EpisodeSchema, SeriesSchema } from '../../src/schemas/catalog.js'
import { listQuery } from '../../src/lib/pagination.js'
import { toObjectId } from '../../src/lib/ids.js'
import { accessFor } from '../../src/lib/access.js'
import { seriesForViewer } from '../../src/lib/catalog.js'
import { toEpisode } from '../../src/repositories/episodes.js'

const SeriesParamsSchema = Type.Object({ seriesId: ref(ObjectIdSchema) })

const ContinueWatchingSchema = Type.Object({
  data: Type.Array(Type.Object({
    series: ref(SeriesSchema),
    episode: ref(EpisodeSchema),
    positionSec: Type.Number({ minimum: 0 }),
    durationSec: Nullable(Type.Number({ minimum: 0 })),
    completed: Type.Boolean(),
    updatedAt: Type.String({ format: 'date-time' }),
    next: Type.Optional(ref(EpisodeSchema)) // absent at the end of what is published
  }, { additionalProperties: false }), { maxItems: 100 })
}, { additionalProperties: false })

const me: FastifyPluginAsyncTypebox = async (app) => {
  const { myList, series, episodes, watchHistory } = app.repos
  const tags = ['me']

  app.put('/list/:seriesId', {
    schema: {
      tags,
      operationId: 'addToMyList',
      summary: 'Save a series to My list',
      description: 'Any signed-in user, for a published series (404 otherwise). Idempotent.',
      security: bearer,
      params: SeriesParamsSchema,
      response: { 204: Type.Null({ description: 'Saved' }), ...errors(400, 401, 404) }
    }
  }, async (request, reply) => {
    const found = await series.findPublished(toObjectId(request.params.seriesId))
    if (found === null) throw app.httpErrors.createError(404, 'Series not found', { code: 'series_not_found' })
    await myList.add(request.account._id, found._id)
    return reply.code(204).send(null)
  })

  app.delete('/list/:seriesId', {
    schema: {
      tags,
      operationId: 'removeFromMyList',
      summary: 'Remove a series from My list',
      description: 'Any signed-in user. Idempotent: removing a series that is not in the list is a 204 too.',
      security: bearer,
      params: SeriesParamsSchema,
      response: { 204: Type.Null({ description: 'Removed' }), ...errors(400, 401) }
    }
  }, async (request, reply) => {
    await myList.remove(request.account._id, toObjectId(request.params.seriesId))
    return reply.code(204).send(null)
  })

  app.get('/list', {
    schema: {
      tags,
      operationId: 'listMyList',
      summary: 'My list',
      description: 'Any signed-in user: the series they saved, most recently saved first. A series taken down since ' +
        'is left out of the page (it comes back if it is published again).',
      security: bearer,
      querystring: listQuery(['addedAt'], 'addedAt:desc'),
      response: { 200: page(ref(SeriesSchema)), ...errors(400, 401) }
    }
  }, async (request) => {
    const { items, meta } = await myList.list(request.account._id, request.query)
    const published = await series.findManyPublished(items.map((i) => i.seriesId))
    const byId = new Map(published.map((s) => [s._id.toHexString(), s]))
    const ordered = items.flatMap((i) => byId.get(i.seriesId.toHexString()) ?? [])
    return { data: await seriesForViewer(app.repos, request.account._id, ordered), meta }
  })

  app.get('/continue-watching', {
    schema: {
      tags,
      operationId: 'listContinueWatching',
      summary: 'Continue watching',
      description: 'Any signed-in user: one row per series they started and have not finished, most recent first, ' +
        'with the episode to resume, its position and the episode after it (`next`, absent at the end). A series whose last watched episode is ' +
        'completed shows the next episode to start; one with nothing left to watch is left out.',
      security: bearer,
      querystring: Type.Object({
        limit: listQuery(['updatedAt'], 'updatedAt:desc').properties.limit
      }, { additionalProperties: false }),
      response: { 200: ContinueWatchingSchema, ...errors(400, 401) }
    }
  }, async (request) => {
    const caller = request.account
    // The latest entry per series, from the most recent entries (no $group needed: FerretDB v1 lacks $first).
    const recent = await watchHistory.recentForUser(caller._id, 500)
    const latest = new Map<string, typeof recent[number]>()
    for (const row of recent) if (!latest.has(row.seriesId.toHexString())) latest.set(row.seriesId.toHexString(), row)
    const rows = [...latest.values()]
    const [seriesDocs, episodeDocs] = await Promise.all([
      series.findManyPublished(rows.map((r) => r.seriesId)),
      episodes.findManyPublished(rows.map((r) => r.episodeId))
    ])
    const seriesById = new Map(seriesDocs.map((s) => [s._id.toHexString(), s]))
    const episodeById = new Map(episodeDocs.map((e) => [e._id.toHexString(), e]))
    // Every series as the viewer sees it (inMyList included), in one query rather than one per row.
    const viewerSeries = new Map((await seriesForViewer(app.repos, caller._id, seriesDocs)).map((v) => [v.id, v]))
    const out = []
    for (const row of rows) {
      if (out.length >= request.query.limit) break
      const s = seriesById.get(row.seriesId.toHexString())
      const last = episodeById.get(row.episodeId.toHexString())
      if (s === undefined || last === undefined) continue // taken down since
      const next = await episodes.findNextPublished(s._id, last.number)
      const resume = row.completed ? next : last
      if (resume === null) continue // finished everything published so far
      const after = resume === last ? next : await episodes.findNextPublished(s._id, resume.number)
      out.push({
        series: viewerSeries.get(s._id.toHexString())!,
        episode: toEpisode(resume, accessFor(resume, s, caller)),
        positionSec: resume === last ? row.positionSec : 0,
        durationSec: resume === last ? row.durationSec : null,
        completed: resume === last ? row.completed : false,
        updatedAt: row.updatedAt.toISOString(),
        ...(after === null ? {} : { next: toEpisode(after, accessFor(after, s, caller)) })
      })
    }
    return { data: out }
  })
}

export default me

