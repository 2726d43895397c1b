import type { ObjectId } from 'mongodb'
import { ApiError } from '../errors.js'
import type { ContinueWatchingRow, Series } from '../schemas/catalog.js'
import type { PageRequest } from '../schemas/params.js'
import type { WatchDoc } from '../repositories/watch-history.js'
import type { CatalogueService } from './catalogue.js'
import type { Caller, Page, ServiceDeps } from './types.js'
import { toEpisodeBase, toSeriesBase } from './views.js'

/** A viewer's own shelf: My list and continue watching. */
export function createLibraryService (
  { repos }: ServiceDeps, catalogue: Pick<CatalogueService, 'seriesForViewer' | 'savedChanged' | 'episodesForViewer'>
) {
  const { myList, series, episodes, watchHistory } = repos

  return {
    /** Saves a published series (404 otherwise); idempotent. */
    async add (caller: Caller, seriesId: ObjectId): Promise<void> {
      const found = await series.findPublished(seriesId)
      if (found === null) throw new ApiError('series_not_found')
      await myList.add(caller._id, found._id)
      await catalogue.savedChanged(caller._id)
    },

    /** Idempotent: removing a series that is not in the list does nothing. */
    async remove (caller: Caller, seriesId: ObjectId): Promise<void> {
      await myList.remove(caller._id, seriesId)
      await catalogue.savedChanged(caller._id)
    },

    /** The saved series, most recently saved first; one taken down since is left out of the page. */
    async list (caller: Caller, page: PageRequest): Promise<Page<Series>> {
      const { items, meta } = await myList.list(caller._id, page)
      const published = await series.findManyPublished(items.map((i) => i.seriesId))
      const byId = new Map(published.map((s) => [s._id.toHexString(), s]))
      const ordered = items.flatMap((i) => byId.get(i.seriesId.toHexString()) ?? [])
      const shown = ordered.map((s) => toSeriesBase(s, caller.language))
      return { data: await catalogue.seriesForViewer(caller, shown), meta }
    },

    /**
     * One row per series the caller started and has not finished, most recent first: the episode to resume
     * (the next one when the last watched is completed), its position, and the episode after it. A series
     * with nothing left to watch, or taken down since, is left out.
     */
    async continueWatching (caller: Caller, limit: number): Promise<ContinueWatchingRow[]> {
      // The latest entry per series, from the most recent entries (no $group needed: FerretDB v1 lacks $first).
      const latest = new Map<string, WatchDoc>()
      for (const row of await watchHistory.recentForUser(caller._id, 500)) {
        if (!latest.has(row.seriesId.toHexString())) latest.set(row.seriesId.toHexString(), row)
      }
      const rows = [...latest.values()]
      const [seriesDocs, episodeDocs] = await Promise.all([
        series.findManyPublished(rows.map((r) => r.seriesId)),
        episodes.findManyPublished(rows.map((r) => r.episodeId))
      ])
      const seriesById = new Map(seriesDocs.map((s) => [s._id.toHexString(), s]))
      const episodeById = new Map(episodeDocs.map((e) => [e._id.toHexString(), e]))
      // Every series as the viewer sees it (inMyList included), in one query rather than one per row.
      const viewed = await catalogue.seriesForViewer(caller, seriesDocs.map((s) => toSeriesBase(s, caller.language)))
      const viewerSeries = new Map(viewed.map((v) => [v.id, v]))
      const out: ContinueWatchingRow[] = []
      for (const row of rows) {
        if (out.length >= limit) break
        const s = seriesById.get(row.seriesId.toHexString())
        const last = episodeById.get(row.episodeId.toHexString())
        if (s === undefined || last === undefined) continue // taken down since
        const next = await episodes.findNextPublished(s._id, last.number)
        const resume = row.completed ? next : last
        if (resume === null) continue // finished everything published so far
        const after = resume === last ? next : await episodes.findNextPublished(s._id, resume.number)
        const fresh = resume !== last
        const pair = [resume, ...after === null ? [] : [after]].map((e) => toEpisodeBase(e, caller.language))
        const shown = await catalogue.episodesForViewer(caller, toSeriesBase(s, caller.language), pair)
        out.push({
          series: viewerSeries.get(s._id.toHexString())!,
          episode: shown[0]!,
          positionSec: fresh ? 0 : row.positionSec,
          durationSec: fresh ? null : row.durationSec,
          completed: fresh ? false : row.completed,
          updatedAt: row.updatedAt.toISOString(),
          ...(shown[1] === undefined ? {} : { next: shown[1] })
        })
      }
      return out
    }
  }
}

export type LibraryService = ReturnType<typeof createLibraryService>
