import { ObjectId } from 'mongodb'
import { ApiError } from '../errors.js'
import { newUploadKey, uploadPrefix, type UploadKind } from '../lib/keys.js'
import { ALLOWED_AUDIO_TYPES, ALLOWED_IMAGE_TYPES, ALLOWED_VIDEO_TYPES, MAX_IMAGE_BYTES } from '../schemas/catalog.js'
import type { ObjectInfo } from '../adapters/storage.js'
import type { Caller, ServiceDeps } from './types.js'

/** The file extension of each accepted upload type: anything else is 415. */
export const UPLOAD_EXTENSIONS = new Map<string, string>([
  ['video/mp4', 'mp4'], ['video/quicktime', 'mov'], ['video/webm', 'webm'],
  ['image/jpeg', 'jpg'], ['image/png', 'png'], ['image/webp', 'webp'],
  ['audio/mpeg', 'mp3'], ['audio/mp4', 'm4a'], ['audio/aac', 'aac'], ['audio/wav', 'wav'], ['audio/flac', 'flac'], ['audio/ogg', 'ogg']
])
export const ALLOWED_UPLOAD_TYPES = [...ALLOWED_VIDEO_TYPES, ...ALLOWED_IMAGE_TYPES, ...ALLOWED_AUDIO_TYPES]

const isImage = (contentType: string): boolean => contentType.startsWith('image/')

/** The most bytes an upload of this type may have: MAX_UPLOAD_BYTES for a video, 5 MiB (or less) for an image. */
export const uploadLimit = (contentType: string, maxUploadBytes: number): number =>
  isImage(contentType) ? Math.min(MAX_IMAGE_BYTES, maxUploadBytes) : maxUploadBytes

/** Presigned uploads straight to the bucket, and the checks on what was uploaded. */
/** S3's smallest part (but the last); at most 1,000 parts (S3 takes 10,000), so that completing takes a small body. */
const MIN_PART_BYTES = 5 * 1024 * 1024
export const MAX_PARTS = 1000
/** An open multipart upload this old is abandoned: the maintenance job aborts it and the store drops its parts. */
export const ABANDONED_AFTER_MS = 24 * 3600_000

/** Parts of whole MiB, at least S3's minimum, few enough for S3's limit. */
export const partSizeFor = (sizeBytes: number): number =>
  Math.max(MIN_PART_BYTES, Math.ceil(sizeBytes / MAX_PARTS / 1048576) * 1048576)

export interface UploadRequest { contentType: string, sizeBytes: number, fileName?: string }

