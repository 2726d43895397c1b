import { ObjectId } from 'mongodb'
import { createReadCache } from '../adapters/cache.js'
import { ApiError } from '../errors.js'
import { pageOf } from '../adapters/db.js'
import type { CatalogueFilter } from '../repositories/series.js'
import type { Episode, Series } from '../schemas/catalog.js'
import type { PageRequest } from '../schemas/params.js'
import { accessFor, priceIn } from './access.js'
import type { Caller, Page, ServiceDeps } from './types.js'
import {
  episodeSource, ownerOf, streamFilesOf, toEpisode, toEpisodeBase, toSeries, toSeriesBase, toVideoSource,
  type EpisodeBase, type SeriesBase, type VideoSource
} from './views.js'

/**
 * The published catalogue: only published episodes of published series exist here; anything else is 404.
 * Lists, series and their episodes come from the shared read cache (src/adapters/cache.ts); what depends on the caller
 * (`inMyList`, `access`, the price in their market) is added on every request, from the caller's own data, never from
 * another caller's. What is cached is cached per language (the caller's, one of LANGUAGES, or the original): an
 * entry per language in the same scope, so a change drops every language's at once.
 * A domain event about a series drops the catalogue and that series; one about an episode drops the episode
 * and its series, before the change is answered.
 */
/** How many saved series ids are kept in the cache per viewer; a longer list is asked about per page. */
const MY_LIST_CACHED = 500
const savedScope = (viewerId: ObjectId) => `my-list:${viewerId.toHexString()}`
/** How many unlocked episode ids are kept in the cache per viewer; beyond, the episodes shown are asked about. */
const UNLOCKS_CACHED = 1000
const unlocksScope = (viewerId: ObjectId) => `unlocks:${viewerId.toHexString()}`
/**
 * A series' published episodes are read (and cached) whole, up to this many, and paged from memory: one query,
 * no count. A longer series is paged by the database, a query per page and a count.
 */
const EPISODES_READ_WHOLE = 500

