import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { envelope, errors, StringEnum } from '../../src/schemas/common.js'
import { ALLOWED_IMAGE_TYPES, ALLOWED_VIDEO_TYPES } from '../../src/schemas/catalog.js'
import { ALLOWED_UPLOAD_TYPES, UPLOAD_EXTENSIONS, uploadLimit } from '../../src/services/uploads.js'
import { ApiError } from '../../src/errors.js'

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
    sizeBytes: Type.Integer({ minimum: 1, maximum: uploadLimit('image/', maxBytes), format: 'int64', description: 'Exact size of the file, at most 5 MiB' }),
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

/** Presigned uploads (src/services/uploads.ts): creators and admins (routes/uploads/autohooks.ts). */
const uploads: FastifyPluginAsyncTypebox = async (app) => {
  const maxBytes = app.config.MAX_UPLOAD_BYTES
  app.post('/presign', {
    // The schema states both limits; these say which one was broken with the statuses clients expect.
    preValidation: async (request) => {
      const { contentType, sizeBytes } = (request.body ?? {}) as PresignInput
      if (typeof contentType === 'string' && contentType !== '' && !UPLOAD_EXTENSIONS.has(contentType)) {
        throw new ApiError('unsupported_media_type', `contentType must be one of ${ALLOWED_UPLOAD_TYPES.join(', ')}`)
      }
      const limit = uploadLimit(typeof contentType === 'string' ? contentType : '', maxBytes)
      if (typeof sizeBytes === 'number' && sizeBytes > limit) throw new ApiError('upload_too_large', `sizeBytes is over the limit of ${limit} bytes`)
    },
    schema: {
      operationId: 'presignUpload',
      summary: 'Get a URL to upload a video or a cover image to',
      description: 'Creators and admins. The server picks the key, under the caller\'s own prefix. The URL accepts one ' +
        'PUT with exactly the declared Content-Type and Content-Length, until expiresAt (UPLOAD_URL_TTL).',
      body: presignBodySchema(maxBytes),
      response: { 200: PresignSchema, ...errors('upload_too_large', 'unsupported_media_type') }
    },
    links: {
      200: {
        saveVideo: {
          operationId: 'createVideo',
          description: 'Once the file is PUT to uploadUrl with these headers, save it: send data.s3Key as the body\'s s3Key.'
        }
      }
    }
  }, async (request) => ({ data: await app.services.uploads.presign(request.account, request.body) }))
}

export default uploads
