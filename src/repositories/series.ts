import type { Db, Filter, ObjectId } from 'mongodb'
import type { SeriesStatus } from '../schemas/catalog.js'
import type { PageRequest } from '../schemas/params.js'
import { findPage, updateAtRevision } from '../adapters/db.js'
import { foldText } from '../lib/locale.js'

export interface SeriesDoc {
  _id: ObjectId
  ownerId: ObjectId
  title: string
  description: string
  genres: string[]
  status: SeriesStatus
  /** Bumped by every status change; see src/services/moderation.ts. */
  revision: number
  /** Episodes 1..freeEpisodes play without a subscription. */
  freeEpisodes: number
  /** Coins that unlock one of its other episodes (set by its creator within COIN_PRICE_MIN..MAX); absent: VIP only. */
  coinPrice?: number
  /** Why an admin rejected or took it down; cleared when it is resubmitted. */
  moderationNote: string | null
  /** The title lowercased with spaces collapsed: what the order by title sorts on. */
  titleLower: string
  /** The language its title and description are written in (BCP 47); absent on series made before languages. */
  language?: string
  /** Its title and description in other languages (of LANGUAGES), by language. */
  translations?: Record<string, SeriesText>
  /** Every language's title, folded (src/lib/locale.ts foldText): what search matches as a prefix. */
  titleKeys?: string[]
  /** Coins per market (of MARKETS) where the price differs from coinPrice. */
  regionalPrices?: Record<string, number>
  /** Plays, in total and per UTC day (the last 7 days only); trending is the sum of those days. */
  views: number
  viewsByDay: Record<string, number>
  trending: number
  /** The cover image's key in the bucket, or null. */
  coverKey: string | null
  /** The last batch of buffered views counted in (see recordViews). */
  viewBatch?: string
  createdAt: Date
  updatedAt: Date
  publishedAt: Date | null
}

/** A series' text in one language. */
export interface SeriesText {
  title: string
  description: string
}

/** What title search matches: the original title and every translation's, folded. */
export const titleKeysOf = (doc: { title: string, translations?: Record<string, SeriesText> }): string[] =>
  [...new Set([doc.title, ...Object.values(doc.translations ?? {}).map((t) => t.title)].map(foldText))]

export const normaliseTitle = (title: string): string => title.trim().toLowerCase().replace(/\s+/g, ' ')

/** Escapes a user's search text so it is matched literally as a prefix, never as a pattern. */
const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

const TRENDING_DAYS = 7
const day = (date: Date): string => date.toISOString().slice(0, 10)

/** The sum of the last 7 days' plays, and the older day keys to drop. */
function trendingOf (viewsByDay: Record<string, number>, now: Date): { trending: number, stale: string[] } {
  const since = day(new Date(now.getTime() - (TRENDING_DAYS - 1) * 86_400_000))
  let trending = 0
  const stale: string[] = []
  for (const [d, n] of Object.entries(viewsByDay)) {
    if (d >= since) trending += n
    else stale.push(d)
  }
  return { trending, stale }
}

/** What a creator may edit of a series. */
export type SeriesEdit = Partial<Pick<SeriesDoc, 'title' | 'description' | 'genres' | 'freeEpisodes' | 'coinPrice' | 'coverKey' |
  'regionalPrices'>>

export interface CatalogueFilter {
  genre?: string
  /** A prefix of its title in any language, any case, diacritics folded. */
  q?: string
}

