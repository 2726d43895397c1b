import { ObjectId } from 'mongodb'
import { ApiError } from '../errors.js'
import { event } from '../events.js'
import type { WatchEntry } from '../schemas/catalog.js'
import { isReviewer } from './access.js'
import type { PageRequest } from '../schemas/params.js'
import type { CatalogueService } from './catalogue.js'
import type { StreamingService, StreamTracks } from './streaming.js'
import type { AnalyticsService } from './analytics.js'
import type { Caller, Page, ServiceDeps } from './types.js'
import {
  episodeSource, streamFilesOf, toVideoSource, toWatchEntry, trackName, UNDETERMINED, type StreamFiles, type VideoSource
} from './views.js'

/** Where a progress report leaves the viewer. */
export function progressOf (report: { positionSec: number, durationSec: number | null, completed?: boolean }) {
  const { durationSec } = report
  // Players report a little past the end (rounding, a stale duration): that is the end, not an error.
  const positionSec = durationSec === null ? report.positionSec : Math.min(report.positionSec, durationSec)
  const completed = report.completed ?? (durationSec !== null && positionSec >= durationSec * 0.95)
  return { positionSec, durationSec, completed }
}

/** How to play an episode: an HLS master playlist, or (a video without a ladder yet) the MP4 file itself. */
export interface Play {
  type: 'hls' | 'mp4'
  url: string
  posterUrl: string | null
  expiresAt: string
}

/** What a player reports: where the viewer is in an episode. */
export interface ProgressReport {
  episodeId: ObjectId
  positionSec: number
  completed?: boolean
  /** The subtitles the viewer has on, and the dub they chose (null or absent: none, the original). */
  subtitleLanguage?: string | null
  audioLanguage?: string | null
}

/** Plays waiting to be counted: a hash of `<seriesId>:<day>` → plays, moved whole into a batch by each flush. */
const PENDING_VIEWS = 'views:pending'
/** The batches not yet applied, by the time they were made (applied oldest first). */
const VIEW_BATCHES = 'views:batches'
const viewBatch = (id: string) => `views:batch:${id}`
const day = (date: Date): string => date.toISOString().slice(0, 10)

/**
 * Playback: who may play what, views, and where each viewer is in each episode. Published episodes are read
 * through the catalogue's cache (`catalogue`); an unpublished one only by its reviewers, from the database.
 */
