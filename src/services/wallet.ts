import { ObjectId } from 'mongodb'
import { ApiError } from '../errors.js'
import { event } from '../events.js'
import type { LedgerChange, LedgerDoc, LedgerKind } from '../repositories/coins.js'
import type { PageRequest } from '../schemas/params.js'
import type { CatalogueService } from './catalogue.js'
import { accessFor, priceIn } from './access.js'
import type { Caller, Page, ServiceDeps } from './types.js'
import { ownerOf } from './views.js'
import { checkDayRange, dayOf as day } from '../lib/days.js'

export function toLedgerEntry (doc: LedgerDoc) {
  const { ref } = doc
  return {
    id: doc._id.toHexString(),
    kind: doc.kind,
    delta: doc.delta,
    balance: doc.balance,
    episodeId: ref.episodeId?.toHexString() ?? null,
    seriesId: ref.seriesId?.toHexString() ?? null,
    offerId: ref.offerId?.toHexString() ?? null,
    shortfall: ref.shortfall ?? 0,
    reason: ref.reason ?? null,
    country: ref.country ?? null,
    at: doc.at.toISOString()
  }
}

export function toUnlock (doc: LedgerDoc) {
  return {
    episodeId: doc.ref.episodeId!.toHexString(),
    seriesId: doc.ref.seriesId!.toHexString(),
    coins: -doc.delta,
    unlockedAt: doc.at.toISOString()
  }
}

/**
 * Coins: the wallet (a balance that is the ledger's last entry, see the coins repository), the daily check-in,
 * unlocking episodes, admins' grants, and what creators earn. Every change is one ledger entry with a key that
 * makes it happen once.
 */
