import { ObjectId } from 'mongodb'
import { createAdMobVerifier } from '../adapters/admob.js'
import { ApiError } from '../errors.js'
import { dayOf } from '../lib/days.js'
import type { CatalogueService } from './catalogue.js'
import type { ServiceDeps } from './types.js'
import type { WalletService } from './wallet.js'

/** How long a rewarded ad's transaction id is remembered: a replay within it is refused. */
const CLAIM_DAYS = 400

/**
 * Rewards for watching ads: AdMob calls GET /billing/ads/reward once the ad was watched, signed with Google's
 * keys (src/adapters/admob.ts). The reward goes to the `user_id` the app set (our user id) for the purpose in
 * `custom_data`: `coins` (or empty), the ad unit's signed reward amount credited; or `episode:<id>`, that episode
 * unlocked for ADMOB_UNLOCK_HOURS. Each `transaction_id` once, at most ADMOB_DAILY_REWARDS per viewer per UTC day.
 */
export function createAdsService (
  { repos, config }: ServiceDeps, wallet: Pick<WalletService, 'credit'>,
  catalogue: Pick<CatalogueService, 'publishedEpisode' | 'unlocksChanged'>
) {
  const { users, coins, claims } = repos
  const verifier = config.ADMOB_KEYS_URL === undefined ? null : createAdMobVerifier(config.ADMOB_KEYS_URL)

  /** One of today's reward slots for the user (unique claims, so concurrent rewards never pass the cap). */
  async function claimSlot (userId: ObjectId, now: Date): Promise<string | null> {
    const expiresAt = new Date(now.getTime() + 2 * 86_400_000)
    for (let n = 1; n <= config.ADMOB_DAILY_REWARDS; n++) {
      const slot = `ad-slot:${userId.toHexString()}:${dayOf(now)}:${n}`
      if (await claims.claim(slot, expiresAt)) return slot
    }
    return null
  }

  return {
    async reward (rawQuery: string, now = new Date()) {
      if (verifier === null) throw new ApiError('provider_not_configured')
      let params: URLSearchParams | null
      try {
        params = await verifier.verify(rawQuery)
      } catch {
        throw new ApiError('payments_unavailable', 'AdMob\'s verifier keys could not be fetched; try again shortly')
      }
      if (params === null) throw new ApiError('ad_signature_invalid')
      const transactionId = params.get('transaction_id') ?? ''
      const userId = params.get('user_id') ?? ''
      const amount = Number(params.get('reward_amount'))
      const purpose = params.get('custom_data') ?? ''
      const episode = /^episode:([0-9a-f]{24})$/.exec(purpose)?.[1]
      if (!/^[\w-]{1,128}$/.test(transactionId) || !/^[0-9a-f]{24}$/.test(userId) ||
        !Number.isSafeInteger(amount) || amount < 1 || amount > config.ADMOB_MAX_REWARD_COINS ||
        (episode === undefined && !['', 'coins'].includes(purpose))) {
        throw new ApiError('ad_reward_invalid')
      }
      const user = await users.findById(ObjectId.createFromHexString(userId))
      if (user === null) throw new ApiError('ad_reward_invalid', 'The reward names no known user')
      const episodeId = episode === undefined ? undefined : ObjectId.createFromHexString(episode)
      if (episodeId !== undefined) {
        await catalogue.publishedEpisode(episodeId).catch(() => {
          throw new ApiError('ad_reward_invalid', 'The reward names no published episode')
        })
      }

      // The transaction first (one of concurrent deliveries wins), then a slot of today's cap.
      const key = `ad:${transactionId}`
      if (episodeId === undefined && await coins.findByKey(user._id, key) !== null) throw new ApiError('ad_reward_duplicate')
      if (!await claims.claim(`admob:${transactionId}`, new Date(now.getTime() + CLAIM_DAYS * 86_400_000))) {
        throw new ApiError('ad_reward_duplicate')
      }
      const slot = await claimSlot(user._id, now)
      if (slot === null) {
        await claims.release(`admob:${transactionId}`)
        throw new ApiError('ad_reward_limit')
      }
      try {
        if (episodeId !== undefined) {
          const ends = new Date(now.getTime() + config.ADMOB_UNLOCK_HOURS * 3_600_000)
          const until = await coins.rent(user._id, episodeId, ends)
          await catalogue.unlocksChanged(user._id)
          return { purpose: 'episode' as const, coins: 0, balance: null, episodeId: episode!, unlockedUntil: until.toISOString() }
        }
        const { entry } = await wallet.credit(user._id, key, () => ({
          kind: 'ad_reward', delta: amount, ref: { adTransactionId: transactionId, adUnit: params.get('ad_unit') ?? undefined }
        }), null, now)
        return { purpose: 'coins' as const, coins: entry.delta, balance: entry.balance, episodeId: null, unlockedUntil: null }
      } catch (err) {
        await claims.release(slot)
        await claims.release(`admob:${transactionId}`)
        throw err
      }
    }
  }
}

export type AdsService = ReturnType<typeof createAdsService>
