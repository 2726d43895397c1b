import type { Db, ObjectId } from 'mongodb'
import { unlessDuplicate, upsertRacing } from '../adapters/db.js'

/** Plays of one episode by viewers, per UTC day, counted in batches (see PlaybackService.flushViews). */
export interface EpisodePlaysDoc {
  _id: ObjectId
  seriesId: ObjectId
  plays: number
  playsByDay: Record<string, number>
  /** The last batch counted in: a retried flush skips it. */
  batch: string
}

/** What viewers did with one episode: recomputed by a job from its viewers' progress, never per request. */
export interface EpisodeStatsDoc {
  _id: ObjectId
  seriesId: ObjectId
  number: number
  plays: number
  uniqueViewers: number
  /** Seconds of the episode viewers got through (each one's furthest position), summed. */
  watchTimeSec: number
  /** The mean of each viewer's furthest position over the duration (0 to 1). */
  avgCompletion: number
  /** Share of the viewers who reached 0 %, 10 %, … 100 % of the episode (11 values, 1 at 0 %). */
  dropOff: number[]
  updatedAt: Date
}

/** A series' funnel across its episodes and its paywall conversion. */
/** How one language did: subtitles (null: watched without) or audio (a dub, or the original's language). */
export interface LanguageStats {
  kind: 'subtitles' | 'audio'
  language: string | null
  /** Viewer-episode pairs watched this way, and the viewers among them. */
  views: number
  viewers: number
  /** Of the views, those watched to the end; and the mean of how far they got (0 to 1). */
  completed: number
  avgCompletion: number
}

export interface SeriesStatsDoc {
  _id: ObjectId
  funnel: Array<{ episodeId: ObjectId, number: number, viewers: number }>
  /** The first episode that is not free (null when every episode is free). */
  firstLockedNumber: number | null
  /** Viewers who finished the last free episode or started a locked one. */
  reachedPaywall: number
  /** Of them, those who started a locked episode (they unlocked it or subscribed). */
  converted: number
  /** Views and completion by the subtitle and audio language viewers chose. */
  languages?: LanguageStats[]
  updatedAt: Date
}

/** One UTC day of the platform. */
export interface PlatformDayDoc {
  _id: string
  signups: number
  activeViewers: number
  plays: number
  coinsPurchased: number
  coinsSpent: number
  subscriptionsStarted: number
  subscriptionsEnded: number
  playsBatch?: string
  updatedAt: Date
}

/** The analytics rollups: what the stats endpoints read. */
export function createAnalyticsRepository (db: Db) {
  const plays = db.collection<EpisodePlaysDoc>('episode_plays')
  const episodes = db.collection<EpisodeStatsDoc>('episode_stats')
  const series = db.collection<SeriesStatsDoc>('series_stats')
  const platform = db.collection<PlatformDayDoc>('platform_days')

  return {
    collections: { plays, episodes, series, platform },

    async ensureIndexes (): Promise<void> {
      await episodes.createIndex({ seriesId: 1, number: 1 }, { name: 'series_number' })
      await plays.createIndex({ seriesId: 1 }, { name: 'seriesId' })
    },

    /**
     * Counts a batch of plays in, once per batch: an episode's per day, and the platform's day. An upsert filtered
     * on "not this batch yet": when the batch was counted, the filter misses and the upsert's insert meets the
     * unique _id (skipped).
     */
    async recordPlays (episodeId: ObjectId, seriesId: ObjectId, byDay: Record<string, number>, batch: string) {
      const total = Object.values(byDay).reduce((a, b) => a + b, 0)
      const inc = { plays: total, ...Object.fromEntries(Object.entries(byDay).map(([d, n]) => [`playsByDay.${d}`, n])) }
      const notYet = { _id: episodeId, batch: { $ne: batch } }
      await unlessDuplicate(() => plays.updateOne(notYet, { $inc: inc, $set: { seriesId, batch } }, { upsert: true }))
    },

    async recordDayPlays (day: string, count: number, batch: string): Promise<void> {
      const notYet = { _id: day, playsBatch: { $ne: batch } }
      const add = { $inc: { plays: count }, $set: { playsBatch: batch } }
      await unlessDuplicate(() => platform.updateOne(notYet, add, { upsert: true }))
    },

    /** A series' plays per UTC day (its episodes' summed), oldest first. */
    async seriesPlaysByDay (seriesId: ObjectId): Promise<Array<{ day: string, plays: number }>> {
      const total: Record<string, number> = {}
      for await (const doc of plays.find({ seriesId }, { projection: { playsByDay: 1 } })) {
        for (const [day, n] of Object.entries(doc.playsByDay ?? {})) total[day] = (total[day] ?? 0) + n
      }
      return Object.entries(total).sort(([a], [b]) => a.localeCompare(b)).map(([day, n]) => ({ day, plays: n }))
    },

    async playsOf (episodeId: ObjectId): Promise<number> {
      return (await plays.findOne({ _id: episodeId }))?.plays ?? 0
    },

    async saveEpisode (doc: EpisodeStatsDoc): Promise<void> {
      await episodes.replaceOne({ _id: doc._id }, doc, { upsert: true })
    },

    async saveSeries (doc: SeriesStatsDoc): Promise<void> {
      await series.replaceOne({ _id: doc._id }, doc, { upsert: true })
    },

    /** Sets a day's figures recounted from their sources (its plays are counted in by recordDayPlays). */
    async savePlatformDay (day: string, figures: Omit<PlatformDayDoc, '_id' | 'plays' | 'playsBatch'>): Promise<void> {
      await upsertRacing(() => platform.updateOne({ _id: day }, { $set: figures }, { upsert: true }))
    },

    async episodesOf (seriesId: ObjectId): Promise<EpisodeStatsDoc[]> {
      return await episodes.find({ seriesId }, { sort: { number: 1 } }).toArray()
    },

    async seriesStats (seriesId: ObjectId): Promise<SeriesStatsDoc | null> {
      return await series.findOne({ _id: seriesId })
    },

    async platformDays (from: string, to: string): Promise<PlatformDayDoc[]> {
      return await platform.find({ _id: { $gte: from, $lte: to } }, { sort: { _id: 1 } }).toArray()
    }
  }
}

export type AnalyticsRepository = ReturnType<typeof createAnalyticsRepository>
