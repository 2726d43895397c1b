import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, envelope, errors } from '../../src/schemas/common.js'
import { ALLOWED_VIDEO_TYPES } from '../../src/schemas/catalog.js'
import { newUploadKey } from '../../src/lib/keys.js'

const EXTENSIONS = new Map<string, string>([['video/mp4', 'mp4'], ['video/quicktime', 'mov'], ['video/webm', 'webm']])

const PresignBodySchema = Type.Object({
  contentType: Type.String({ minLength: 1, maxLength: 100, description: `One of ${ALLOWED_VIDEO_TYPES.join(', ')} (415 otherwise)` }),
  sizeBytes: Type.Integer({ minimum: 1, description: 'Exact size of the file; at most MAX_UPLOAD_BYTES (413 otherwise)' }),
  fileName: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Original file name; only a readable slug of it is kept in the key' }))
}, { additionalProperties: false, examples: [{ contentType: 'video/mp4', sizeBytes: 10485760, fileName: 'episode-1.mp4' }] })

const PresignSchema = envelope(Type.Object({
  s3Key: Type.String({ description: 'Pass it to POST /creator/videos once the upload is done' }),
  uploadUrl: Type.String({ format: 'uri' }),
  method: Type.Literal('PUT'),
  headers: Type.Record(Type.String(), Type.String(), { description: 'Send exactly these headers with the PUT' }),
  expiresAt: Type.String({ format: 'date-time' })
}, { additionalProperties: false }))

const uploads: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/presign', {
    onRequest: app.requireRole('creator', 'admin'),
    schema: {
      tags: ['uploads'],
      operationId: 'presignUpload',
      summary: 'Get a URL to upload a video file to',
      description: 'Creators and admins. The server picks the key, under the caller\'s own prefix. The URL accepts one ' +
        'PUT with exactly the declared Content-Type and Content-Length, until expiresAt (UPLOAD_URL_TTL).',
      security: bearer,
      body: PresignBodySchema,
      response: { 200: PresignSchema, ...errors(400, 401, 403, 413, 415) }
    }
  }, async (request) => {
    const { contentType, sizeBytes, fileName } = request.body
    const extension = EXTENSIONS.get(contentType)
    if (extension === undefined) {
      throw app.httpErrors.createError(415, `contentType must be one of ${ALLOWED_VIDEO_TYPES.join(', ')}`, { code: 'unsupported_media_type' })
    }
    if (sizeBytes > app.config.MAX_UPLOAD_BYTES) {
      throw app.httpErrors.createError(413, `sizeBytes is over the limit of ${app.config.MAX_UPLOAD_BYTES} bytes`, { code: 'upload_too_large' })
    }
    const s3Key = newUploadKey(request.user.sub, extension, fileName)
    const ttl = app.config.UPLOAD_URL_TTL
    const { url, headers } = await app.storage.presignUpload(s3Key, contentType, sizeBytes, ttl)
    return { data: { s3Key, uploadUrl: url, method: 'PUT' as const, headers, expiresAt: new Date(Date.now() + ttl * 1000).toISOString() } }
  })
}

export default uploads