export function createPlaybackService (
  { repos, storage, events, config, redis, log }: ServiceDeps,
  catalogue: Pick<CatalogueService, 'publishedEpisode' | 'videoSource' | 'episodesForViewer'>,
  streaming: Pick<StreamingService, 'issue'>,
  analytics: Pick<AnalyticsService, 'touched'>
) {
  const { episodes, series, videos, watchHistory } = repos

  /**
   * A viewer's play of an episode, buffered in Redis for the worker to count in batches (the series' views, the
   * episode's and the platform's plays); the series' view is counted at once while Redis is down.
   */
  async function countView (seriesId: ObjectId, episodeId: string, now = new Date()): Promise<void> {
    try {
      await redis.hincrby(PENDING_VIEWS, `${seriesId.toHexString()}:${day(now)}:${episodeId}`, 1)
    } catch {
      await series.recordView(seriesId, now)
    }
  }

  return {
    /**
     * A signed URL to play an episode, for a published episode of a published series (404 otherwise): free
     * previews for anyone, the rest with a subscription or an unlock (403 `episode_locked` where coins unlock it,
     * `subscription_required` where only VIP does). Reviewers
     * (admins, its creator) may always play it. A viewer's play counts as a view of the series.
     */
    async play (caller: Caller, id: ObjectId, apiBaseUrl: string): Promise<Play> {
      let source: VideoSource | null
      const published = await catalogue.publishedEpisode(id).catch(() => null)
      if (published !== null) {
        const { episode, owner } = published
        if (!isReviewer({ ownerId: owner.creatorId }, caller)) {
          const [shown] = await catalogue.episodesForViewer(caller, owner, [episode])
          if (shown?.access === 'locked') throw new ApiError(owner.coinPrice === null ? 'subscription_required' : 'episode_locked')
          // It counts towards the series' views and trending score; it need not delay the answer.
          countView(ObjectId.createFromHexString(owner.id), episode.id).catch((err: unknown) => log.warn({ err }, 'could not count a view'))
        }
        source = published.source ?? await catalogue.videoSource(id, published.videoId)
      } else {
        // Not (or no longer) published: only its reviewers may play it, to review it.
        const episode = await episodes.findById(id)
        if (episode === null || !isReviewer(episode, caller)) throw new ApiError('episode_not_found')
        source = episodeSource(episode) ??
          await videos.findById(episode.videoId).then((video) => video === null ? null : toVideoSource(video))
      }
      if (source === null) throw new ApiError('episode_not_found')
      const ttl = config.PLAYBACK_URL_TTL
      const posterUrl = source.posterKey === null ? null : await storage.presignDownload(source.posterKey, ttl)
      if (source.hlsMasterKey !== null) {
        const { token, expiresAt } = streaming.issue(id, source.id)
        const url = `${apiBaseUrl}/stream/${id.toHexString()}/${token}/master.m3u8`
        return { type: 'hls', url, posterUrl, expiresAt: expiresAt.toISOString() }
      }
      const url = await storage.presignDownload(source.s3Key, ttl)
      return { type: 'mp4', url, posterUrl, expiresAt: new Date(Date.now() + ttl * 1000).toISOString() }
    },

    /**
     * What an episode's stream offers beside its ladder (a published one's from the cache; another's, which only
     * its reviewers hold a token for, from the database), as the master playlist announces it.
     */
    async streamTracks (episodeId: ObjectId): Promise<StreamTracks> {
      const published = await catalogue.publishedEpisode(episodeId).catch(() => null)
      let files: StreamFiles, durationSec: number | null, originalLanguage: string
      if (published !== null) {
        ({ files, episode: { durationSec } } = published)
        originalLanguage = published.owner.originalLanguage
      } else {
        const episode = await episodes.findById(episodeId)
        if (episode === null) throw new ApiError('stream_not_found')
        files = streamFilesOf(episode)
        durationSec = episode.durationSec
        originalLanguage = (await series.findById(episode.seriesId))?.language ?? UNDETERMINED
      }
      return {
        durationSec,
        originalLanguage,
        subtitles: files.subtitles.map((t) => ({ ...t, name: trackName(t.language) })),
        audio: files.audio.map((a) => ({ ...a, name: trackName(a.language) }))
      }
    },

    /**
     * Saves where the caller is in a published episode (404 otherwise): one entry per user and episode, the
     * latest report wins; the episode's duration (read from its video by the media pipeline, never taken from
     * the client) bounds the position.
     */
    async recordProgress (caller: Caller, report: ProgressReport): Promise<WatchEntry> {
      const { episode, owner, files } = await catalogue.publishedEpisode(report.episodeId)
      const [episodeId, seriesId] = [report.episodeId, ObjectId.createFromHexString(owner.id)]
      const durationSec = episode.durationSec ?? null
      const { subtitleLanguage = null, audioLanguage = null } = report
      const offered = (tracks: Array<{ language: string }>, language: string | null, what: string) => {
        if (language !== null && !tracks.some((t) => t.language === language)) {
          throw new ApiError('track_not_found', `The episode has no ${what} in ${language}`)
        }
        return language
      }
      const entry = await watchHistory.record({
        userId: caller._id,
        episodeId,
        seriesId,
        ...progressOf({ ...report, durationSec }),
        subtitleLanguage: offered(files.subtitles, subtitleLanguage, 'subtitles'),
        audioLanguage: offered(files.audio, audioLanguage, 'dubbed audio')
      })
      await events.emit(event('progress.recorded', caller._id, { type: 'episode', id: episodeId, seriesId }, null,
        { positionSec: entry.positionSec, completed: entry.completed }, entry.updatedAt))
      return toWatchEntry(entry)
    },

    /**
     * Counts the buffered plays (a job, every VIEWS_FLUSH_MS): the pending plays become a batch (one atomic
     * step, so none is lost or counted twice), then every batch is applied, oldest first, and removed once
     * applied. A flush that fails part-way leaves its batch for the retry, which skips the series it counted.
     * One flush at a time, across workers.
     */
    async flushViews (): Promise<{ batches: number, plays: number }> {
      const lock = `${process.pid}-${Date.now()}`
      if (await redis.set('views:flush-lock', lock, 'PX', 60_000, 'NX') === null) return { batches: 0, plays: 0 }
      try {
        const id = `${Date.now()}`
        if (await redis.exists(PENDING_VIEWS) === 1) {
          await redis.multi().rename(PENDING_VIEWS, viewBatch(id)).zadd(VIEW_BATCHES, Date.now(), id).exec()
        }
        let plays = 0
        const batches = await redis.zrange(VIEW_BATCHES, '0', '-1')
        const add = (to: Map<string, Record<string, number>>, key: string, date: string, n: number) =>
          to.set(key, { ...to.get(key), [date]: (to.get(key)?.[date] ?? 0) + n })
        for (const batch of batches) {
          const perSeries = new Map<string, Record<string, number>>()
          const perEpisode = new Map<string, Record<string, number>>()
          const perDay = new Map<string, number>()
          const seriesOf = new Map<string, string>()
          for (const [field, count] of Object.entries(await redis.hgetall(viewBatch(batch)))) {
            // <seriesId>:<day>:<episodeId> (no episode in a batch made before plays were counted per episode)
            const [seriesId = '', date = '', episodeId] = field.split(':')
            const n = Number(count)
            add(perSeries, seriesId, date, n)
            perDay.set(date, (perDay.get(date) ?? 0) + n)
            if (episodeId !== undefined) {
              add(perEpisode, episodeId, date, n)
              seriesOf.set(episodeId, seriesId)
            }
            plays += n
          }
          for (const [seriesId, byDay] of perSeries) {
            await series.recordViews(ObjectId.createFromHexString(seriesId), byDay, batch)
          }
          for (const [episodeId, byDay] of perEpisode) {
            const seriesId = ObjectId.createFromHexString(seriesOf.get(episodeId)!)
            await repos.analytics.recordPlays(ObjectId.createFromHexString(episodeId), seriesId, byDay, batch)
          }
          for (const [date, n] of perDay) await repos.analytics.recordDayPlays(date, n, batch)
          await analytics.touched([...perEpisode.keys()])
          await redis.multi().del(viewBatch(batch)).zrem(VIEW_BATCHES, batch).exec()
        }
        return { batches: batches.length, plays }
      } finally {
        if (await redis.get('views:flush-lock') === lock) await redis.del('views:flush-lock')
      }
    },

    /** Lets the trending scores of series nobody played lately decay (a job, hourly, once per deployment). */
    async refreshTrending (): Promise<{ changed: number }> {
      return { changed: await series.refreshTrending() }
    },

    async history (caller: Caller, page: PageRequest): Promise<Page<WatchEntry>> {
      const { items, meta } = await watchHistory.listForUser(caller._id, page)
      return { data: items.map(toWatchEntry), meta }
    }
  }
}

export type PlaybackService = ReturnType<typeof createPlaybackService>
