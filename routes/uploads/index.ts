import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { envelope, errors, ObjectIdSchema, ref, StringEnum } from '../../src/schemas/common.js'
import { toObjectId } from '../../src/lib/ids.js'
import { ALLOWED_AUDIO_TYPES, ALLOWED_IMAGE_TYPES, ALLOWED_VIDEO_TYPES } from '../../src/schemas/catalog.js'
import { ALLOWED_UPLOAD_TYPES, MAX_PARTS, UPLOAD_EXTENSIONS, uploadLimit } from '../../src/services/uploads.js'
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
  }, { additionalProperties: false, title: 'ImageUpload' }),
  Type.Object({
    contentType: StringEnum(ALLOWED_AUDIO_TYPES, { description: 'Dubbed audio for an episode' }),
    sizeBytes: Type.Integer({ minimum: 1, maximum: maxBytes, format: 'int64', description: 'Exact size of the file, at most MAX_UPLOAD_BYTES' }),
    fileName: FileName
  }, { additionalProperties: false, title: 'AudioUpload' })
], {
  description: 'Another type is 415; a size over its limit is 400 `upload_too_large`.',
  examples: [{ contentType: 'video/mp4', sizeBytes: 10485760, fileName: 'episode-1.mp4' }]
})

interface PresignInput { contentType?: unknown, sizeBytes?: unknown }

const PresignSchema = envelope(Type.Object({
  s3Key: Type.String({
    description: 'Once uploaded: a video\'s key goes to POST /creator/videos, an image\'s to PATCH /creator/series/{seriesId} as ' +
      'coverKey, an audio file\'s to PUT /creator/episodes/{episodeId}/audio/{language}'
  }),
  uploadUrl: Type.String({ format: 'uri' }),
  method: Type.Literal('PUT'),
  headers: Type.Object({
    'Content-Type': Type.String({ maxLength: 100, description: 'The contentType asked for' }),
    'Content-Length': Type.String({ maxLength: 20, pattern: '^[0-9]+$', description: 'The sizeBytes asked for' })
  }, { additionalProperties: false, description: 'Send exactly these headers with the PUT' }),
  expiresAt: Type.String({ format: 'date-time' })
}, { additionalProperties: false }))

const MultipartSchema = envelope(Type.Object({
  uploadId: ref(ObjectIdSchema),
  s3Key: Type.String({ description: 'Where the file will be, once completed' }),
  partSize: Type.Integer({ minimum: 1, format: 'int64', description: 'Every part but the last has this many bytes' }),
  parts: Type.Array(Type.Object({
    partNumber: Type.Integer({ minimum: 1, maximum: MAX_PARTS, format: 'int32' }),
    sizeBytes: Type.Integer({ minimum: 1, format: 'int64', description: 'Send exactly this many bytes (its Content-Length)' }),
    url: Type.String({ format: 'uri', description: 'PUT the part here; keep the ETag response header for completeMultipartUpload' })
  }, { additionalProperties: false })),
  expiresAt: Type.String({ format: 'date-time', description: 'Until when the part URLs accept a PUT (UPLOAD_URL_TTL)' })
}, { additionalProperties: false }))

const CompleteBodySchema = Type.Object({
  parts: Type.Array(Type.Object({
    partNumber: Type.Integer({ minimum: 1, maximum: MAX_PARTS, format: 'int32' }),
    etag: Type.String({ minLength: 1, maxLength: 64, description: 'The ETag header the bucket answered the part\'s PUT with' })
  }, { additionalProperties: false }), { minItems: 1, maxItems: MAX_PARTS })
}, { additionalProperties: false, examples: [{ parts: [{ partNumber: 1, etag: '"5d41402abc4b2a76b9719d911017c592"' }] }] })

const CompletedSchema = envelope(Type.Object({
  s3Key: Type.String({ description: 'As for a single upload: a video\'s key goes to POST /creator/videos' }),
  sizeBytes: Type.Integer({ minimum: 1, format: 'int64' }),
  contentType: Type.String()
}, { additionalProperties: false }))

const UploadParamsSchema = Type.Object({ uploadId: ref(ObjectIdSchema) })

