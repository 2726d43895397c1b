import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, envelope, errors, ObjectIdSchema, page, ref } from '../../src/schemas/common.js'
import { EpisodeSchema, SeriesSchema } from '../../src/schemas/catalog.js'
import { listQuery } from '../../src/lib/pagination.js'
import { toObjectId } from '../../src/lib/ids.js'
import { findPublishedEpisode } from '../../src/lib/catalog.js'
import { toSeries } from '../../src/repositories/series.js'
import { toEpisode } from '../../src/repositories/episodes.js'

const SeriesParamsSchema = Type.Object({ seriesId: ref(ObjectIdSchema) })

/** Only published episodes of published series exist here; anything else is 404, never a hint that it exists. */
const content: FastifyPluginAsyncTypebox = async (app) => {
  const { series, episodes } = app.repos
  const tags = ['content']
  const seriesNotFound = () => app.httpErrors.createError(404, 'Series not found', { code: 'series_not_found' })

  app.get('/series', {
    schema: {
      tags,
      operationId: 'listPublishedSeries',
      summary: 'Browse the published catalogue',
      description: 'Any signed-in user. Newest first by default; `genre` filters to one genre (lowercase).',
      security: bearer,
      querystring: listQuery(['publishedAt', 'title'], 'publishedAt:desc', {
        genre: Type.Optional(Type.String({ minLength: 1, maxLength: 40, pattern: '^[^$]+$' }))
      }),
      response: { 200: page(ref(SeriesSchema)), ...errors(400, 401) }
    },
    links: {
      200: {
        getFirstSeries: { operationId: 'getPublishedSeries', parameters: { seriesId: '$response.body#/data/0/id' } },
        listFirstSeriesEpisodes: { operationId: 'listPublishedEpisodes', parameters: { seriesId: '$response.body#/data/0/id' } }
      }
    }
  }, async (request) => {
    const { genre, ...pageRequest } = request.query
    const { items, meta } = await series.listByStatus('published', genre?.trim().toLowerCase(), pageRequest)
    return { data: items.map(toSeries), meta }
  })

  app.get('/series/:seriesId', {
    schema: {
      tags,
      operationId: 'getPublishedSeries',
      summary: 'One published series',
      description: 'Any signed-in user. 404 unless the series is published.',
      security: bearer,
      params: SeriesParamsSchema,
      response: { 200: envelope(ref(SeriesSchema)), ...errors(400, 401, 404) }
    },
    links: {
      200: {
        listEpisodes: { operationId: 'listPublishedEpisodes', parameters: { seriesId: '$response.body#/data/id' } }
      }
    }
  }, async (request) => {
    const found = await series.findPublished(toObjectId(request.params.seriesId))
    if (found === null) throw seriesNotFound()
    return { data: toSeries(found) }
  })

  app.get('/series/:seriesId/episodes', {
    schema: {
      tags,
      operationId: 'listPublishedEpisodes',
      summary: 'The published episodes of a series, in order',
      description: 'Any signed-in user. 404 unless the series is published; unpublished episodes are left out.',
      security: bearer,
      params: SeriesParamsSchema,
      querystring: listQuery(['number'], 'number:asc'),
      response: { 200: page(ref(EpisodeSchema)), ...errors(400, 401, 404) }
    },
    links: {
      200: {
        getFirstEpisode: { operationId: 'getPublishedEpisode', parameters: { episodeId: '$response.body#/data/0/id' } },
        playFirstEpisode: { operationId: 'getPlaybackUrl', parameters: { episodeId: '$response.body#/data/0/id' } }
      }
    }
  }, async (request) => {
    const found = await series.findPublished(toObjectId(request.params.seriesId))
    if (found === null) throw seriesNotFound()
    const { items, meta } = await episodes.listForSeries(found._id, 'published', request.query)
    return { data: items.map(toEpisode), meta }
  })

  app.get('/episodes/:episodeId', {
    schema: {
      tags,
      operationId: 'getPublishedEpisode',
      summary: 'One published episode',
      description: 'Any signed-in user. 404 unless the episode and its series are published.',
      security: bearer,
      params: Type.Object({ episodeId: ref(ObjectIdSchema) }),
      response: { 200: envelope(ref(EpisodeSchema)), ...errors(400, 401, 404) }
    },
    links: {
      200: {
        play: { operationId: 'getPlaybackUrl', parameters: { episodeId: '$response.body#/data/id' } },
        getSeries: { operationId: 'getPublishedSeries', parameters: { seriesId: '$response.body#/data/seriesId' } }
      }
    }
  }, async (request) => {
    const episode = await findPublishedEpisode(app.repos, toObjectId(request.params.episodeId))
    if (episode === null) {
      throw app.httpErrors.createError(404, 'Episode not found', { code: 'episode_not_found' })
    }
    return { data: toEpisode(episode) }
  })
}

export default content
