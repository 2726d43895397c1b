import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { errors, ObjectIdSchema, ref } from '../../src/schemas/common.js'
import { toObjectId } from '../../src/lib/ids.js'
import { LanguageTag } from '../../src/schemas/catalog.js'

const TokenParams = {
  episodeId: ref(ObjectIdSchema),
  token: Type.String({
    maxLength: 80,
    pattern: '^[0-9a-f]{24}\\.[0-9]{10}\\.[A-Za-z0-9_-]{43}$',
    description: 'The playback token in the url GET /video/play/{episodeId} gave (a malformed one is 400)'
  })
}
const Playlist = {
  description: 'An HLS playlist',
  content: { 'application/vnd.apple.mpegurl': { schema: Type.String() } }
}
const TOKEN_ERRORS = errors('playback_token_invalid', 'playback_token_expired', 'stream_not_found')

const sendPlaylist = async (reply: FastifyReply, { playlist, maxAgeSec }: { playlist: string, maxAgeSec: number }) =>
  await reply.type('application/vnd.apple.mpegurl').header('cache-control', `private, max-age=${maxAgeSec}`).send(playlist)

/**
 * Tokenized HLS (src/services/streaming.ts): the master playlist and each rendition's media playlist, whose
 * segments are signed URLs of the bucket. Players fetch them without the bearer token; the path's playback
 * token, bound to the episode and short-lived, is what lets them in.
 */
const stream: FastifyPluginAsyncTypebox = async (app) => {
  const { streaming, playback } = app.services

  app.get('/:episodeId/:token/master.m3u8', {
    schema: {
      operationId: 'getStreamMaster',
      summary: 'The HLS master playlist of an episode',
      description: 'Public, with the playback token in the path (401 `playback_token_invalid` when it is not one we made for ' +
        'this episode, `playback_token_expired` after it expired). Its variants are relative URLs under the same token.',
      params: Type.Object(TokenParams),
      response: { 200: Playlist, ...TOKEN_ERRORS }
    }
  }, async (request, reply) => {
    const { episodeId, token } = request.params
    const id = toObjectId(episodeId)
    return await sendPlaylist(reply, await streaming.master(id, token, async () => await playback.streamTracks(id)))
  })

  app.get('/:episodeId/:token/subtitles/:language/index.m3u8', {
    schema: {
      operationId: 'getStreamSubtitles',
      summary: 'The HLS media playlist of one subtitle language',
      description: 'Public, with the playback token in the path (as the master playlist, which names it in an ' +
        'EXT-X-MEDIA TYPE=SUBTITLES rendition). One segment: the WebVTT file as a signed GET URL of the bucket, valid long ' +
        'enough to play the episode to its end; 404 `stream_not_found` for a language the episode has no subtitles in.',
      params: Type.Object({ ...TokenParams, language: LanguageTag('e.g. es') }),
      response: { 200: Playlist, ...TOKEN_ERRORS }
    }
  }, async (request, reply) => {
    const { episodeId, token, language } = request.params
    const id = toObjectId(episodeId)
    const tracks = async () => await playback.streamTracks(id)
    return await sendPlaylist(reply, await streaming.subtitles(id, token, language, tracks))
  })

  app.get('/:episodeId/:token/:rendition/index.m3u8', {
    schema: {
      operationId: 'getStreamRendition',
      summary: 'The HLS media playlist of one rendition',
      description: 'Public, with the playback token in the path (as the master playlist). Every segment is a signed GET URL of ' +
        'the bucket, valid long enough to play the episode to its end.',
      params: Type.Object({
        ...TokenParams,
        rendition: Type.String({
          maxLength: 60, pattern: '^([0-9]{3,4}p|audio-[A-Za-z0-9-]{2,50})$', description: 'e.g. 720p, or a dub: audio-es-1'
        })
      }),
      response: { 200: Playlist, ...TOKEN_ERRORS }
    }
  }, async (request, reply) => {
    const { episodeId, token, rendition } = request.params
    return await sendPlaylist(reply, await streaming.media(toObjectId(episodeId), token, rendition))
  })
}

export default stream
