import { randomUUID } from 'node:crypto'

/** Where a user's uploads live in the bucket. Saving a video checks that its key is under this prefix. */
export const uploadPrefix = (userId: string): string => `videos/${userId}/`

/** A fresh key under the user's prefix, with a readable slug of the original file name. */
export function newUploadKey (userId: string, extension: string, fileName = ''): string {
  const slug = fileName.replace(/\.[^.]*$/, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40)
  return `${uploadPrefix(userId)}${randomUUID()}${slug === '' ? '' : `-${slug}`}.${extension}`
}
