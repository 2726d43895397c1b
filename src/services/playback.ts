import type { ObjectId } from 'mongodb'
import { ApiError } from '../errors.js'
import { event } from '../events.js'
import type { Repositories } from '../repositories/index.js'
import type { EpisodeDoc } from '../repositories/episodes.js'
import type { SeriesDoc } from '../repositories/series.js'
import type { Access, WatchEntry } from '../schemas/catalog.js'
import type { PageRequest } from '../schemas/params.js'
import type { Caller, Page, ServiceDeps } from './types.js'
import { toWatchEntry } from './views.js'

/**
 * What the caller may do with an episode: free previews (number ≤ the series' freeEpisodes) play for
 * anyone; the rest needs an active subscription, except for admins and the series' own creator.
 */
export function accessFor (episode: Pick<EpisodeDoc, 'number'>, series: Pick<SeriesDoc, 'freeEpisodes' | 'ownerId'>, caller: Caller): Access {
  if (episode.number <= series.freeEpisodes) return 'free'
  const entitled = caller.role === 'admin' || series.ownerId.equals(caller._id) || caller.subscription.status === 'active'
  return entitled ? 'subscription' : 'locked'
}

/** Admins and the episode's creator may play it whatever its status, to review it; they do not count as views. */
export const isReviewer = (episode: Pick<EpisodeDoc, 'ownerId'>, caller: Caller): boolean =>
  caller.role === 'admin' || episode.ownerId.equals(caller._id)

/** Where a progress report leaves the viewer. */
export function progressOf (report: { positionSec: number, durationSec: number | null, completed?: boolean }) {
  const { durationSec } = report
  // Players report a little past the end (rounding, a stale duration): that is the end, not an error.
  const positionSec = durationSec === null ? report.positionSec : Math.min(report.positionSec, durationSec)
  const completed = report.completed ?? (durationSec !== null && positionSec >= durationSec * 0.95)
  return { positionSec, durationSec, completed }
}

/** A published episode of a published series, with its series: what viewers may see, play and track (404 otherwise). */
export async function findPublishedEpisode (
  repos: Repositories, id: ObjectId
): Promise<{ episode: EpisodeDoc, series: SeriesDoc }> {
  const episode = await repos.episodes.findPublished(id)
  const series = episode === null ? null : await repos.series.findPublished(episode.seriesId)
  if (episode === null || series === null) throw new ApiError('episode_not_found')
  return { episode, series }
}

/** What a player reports: where the viewer is in an episode. */
export interface ProgressReport {
  episodeId: ObjectId
  positionSec: number
  durationSec?: number
  completed?: boolean
}

/** Playback: who may play what, views, and where each viewer is in each episode. */
export function createPlaybackService ({ repos, storage, events, config, log }: ServiceDeps) {
  const { episodes, series, videos, watchHistory } = repos

  return {
    /**
     * A signed URL to play an episode, for a published episode of a published series (404 otherwise): free
     * previews for anyone, the rest with an active subscription (403 `subscription_required`). Reviewers
     * (admins, its creator) may always play it. A viewer's play counts as a view of the series.
     */
    async play (caller: Caller, id: ObjectId): Promise<{ url: string, expiresAt: string }> {
      const episode = await episodes.findById(id)
      if (episode === null) throw new ApiError('episode_not_found')
      if (!isReviewer(episode, caller)) {
        const live = episode.status === 'published' ? await series.findPublished(episode.seriesId) : null
        if (live === null) throw new ApiError('episode_not_found')
        if (accessFor(episode, live, caller) === 'locked') throw new ApiError('subscription_required')
        // It counts towards the series' views and trending score; it need not delay the answer.
        series.recordView(live._id).catch((err: unknown) => log.warn({ err }, 'could not count a view'))
      }
      const file = await videos.findById(episode.videoId)
      if (file === null) throw new ApiError('episode_not_found')
      const ttl = config.PLAYBACK_URL_TTL
      const url = await storage.presignDownload(file.s3Key, ttl)
      return { url, expiresAt: new Date(Date.now() + ttl * 1000).toISOString() }
    },

    /**
     * Saves where the caller is in a published episode (404 otherwise): one entry per user and episode, the
     * latest report wins; the duration sent now or before bounds the position.
     */
    async recordProgress (caller: Caller, report: ProgressReport): Promise<WatchEntry> {
      const { episode } = await findPublishedEpisode(repos, report.episodeId)
      const durationSec = report.durationSec ?? (await watchHistory.find(caller._id, episode._id))?.durationSec ?? null
      const entry = await watchHistory.record({
        userId: caller._id,
        episodeId: episode._id,
        seriesId: episode.seriesId,
        ...progressOf({ ...report, durationSec })
      })
      events.emit(event('progress.recorded', caller._id, { type: 'episode', id: episode._id, seriesId: episode.seriesId }, null,
        { positionSec: entry.positionSec, completed: entry.completed }, entry.updatedAt))
      return toWatchEntry(entry)
    },

    async history (caller: Caller, page: PageRequest): Promise<Page<WatchEntry>> {
      const { items, meta } = await watchHistory.listForUser(caller._id, page)
      return { data: items.map(toWatchEntry), meta }
    }
  }
}

export type PlaybackService = ReturnType<typeof createPlaybackService>