export function createSeriesRepository (db: Db) {
  const series = db.collection<SeriesDoc>('series')
  /** The catalogue's filter: published (or another status), optionally one genre and a title prefix. */
  const catalogueFilter = (status: SeriesStatus, { genre, q }: CatalogueFilter): Filter<SeriesDoc> => ({
    status,
    ...(genre === undefined ? {} : { genres: genre }),
    ...(q === undefined ? {} : { titleKeys: { $regex: `^${escapeRegex(foldText(q))}` } })
  })

  /** Writes the search keys of the titles a write left (unless a later write did since: it writes its own). */
  async function withTitleKeys (doc: SeriesDoc | null): Promise<SeriesDoc | null> {
    if (doc === null) return null
    const titleKeys = titleKeysOf(doc)
    await series.updateOne({ _id: doc._id, updatedAt: doc.updatedAt }, { $set: { titleKeys } })
    return { ...doc, titleKeys }
  }

  async function recordViews (id: ObjectId, byDay: Record<string, number>, batch?: string, now = new Date()) {
    const plays = Object.values(byDay).reduce((a, b) => a + b, 0)
    const inc = { views: plays, ...Object.fromEntries(Object.entries(byDay).map(([d, n]) => [`viewsByDay.${d}`, n])) }
    const updated = await series.findOneAndUpdate(
      batch === undefined ? { _id: id } : { _id: id, viewBatch: { $ne: batch } },
      { $inc: inc, ...(batch === undefined ? {} : { $set: { viewBatch: batch } }) },
      // No projection: FerretDB v1 does not implement one on findAndModify.
      { returnDocument: 'after' }
    )
    if (updated === null) return
    const { trending, stale } = trendingOf(updated.viewsByDay, now)
    await series.updateOne({ _id: id }, {
      $set: { trending },
      ...(stale.length > 0 ? { $unset: Object.fromEntries(stale.map((d) => [`viewsByDay.${d}`, ''])) } : {})
    })
  }

  return {
    collection: series,

    async ensureIndexes (): Promise<void> {
      // Creator lists: owner, optionally status; sorted by createdAt or title.
      for (const sort of ['createdAt', 'title']) {
        await series.createIndex({ ownerId: 1, [sort]: 1, _id: 1 }, { name: `owner_${sort}` })
        await series.createIndex({ ownerId: 1, status: 1, [sort]: 1, _id: 1 }, { name: `owner_status_${sort}` })
      }
      // The admin queue (status, oldest first) and the catalogue (published, optionally a genre; newest, by
      // title, most viewed or trending); title search is a prefix of titleLower.
      await series.createIndex({ status: 1, createdAt: 1, _id: 1 }, { name: 'status_createdAt' })
      await series.createIndex({ status: 1, titleLower: 1, _id: 1 }, { name: 'status_titleLower' })
      await series.createIndex({ status: 1, titleKeys: 1 }, { name: 'status_titleKeys' })
      // Series made before titles were searched in every language: their title's key.
      for await (const doc of series.find({ titleKeys: { $exists: false } })) {
        const titleKeys = titleKeysOf(doc)
        await series.updateOne({ _id: doc._id, titleKeys: { $exists: false } }, { $set: { titleKeys } })
      }
      await series.createIndex({ trending: 1 }, { name: 'trending' })
      for (const sort of ['publishedAt', 'title', 'views', 'trending']) {
        await series.createIndex({ status: 1, [sort]: 1, _id: 1 }, { name: `status_${sort}` })
        await series.createIndex({ status: 1, genres: 1, [sort]: 1, _id: 1 }, { name: `status_genres_${sort}` })
      }
    },

    async create (input: Pick<SeriesDoc, 'ownerId' | 'title' | 'description' | 'genres' | 'freeEpisodes' | 'coinPrice' |
      'status' | 'language' | 'regionalPrices'>): Promise<SeriesDoc> {
      const now = new Date()
      const doc = {
        ...input,
        titleLower: normaliseTitle(input.title),
        titleKeys: titleKeysOf(input),
        views: 0,
        viewsByDay: {},
        trending: 0,
        coverKey: null,
        revision: 0,
        moderationNote: null,
        createdAt: now,
        updatedAt: now,
        publishedAt: null
      }
      const { insertedId } = await series.insertOne(doc as SeriesDoc)
      return { ...doc, _id: insertedId }
    },

    async findById (id: ObjectId): Promise<SeriesDoc | null> {
      return await series.findOne({ _id: id })
    },

    async findOwned (ownerId: ObjectId, id: ObjectId): Promise<SeriesDoc | null> {
      return await series.findOne({ _id: id, ownerId })
    },

    async findManyPublished (ids: ObjectId[]): Promise<SeriesDoc[]> {
      return ids.length === 0 ? [] : await series.find({ _id: { $in: ids }, status: 'published' }).toArray()
    },

    /** By _id alone, status checked here: FerretDB pushes down only a bare _id filter (MongoDB serves both alike). */
    async findPublished (id: ObjectId): Promise<SeriesDoc | null> {
      const doc = await series.findOne({ _id: id })
      return doc?.status === 'published' ? doc : null
    },

    async listOwned (ownerId: ObjectId, status: SeriesStatus | undefined, page: PageRequest) {
      const filter: Filter<SeriesDoc> = status === undefined ? { ownerId } : { ownerId, status }
      return await findPage(series, filter, page)
    },

    /** A page of series of one status; `total`: where the total comes from when not a count (a cached one). */
    async listByStatus (
      status: SeriesStatus, filter: CatalogueFilter, page: PageRequest, total?: () => Promise<number>
    ) {
      return await findPage(series, catalogueFilter(status, filter), page, { total })
    },

    async countPublished (filter: CatalogueFilter): Promise<number> {
      return await series.countDocuments(catalogueFilter('published', filter))
    },

    /** Published series per genre, most first. */
    async genreCounts (): Promise<Array<{ genre: string, count: number }>> {
      const rows = await series.aggregate<{ _id: string, count: number }>([
        { $match: { status: 'published' } },
        { $unwind: '$genres' },
        { $group: { _id: '$genres', count: { $sum: 1 } } },
        { $sort: { count: -1, _id: 1 } }
      ]).toArray()
      return rows.map((r) => ({ genre: r._id, count: r.count }))
    },

    /** Counts a play: the total, today's bucket, and the 7-day trending score. */
    async recordView (id: ObjectId, now = new Date()): Promise<void> {
      await recordViews(id, { [day(now)]: 1 }, undefined, now)
    },

    recordViews,

    /** Lets trending scores decay for series nobody played lately (run periodically). */
    async refreshTrending (now = new Date()): Promise<number> {
      const scored = await series.find({ trending: { $gt: 0 } }, { projection: { viewsByDay: 1, trending: 1 } })
        .toArray()
      let changed = 0
      for (const doc of scored) {
        const { trending } = trendingOf(doc.viewsByDay, now)
        if (trending !== doc.trending) {
          await series.updateOne({ _id: doc._id }, { $set: { trending } })
          changed++
        }
      }
      return changed
    },

    async update (ownerId: ObjectId, id: ObjectId, set: SeriesEdit): Promise<SeriesDoc | null> {
      const titleLower = set.title === undefined ? {} : { titleLower: normaliseTitle(set.title) }
      const updated = await series.findOneAndUpdate(
        { _id: id, ownerId },
        { $set: { ...set, ...titleLower, updatedAt: new Date() } },
        { returnDocument: 'after' }
      )
      return set.title === undefined ? updated : await withTitleKeys(updated)
    },

    /** Sets (or, with null, removes) its text in one language other than its original. */
    async setTranslation (
      ownerId: ObjectId, id: ObjectId, language: string, text: SeriesText | null
    ): Promise<SeriesDoc | null> {
      const field = `translations.${language}`
      const change = text === null ? { $unset: { [field]: '' as const } } : { $set: { [field]: text } }
      const updated = await series.findOneAndUpdate(
        { _id: id, ownerId }, { ...change, $set: { ...change.$set, updatedAt: new Date() } }, { returnDocument: 'after' })
      return await withTitleKeys(updated)
    },

    /** A status change at the revision its caller claimed (see src/services/moderation.ts). */
    async updateAtRevision (id: ObjectId, revision: number, set: Partial<SeriesDoc>): Promise<SeriesDoc | null> {
      return await updateAtRevision(series, id, revision, set)
    },

    async remove (id: ObjectId): Promise<void> {
      await series.deleteOne({ _id: id })
    }
  }
}

export type SeriesRepository = ReturnType<typeof createSeriesRepository>
