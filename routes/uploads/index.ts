import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearer, envelope, errors, StringEnum } from '../../src/schemas/common.js'
import { ALLOWED_IMAGE_TYPES, ALLOWED_VIDEO_TYPES, MAX_IMAGE_BYTES } from '../../src/schemas/catalog.js'
import { newUploadKey } from '../../src/lib/keys.js'

const EXTENSIONS = new Map<string, string>([
  ['video/mp4', 'mp4'], ['video/quicktime', 'mov'], ['video/webm', 'webm'],
  ['image/jpeg', 'jpg'], ['image/png', 'png'], ['image/webp', 'webp']
])
const ALLOWED_TYPES = [...ALLOWED_VIDEO_TYPES, ...ALLOWED_IMAGE_TYPES]
const isImage = (contentType: string): boolean => contentType.startsWith('image/')

const FileName = Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Original file name; only a readable slug of it is kept in the key' }))

/** A video up to MAX_UPLOAD_BYTES, or a cover image up to 5 MiB. */
const presignBodySchema = (maxBytes: number) => Type.Union([
  Type.Object({
    contentType: StringEnum(ALLOWED_VIDEO_TYPES, { description: 'A video for an episode' }),
    sizeBytes: Type.Integer({ minimum: 1, maximum: maxBytes, format: 'int64', description: 'Exact size of the file, at most MAX_UPLOAD_BYTES' }),
    fileName: FileName
  }, { additionalProperties: false, title: 'VideoUpload' }),
  Type.Object({
    contentType: StringEnum(ALLOWED_IMAGE_TYPES, { description: 'An image for a series cover' }),
    sizeBytes: Type.Integer({ minimum: 1, maximum: Math.min(MAX_IMAGE_BYTES, maxBytes), format: 'int64', description: 'Exact size of the file, at most 5 MiB' }),
    fileName: FileName
  }, { additionalProperties: false, title: 'ImageUpload' })
], {
  description: 'Another type is 415; a size over its limit is 400 `upload_too_large`.',
  examples: [{ contentType: 'video/mp4', sizeBytes: 10485760, fileName: 'episode-1.mp4' }]
})

interface PresignInput { contentType?: unknown, sizeBytes?: unknown }

const PresignSchema = envelope(Type.Object({
  s3Key: Type.String({ description: 'Once uploaded: a video\'s key goes to POST /creator/videos, an image\'s to PATCH /creator/series/{seriesId} as coverKey' }),
  uploadUrl: Type.String({ format: 'uri' }),
  method: Type.Literal('PUT'),
  headers: Type.Object({
    'Content-Type': Type.String({ maxLength: 100, description: 'The contentType asked for' }),
    'Content-Length': Type.String({ maxLength: 20, pattern: '^[0-9]+$', description: 'The sizeBytes asked for' })
  }, { additionalProperties: false, description: 'Send exactly these headers with the PUT' }),
  expiresAt: Type.String({ format: 'date-time' })
}, { additionalProperties: false }))

const uploads: FastifyPluginAsyncTypebox = async (app) => {
  const maxBytes = app.config.MAX_UPLOAD_BYTES
  app.post('/presign', {
    onRequest: app.requireRole('creator', 'admin'),
    // The schema states both limits; these say which one was broken with the statuses clients expect.
    preValidation: async (request) => {
      const { contentType, sizeBytes } = (request.body ?? {}) as PresignInput
      if (typeof contentType === 'string' && contentType !== '' && !EXTENSIONS.has(contentType)) {
        throw app.httpErrors.createError(415, `contentType must be one of ${ALLOWED_TYPES.join(', ')}`, { code: 'unsupported_media_type' })
      }
      const limit = typeof contentType === 'string' && isImage(contentType) ? Math.min(MAX_IMAGE_BYTES, maxBytes) : maxBytes
      if (typeof sizeBytes === 'number' && sizeBytes > limit) {
        throw app.httpErrors.createError(400, `sizeBytes is over the limit of ${limit} bytes`, { code: 'upload_too_large' })
      }
    },
    schema: {
      tags: ['uploads'],
      operationId: 'presignUpload',
      summary: 'Get a URL to upload a video or a cover image to',
      description: 'Creators and admins. The server picks the key, under the caller\'s own prefix. The URL accepts one ' +
        'PUT with exactly the declared Content-Type and Content-Length, until expiresAt (UPLOAD_URL_TTL).',
      security: bearer,
      body: presignBodySchema(maxBytes),
      response: { 200: PresignSchema, ...errors(400, 401, 403, 415) }
    },
    links: {
      200: {
        saveVideo: {
          operationId: 'createVideo',
          description: 'Once the file is PUT to uploadUrl with these headers, save it: send data.s3Key as the body\'s s3Key.'
        }
      }
    }
  }, async (request) => {
    const { contentType, sizeBytes, fileName } = request.body
    const s3Key = newUploadKey(request.user.sub, isImage(contentType) ? 'images' : 'videos', EXTENSIONS.get(contentType)!, fileName)
    const ttl = app.config.UPLOAD_URL_TTL
    const { url, headers } = await app.storage.presignUpload(s3Key, contentType, sizeBytes, ttl)
    return { data: { s3Key, uploadUrl: url, method: 'PUT' as const, headers, expiresAt: new Date(Date.now() + ttl * 1000).toISOString() } }
  })
}

export default uploads