export function createUploadsService ({ storage, config, repos }: ServiceDeps) {
  const { multipartUploads } = repos
  /** A creator uploads once their email is verified (403 `email_not_verified`); admins always may. */
  const keyFor = (caller: Caller, { contentType, fileName }: UploadRequest) => {
    if (caller.role === 'creator' && caller.emailVerified !== true) throw new ApiError('email_not_verified')
    const kind = isImage(contentType) ? 'images' : contentType.startsWith('audio/') ? 'audio' : 'videos'
    return newUploadKey(caller._id.toHexString(), kind, UPLOAD_EXTENSIONS.get(contentType)!, fileName)
  }

  async function ownedUpload (caller: Caller, id: ObjectId) {
    const found = await multipartUploads.findOwned(caller._id, id)
    if (found === null) throw new ApiError('upload_not_found')
    return found
  }

  return {
    /**
     * A URL that accepts one PUT of exactly this type and size until it expires, under a key the server picks
     * below the caller's own prefix. Types and sizes are checked by the route's schema (uploadLimit).
     */
    async presign (caller: Caller, upload: UploadRequest) {
      const { contentType, sizeBytes } = upload
      const s3Key = keyFor(caller, upload)
      const ttl = config.UPLOAD_URL_TTL
      const { url, headers } = await storage.presignUpload(s3Key, contentType, sizeBytes, ttl)
      return { s3Key, uploadUrl: url, method: 'PUT' as const, headers, expiresAt: new Date(Date.now() + ttl * 1000).toISOString() }
    },

    /**
     * A resumable upload of a large file: the object store's multipart upload, with a presigned PUT per part
     * (each of exactly its size), under a key the server picks as for presign. Parts may be sent in any order,
     * again after a failure, until expiresAt; then completeMultipart with each part's ETag.
     */
    async startMultipart (caller: Caller, upload: UploadRequest) {
      const { contentType, sizeBytes } = upload
      const s3Key = keyFor(caller, upload)
      const partSize = partSizeFor(sizeBytes)
      const s3UploadId = await storage.createMultipart(s3Key, contentType)
      const started = await multipartUploads.create({
        _id: new ObjectId(), ownerId: caller._id, s3Key, s3UploadId, contentType, sizeBytes, partSize
      })
      const count = Math.ceil(sizeBytes / partSize)
      const ttl = config.UPLOAD_URL_TTL
      const parts = await Promise.all(Array.from({ length: count }, async (_, i) => {
        const size = i < count - 1 ? partSize : sizeBytes - partSize * (count - 1)
        const url = await storage.presignPart(s3Key, s3UploadId, i + 1, size, ttl)
        return { partNumber: i + 1, sizeBytes: size, url }
      }))
      const expiresAt = new Date(Date.now() + ttl * 1000).toISOString()
      return { uploadId: started._id.toHexString(), s3Key, partSize, parts, expiresAt }
    },

    /**
     * Assembles the caller's upload from every part (422 `upload_parts_invalid` when one is missing or its ETag is
     * not the one the store gave; 409 `upload_not_open` once completed or aborted). Answers the key to save.
     */
    async completeMultipart (caller: Caller, id: ObjectId, parts: Array<{ partNumber: number, etag: string }>) {
      const upload = await ownedUpload(caller, id)
      if (upload.status !== 'open') throw new ApiError('upload_not_open')
      const expected = Math.ceil(upload.sizeBytes / upload.partSize)
      const numbers = new Set(parts.map((p) => p.partNumber))
      if (numbers.size !== expected || parts.length !== expected || [...numbers].some((n) => n < 1 || n > expected)) {
        throw new ApiError('upload_parts_invalid', `Send each of the ${expected} parts once, numbered 1 to ${expected}`)
      }
      const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber)
      if (!await storage.completeMultipart(upload.s3Key, upload.s3UploadId, sorted)) throw new ApiError('upload_parts_invalid')
      await multipartUploads.finish(upload._id, 'completed')
      return { s3Key: upload.s3Key, sizeBytes: upload.sizeBytes, contentType: upload.contentType }
    },

    /** Discards the caller's unfinished upload and its parts; aborting twice is fine, a completed one is 409. */
    async abortMultipart (caller: Caller, id: ObjectId): Promise<void> {
      const upload = await ownedUpload(caller, id)
      if (upload.status === 'completed') throw new ApiError('upload_not_open')
      if (upload.status === 'aborted') return
      await storage.abortMultipart(upload.s3Key, upload.s3UploadId)
      await multipartUploads.finish(upload._id, 'aborted')
    },

    /** Aborts the multipart uploads left open for ABANDONED_AFTER_MS (a job, hourly). */
    async abortAbandoned (now = Date.now()): Promise<number> {
      const abandoned = await multipartUploads.findOpenBefore(new Date(now - ABANDONED_AFTER_MS), 500)
      for (const upload of abandoned) {
        await storage.abortMultipart(upload.s3Key, upload.s3UploadId)
        await multipartUploads.finish(upload._id, 'aborted')
      }
      return abandoned.length
    },

    /**
     * An upload the caller was given the key for (403 `forbidden_key` otherwise), present in the bucket
     * (404 `upload_missing`), of one of `types` (422 `unsupported_upload`).
     */
    async check (caller: Caller, key: string, kind: UploadKind, types: readonly string[]): Promise<ObjectInfo> {
      if (!key.startsWith(uploadPrefix(caller._id.toHexString(), kind)) || key.includes('..')) throw new ApiError('forbidden_key')
      const object = await storage.head(key)
      if (object === null) throw new ApiError('upload_missing')
      if (!types.includes(object.contentType)) throw new ApiError('unsupported_upload', `The uploaded file is not one of ${types.join(', ')}`)
      return object
    }
  }
}

export type UploadsService = ReturnType<typeof createUploadsService>
