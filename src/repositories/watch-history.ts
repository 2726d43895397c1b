import type { Db, ObjectId } from 'mongodb'
import type { PageRequest } from '../schemas/params.js'
import { findPage, upsertRacing } from '../adapters/db.js'

export interface WatchDoc {
  _id: ObjectId
  userId: ObjectId
  episodeId: ObjectId
  seriesId: ObjectId
  positionSec: number
  durationSec: number | null
  completed: boolean
  /** The furthest position ever reported (analytics: how far the viewer got). */
  furthestSec?: number
  /** The subtitles (null: none) and dubbed audio (null: the original) of the latest report. */
  subtitleLanguage?: string | null
  audioLanguage?: string | null
  updatedAt: Date
}

export function createWatchHistoryRepository (db: Db) {
  const history = db.collection<WatchDoc>('watch_history')

  return {
    collection: history,

    async ensureIndexes (): Promise<void> {
      await history.createIndex({ userId: 1, episodeId: 1 }, { unique: true, name: 'user_episode_unique' })
      await history.createIndex({ userId: 1, updatedAt: -1, _id: -1 }, { name: 'user_updatedAt' })
      await history.createIndex({ episodeId: 1 }, { name: 'episodeId' })
      await history.createIndex({ seriesId: 1 }, { name: 'seriesId' })
    },

    /** One row per (user, episode): the latest position wins. */
    async find (userId: ObjectId, episodeId: ObjectId): Promise<WatchDoc | null> {
      return await history.findOne({ userId, episodeId })
    },

    async record (entry: Omit<WatchDoc, '_id' | 'updatedAt'>): Promise<WatchDoc> {
      const { userId, episodeId, ...rest } = entry
      const upsert = async () => await history.findOneAndUpdate(
        { userId, episodeId },
        { $set: { ...rest, updatedAt: new Date() }, $max: { furthestSec: rest.positionSec } },
        { upsert: true, returnDocument: 'after' }
      )
      return (await upsertRacing(upsert))!
    },

    /** The user's most recent entries, newest first (served by the user_updatedAt index). */
    async recentForUser (userId: ObjectId, limit: number): Promise<WatchDoc[]> {
      return await history.find({ userId }, { sort: { updatedAt: -1, _id: -1 }, limit }).toArray()
    },

    /** How far each viewer got in these episodes (analytics jobs). */
    async progressOf (filter: { episodeId: ObjectId } | { seriesId: ObjectId }) {
      const fields = ['userId', 'episodeId', 'furthestSec', 'positionSec', 'durationSec', 'completed', 'subtitleLanguage', 'audioLanguage']
      const projection = Object.fromEntries(fields.map((f) => [f, 1]))
      return await history.find(filter, { projection }).toArray()
    },

    async listForUser (userId: ObjectId, page: PageRequest) {
      return await findPage(history, { userId }, page)
    }
  }
}

export type WatchHistoryRepository = ReturnType<typeof createWatchHistoryRepository>
