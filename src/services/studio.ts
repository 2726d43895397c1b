import type { ObjectId } from 'mongodb'
import { ApiError } from '../errors.js'
import { event } from '../events.js'
import { ALLOWED_IMAGE_TYPES, ALLOWED_VIDEO_TYPES, type CreatorEpisode, type CreatorSeries, type SeriesStatus, type Video } from '../schemas/catalog.js'
import type { PageRequest } from '../schemas/params.js'
import type { SeriesDoc, SeriesEdit } from '../repositories/series.js'
import { checkedLanguage, listOf } from '../lib/locale.js'
import { DELETABLE } from './moderation.js'
import type { Caller, Page, ServiceDeps } from './types.js'
import type { UploadsService } from './uploads.js'
import type { MediaService } from './media.js'
import type { VideoDoc } from '../repositories/videos.js'
import type { EpisodeDoc } from '../repositories/episodes.js'
import { toCreatorEpisode, toCreatorSeries, toVideo, toVideoSource } from './views.js'

const normaliseGenres = (genres: string[]): string[] => [...new Set(genres.map((g) => g.trim().toLowerCase()))]

export interface NewSeries {
  title: string
  description?: string
  genres?: string[]
  freeEpisodes?: number
  coinPrice?: number
  /** Keep it a draft (submit it later) instead of sending it for review now. */
  draft?: boolean
  /** The language its title and description are in (one of LANGUAGES; the first by default). */
  language?: string
  regionalPrices?: RegionalPrice[]
}

/** A coin price in one market. */
export interface RegionalPrice {
  country: string
  coinPrice: number
}

export interface NewEpisode {
  number: number
  title: string
  videoId: ObjectId
}

/** One of the caller's episodes (404 `episode_not_found` for anyone else's), as studio, subtitles and dubbing edit. */
export async function ownedEpisodeOf (
  episodes: ServiceDeps['repos']['episodes'], caller: Caller, id: ObjectId
): Promise<EpisodeDoc> {
  const found = await episodes.findOwned(caller._id, id)
  if (found === null) throw new ApiError('episode_not_found')
  return found
}

/** After an edit of an episode (its text, subtitles or dubs): every instance answers it anew (the cache drops it). */
export async function episodeEdited (
  events: ServiceDeps['events'], actorId: ObjectId | null, episode: EpisodeDoc
): Promise<void> {
  await events.emit(event('episode.updated', actorId, { type: 'episode', id: episode._id, seriesId: episode.seriesId },
    episode.status, episode.status, episode.updatedAt))
}

/**
 * A creator's studio: their videos, series and episodes. Everything here is the caller's own: another
 * creator's series or episode does not exist for them (404), another's video is not theirs (403).
 */
