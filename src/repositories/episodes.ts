import type { Db, ObjectId } from 'mongodb'
import type { EpisodeStatus } from '../schemas/catalog.js'
import type { PageRequest } from '../schemas/params.js'
import { findPage, insertOrNull, updateAtRevision } from '../adapters/db.js'

export interface EpisodeDoc {
  _id: ObjectId
  seriesId: ObjectId
  ownerId: ObjectId
  videoId: ObjectId
  number: number
  title: string
  /** Its video's, as the media pipeline read it. */
  durationSec: number | null
  /**
   * What plays it: its video's files, copied when the video is set (a ready video's files never change), so that a
   * play reads the episode alone. Absent on episodes made before it was kept: their video is read instead.
   */
  source?: EpisodeSource
  /** Its title in other languages than its series' original, by language. */
  translations?: Record<string, { title: string }>
  /** Its subtitles, by language: WebVTT files in the bucket beside its video's ladder (src/services/subtitles.ts). */
  subtitles?: Record<string, SubtitleFile>
  /** Its dubbed audio, by language: each made an HLS audio rendition by the worker (src/services/dubbing.ts). */
  audio?: Record<string, AudioTrack>
  status: EpisodeStatus
  /** Bumped by every status change; see the audit repository. */
  revision: number
  /** Why an admin rejected or took it down; cleared when it is resubmitted. */
  moderationNote: string | null
  createdAt: Date
  updatedAt: Date
  publishedAt: Date | null
}

/** One language's subtitles: the WebVTT object, its cues and size, when it was set. */
export interface SubtitleFile {
  key: string
  cues: number
  bytes: number
  updatedAt: Date
}

/** One language's dubbed audio: its upload and what the worker made of it (states and failures as a video's). */
export interface AudioTrack {
  s3Key: string
  status: 'uploaded' | 'processing' | 'ready' | 'failed'
  failure: { code: string, message: string } | null
  /** The HLS rendition's folder beside the ladder (`audio-<language>-<n>`), once ready. */
  folder: string | null
  /** Which upload this is: a replacement's job does not finish an older one. */
  revision: number
  updatedAt: Date
}

/** The fields of an episode kept per language. */
type PerLanguage = { translations: { title: string }, subtitles: SubtitleFile, audio: AudioTrack }

/** The files of an episode's video: the upload, its HLS master playlist and poster (null without them). */
export interface EpisodeSource {
  s3Key: string
  hlsMasterKey: string | null
  posterKey: string | null
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

    /** Adds a pending episode; null when the series already has an episode with that number. */
    async create (
      input: Pick<EpisodeDoc, 'seriesId' | 'ownerId' | 'videoId' | 'number' | 'title' | 'durationSec' | 'source'>
    ): Promise<EpisodeDoc | null> {
      const now = new Date()
      return await insertOrNull(episodes, {
        ...input, status: 'pending', revision: 0, moderationNote: null, createdAt: now, updatedAt: now, publishedAt: null
      } as EpisodeDoc)
    },

    async findById (id: ObjectId): Promise<EpisodeDoc | null> {
      return await episodes.findOne({ _id: id })
    },

    async findManyPublished (ids: ObjectId[]): Promise<EpisodeDoc[]> {
      return ids.length === 0 ? [] : await episodes.find({ _id: { $in: ids }, status: 'published' }).toArray()
    },

    /** By _id alone, status checked here: FerretDB pushes down only a bare _id filter (MongoDB serves both alike). */
    async findPublished (id: ObjectId): Promise<EpisodeDoc | null> {
      const doc = await episodes.findOne({ _id: id })
      return doc?.status === 'published' ? doc : null
    },

    /** The first `max` published episodes of a series, in order (the whole series when it has no more). */
    async listPublished (seriesId: ObjectId, max: number): Promise<EpisodeDoc[]> {
      return await episodes.find({ seriesId, status: 'published' }, { sort: { number: 1 }, limit: max }).toArray()
    },

    async listForSeries (seriesId: ObjectId, status: EpisodeStatus | undefined, page: PageRequest) {
      // number is unique within a series, so it needs no _id tie-breaker (and the indexes have none)
      const filter = status === undefined ? { seriesId } : { seriesId, status }
      return await findPage(episodes, filter, page, { uniqueSort: true })
    },

    async listByStatus (status: EpisodeStatus, page: PageRequest) {
      return await findPage(episodes, { status }, page)
    },

    async findOwned (ownerId: ObjectId, id: ObjectId): Promise<EpisodeDoc | null> {
      return await episodes.findOne({ _id: id, ownerId })
    },

    /** The published episode after `number` in the series, or null at the end. */
    async findNextPublished (seriesId: ObjectId, number: number): Promise<EpisodeDoc | null> {
      return await episodes.findOne({ seriesId, status: 'published', number: { $gt: number } }, { sort: { number: 1 } })
    },

    async update (
      ownerId: ObjectId, id: ObjectId, set: Partial<Pick<EpisodeDoc, 'title' | 'videoId' | 'durationSec' | 'source'>>
    ): Promise<EpisodeDoc | null> {
      return await episodes.findOneAndUpdate({ _id: id, ownerId }, { $set: { ...set, updatedAt: new Date() } }, { returnDocument: 'after' })
    },

    /** Sets (or, with null, removes) one language's title or subtitles; the episode as it was before. */
    async setForLanguage<F extends keyof PerLanguage> (
      ownerId: ObjectId, id: ObjectId, field: F, language: string, value: PerLanguage[F] | null
    ): Promise<EpisodeDoc | null> {
      const path = `${field}.${language}`
      const now = new Date()
      const change = value === null
        ? { $unset: { [path]: '' as const }, $set: { updatedAt: now } }
        : { $set: { [path]: value, updatedAt: now } }
      return await episodes.findOneAndUpdate({ _id: id, ownerId }, change, { returnDocument: 'before' })
    },

    /**
     * Changes one language's dub while it is still the upload `revision` (a replacement's job leaves it alone) and,
     * with `from`, in one of those states; the episode after, or null when it was not.
     */
    async updateAudio (
      id: ObjectId, language: string, revision: number, set: Partial<AudioTrack>, from?: Array<AudioTrack['status']>
    ): Promise<EpisodeDoc | null> {
      const path = `audio.${language}`
      const changes = Object.fromEntries(Object.entries(set).map(([k, v]) => [`${path}.${k}`, v]))
      return await episodes.findOneAndUpdate(
        { _id: id, [`${path}.revision`]: revision, ...(from === undefined ? {} : { [`${path}.status`]: { $in: from } }) },
        { $set: { ...changes, [`${path}.updatedAt`]: new Date(), updatedAt: new Date() } },
        { returnDocument: 'after' })
    },

    /** A status change at the revision its caller claimed (see src/services/moderation.ts). */
    async updateAtRevision (id: ObjectId, revision: number, set: Partial<EpisodeDoc>): Promise<EpisodeDoc | null> {
      return await updateAtRevision(episodes, id, revision, set)
    },

    async remove (id: ObjectId): Promise<void> {
      await episodes.deleteOne({ _id: id })
    },

    async removeForSeries (seriesId: ObjectId): Promise<void> {
      await episodes.deleteMany({ seriesId })
    },

    async countPublished (seriesId: ObjectId): Promise<number> {
      return await episodes.countDocuments({ seriesId, status: 'published' })
    }
  }
}

export type EpisodesRepository = ReturnType<typeof createEpisodesRepository>
