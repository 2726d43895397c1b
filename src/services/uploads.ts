import { ApiError } from '../errors.js'
import { newUploadKey, uploadPrefix, type UploadKind } from '../lib/keys.js'
import { ALLOWED_IMAGE_TYPES, ALLOWED_VIDEO_TYPES, MAX_IMAGE_BYTES } from '../schemas/catalog.js'
import type { ObjectInfo } from '../storage.js'
import type { Caller, ServiceDeps } from './types.js'

/** The file extension of each accepted upload type: anything else is 415. */
export const UPLOAD_EXTENSIONS = new Map<string, string>([
  ['video/mp4', 'mp4'], ['video/quicktime', 'mov'], ['video/webm', 'webm'],
  ['image/jpeg', 'jpg'], ['image/png', 'png'], ['image/webp', 'webp']
])
export const ALLOWED_UPLOAD_TYPES = [...ALLOWED_VIDEO_TYPES, ...ALLOWED_IMAGE_TYPES]

const isImage = (contentType: string): boolean => contentType.startsWith('image/')

/** The most bytes an upload of this type may have: MAX_UPLOAD_BYTES for a video, 5 MiB (or less) for an image. */
export const uploadLimit = (contentType: string, maxUploadBytes: number): number =>
  isImage(contentType) ? Math.min(MAX_IMAGE_BYTES, maxUploadBytes) : maxUploadBytes

/** Presigned uploads straight to the bucket, and the checks on what was uploaded. */
export function createUploadsService ({ storage, config }: ServiceDeps) {
  return {
    /**
     * A URL that accepts one PUT of exactly this type and size until it expires, under a key the server picks
     * below the caller's own prefix. Types and sizes are checked by the route's schema (uploadLimit).
     */
    async presign (caller: Caller, upload: { contentType: string, sizeBytes: number, fileName?: string }) {
      const { contentType, sizeBytes, fileName } = upload
      const s3Key = newUploadKey(caller._id.toHexString(), isImage(contentType) ? 'images' : 'videos', UPLOAD_EXTENSIONS.get(contentType)!, fileName)
      const ttl = config.UPLOAD_URL_TTL
      const { url, headers } = await storage.presignUpload(s3Key, contentType, sizeBytes, ttl)
      return { s3Key, uploadUrl: url, method: 'PUT' as const, headers, expiresAt: new Date(Date.now() + ttl * 1000).toISOString() }
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
