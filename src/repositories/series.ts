import type { Db, Filter, ObjectId } from 'mongodb'
import type { Series } from '../schemas/catalog.js'
import { findPage, type PageRequest } from '../lib/pagination.js'

export type SeriesStatus = 'draft' | 'pending' | 'published'

export interface SeriesDoc {
  _id: ObjectId
  ownerId: ObjectId
  title: string
  description: string
  genres: string[]
  status: SeriesStatus
  createdAt: Date
  updatedAt: Date
  publishedAt: Date | null
}

export function toSeries (doc: SeriesDoc): Series {
  return {
    id: doc._id.toHexString(),
    creatorId: doc.ownerId.toHexString(),
    title: doc.title,
    description: doc.description,
    genres: doc.genres,
    status: doc.status,
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
    publishedAt: doc.publishedAt?.toISOString() ?? null
  }
}

export function createSeriesRepository (db: Db) {
  const series = db.collection<SeriesDoc>('series')

  return {
    collection: series,

    async ensureIndexes (): Promise<void> {
      // creator lists (filter by owner, optionally status; sort by createdAt/updatedAt/title)
      // Creator lists: owner, optionally status; sorted by createdAt or title.
      for (const sort of ['createdAt', 'title']) {
        await series.createIndex({ ownerId: 1, [sort]: 1, _id: 1 }, { name: `owner_${sort}` })
        await series.createIndex({ ownerId: 1, status: 1, [sort]: 1, _id: 1 }, { name: `owner_status_${sort}` })
      }
      // The admin queue (status, oldest first) and the catalogue (published, optionally a genre; newest or by title).
      await series.createIndex({ status: 1, createdAt: 1, _id: 1 }, { name: 'status_createdAt' })
      for (const sort of ['publishedAt', 'title']) {
        await series.createIndex({ status: 1, [sort]: 1, _id: 1 }, { name: `status_${sort}` })
        await series.createIndex({ status: 1, genres: 1, [sort]: 1, _id: 1 }, { name: `status_genres_${sort}` })
      }
    },

    async create (input: Pick<SeriesDoc, 'ownerId' | 'title' | 'description' | 'genres'>): Promise<SeriesDoc> {
      const now = new Date()
      const doc = { ...input, status: 'pending' as const, createdAt: now, updatedAt: now, publishedAt: null }
      const { insertedId } = await series.insertOne(doc as SeriesDoc)
      return { ...doc, _id: insertedId }
    },

    async findById (id: ObjectId): Promise<SeriesDoc | null> {
      return await series.findOne({ _id: id })
    },

    async findOwned (ownerId: ObjectId, id: ObjectId): Promise<SeriesDoc | null> {
      return await series.findOne({ _id: id, ownerId })
    },

    async findPublished (id: ObjectId): Promise<SeriesDoc | null> {
      return await series.findOne({ _id: id, status: 'published' })
    },

    async listOwned (ownerId: ObjectId, status: SeriesStatus | undefined, page: PageRequest) {
      const filter: Filter<SeriesDoc> = status === undefined ? { ownerId } : { ownerId, status }
      return await findPage(series, filter, page)
    },

    async listByStatus (status: SeriesStatus, genre: string | undefined, page: PageRequest) {
      const filter: Filter<SeriesDoc> = genre === undefined ? { status } : { status, genres: genre }
      return await findPage(series, filter, page)
    },

    /** Publishes a draft or pending series; a series already published stays as it is. */
    async publishIfUnpublished (id: ObjectId, now: Date): Promise<void> {
      await series.updateOne(
        { _id: id, status: { $in: ['draft', 'pending'] } },
        { $set: { status: 'published', publishedAt: now, updatedAt: now } }
      )
    }
  }
}

export type SeriesRepository = ReturnType<typeof createSeriesRepository>
