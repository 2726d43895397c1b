import type { Db, ObjectId } from 'mongodb'
import type { VideoStatus } from '../schemas/catalog.js'
import type { PageRequest } from '../schemas/params.js'
import { findPage, insertOrNull } from '../db.js'

export interface VideoDoc {
  _id: ObjectId
  ownerId: ObjectId
  s3Key: string
  title: string | null
  contentType: string
  sizeBytes: number
  status: VideoStatus
  createdAt: Date
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
      return await insertOrNull(videos, { ...input, status: 'pending', createdAt: new Date() } as VideoDoc)
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
