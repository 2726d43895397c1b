import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { envelope, errors, page, ref } from '../../src/schemas/common.js'
import { EpisodeSchema, SeriesSchema } from '../../src/schemas/catalog.js'
import {
  EpisodeParamsSchema, IdempotencyHeadersSchema, LangProperty, LangQuerySchema, listQuery, SeriesParamsSchema
} from '../../src/schemas/params.js'
import { UnlockSchema } from '../../src/schemas/billing.js'
import { toObjectId } from '../../src/lib/ids.js'

/** Only published episodes of published series exist here; anything else is 404, never a hint that it exists. */
const content: FastifyPluginAsyncTypebox = async (app) => {
  const { catalogue, wallet } = app.services

  app.get('/series', {
    schema: {
      operationId: 'listPublishedSeries',
      summary: 'Browse the published catalogue',
      description: 'Any signed-in user. Newest first by default; or by title, most viewed (`views`) or trending (plays in ' +
        'the last 7 days). `genre` filters to one genre, `q` to titles starting with the text. Pages and totals come ' +
        'from a cache that every publication, takedown or edit refreshes at once; view counts, and so the order by ' +
        'views or trending, may lag by up to the server\'s `READ_CACHE_MS` (30 s by default).',
      querystring: listQuery(['publishedAt', 'title', 'views', 'trending'], 'publishedAt:desc', {
        genre: Type.Optional(Type.String({ minLength: 1, maxLength: 40, pattern: '^[^$]+$', description: 'One genre, any case' })),
        q: Type.Optional(Type.String({
          minLength: 1, maxLength: 100, pattern: '\\S', description: 'Titles in any language starting with this text, any case, accents or not (taken literally)'
        })),
        ...LangProperty
      }),
      response: { 200: page(ref(SeriesSchema)) }
    },
    links: {
      200: {
        getFirstSeries: { operationId: 'getPublishedSeries', parameters: { seriesId: '$response.body#/data/0/id' } },
        listFirstSeriesEpisodes: { operationId: 'listPublishedEpisodes', parameters: { seriesId: '$response.body#/data/0/id' } }
      }
    }
  }, async (request) => {
    const { genre, q, lang, ...pageRequest } = request.query
    return await catalogue.listSeries(request.account, { genre, q }, pageRequest)
  })

  app.get('/genres', {
    schema: {
      operationId: 'listGenres',
      summary: 'Genres of the published catalogue, with how many series each has',
      description: 'Any signed-in user. Most series first.',
      response: {
        200: Type.Object({
          data: Type.Array(Type.Object({
            genre: Type.String(),
            count: Type.Integer({ minimum: 1, format: 'int32' })
          }, { additionalProperties: false }), { maxItems: 10_000 })
        }, { additionalProperties: false })
      }
    }
  }, async () => ({ data: await catalogue.genres() }))

  app.get('/series/:seriesId', {
    schema: {
      operationId: 'getPublishedSeries',
      summary: 'One published series',
      description: 'Any signed-in user. 404 unless the series is published.',
      params: SeriesParamsSchema,
      querystring: LangQuerySchema,
      response: { 200: envelope(ref(SeriesSchema)), ...errors('series_not_found') }
    },
    links: {
      200: {
        listEpisodes: { operationId: 'listPublishedEpisodes', parameters: { seriesId: '$response.body#/data/id' } }
      }
    }
  }, async (request) => ({ data: await catalogue.getSeries(request.account, toObjectId(request.params.seriesId)) }))

  app.get('/series/:seriesId/episodes', {
    schema: {
      operationId: 'listPublishedEpisodes',
      summary: 'The published episodes of a series, in order',
      description: 'Any signed-in user. 404 unless the series is published; unpublished episodes are left out.',
      params: SeriesParamsSchema,
      querystring: listQuery(['number'], 'number:asc', LangProperty),
      response: { 200: page(ref(EpisodeSchema)), ...errors('series_not_found') }
    },
    links: {
      200: {
        getFirstEpisode: { operationId: 'getPublishedEpisode', parameters: { episodeId: '$response.body#/data/0/id' } },
        playFirstEpisode: { operationId: 'getPlaybackUrl', parameters: { episodeId: '$response.body#/data/0/id' } }
      }
    }
  }, async (request) =>
    await catalogue.listEpisodes(request.account, toObjectId(request.params.seriesId), request.query))

  app.get('/episodes/:episodeId', {
    schema: {
      operationId: 'getPublishedEpisode',
      summary: 'One published episode',
      description: 'Any signed-in user. 404 unless the episode and its series are published.',
      params: EpisodeParamsSchema,
      querystring: LangQuerySchema,
      response: { 200: envelope(ref(EpisodeSchema)), ...errors('episode_not_found') }
    },
    links: {
      200: {
        play: { operationId: 'getPlaybackUrl', parameters: { episodeId: '$response.body#/data/id' } },
        getSeries: { operationId: 'getPublishedSeries', parameters: { seriesId: '$response.body#/data/seriesId' } }
      }
    }
  }, async (request) => ({ data: await catalogue.getEpisode(request.account, toObjectId(request.params.episodeId)) }))

  app.get('/episodes/:episodeId/next', {
    schema: {
      operationId: 'getNextEpisode',
      summary: 'The episode after this one',
      description: 'Any signed-in user: the next published episode by number, with the caller\'s access to it. ' +
        '404 `episode_not_found` unless this episode is published; 404 `no_next_episode` after the last one.',
      params: EpisodeParamsSchema,
      querystring: LangQuerySchema,
      response: { 200: envelope(ref(EpisodeSchema)), ...errors('episode_not_found', 'no_next_episode') }
    },
    links: {
      200: {
        playNext: { operationId: 'getPlaybackUrl', parameters: { episodeId: '$response.body#/data/id' } },
        afterThat: { operationId: 'getNextEpisode', parameters: { episodeId: '$response.body#/data/id' } }
      }
    }
  }, async (request) => ({ data: await catalogue.nextEpisode(request.account, toObjectId(request.params.episodeId)) }))

  app.post('/episodes/:episodeId/unlock', {
    schema: {
      operationId: 'unlockEpisode',
      summary: 'Unlock an episode with coins, for good',
      description: 'Any signed-in user, for a published episode that is locked for them: debits the series\' `coinPrice` ' +
        'from their wallet (402 `insufficient_coins` when short) and unlocks it for good. Send an Idempotency-Key: a retry ' +
        'with the same key answers the same unlock and balance without charging again (Idempotent-Replayed: true); the ' +
        'key is bound to this episode (422 `idempotency_key_reused` for another). A refusal is not stored as the key\'s ' +
        'answer: after a 402 or 409 the key stays bound to this episode only, so the same key retried after a top-up ' +
        'unlocks it. An episode already unlocked is never ' +
        'charged twice. Free, subscribed or own episodes: 409 `episode_not_locked`; a series sold by subscription only: ' +
        '409 `not_for_coins`.',
      params: EpisodeParamsSchema,
      headers: IdempotencyHeadersSchema,
      response: {
        200: envelope(Type.Object({
          unlock: ref(UnlockSchema),
          balance: Type.Integer({ minimum: 0, format: 'int64', description: 'The wallet\'s balance the unlock left' })
        }, { additionalProperties: false })),
        ...errors('episode_not_found', 'insufficient_coins', 'episode_not_locked', 'not_for_coins', 'idempotency_key_reused')
      }
    },
    links: {
      200: { play: { operationId: 'getPlaybackUrl', parameters: { episodeId: '$response.body#/data/unlock/episodeId' } } }
    }
  }, async (request, reply) => {
    const { replayed, ...result } = await wallet.unlock(request.account, toObjectId(request.params.episodeId), request.headers['idempotency-key'])
    if (replayed) reply.header('idempotent-replayed', 'true')
    return { data: result }
  })
}

export default content
