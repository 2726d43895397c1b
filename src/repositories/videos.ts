import type { Db, ObjectId } from 'mongodb'
import type { Video } from '../schemas/catalog.js'
import { findPage, type PageRequest } from '../lib/pagination.js'
import { isDuplicateKeyError } from '../lib/ids.js'

export interface VideoDoc {
  _id: ObjectId
  ownerId: ObjectId
  s3Key: string
  title: string | null
  contentType: string
  sizeBytes: number
  status: 'pending'
  createdAt: Date
}

export function toVideo (doc: VideoDoc): Video {
  return {
    id: doc._id.toHexString(),
    s3Key: doc.s3Key,
    title: doc.title,
    contentType: doc.contentType,
    sizeBytes: doc.sizeBytes,
    status: doc.status,
    createdAt: doc.createdAt.toISOString()
  }
}

export function createVideosRepository (db: Db) {
  const videos = db.collection<VideoDoc>('videos')

  return {
    collection: videos,

    async ensureIndexes (): Promise<void> {
      await videos.createIndex({ s3Key: 1 }, { unique: true, name: 's3Key_unique' })
      await videos.createIndex({ ownerId: 1, createdAt: -1, _id: -1 }, { name: 'owner_createdAt' })
    },

    /** Records an uploaded object; null when that key was already saved. */
    async create (input: Omit<VideoDoc, '_id' | 'status' | 'createdAt'>): Promise<VideoDoc | null> {
      const doc = { ...input, status: 'pending' as const, createdAt: new Date() }
      try {
        const { insertedId } = await videos.insertOne(doc as VideoDoc)
        return { ...doc, _id: insertedId }
      } catch (err) {
        if (isDuplicateKeyError(err)) return null
        throw err
      }
    },

    async findById (id: ObjectId): Promise<VideoDoc | null> {
      return await videos.findOne({ _id: id })
    },

    async findOwned (ownerId: ObjectId, id: ObjectId): Promise<VideoDoc | null> {
      return await videos.findOne({ _id: id, ownerId })
    },

    async listOwned (ownerId: ObjectId, page: PageRequest) {
      return await findPage(videos, { ownerId }, page)
    }
  }
}

export type VideosRepository = ReturnType<typeof createVideosRepository>
