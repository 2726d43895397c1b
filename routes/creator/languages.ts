import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { envelope, errors, ref } from '../../src/schemas/common.js'
import { CreatorEpisodeSchema, CreatorSeriesSchema, LanguageTag } from '../../src/schemas/catalog.js'
import { EpisodeParamsSchema, SeriesParamsSchema } from '../../src/schemas/params.js'
import { MAX_SUBTITLE_BYTES, type SubtitleFormat } from '../../src/services/subtitles.js'
import { toObjectId } from '../../src/lib/ids.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** A subtitle upload's bytes, as sent (its body is them as text, for the schema). */
    subtitleFile?: Buffer
  }
}

const Language = { language: LanguageTag('One of the deployment\'s languages (LANGUAGES), e.g. es or pt-BR') }
const Title = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' })
const SUBTITLE_TYPES: Record<string, SubtitleFormat> = { 'text/vtt': 'vtt', 'application/x-subrip': 'srt' }
const SubtitleText = Type.String({ maxLength: 16 * 1024 * 1024, description: 'The file\'s text (UTF-8)' })

/**
 * A creator's series and episodes in other languages: their titles and descriptions (src/services/studio.ts) and
 * episodes' subtitles (src/services/subtitles.ts). Creators and admins, on their own (404 otherwise).
 */