export function createCatalogueService ({ repos, storage, config, redis, events, metrics }: ServiceDeps) {
  const { series, episodes, videos, myList, coins } = repos
  const cache = createReadCache(redis, config.READ_CACHE_MS, metrics)
  events.on('*', async (event) => {
    const { type, id, seriesId } = event.target
    if (type === 'series') await cache.drop('catalogue', `series:${id.toHexString()}`)
    if (type === 'episode' && seriesId !== undefined && event.type !== 'progress.recorded' && event.type !== 'episode.unlocked') {
      await cache.drop(`series:${seriesId.toHexString()}`, `episode:${id.toHexString()}`)
    }
  })

  /**
   * A published episode of a published series as every viewer sees it, with what access depends on and what
   * plays it: the episode from its own scope (dropped by its events), its series from the series' (dropped by the
   * series' events). On a miss, one query for the episode (its files come with it) and, unless cached, one for
   * its series.
   */
  async function publishedEpisode (id: ObjectId, language: string | null = null) {
    const cached = await cache.get(`episode:${id.toHexString()}`, `detail:${language ?? ''}`, async () => {
      const found = await episodes.findPublished(id)
      if (found === null) return null
      const files = streamFilesOf(found)
      const episode = toEpisodeBase(found, language)
      return { episode, videoId: found.videoId.toHexString(), source: episodeSource(found), files }
    })
    const seriesId = cached === null ? null : ObjectId.createFromHexString(cached.episode.seriesId)
    const owner = seriesId === null ? null : await publishedSeries(seriesId, language)
    if (cached === null || owner === null) throw new ApiError('episode_not_found')
    return { ...cached, owner }
  }

  /** A published series as every viewer sees it in one language, with what access depends on; null unless published. */
  const publishedSeries = async (id: ObjectId, language: string | null = null) =>
    await cache.get(`series:${id.toHexString()}`, `detail:${language ?? ''}`, async () => {
      const found = await series.findPublished(id)
      return found === null ? null : toSeriesBase(found, language)
    })

  /**
   * Series as a viewer sees them, each saying whether it is in the viewer's list. The ids a viewer saved are
   * cached under the viewer's own scope (dropped by the library when they save or remove one), so a page read
   * from the cache costs no query; a list longer than MY_LIST_CACHED is asked about the page's series instead.
   */
  async function seriesForViewer (caller: Caller, items: SeriesBase[]): Promise<Series[]> {
    if (items.length === 0) return []
    const viewerId = caller._id
    const ids = await cache.get(savedScope(viewerId), 'ids',
      async () => await myList.savedIds(viewerId, MY_LIST_CACHED + 1))
    const saved = ids.length <= MY_LIST_CACHED
      ? new Set(ids)
      : await myList.savedAmong(viewerId, items.map((s) => ObjectId.createFromHexString(s.id)))
    return items.map((s) => toSeries(s, saved.has(s.id), caller.country))
  }

  /**
   * Which of these episodes the viewer unlocked, for good (from their cached ids, or one query past
   * UNLOCKS_CACHED) or for a while (a rewarded ad: cached with their end, so an ended one is dropped as it ends).
   */
  async function unlockedAmong (viewerId: ObjectId, episodeIds: string[]): Promise<Set<string>> {
    if (episodeIds.length === 0) return new Set()
    const scope = unlocksScope(viewerId)
    const [ids, rented] = await Promise.all([
      cache.get(scope, 'ids', async () => await coins.unlockedIds(viewerId, UNLOCKS_CACHED + 1)),
      cache.get(scope, 'rented', async () => await coins.rentedNow(viewerId, UNLOCKS_CACHED))
    ])
    const now = new Date().toISOString()
    const forAWhile = rented.filter((r) => r.until > now).map((r) => r.episodeId)
    const forGood = ids.length <= UNLOCKS_CACHED ? new Set(ids) : await coins.unlockedAmong(viewerId, episodeIds)
    return new Set([...forGood, ...forAWhile])
  }

  /**
   * Episodes of one series as the caller sees them: access and, while locked, their market's price (one lookup at
   * most).
   */
  async function episodesForViewer (caller: Caller, owner: SeriesBase, items: EpisodeBase[]): Promise<Episode[]> {
    const locked = items.filter((e) => accessFor(e, ownerOf(owner), caller) === 'locked').map((e) => e.id)
    const unlocked = await unlockedAmong(caller._id, locked)
    const price = priceIn(owner, caller.country)
    return items.map((e) => toEpisode(e, owner, accessFor(e, ownerOf(owner), caller, unlocked.has(e.id)), price))
  }

  /** A series' published episodes in order, read whole, cached in the series' scope; null past EPISODES_READ_WHOLE. */
  async function wholeSeries (seriesId: ObjectId, language: string | null) {
    return await cache.get(`series:${seriesId.toHexString()}`, `episodes:${language ?? ''}`, async () => {
      const found = await episodes.listPublished(seriesId, EPISODES_READ_WHOLE + 1)
      return found.length > EPISODES_READ_WHOLE ? null : found.map((e) => toEpisodeBase(e, language))
    })
  }

  const pageKey = (page: PageRequest, ...filters: unknown[]) =>
    JSON.stringify([...filters, page.sort, page.cursor ?? page.page, page.limit])

  return {
    seriesForViewer,
    publishedEpisode,
    episodesForViewer,

    /** After a viewer unlocked an episode: it shows unlocked on every instance. */
    async unlocksChanged (viewerId: ObjectId): Promise<void> {
      await cache.drop(unlocksScope(viewerId))
    },

    /** After a viewer saved or removed a series: their next page shows it, on every instance. */
    async savedChanged (viewerId: ObjectId): Promise<void> {
      await cache.drop(savedScope(viewerId))
    },

    /**
     * What plays a published episode made before episodes kept their video's files (its upload, HLS ladder and
     * poster, from its video; cached beside the episode), or null.
     */
    async videoSource (episodeId: ObjectId, videoId: string): Promise<VideoSource | null> {
      return await cache.get(`episode:${episodeId.toHexString()}`, 'source', async () => {
        const found = await videos.findById(ObjectId.createFromHexString(videoId))
        return found === null ? null : toVideoSource(found)
      })
    },

    async listSeries (caller: Caller, filter: CatalogueFilter, page: PageRequest): Promise<Page<Series>> {
      const wanted = { genre: filter.genre?.trim().toLowerCase(), q: filter.q }
      const language = caller.language ?? null
      const listed = await cache.get('catalogue', `list:${pageKey(page, language, wanted.genre, wanted.q)}`, async () => {
        const total = async () => await cache.get('catalogue', `total:${JSON.stringify([wanted.genre, wanted.q])}`,
          async () => await series.countPublished(wanted))
        const { items, meta } = await series.listByStatus('published', wanted, page, total)
        return { items: items.map((s) => toSeriesBase(s, language)), meta }
      })
      return { data: await seriesForViewer(caller, listed.items), meta: listed.meta }
    },

    async genres () {
      return await cache.get('catalogue', 'genres', async () => await series.genreCounts())
    },

    async getSeries (caller: Caller, id: ObjectId): Promise<Series> {
      const found = await publishedSeries(id, caller.language)
      if (found === null) throw new ApiError('series_not_found')
      return (await seriesForViewer(caller, [found]))[0]!
    },

    async listEpisodes (caller: Caller, seriesId: ObjectId, page: PageRequest): Promise<Page<Episode>> {
      const language = caller.language ?? null
      const found = await publishedSeries(seriesId, language)
      if (found === null) throw new ApiError('series_not_found')
      const whole = await wholeSeries(seriesId, language)
      const listed = whole !== null
        ? pageOf(whole, page)
        : await cache.get(`series:${seriesId.toHexString()}`, `episodes:${pageKey(page, language)}`, async () => {
          const { items, meta } = await episodes.listForSeries(seriesId, 'published', page)
          return { items: items.map((e) => toEpisodeBase(e, language)), meta }
        })
      return { data: await episodesForViewer(caller, found, listed.items), meta: listed.meta }
    },

    async getEpisode (caller: Caller, id: ObjectId): Promise<Episode> {
      const { episode, owner } = await publishedEpisode(id, caller.language)
      return (await episodesForViewer(caller, owner, [episode]))[0]!
    },

    /** The next published episode by number (404 `no_next_episode` after the last one), from its series' list. */
    async nextEpisode (caller: Caller, id: ObjectId): Promise<Episode> {
      const language = caller.language ?? null
      const { episode, owner } = await publishedEpisode(id, language)
      const seriesId = ObjectId.createFromHexString(owner.id)
      const whole = await wholeSeries(seriesId, language)
      const found = whole === null ? await episodes.findNextPublished(seriesId, episode.number) : null
      const next = whole?.find((e) => e.number > episode.number) ??
        (found === null ? null : toEpisodeBase(found, language))
      if (next === null) throw new ApiError('no_next_episode')
      return (await episodesForViewer(caller, owner, [next]))[0]!
    },

    /** A short-lived signed URL of a published series' cover (404 `cover_not_found` otherwise), and its lifetime. */
    async coverUrl (seriesId: ObjectId): Promise<{ url: string, ttl: number }> {
      const found = await series.findPublished(seriesId)
      if (found?.coverKey == null) throw new ApiError('cover_not_found')
      const ttl = config.PLAYBACK_URL_TTL
      return { url: await storage.presignDownload(found.coverKey, ttl), ttl }
    }
  }
}

export type CatalogueService = ReturnType<typeof createCatalogueService>