export function createWalletService (
  { repos, events, config }: ServiceDeps,
  catalogue: Pick<CatalogueService, 'publishedEpisode' | 'unlocksChanged'>
) {
  const { coins, billing, users, audit } = repos
  const rewards = config.CHECK_IN_REWARDS.split(',').map(Number)

  /** Adds an entry once (by key) and announces the new balance. */
  async function credit (
    userId: ObjectId, key: string, change: (balance: number) => LedgerChange, actorId: ObjectId | null = null,
    at = new Date()
  ) {
    const result = await coins.append(userId, key, change, at)
    if (result.created) {
      await events.emit(event('coins.changed', actorId, { type: 'user', id: userId }, result.entry.balance - result.entry.delta, result.entry.balance))
    }
    return result
  }

  return {
    credit,

    async wallet (caller: Caller) {
      return { balance: await coins.balance(caller._id) }
    },

    async ledger (caller: Caller, page: PageRequest, kind?: LedgerKind) {
      const { items, meta } = await coins.list(caller._id, page, kind)
      return { data: items.map(toLedgerEntry), meta }
    },

    async unlocks (caller: Caller, page: PageRequest): Promise<Page<ReturnType<typeof toUnlock>>> {
      const { items, meta } = await coins.list(caller._id, page, 'unlock')
      return { data: items.map(toUnlock), meta }
    },

    /**
     * Once per UTC day (409 `already_checked_in`): CHECK_IN_REWARDS[streak - 1] coins (the last one repeats),
     * where the streak counts the days in a row, yesterday's check-in included.
     */
    async checkIn (caller: Caller, now = new Date()) {
      const today = day(now)
      const previous = await coins.lastOf(caller._id, 'check_in')
      const yesterday = day(new Date(now.getTime() - 86_400_000))
      const streak = previous?.day === yesterday ? (previous.ref.streak ?? 1) + 1 : 1
      const reward = rewards[Math.min(streak, rewards.length) - 1]!
      const { entry, created } = await credit(caller._id, `check-in:${today}`, () => ({ kind: 'check_in', delta: reward, ref: { streak } }), null, now)
      if (!created) throw new ApiError('already_checked_in')
      const nextReward = rewards[Math.min(streak + 1, rewards.length) - 1]!
      return { coins: entry.delta, streak, balance: entry.balance, nextReward }
    },

    /**
     * Unlocks a published episode for good with the series' coin price. `key` (the Idempotency-Key) is bound to
     * the episode on first use (422 `idempotency_key_reused` for another); an episode already unlocked answers
     * its unlock and the balance it left, charged once whatever the key. Free, subscribed or own episodes: 409
     * `episode_not_locked`; a series not sold for coins: 409 `not_for_coins`; too few coins: 402.
     */
    async unlock (caller: Caller, episodeId: ObjectId, key: string) {
      const { episode, owner } = await catalogue.publishedEpisode(episodeId)
      const unlockKey = `unlock:${episode.id}`
      if (await billing.bindKey(caller._id, key, unlockKey) !== unlockKey) throw new ApiError('idempotency_key_reused')
      const done = await coins.findByKey(caller._id, unlockKey)
      if (done !== null) return { unlock: toUnlock(done), balance: done.balance, replayed: true }
      if (accessFor(episode, ownerOf(owner), caller) !== 'locked') throw new ApiError('episode_not_locked')
      const price = priceIn(owner, caller.country)
      if (price === null) throw new ApiError('not_for_coins')
      const seriesId = ObjectId.createFromHexString(owner.id)
      const creatorId = ObjectId.createFromHexString(owner.creatorId)
      const { entry, created } = await credit(caller._id, unlockKey, (balance) => {
        if (balance < price) throw new ApiError('insufficient_coins', `This episode costs ${price} coins; you have ${balance}`)
        const regional = caller.country != null && owner.regionalPrices[caller.country] !== undefined
        const country = regional ? { country: caller.country! } : {}
        return { kind: 'unlock', delta: -price, ref: { episodeId, seriesId, creatorId, ...country } }
      }, caller._id)
      if (created) {
        await catalogue.unlocksChanged(caller._id)
        await events.emit(event('episode.unlocked', caller._id, { type: 'episode', id: episodeId, seriesId }, null, price, entry.at))
      }
      return { unlock: toUnlock(entry), balance: entry.balance, replayed: !created }
    },

    /**
     * An admin grants (amount > 0) or takes back (amount < 0; 422 `balance_too_low` below zero) coins, with a
     * reason, audited. The Idempotency-Key makes a retry answer the same entry (422 if it carried another amount).
     */
    async adjust (admin: Caller, userId: ObjectId, amount: number, reason: string, key: string) {
      if (await users.findById(userId) === null) throw new ApiError('user_not_found')
      const kind = amount > 0 ? 'admin_grant' : 'admin_revoke'
      const { entry, created } = await credit(userId, `admin:${key}`, (balance) => {
        if (balance + amount < 0) throw new ApiError('balance_too_low', `The balance is ${balance} coins`)
        return { kind, delta: amount, ref: { actorId: admin._id, reason } }
      }, admin._id)
      if (entry.delta !== amount || entry.ref.actorId?.equals(admin._id) !== true) throw new ApiError('idempotency_key_reused')
      if (created) {
        await audit.claim({
          actorId: admin._id,
          action: 'user.coins',
          targetType: 'ledger_entry',
          targetId: entry._id,
          revision: 0,
          before: String(entry.balance - entry.delta),
          after: String(entry.balance),
          reason,
          at: entry.at
        })
      }
      return { entry: toLedgerEntry(entry), replayed: !created }
    },

    /** Coins spent on the caller's episodes per series and day, from `from` to `to` (UTC days, at most a year). */
    async earnings (caller: Caller, from: string, to: string) {
      checkDayRange(from, to)
      const rows = await coins.earnings(caller._id, from, to)
      const perDay = rows.map((r) => ({ ...r, seriesId: r.seriesId.toHexString() }))
        .sort((a, b) => a.day.localeCompare(b.day) || a.seriesId.localeCompare(b.seriesId))
      const bySeries = new Map<string, { seriesId: string, coins: number, unlocks: number }>()
      for (const d of perDay) {
        const s = bySeries.get(d.seriesId) ?? { seriesId: d.seriesId, coins: 0, unlocks: 0 }
        bySeries.set(d.seriesId, { ...s, coins: s.coins + d.coins, unlocks: s.unlocks + d.unlocks })
      }
      const series = [...bySeries.values()].sort((a, b) => b.coins - a.coins)
      return { from, to, coins: series.reduce((n, s) => n + s.coins, 0), series, days: perDay }
    }
  }
}

export type WalletService = ReturnType<typeof createWalletService>