const languages: FastifyPluginAsyncTypebox = async (app) => {
  const { studio, subtitles, dubbing } = app.services
  // Subtitle files come as they are: WebVTT or SRT, read as bytes (and given to the schema as text).
  app.addContentTypeParser(Object.keys(SUBTITLE_TYPES), { parseAs: 'buffer' }, (request, body, done) => {
    request.subtitleFile = body as Buffer
    done(null, (body as Buffer).toString('utf8'))
  })

  app.put('/series/:seriesId/translations/:language', {
    schema: {
      operationId: 'putSeriesTranslation',
      summary: 'Set my series\' title and description in another language',
      description: 'Creators and admins, on their own series (404 otherwise). The language must be one of the deployment\'s ' +
        '(422 `language_not_supported`) and not the series\' original (422 `language_is_original`: edit it with PATCH). ' +
        'Viewers asking for that language read it at once; search finds the series by this title too. Its status does not ' +
        'change: admins review every language\'s text with the series.',
      params: Type.Object({ ...SeriesParamsSchema.properties, ...Language }),
      body: Type.Object({ title: Title, description: Type.Optional(Type.String({ maxLength: 5000, default: '' })) },
        { additionalProperties: false, examples: [{ title: 'El gemelo secreto del multimillonario', description: 'Dos hermanas, una fortuna.' }] }),
      response: {
        200: envelope(ref(CreatorSeriesSchema)), ...errors('series_not_found', 'language_not_supported', 'language_is_original')
      }
    }
  }, async (request) => {
    const { seriesId, language } = request.params
    return { data: await studio.setSeriesTranslation(request.account, toObjectId(seriesId), language, request.body) }
  })

  app.delete('/series/:seriesId/translations/:language', {
    schema: {
      operationId: 'deleteSeriesTranslation',
      summary: 'Remove my series\' title and description in one language',
      description: 'Creators and admins, on their own series (404 otherwise; `translation_not_found` when it has none in ' +
        'that language). Viewers asking for it read the original again.',
      params: Type.Object({ ...SeriesParamsSchema.properties, ...Language }),
      response: {
        200: envelope(ref(CreatorSeriesSchema)),
        ...errors('series_not_found', 'translation_not_found', 'language_not_supported', 'language_is_original')
      }
    }
  }, async (request) => {
    const { seriesId, language } = request.params
    return { data: await studio.setSeriesTranslation(request.account, toObjectId(seriesId), language, null) }
  })

  app.put('/episodes/:episodeId/translations/:language', {
    schema: {
      operationId: 'putEpisodeTranslation',
      summary: 'Set my episode\'s title in another language',
      description: 'Creators and admins, on their own episode (404 otherwise); the language as for a series\' translation.',
      params: Type.Object({ ...EpisodeParamsSchema.properties, ...Language }),
      body: Type.Object({ title: Title }, { additionalProperties: false, examples: [{ title: 'La boda' }] }),
      response: {
        200: envelope(ref(CreatorEpisodeSchema)), ...errors('episode_not_found', 'language_not_supported', 'language_is_original')
      }
    }
  }, async (request) => {
    const { episodeId, language } = request.params
    const { title } = request.body
    return { data: await studio.setEpisodeTranslation(request.account, toObjectId(episodeId), language, title) }
  })

  app.delete('/episodes/:episodeId/translations/:language', {
    schema: {
      operationId: 'deleteEpisodeTranslation',
      summary: 'Remove my episode\'s title in one language',
      description: 'Creators and admins, on their own episode (404 otherwise; `translation_not_found` when it has none).',
      params: Type.Object({ ...EpisodeParamsSchema.properties, ...Language }),
      response: {
        200: envelope(ref(CreatorEpisodeSchema)),
        ...errors('episode_not_found', 'translation_not_found', 'language_not_supported', 'language_is_original')
      }
    }
  }, async (request) => {
    const { episodeId, language } = request.params
    return { data: await studio.setEpisodeTranslation(request.account, toObjectId(episodeId), language, null) }
  })

  app.put('/episodes/:episodeId/subtitles/:language', {
    bodyLimit: 16 * 1024 * 1024,
    schema: {
      operationId: 'putEpisodeSubtitles',
      summary: 'Set my episode\'s subtitles in one language',
      description: 'Creators and admins, on their own episode (404 otherwise), with a ready video (409 `video_not_ready`). ' +
        'The body is the file: WebVTT (`text/vtt`) or SRT (`application/x-subrip`, converted to WebVTT), UTF-8, at most ' +
        `${MAX_SUBTITLE_BYTES / 1024} KB. Every cue must be well-formed, in order and end within the episode: otherwise 422 ` +
        '`subtitle_invalid` naming the line and the problem, and nothing is stored. Replaces the language\'s subtitles; the ' +
        'episode\'s stream announces them as a SUBTITLES rendition at once, without touching the video.',
      params: Type.Object({ ...EpisodeParamsSchema.properties, ...Language }),
      body: { content: { 'text/vtt': { schema: SubtitleText }, 'application/x-subrip': { schema: SubtitleText } } },
      response: {
        200: envelope(ref(CreatorEpisodeSchema)),
        ...errors('episode_not_found', 'language_not_supported', 'video_not_ready', 'subtitle_invalid')
      }
    }
  }, async (request) => {
    const { episodeId, language } = request.params
    const format = SUBTITLE_TYPES[request.headers['content-type']?.split(';')[0]?.trim().toLowerCase() ?? '']
    const body = request.subtitleFile
    const sent = format === undefined || body === undefined ? null : { body, format }
    const data = await subtitles.put(request.account, toObjectId(episodeId), language, sent)
    return { data }
  })

  app.delete('/episodes/:episodeId/subtitles/:language', {
    schema: {
      operationId: 'deleteEpisodeSubtitles',
      summary: 'Remove my episode\'s subtitles in one language',
      description: 'Creators and admins, on their own episode (404 otherwise; `subtitle_not_found` when it has none in that ' +
        'language). Its stream stops announcing them at once; the file is deleted.',
      params: Type.Object({ ...EpisodeParamsSchema.properties, ...Language }),
      response: {
        204: Type.Null({ description: 'Removed' }),
        ...errors('episode_not_found', 'subtitle_not_found', 'language_not_supported')
      }
    }
  }, async (request, reply) => {
    const { episodeId, language } = request.params
    await subtitles.remove(request.account, toObjectId(episodeId), language)
    return await reply.code(204).send(null)
  })

  app.put('/episodes/:episodeId/audio/:language', {
    schema: {
      operationId: 'putEpisodeAudio',
      summary: 'Set my episode\'s dubbed audio in one language',
      description: 'Creators and admins, on their own episode (404 otherwise), with a ready video (409 `video_not_ready`), ' +
        'in one of the deployment\'s languages other than its series\' original (422). `s3Key`: an audio file the caller ' +
        'uploaded (POST /uploads/presign with an audio contentType; 403 `forbidden_key` for another\'s, 404 `upload_missing`). ' +
        'The worker checks it with ffprobe (audio, as long as the episode within 1 s) and packages it as an HLS audio ' +
        'rendition: follow `audioTracks` (uploaded → processing → ready, or failed with a code). Once ready, the stream ' +
        'offers it as an EXT-X-MEDIA TYPE=AUDIO rendition. A dub it replaces stops playing at once.',
      params: Type.Object({ ...EpisodeParamsSchema.properties, ...Language }),
      body: Type.Object({ s3Key: Type.String({ minLength: 1, maxLength: 512, description: 'The uploaded audio file\'s key' }) },
        { additionalProperties: false, examples: [{ s3Key: 'audio/665f1c2b9d3e4a0012345678/0b9c6c1e-episode-1-es.m4a' }] }),
      response: {
        202: envelope(ref(CreatorEpisodeSchema)),
        ...errors('forbidden_key', 'episode_not_found', 'upload_missing', 'video_not_ready', 'language_not_supported',
          'language_is_original', 'unsupported_upload')
      }
    }
  }, async (request, reply) => {
    const { episodeId, language } = request.params
    const data = await dubbing.put(request.account, toObjectId(episodeId), language, request.body.s3Key)
    return await reply.code(202).send({ data })
  })

  app.delete('/episodes/:episodeId/audio/:language', {
    schema: {
      operationId: 'deleteEpisodeAudio',
      summary: 'Remove my episode\'s dubbed audio in one language',
      description: 'Creators and admins, on their own episode (404 otherwise; 422 `track_not_found` when it has no dub in ' +
        'that language). Its stream stops offering it at once; its files are deleted.',
      params: Type.Object({ ...EpisodeParamsSchema.properties, ...Language }),
      response: {
        204: Type.Null({ description: 'Removed' }),
        ...errors('episode_not_found', 'track_not_found', 'language_not_supported')
      }
    }
  }, async (request, reply) => {
    const { episodeId, language } = request.params
    await dubbing.remove(request.account, toObjectId(episodeId), language)
    return await reply.code(204).send(null)
  })
}

export default languages
