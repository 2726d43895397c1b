import type { ObjectId } from 'mongodb'
import { ApiError } from '../errors.js'
import type { EpisodeDoc } from '../repositories/episodes.js'
import type { CatalogueFilter, SeriesDoc } from '../repositories/series.js'
import type { Episode, Series } from '../schemas/catalog.js'
import type { PageRequest } from '../schemas/params.js'
import { accessFor, findPublishedEpisode } from './playback.js'
import type { Caller, Page, ServiceDeps } from './types.js'
import { toEpisode, toSeries } from './views.js'

/** The published catalogue: only published episodes of published series exist here; anything else is 404. */
export function createCatalogueService ({ repos, storage, config }: ServiceDeps) {
  const { series, episodes, myList } = repos

  async function findPublishedSeries (id: ObjectId): Promise<SeriesDoc> {
    const found = await series.findPublished(id)
    if (found === null) throw new ApiError('series_not_found')
    return found
  }

  /** Series as a viewer sees them, each saying whether it is in the viewer's list (one query for them all). */
  async function seriesForViewer (viewerId: ObjectId, items: SeriesDoc[]): Promise<Series[]> {
    const saved = await myList.savedAmong(viewerId, items.map((s) => s._id))
    return items.map((s) => toSeries(s, saved.has(s._id.toHexString())))
  }

  const episodeFor = (caller: Caller, owner: SeriesDoc) => (e: EpisodeDoc): Episode =>
    toEpisode(e, accessFor(e, owner, caller))

  return {
    seriesForViewer,

    async listSeries (caller: Caller, filter: CatalogueFilter, page: PageRequest): Promise<Page<Series>> {
      const { items, meta } = await series.listByStatus('published', { genre: filter.genre?.trim().toLowerCase(), q: filter.q }, page)
      return { data: await seriesForViewer(caller._id, items), meta }
    },

    async genres () {
      return await series.genreCounts()
    },

    async getSeries (caller: Caller, id: ObjectId): Promise<Series> {
      return (await seriesForViewer(caller._id, [await findPublishedSeries(id)]))[0]!
    },

    async listEpisodes (caller: Caller, seriesId: ObjectId, page: PageRequest): Promise<Page<Episode>> {
      const found = await findPublishedSeries(seriesId)
      const { items, meta } = await episodes.listForSeries(found._id, 'published', page)
      return { data: items.map(episodeFor(caller, found)), meta }
    },

    async getEpisode (caller: Caller, id: ObjectId): Promise<Episode> {
      const found = await findPublishedEpisode(repos, id)
      return episodeFor(caller, found.series)(found.episode)
    },

    /** The next published episode by number (404 `no_next_episode` after the last one). */
    async nextEpisode (caller: Caller, id: ObjectId): Promise<Episode> {
      const found = await findPublishedEpisode(repos, id)
      const next = await episodes.findNextPublished(found.series._id, found.episode.number)
      if (next === null) throw new ApiError('no_next_episode')
      return episodeFor(caller, found.series)(next)
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
