import type { ObjectId } from 'mongodb'
import type { Repositories } from '../../plugins/repositories.js'
import type { EpisodeDoc } from '../repositories/episodes.js'

/** A published episode of a published series, or null: what viewers may see, play and track. */
export async function findPublishedEpisode (repos: Repositories, id: ObjectId): Promise<EpisodeDoc | null> {
  const episode = await repos.episodes.findPublished(id)
  if (episode === null || await repos.series.findPublished(episode.seriesId) === null) return null
  return episode
}
