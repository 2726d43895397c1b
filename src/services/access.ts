import type { ObjectId } from 'mongodb'
import type { Access } from '../schemas/catalog.js'
import type { Caller } from './types.js'

// Who may play what: the one access rule, which the catalogue, playback and the wallet all ask.

/**
 * Whether the caller holds VIP now, from any provider: their Stripe or admin subscription, active or past due
 * (Stripe retrying a renewal) until `entitledUntil` (the paid period's end plus the grace period; an admin's
 * `active` has no end), or a subscription in an app store until `storeEntitledUntil` (its period's end, or its
 * grace period's: src/services/stores.ts).
 */
export function isSubscribed (caller: Pick<Caller, 'subscription' | 'storeEntitledUntil'>, now = Date.now()): boolean {
  if (caller.storeEntitledUntil != null && new Date(caller.storeEntitledUntil).getTime() > now) return true
  const { status, entitledUntil } = caller.subscription
  if (status !== 'active' && status !== 'past_due') return false
  return entitledUntil == null ? status === 'active' : new Date(entitledUntil).getTime() > now
}

/**
 * What the caller may do with an episode: free previews (number ≤ the series' freeEpisodes) play for anyone;
 * the rest needs a subscription, except for admins and the series' own creator, or an unlock with coins.
 */
export function accessFor (
  episode: { number: number }, series: { freeEpisodes: number, ownerId: ObjectId | string }, caller: Caller,
  unlocked = false
): Access {
  if (episode.number <= series.freeEpisodes) return 'free'
  const own = series.ownerId.toString() === caller._id.toHexString()
  if (caller.role === 'admin' || own || isSubscribed(caller)) return 'subscription'
  return unlocked ? 'unlocked' : 'locked'
}

/** Admins and the episode's creator may play it whatever its status, to review it; they do not count as views. */
export const isReviewer = (episode: { ownerId: ObjectId | string }, caller: Caller): boolean =>
  caller.role === 'admin' || episode.ownerId.toString() === caller._id.toHexString()

/**
 * What unlocking an episode of this series costs a caller: its price in their market (MARKETS, the country the CDN
 * placed them in), else its one price; null when it is not sold for coins. What is shown is what is charged.
 */
export const priceIn = (
  series: { coinPrice: number | null, regionalPrices: Record<string, number> }, country: string | null | undefined
): number | null =>
  series.coinPrice === null ? null : (country == null ? undefined : series.regionalPrices[country]) ?? series.coinPrice
