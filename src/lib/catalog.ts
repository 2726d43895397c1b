import type { ObjectId } from 'mongodb'
import type { Repositories } from '../repositories/index.js'
import type { Series } from '../schemas/catalog.js'
import type { EpisodeDoc } from '../repositories/episodes.js'
import { toSeries, type SeriesDoc } from '../repositories/series.js'

/** A published episode of a published series, with its series, or null: what viewers may see, play and track. */
export async function findPublishedEpisode (repos: Repositories, id: ObjectId): Promise<{ episode: EpisodeDoc, series: SeriesDoc } | null> {
  const episode = await repos.episodes.findPublished(id)
  const series = episode === null ? null : await repos.series.findPublished(episode.seriesId)
  return episode === null || series === null ? null : { episode, series }
}

/** Series as a viewer sees them, each saying whether it is in the viewer's list (one query for them all). */
export async function seriesForViewer (repos: Repositories, userId: ObjectId, items: SeriesDoc[]): Promise<Series[]> {
  const saved = await repos.myList.savedAmong(userId, items.map((s) => s._id))
  return items.map((s) => toSeries(s, saved.has(s._id.toHexString())))
}