export function createStudioService (
  { repos, events, storage, config, log }: ServiceDeps, uploads: Pick<UploadsService, 'check'>, media: Pick<MediaService, 'enqueue'>
) {
  const { videos, series, episodes } = repos
  const [languages, markets] = [listOf(config.LANGUAGES), listOf(config.MARKETS)]

  /** A translation's language: offered, and not the original (422 `language_is_original`). */
  function translationLanguage (tag: string, original: string | undefined): string {
    const language = checkedLanguage(languages, tag)
    if (language === original) throw new ApiError('language_is_original')
    return language
  }

  /** Prices per market: each in the deployment's markets (422 `market_not_supported`) and within the bounds. */
  function checkedRegionalPrices (prices: RegionalPrice[]): Record<string, number> {
    return Object.fromEntries(prices.map(({ country, coinPrice }) => {
      if (!markets.includes(country)) {
        throw new ApiError('market_not_supported', `${country} is not a market here${markets.length === 0 ? '' : `: ${markets.join(', ')}`}`)
      }
      return [country, checkedPrice(coinPrice)]
    }))
  }

  /** After a change to a series' text or prices: it is answered anew in every language. */
  async function seriesChanged (caller: Caller, updated: SeriesDoc) {
    await events.emit(event('series.updated', caller._id, { type: 'series', id: updated._id }, updated.status, updated.status, updated.updatedAt))
    return toCreatorSeries(updated)
  }

  /** A series' coin price within the platform's bounds (422 `coin_price_out_of_bounds`). */
  function checkedPrice (coins: number): number {
    const { COIN_PRICE_MIN: min, COIN_PRICE_MAX: max } = config
    if (coins < min || coins > max) throw new ApiError('coin_price_out_of_bounds', `coinPrice must be from ${min} to ${max} coins`)
    return coins
  }

  const videoView = async (doc: VideoDoc): Promise<Video> => {
    const poster = doc.media?.posterKey
    return toVideo(doc, poster == null ? null : await storage.presignDownload(poster, config.PLAYBACK_URL_TTL))
  }

  /**
   * One of the caller's videos that is ready to be an episode (409 `video_not_ready` otherwise): what an episode
   * keeps of it, its duration and its files.
   */
  async function readyVideo (caller: Caller, id: ObjectId) {
    const found = await ownVideo(caller, id)
    if (found.status !== 'ready' || found.media === null) throw new ApiError('video_not_ready')
    const { s3Key, hlsMasterKey, posterKey } = toVideoSource(found)
    return { videoId: found._id, durationSec: found.media.durationSec, source: { s3Key, hlsMasterKey, posterKey } }
  }

  async function ownedSeries (caller: Caller, id: ObjectId) {
    const found = await series.findOwned(caller._id, id)
    if (found === null) throw new ApiError('series_not_found')
    return found
  }

  const ownedEpisode = async (caller: Caller, id: ObjectId) => await ownedEpisodeOf(episodes, caller, id)

  async function ownVideo (caller: Caller, id: ObjectId) {
    const found = await videos.findOwned(caller._id, id)
    if (found === null) throw new ApiError('video_not_yours')
    return found
  }

  return {
    /**
     * Saves an uploaded file as a video (its size and type read from the stored object) and queues its
     * processing. Should the queue be unreachable, the video stays uploaded and the worker's sweep queues it.
     */
    async createVideo (
      caller: Caller, upload: { s3Key: string, title?: string, posterTimeSec?: number }
    ): Promise<Video> {
      const { s3Key, title, posterTimeSec } = upload
      const object = await uploads.check(caller, s3Key, 'videos', ALLOWED_VIDEO_TYPES)
      const { contentType, sizeBytes } = object
      const video = await videos.create({
        ownerId: caller._id, s3Key, title: title ?? null, contentType, sizeBytes, posterTimeSec: posterTimeSec ?? null
      })
      if (video === null) throw new ApiError('video_exists')
      await events.emit(event('video.saved', caller._id, { type: 'video', id: video._id }, null, video.status, video.createdAt))
      await media.enqueue(video._id).catch((err: unknown) => {
        log.warn({ videoId: video._id, err: (err as Error).message }, 'could not queue a video: the worker\'s sweep will')
      })
      return await videoView(video)
    },

    /** One of the caller's videos with its processing state (404 `video_not_found` for anyone else's). */
    async getVideo (caller: Caller, id: ObjectId): Promise<Video> {
      const found = await videos.findOwned(caller._id, id)
      if (found === null) throw new ApiError('video_not_found')
      return await videoView(found)
    },

    async listVideos (caller: Caller, page: PageRequest): Promise<Page<Video>> {
      const { items, meta } = await videos.listOwned(caller._id, page)
      return { data: await Promise.all(items.map(videoView)), meta }
    },

    /** A new series, pending review (or a draft); it is published when an admin approves its first episode. */
    async createSeries (caller: Caller, input: NewSeries): Promise<CreatorSeries> {
      const { title, description = '', genres = [], freeEpisodes = 0, coinPrice = config.COIN_PRICE_DEFAULT, draft = false } = input
      const created = await series.create({
        language: checkedLanguage(languages, input.language ?? languages[0]!),
        regionalPrices: checkedRegionalPrices(input.regionalPrices ?? []),
        ownerId: caller._id,
        title: title.trim(),
        description,
        genres: normaliseGenres(genres),
        freeEpisodes,
        coinPrice: checkedPrice(coinPrice),
        status: draft ? 'draft' : 'pending'
      })
      await events.emit(event('series.created', caller._id, { type: 'series', id: created._id }, null, created.status, created.createdAt))
      return toCreatorSeries(created)
    },

    async listSeries (caller: Caller, status: SeriesStatus | undefined, page: PageRequest) {
      const { items, meta } = await series.listOwned(caller._id, status, page)
      return { data: items.map(toCreatorSeries), meta }
    },

    /** One of the caller's series, with its moderation note (404 for anyone else's). */
    async getSeries (caller: Caller, id: ObjectId): Promise<CreatorSeries> {
      return toCreatorSeries(await ownedSeries(caller, id))
    },

    /** Edits the caller's series; its status does not change. A cover must be an image the caller uploaded. */
    async updateSeries (
      caller: Caller, id: ObjectId, edit: Omit<SeriesEdit, 'regionalPrices'> & { regionalPrices?: RegionalPrice[] }
    ): Promise<CreatorSeries> {
      const { title, genres, coverKey, regionalPrices, ...rest } = edit
      if (rest.coinPrice !== undefined) checkedPrice(rest.coinPrice)
      if (coverKey != null) await uploads.check(caller, coverKey, 'images', ALLOWED_IMAGE_TYPES)
      const updated = await series.update(caller._id, id, {
        ...(coverKey === undefined ? {} : { coverKey }),
        ...rest,
        ...(title === undefined ? {} : { title: title.trim() }),
        ...(genres === undefined ? {} : { genres: normaliseGenres(genres) }),
        ...(regionalPrices === undefined ? {} : { regionalPrices: checkedRegionalPrices(regionalPrices) })
      })
      if (updated === null) throw new ApiError('series_not_found')
      return await seriesChanged(caller, updated)
    },

    /**
     * Sets (or, with null, removes) the caller's series' title and description in another of the deployment's
     * languages; search finds it by that title too. Its status does not change (as an edit of its own text).
     */
    async setSeriesTranslation (
      caller: Caller, id: ObjectId, tag: string, text: { title: string, description?: string } | null
    ): Promise<CreatorSeries> {
      const owned = await ownedSeries(caller, id)
      const language = translationLanguage(tag, owned.language)
      if (text === null && owned.translations?.[language] === undefined) throw new ApiError('translation_not_found')
      const value = text === null ? null : { title: text.title.trim(), description: text.description ?? '' }
      const updated = await series.setTranslation(caller._id, id, language, value)
      if (updated === null) throw new ApiError('series_not_found')
      return await seriesChanged(caller, updated)
    },

    /** Sets (or, with null, removes) the caller's episode's title in another of the deployment's languages. */
    async setEpisodeTranslation (
      caller: Caller, id: ObjectId, tag: string, title: string | null
    ): Promise<CreatorEpisode> {
      const owned = await ownedEpisode(caller, id)
      const language = translationLanguage(tag, (await series.findById(owned.seriesId))?.language)
      if (title === null && owned.translations?.[language] === undefined) throw new ApiError('translation_not_found')
      const before = await episodes.setForLanguage(owned.ownerId, id, 'translations', language, title === null ? null : { title: title.trim() })
      const updated = before === null ? null : await episodes.findById(id)
      if (updated === null) throw new ApiError('episode_not_found')
      await episodeEdited(events, caller._id, updated)
      return toCreatorEpisode(updated)
    },

    /** Deletes a draft or rejected series never published, with its episodes (409 `wrong_status` otherwise). */
    async deleteSeries (caller: Caller, id: ObjectId): Promise<void> {
      const owned = await ownedSeries(caller, id)
      if (!DELETABLE.series.includes(owned.status) || await episodes.countPublished(owned._id) > 0) {
        throw new ApiError('wrong_status', `Not possible while the series is ${owned.status}`)
      }
      await episodes.removeForSeries(owned._id)
      await series.remove(owned._id)
      await events.emit(event('series.deleted', caller._id, { type: 'series', id }, owned.status, null))
    },

    /**
     * A new episode of the caller's series, pending review, of one of the caller's videos that is ready (its
     * duration read from the video); its number unique in the series.
     */
    async createEpisode (caller: Caller, seriesId: ObjectId, input: NewEpisode): Promise<CreatorEpisode> {
      const owned = await ownedSeries(caller, seriesId)
      const episode = await episodes.create({
        seriesId: owned._id,
        ownerId: owned.ownerId,
        ...await readyVideo(caller, input.videoId),
        number: input.number,
        title: input.title.trim()
      })
      if (episode === null) throw new ApiError('episode_number_taken', `Episode ${input.number} already exists in this series`)
      await events.emit(event('episode.created', caller._id, { type: 'episode', id: episode._id, seriesId: owned._id }, null, episode.status, episode.createdAt))
      return toCreatorEpisode(episode)
    },

    async listSeriesEpisodes (caller: Caller, seriesId: ObjectId, page: PageRequest): Promise<Page<CreatorEpisode>> {
      const owned = await ownedSeries(caller, seriesId)
      const { items, meta } = await episodes.listForSeries(owned._id, undefined, page)
      return { data: items.map(toCreatorEpisode), meta }
    },

    /** Edits the title, or the video (one of the caller's, ready; a published episode keeps its video: 409). */
    async updateEpisode (caller: Caller, id: ObjectId, edit: Partial<Omit<NewEpisode, 'number'>>): Promise<CreatorEpisode> {
      const owned = await ownedEpisode(caller, id)
      const { title, videoId } = edit
      let video: Awaited<ReturnType<typeof readyVideo>> | undefined
      if (videoId !== undefined && !owned.videoId.equals(videoId)) {
        if (owned.status === 'published') throw new ApiError('episode_published')
        video = await readyVideo(caller, videoId)
      }
      const updated = await episodes.update(owned.ownerId, owned._id, {
        ...(title === undefined ? {} : { title: title.trim() }),
        ...video
      })
      if (updated === null) throw new ApiError('episode_not_found')
      await episodeEdited(events, caller._id, updated)
      return toCreatorEpisode(updated)
    },

    /** Deletes a pending or rejected episode (409 `wrong_status` once it has been published). */
    async deleteEpisode (caller: Caller, id: ObjectId): Promise<void> {
      const owned = await ownedEpisode(caller, id)
      if (!DELETABLE.episode.includes(owned.status)) throw new ApiError('wrong_status', `Not possible while the episode is ${owned.status}`)
      await episodes.remove(owned._id)
      await events.emit(event('episode.deleted', caller._id, { type: 'episode', id, seriesId: owned.seriesId }, owned.status, null))
    }
  }
}

export type StudioService = ReturnType<typeof createStudioService>
