import type { Db, ObjectId } from 'mongodb'
import type { PageRequest } from '../schemas/params.js'
import { findPage, upsertRacing } from '../adapters/db.js'

export interface MyListDoc {
  _id: ObjectId
  userId: ObjectId
  seriesId: ObjectId
  addedAt: Date
}

/** The series a viewer saved for later: one row per (user, series). */
export function createMyListRepository (db: Db) {
  const list = db.collection<MyListDoc>('my_list')

  return {
    collection: list,

    async ensureIndexes (): Promise<void> {
      await list.createIndex({ userId: 1, seriesId: 1 }, { unique: true, name: 'user_series_unique' })
      await list.createIndex({ userId: 1, addedAt: -1, _id: -1 }, { name: 'user_addedAt' })
    },

    /** Idempotent: adding twice keeps the first date. */
    async add (userId: ObjectId, seriesId: ObjectId): Promise<void> {
      await upsertRacing(() =>
        list.updateOne({ userId, seriesId }, { $setOnInsert: { addedAt: new Date() } }, { upsert: true }))
    },

    async remove (userId: ObjectId, seriesId: ObjectId): Promise<void> {
      await list.deleteOne({ userId, seriesId })
    },

    async list (userId: ObjectId, page: PageRequest) {
      return await findPage(list, { userId }, page)
    },

    /** The ids of the series the user saved, at most `limit` of them, in no particular order. */
    async savedIds (userId: ObjectId, limit: number): Promise<string[]> {
      const rows = await list.find({ userId }, { projection: { seriesId: 1 }, limit }).toArray()
      return rows.map((r) => r.seriesId.toHexString())
    },

    /** Which of these series the user saved, in one query. */
    async savedAmong (userId: ObjectId, seriesIds: ObjectId[]): Promise<Set<string>> {
      if (seriesIds.length === 0) return new Set()
      const rows = await list.find({ userId, seriesId: { $in: seriesIds } }, { projection: { seriesId: 1 } }).toArray()
      return new Set(rows.map((r) => r.seriesId.toHexString()))
    }
  }
}

export type MyListRepository = ReturnType<typeof createMyListRepository>
