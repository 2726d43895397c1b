import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errors, ObjectIdSchema, ref } from '../../src/schemas/common.js'
import { toObjectId } from '../../src/lib/ids.js'

/**
 * Cover images of published series, public so that an <img> tag can load them without a token: a redirect
 * to a short-lived signed URL of the image in the bucket. A series' `coverUrl` is this path.
 */
const covers: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/:seriesId', {
    schema: {
      tags: ['content'],
      operationId: 'getSeriesCover',
      summary: 'A published series\' cover image',
      description: 'Public. 302 to a signed URL of the image; 404 unless the series is published and has a cover.',
      params: Type.Object({ seriesId: ref(ObjectIdSchema) }),
      response: {
        302: Type.Null({ description: 'Found: the Location header is the image' }),
        ...errors(400, 404)
      }
    }
  }, async (request, reply) => {
    const found = await app.repos.series.findPublished(toObjectId(request.params.seriesId))
    if (found?.coverKey == null) throw app.httpErrors.createError(404, 'No cover for this series', { code: 'cover_not_found' })
    const ttl = app.config.PLAYBACK_URL_TTL
    const url = await app.storage.presignDownload(found.coverKey, ttl)
    return reply.code(302).header('location', url).header('cache-control', `public, max-age=${Math.floor(ttl / 2)}`).send(null)
  })
}

export default covers
