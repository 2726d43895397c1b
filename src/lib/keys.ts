import { randomUUID } from 'node:crypto'

export type UploadKind = 'videos' | 'images' | 'audio'

/** Where a user's uploads of a kind live in the bucket. Saving a video or a cover checks the key is under it. */
export const uploadPrefix = (userId: string, kind: UploadKind = 'videos'): string => `${kind}/${userId}/`

/** A fresh key under the user's prefix, with a readable slug of the original file name. */
export function newUploadKey (userId: string, kind: UploadKind, extension: string, fileName = ''): string {
  const slug = fileName.replace(/\.[^.]*$/, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40)
  return `${uploadPrefix(userId, kind)}${randomUUID()}${slug === '' ? '' : `-${slug}`}.${extension}`
}
