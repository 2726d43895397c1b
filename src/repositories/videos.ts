import type { Db, ObjectId } from 'mongodb'
import type { VideoFailureCode, VideoStatus } from '../schemas/catalog.js'
import type { PageRequest } from '../schemas/params.js'
import { findPage, insertOrNull } from '../adapters/db.js'

export interface VideoDoc {
  _id: ObjectId
  ownerId: ObjectId
  s3Key: string
  title: string | null
  contentType: string
  sizeBytes: number
  status: VideoStatus
  /** Where the poster is taken from, as the creator chose; null: the pipeline chooses. */
  posterTimeSec: number | null
  failure: { code: VideoFailureCode, message: string } | null
  /** What the pipeline made of it: set when ready. */
  media: VideoMedia | null
  createdAt: Date
  processedAt: Date | null
}

export interface VideoMedia {
  durationSec: number
  width: number
  height: number
  renditions: Array<{ name: string, width: number, height: number, bitrateKbps: number }>
  /** The HLS master playlist's key (its media playlists and segments are beside it); null: no HLS (played as MP4). */
  hlsMasterKey: string | null
  posterKey: string | null
}

export function createVideosRepository (db: Db) {
  const videos = db.collection<VideoDoc>('videos')

  return {
    collection: videos,

    async ensureIndexes (): Promise<void> {
      await videos.createIndex({ s3Key: 1 }, { unique: true, name: 's3Key_unique' })
      await videos.createIndex({ ownerId: 1, createdAt: -1, _id: -1 }, { name: 'owner_createdAt' })
      await videos.createIndex({ status: 1, createdAt: 1 }, { name: 'status_createdAt' })
      // Videos saved before the media pipeline were 'pending': they are processed like new uploads.
      await videos.updateMany({ status: 'pending' as VideoStatus }, {
        $set: { status: 'uploaded', posterTimeSec: null, failure: null, media: null, processedAt: null }
      })
    },

    /** Records an uploaded object, waiting for the pipeline; null when that key was already saved. */
    async create (input: Pick<VideoDoc, 'ownerId' | 's3Key' | 'title' | 'contentType' | 'sizeBytes' | 'posterTimeSec'>): Promise<VideoDoc | null> {
      return await insertOrNull(videos, {
        ...input, status: 'uploaded', failure: null, media: null, createdAt: new Date(), processedAt: null
      } as VideoDoc)
    },

    /** Claims an uploaded video for processing (again, after a worker died); null when it is ready or failed. */
    async startProcessing (id: ObjectId): Promise<VideoDoc | null> {
      return await videos.findOneAndUpdate({ _id: id, status: { $in: ['uploaded', 'processing'] } },
        { $set: { status: 'processing' } }, { returnDocument: 'after' })
    },

    async finishProcessing (id: ObjectId, outcome: Pick<VideoDoc, 'media'> | Pick<VideoDoc, 'failure'>): Promise<VideoDoc | null> {
      const status: VideoStatus = 'media' in outcome ? 'ready' : 'failed'
      return await videos.findOneAndUpdate({ _id: id, status: 'processing' },
        { $set: { ...outcome, status, processedAt: new Date() } }, { returnDocument: 'after' })
    },

    /** Uploaded videos saved before `before` (their job may never have reached the queue). */
    async findWaiting (before: Date, limit: number): Promise<VideoDoc[]> {
      return await videos.find({ status: 'uploaded', createdAt: { $lt: before } }, { limit, sort: { createdAt: 1 } }).toArray()
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
