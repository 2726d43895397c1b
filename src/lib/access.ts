import type { Access } from '../schemas/catalog.js'
import type { EpisodeDoc } from '../repositories/episodes.js'
import type { SeriesDoc } from '../repositories/series.js'
import type { Session } from '../repositories/users.js'

/**
 * What the caller may do with an episode: free previews (number ≤ the series' freeEpisodes) play for
 * anyone; the rest needs an active subscription, except for admins and the series' own creator.
 */
export function accessFor (episode: Pick<EpisodeDoc, 'number'>, series: Pick<SeriesDoc, 'freeEpisodes' | 'ownerId'>, caller: Session): Access {
  if (episode.number <= series.freeEpisodes) return 'free'
  const entitled = caller.role === 'admin' || series.ownerId.equals(caller._id) || caller.subscription.status === 'active'
  return entitled ? 'subscription' : 'locked'
}
