import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errors } from '../../src/schemas/common.js'
import { SeriesParamsSchema } from '../../src/schemas/params.js'
import { toObjectId } from '../../src/lib/ids.js'

/**
 * Cover images of published series, public so that an <img> tag can load them without a token: a redirect
 * to a short-lived signed URL of the image in the bucket. A series' `coverUrl` is this path.
 */
const covers: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/:seriesId', {
    schema: {
      operationId: 'getSeriesCover',
      summary: 'A published series\' cover image',
      description: 'Public. 302 to a signed URL of the image; 404 unless the series is published and has a cover.',
      params: SeriesParamsSchema,
      response: {
        302: Type.Null({ description: 'Found: the Location header is the image' }),
        ...errors('cover_not_found')
      }
    }
  }, async (request, reply) => {
    const { url, ttl } = await app.services.catalogue.coverUrl(toObjectId(request.params.seriesId))
    return reply.code(302).header('location', url).header('cache-control', `public, max-age=${Math.floor(ttl / 2)}`).send(null)
  })
}

export default covers
