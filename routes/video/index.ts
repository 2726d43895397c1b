import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { envelope, errors, Nullable, ObjectIdSchema, page, ref, StringEnum } from '../../src/schemas/common.js'
import { LanguageTag, WatchEntrySchema } from '../../src/schemas/catalog.js'
import { EpisodeParamsSchema, listQuery } from '../../src/schemas/params.js'
import { toObjectId } from '../../src/lib/ids.js'

const PlaySchema = envelope(Type.Object({
  type: StringEnum(['hls', 'mp4'], {
    description: 'hls: url is an HLS master playlist (an adaptive ladder); mp4: url is the uploaded file itself, only for a ' +
      'video without an HLS ladder yet (processed before the media pipeline existed)'
  }),
  url: Type.String({
    format: 'uri',
    description: 'What to give the player. For hls, a playlist served by this API under a playback token bound to the episode; ' +
      'its segments are signed URLs of the bucket. For mp4, a signed GET URL of the file.'
  }),
  posterUrl: Nullable(Type.String({ format: 'uri', description: 'A signed URL of the poster image, when it has one' })),
  expiresAt: Type.String({ format: 'date-time', description: 'Until when the url may be opened (a player already playing goes on)' })
}, { additionalProperties: false }))

const ProgressBodySchema = Type.Object({
  episodeId: ref(ObjectIdSchema),
  positionSec: Type.Number({ minimum: 0, maximum: 86_400 }),
  durationSec: Type.Optional(Type.Number({
    exclusiveMinimum: 0,
    maximum: 86_400,
    deprecated: true,
    description: 'Ignored: the episode\'s durationSec, read from its video, is what counts. Accepted for older clients.'
  })),
  completed: Type.Optional(Type.Boolean({ description: 'Defaults to true once positionSec reaches 95 % of a known duration' })),
  subtitleLanguage: Type.Optional(Nullable(LanguageTag('The subtitles the viewer has on (one of the episode\'s `subtitles`); ' +
    'null or absent: none'))),
  audioLanguage: Type.Optional(Nullable(LanguageTag('The dubbed audio the viewer chose (one of the episode\'s `audio`); ' +
    'null or absent: the original')))
}, {
  additionalProperties: false,
  examples: [{ episodeId: '665f1c2b9d3e4a0012345678', positionSec: 42.5, subtitleLanguage: 'es', audioLanguage: null }]
})

/** Playback, progress and history (src/services/playback.ts). */
const video: FastifyPluginAsyncTypebox = async (app) => {
  const { playback } = app.services

  app.get('/play/:episodeId', {
    schema: {
      operationId: 'getPlaybackUrl',
      summary: 'Get a signed URL to play an episode',
      description: 'Any signed-in user, for a published episode of a published series (404 otherwise): free previews (number ≤ ' +
        'the series\' freeEpisodes) for anyone; the rest with an active VIP subscription from any source, or once ' +
        'unlocked with coins. A locked episode is 403: `episode_locked` when coins can unlock it (its series has a ' +
        '`coinPrice`: POST /content/episodes/{episodeId}/unlock, or subscribe), `subscription_required` when only VIP ' +
        'plays it. Admins and the episode\'s creator may always play it, ' +
        'published or not, to review it. A processed video plays as HLS (type `hls`): the url is a master playlist ' +
        'under a playback token that lives about PLAYBACK_URL_TTL seconds; a video without a ladder plays as its MP4 file.',
      params: EpisodeParamsSchema,
      response: { 200: PlaySchema, ...errors('subscription_required', 'episode_locked', 'episode_not_found') }
    },
    links: {
      200: {
        saveProgress: { operationId: 'recordProgress', description: 'While watching, save the position, with the same episodeId in the body.' }
      }
    }
  }, async (request) => ({
    data: await playback.play(request.account, toObjectId(request.params.episodeId), `${request.protocol}://${request.host}`)
  }))

  app.post('/progress', {
    schema: {
      operationId: 'recordProgress',
      summary: 'Save where I am in an episode',
      description: 'Any signed-in user, for a published episode (404 otherwise). One entry per user and episode: the ' +
        'latest call wins. A position past the known duration (sent now or before) is saved as the end of the episode. ' +
        'The subtitle and audio languages the viewer chose count in their creator\'s figures per language (422 ' +
        '`track_not_found` for one the episode does not offer).',
      body: ProgressBodySchema,
      response: { 200: envelope(ref(WatchEntrySchema)), ...errors('episode_not_found', 'track_not_found') }
    },
    links: {
      200: {
        history: { operationId: 'listWatchHistory' },
        getEpisode: { operationId: 'getPublishedEpisode', parameters: { episodeId: '$response.body#/data/episodeId' } }
      }
    }
  }, async (request) => {
    const { episodeId, positionSec, completed, subtitleLanguage, audioLanguage } = request.body
    const report = { episodeId: toObjectId(episodeId), positionSec, completed, subtitleLanguage, audioLanguage }
    return { data: await playback.recordProgress(request.account, report) }
  })

  app.get('/history', {
    schema: {
      operationId: 'listWatchHistory',
      summary: 'My watch history',
      description: 'Any signed-in user: their own entries, most recently watched first.',
      querystring: listQuery(['updatedAt'], 'updatedAt:desc'),
      response: { 200: page(ref(WatchEntrySchema)) }
    },
    links: {
      200: {
        resumeFirst: { operationId: 'getPlaybackUrl', parameters: { episodeId: '$response.body#/data/0/episodeId' } }
      }
    }
  }, async (request) => await playback.history(request.account, request.query))
}

export default video
