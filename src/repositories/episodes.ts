import type { Db, ObjectId } from 'mongodb'
import type { CreatorEpisode, Episode } from '../schemas/catalog.js'
import { findPage, type PageRequest } from '../lib/pagination.js'
import { isDuplicateKeyError } from '../lib/ids.js'

export type EpisodeStatus = 'pending' | 'published'

export interface EpisodeDoc {
  _id: ObjectId
  seriesId: ObjectId
  ownerId: ObjectId
  videoId: ObjectId
  number: number
  title: string
  status: EpisodeStatus
  /** Bumped by every status change; see the audit repository. */
  revision: number
  createdAt: Date
  updatedAt: Date
  publishedAt: Date | null
}

export function toEpisode (doc: EpisodeDoc): Episode {
  return {
    id: doc._id.toHexString(),
    seriesId: doc.seriesId.toHexString(),
    number: doc.number,
    title: doc.title,
    status: doc.status,
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
    publishedAt: doc.publishedAt?.toISOString() ?? null
  }
}

export function toCreatorEpisode (doc: EpisodeDoc): CreatorEpisode {
  return { ...toEpisode(doc), videoId: doc.videoId.toHexString() }
}

export function createEpisodesRepository (db: Db) {
  const episodes = db.collection<EpisodeDoc>('episodes')

  return {
    collection: episodes,

    async ensureIndexes (): Promise<void> {
      await episodes.createIndex({ seriesId: 1, number: 1 }, { unique: true, name: 'series_number_unique' })
      await episodes.createIndex({ seriesId: 1, status: 1, number: 1 }, { name: 'series_status_number' })
      await episodes.createIndex({ status: 1, createdAt: 1, _id: 1 }, { name: 'status_createdAt' })
    },

    /** Adds an episode; null when the series already has an episode with that number. */
    async create (input: Pick<EpisodeDoc, 'seriesId' | 'ownerId' | 'videoId' | 'number' | 'title'>): Promise<EpisodeDoc | null> {
      const now = new Date()
      const doc = { ...input, status: 'pending' as const, revision: 0, createdAt: now, updatedAt: now, publishedAt: null }
      try {
        const { insertedId } = await episodes.insertOne(doc as EpisodeDoc)
        return { ...doc, _id: insertedId }
      } catch (err) {
        if (isDuplicateKeyError(err)) return null
        throw err
      }
    },

    async findById (id: ObjectId): Promise<EpisodeDoc | null> {
      return await episodes.findOne({ _id: id })
    },

    async findPublished (id: ObjectId): Promise<EpisodeDoc | null> {
      return await episodes.findOne({ _id: id, status: 'published' })
    },

    async listForSeries (seriesId: ObjectId, status: EpisodeStatus | undefined, page: PageRequest) {
      // number is unique within a series, so it needs no _id tie-breaker (and the indexes have none)
      return await findPage(episodes, status === undefined ? { seriesId } : { seriesId, status }, page, { uniqueSort: true })
    },

    async listByStatus (status: EpisodeStatus, page: PageRequest) {
      return await findPage(episodes, { status }, page)
    },

    /** Publishes an episode at the revision its caller claimed (see the audit repository). */
    async publish (id: ObjectId, revision: number, now: Date): Promise<EpisodeDoc | null> {
      return await episodes.findOneAndUpdate(
        { _id: id, revision },
        { $set: { status: 'published', publishedAt: now, updatedAt: now }, $inc: { revision: 1 } },
        { returnDocument: 'after' }
      )
    }
  }
}

export type EpisodesRepository = ReturnType<typeof createEpisodesRepository>