/** Presigned uploads (src/services/uploads.ts): creators and admins (routes/uploads/autohooks.ts). */
const uploads: FastifyPluginAsyncTypebox = async (app) => {
  const maxBytes = app.config.MAX_UPLOAD_BYTES
  // The schema states both limits; this says which one was broken with the statuses clients expect.
  const checkTypeAndSize = async (request: { body: unknown }) => {
    const { contentType, sizeBytes } = (request.body ?? {}) as PresignInput
    if (typeof contentType === 'string' && contentType !== '' && !UPLOAD_EXTENSIONS.has(contentType)) {
      throw new ApiError('unsupported_media_type', `contentType must be one of ${ALLOWED_UPLOAD_TYPES.join(', ')}`)
    }
    const limit = uploadLimit(typeof contentType === 'string' ? contentType : '', maxBytes)
    if (typeof sizeBytes === 'number' && sizeBytes > limit) throw new ApiError('upload_too_large', `sizeBytes is over the limit of ${limit} bytes`)
  }

  app.post('/presign', {
    preValidation: checkTypeAndSize,
    schema: {
      operationId: 'presignUpload',
      summary: 'Get a URL to upload a video or a cover image to',
      description: 'Creators and admins. The server picks the key, under the caller\'s own prefix. The URL accepts one ' +
        'PUT with exactly the declared Content-Type and Content-Length, until expiresAt (UPLOAD_URL_TTL).',
      body: presignBodySchema(maxBytes),
      response: { 200: PresignSchema, ...errors('upload_too_large', 'unsupported_media_type', 'email_not_verified') }
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

  app.post('/multipart', {
    preValidation: checkTypeAndSize,
    schema: {
      operationId: 'startMultipartUpload',
      summary: 'Start a resumable upload of a large file, in parts',
      description: 'Creators and admins, with the same types and sizes as POST /uploads/presign. The answer has one presigned ' +
        'PUT URL per part, each for exactly its sizeBytes; parts go in any order, a failed one may be sent again, until ' +
        'expiresAt. Then POST /uploads/multipart/{uploadId}/complete with every part\'s ETag, or DELETE it to give up. ' +
        'An upload left open for a day is aborted. (The bucket\'s CORS rule must expose the ETag header to browsers.)',
      body: presignBodySchema(maxBytes),
      response: { 201: MultipartSchema, ...errors('upload_too_large', 'unsupported_media_type', 'email_not_verified') }
    },
    links: {
      201: {
        complete: { operationId: 'completeMultipartUpload', parameters: { uploadId: '$response.body#/data/uploadId' } }
      }
    }
  }, async (request, reply) =>
    reply.code(201).send({ data: await app.services.uploads.startMultipart(request.account, request.body) }))

  app.post('/multipart/:uploadId/complete', {
    // A thousand parts with their ETags: up to about 90 KB.
    bodyLimit: 256 * 1024,
    schema: {
      operationId: 'completeMultipartUpload',
      summary: 'Assemble a resumable upload from its parts',
      description: 'Creators and admins, their own uploads (404 otherwise). Every part, each with the ETag the bucket answered ' +
        'its PUT with (422 `upload_parts_invalid` when one is missing, repeated or has another ETag); 409 `upload_not_open` ' +
        'once completed or aborted. Answers the key to save, as POST /uploads/presign does.',
      params: UploadParamsSchema,
      body: CompleteBodySchema,
      response: { 200: CompletedSchema, ...errors('upload_not_found', 'upload_not_open', 'upload_parts_invalid') }
    },
    links: {
      200: {
        saveVideo: { operationId: 'createVideo', description: 'Save it: send data.s3Key as the body\'s s3Key.' }
      }
    }
  }, async (request) => ({
    data: await app.services.uploads.completeMultipart(
      request.account, toObjectId(request.params.uploadId), request.body.parts
    )
  }))

  app.delete('/multipart/:uploadId', {
    schema: {
      operationId: 'abortMultipartUpload',
      summary: 'Give up a resumable upload',
      description: 'Creators and admins, their own uploads (404 otherwise). The parts sent are discarded; aborting twice is ' +
        'fine; a completed upload is 409 `upload_not_open`.',
      params: UploadParamsSchema,
      response: { 204: Type.Null({ description: 'Aborted' }), ...errors('upload_not_found', 'upload_not_open') }
    }
  }, async (request, reply) => {
    await app.services.uploads.abortMultipart(request.account, toObjectId(request.params.uploadId))
    return await reply.code(204).send(null)
  })
}

export default uploads
