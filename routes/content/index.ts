import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, envelope, errors, ObjectIdSchema, page, ref } from '../../src/schemas/common.js'
import { EpisodeSchema, SeriesSchema } from '../../src/schemas/catalog.js'
import { listQuery } from '../../src/lib/pagination.js'
import { toObjectId } from '../../src/lib/ids.js'
import { findPublishedEpisode, seriesForViewer } from '../../src/lib/catalog.js'
import { accessFor } from '../../src/lib/access.js'
import { toEpisode } from '../../src/repositories/episodes.js'

const SeriesParamsSchema = Type.Object({ seriesId: ref(ObjectIdSchema) })

/** Only published episodes of published series exist here; anything else is 404, never a hint that it exists. */
const content: FastifyPluginAsyncTypebox = async (app) => {
  const { series, episodes } = app.repos
  const tags = ['content']
  const seriesNotFound = () => app.httpErrors.createError(404, 'Series not found', { code: 'series_not_found' })
  const episodeNotFound = () => app.httpErrors.createError(404, 'Episode not found', { code: 'episode_not_found' })

  app.get('/series', {
    schema: {
      tags,
      operationId: 'listPublishedSeries',
      summary: 'Browse the published catalogue',
      description: 'Any signed-in user. Newest first by default; or by title, most viewed (`views`) or trending (plays in ' +
        'the last 7 days). `genre` filters to one genre, `q` to titles starting with the text. Pages are always read ' +
        'fresh; `meta.total` is counted at most once every few seconds per filter (the server\'s ' +
        '`CATALOGUE_TOTAL_CACHE_MS`, 5 s by default), so it may lag a change by that long.',
      security: bearer,
      querystring: listQuery(['publishedAt', 'title', 'views', 'trending'], 'publishedAt:desc', {
        genre: Type.Optional(Type.String({ minLength: 1, maxLength: 40, pattern: '^[^$]+$', description: 'One genre, any case' })),
        q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '\\S', description: 'Titles starting with this text, any case (taken literally)' }))
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
    const { genre, q, ...pageRequest } = request.query
    const { items, meta } = await series.listByStatus('published', { genre: genre?.trim().toLowerCase(), q }, pageRequest)
    return { data: await seriesForViewer(app.repos, request.account._id, items), meta }
  })

  app.get('/genres', {
    schema: {
      tags,
      operationId: 'listGenres',
      summary: 'Genres of the published catalogue, with how many series each has',
      description: 'Any signed-in user. Most series first.',
      security: bearer,
      response: {
        200: Type.Object({
          data: Type.Array(Type.Object({
            genre: Type.String(),
            count: Type.Integer({ minimum: 1, format: 'int32' })
          }, { additionalProperties: false }), { maxItems: 10_000 })
        }, { additionalProperties: false }),
        ...errors(401)
      }
    }
  }, async () => ({ data: await series.genreCounts() }))

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
    return { data: (await seriesForViewer(app.repos, request.account._id, [found]))[0]! }
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
    return { data: items.map((e) => toEpisode(e, accessFor(e, found, request.account))), meta }
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
    const found = await findPublishedEpisode(app.repos, toObjectId(request.params.episodeId))
    if (found === null) throw episodeNotFound()
    return { data: toEpisode(found.episode, accessFor(found.episode, found.series, request.account)) }
  })

  app.get('/episodes/:episodeId/next', {
    schema: {
      tags,
      operationId: 'getNextEpisode',
      summary: 'The episode after this one',
      description: 'Any signed-in user: the next published episode by number, with the caller\'s access to it. ' +
        '404 `episode_not_found` unless this episode is published; 404 `no_next_episode` after the last one.',
      security: bearer,
      params: Type.Object({ episodeId: ref(ObjectIdSchema) }),
      response: { 200: envelope(ref(EpisodeSchema)), ...errors(400, 401, 404) }
    },
    links: {
      200: {
        playNext: { operationId: 'getPlaybackUrl', parameters: { episodeId: '$response.body#/data/id' } },
        afterThat: { operationId: 'getNextEpisode', parameters: { episodeId: '$response.body#/data/id' } }
      }
    }
  }, async (request) => {
    const found = await findPublishedEpisode(app.repos, toObjectId(request.params.episodeId))
    if (found === null) throw episodeNotFound()
    const next = await episodes.findNextPublished(found.series._id, found.episode.number)
    if (next === null) throw app.httpErrors.createError(404, 'This is the last episode so far', { code: 'no_next_episode' })
    return { data: toEpisode(next, accessFor(next, found.series, request.account)) }
  })
}

export default content
