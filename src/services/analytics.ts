import { ObjectId } from 'mongodb'
import { ApiError } from '../errors.js'
import type { EpisodeStatsDoc, LanguageStats } from '../repositories/analytics.js'
import { UNDETERMINED } from './views.js'
import type { Caller, ServiceDeps } from './types.js'
import { checkDayRange, dayOf as day } from '../lib/days.js'

/** Episodes touched since the last refresh (their stats are recomputed), and each day's active viewers. */
const DIRTY = 'stats:dirty-episodes'
const activeKey = (day: string) => `stats:active:${day}`
const startOf = (d: string) => new Date(`${d}T00:00:00.000Z`)
const round = (n: number, digits = 4) => Math.round(n * 10 ** digits) / 10 ** digits
/** The days of plays a series' report charts. */
const SERIES_DAYS = 90

/** How far a viewer got in an episode, 0 to 1 (a completed report counts as the end). */
type Progress = { furthestSec?: number, positionSec: number, durationSec: number | null, completed: boolean }
const furthest = (row: Progress) => Math.min(row.furthestSec ?? row.positionSec, row.durationSec ?? Infinity)

function completion (row: Progress): number {
  if (row.completed) return 1
  return row.durationSec === null || row.durationSec <= 0 ? 0 : Math.min(1, furthest(row) / row.durationSec)
}

/**
 * Views and completion by the language viewers chose (their latest report per episode): subtitles (null: none) and
 * audio (a dub, else the original's language), most viewed first.
 */
function languageStats (
  rows: Array<Progress & { userId: ObjectId, subtitleLanguage?: string | null, audioLanguage?: string | null }>,
  original: string
): LanguageStats[] {
  const groups = new Map<string, { kind: LanguageStats['kind'], language: string | null, users: Set<string>, reached: number[] }>()
  for (const row of rows) {
    for (const [kind, language] of [['subtitles', row.subtitleLanguage ?? null], ['audio', row.audioLanguage ?? original]] as const) {
      const key = `${kind}:${language ?? ''}`
      const group = groups.get(key) ?? { kind, language, users: new Set<string>(), reached: [] }
      group.users.add(row.userId.toHexString())
      group.reached.push(completion(row))
      groups.set(key, group)
    }
  }
  return [...groups.values()].map(({ kind, language, users, reached }) => ({
    kind,
    language,
    views: reached.length,
    viewers: users.size,
    completed: reached.filter((c) => c >= 1).length,
    avgCompletion: round(reached.reduce((a, b) => a + b, 0) / reached.length)
  })).sort((a, b) => a.kind.localeCompare(b.kind) || b.views - a.views || (a.language ?? '').localeCompare(b.language ?? ''))
}

/**
 * Creator and platform analytics, computed by a job into rollups that the endpoints read (never history per
 * request). Every progress report marks its episode for a refresh and its viewer active that day; a refresh
 * recomputes each marked episode from its viewers' furthest positions (so it can run twice safely), then their
 * series' funnel and paywall conversion, then today's and yesterday's platform figures from their sources.
 */
export function createAnalyticsService ({ repos, redis, events }: ServiceDeps) {
  const { analytics, watchHistory, episodes, series, users, coins, audit } = repos

  events.on('progress.recorded', async (e) => {
    const at = day(e.at)
    await redis.multi().sadd(DIRTY, e.target.id.toHexString()).pfadd(activeKey(at), e.actorId?.toHexString() ?? '').expire(activeKey(at), 40 * 86_400).exec()
  })

  /** One episode's figures from its viewers' progress and its counted plays. */
  async function episodeStats (episodeId: ObjectId): Promise<EpisodeStatsDoc | null> {
    const episode = await episodes.findById(episodeId)
    if (episode === null) return null
    const rows = await watchHistory.progressOf({ episodeId })
    const reached = rows.map(completion)
    const viewers = rows.length
    return {
      _id: episodeId,
      seriesId: episode.seriesId,
      number: episode.number,
      plays: await analytics.playsOf(episodeId),
      uniqueViewers: viewers,
      watchTimeSec: round(rows.reduce((n, r) => n + furthest(r), 0), 1),
      avgCompletion: viewers === 0 ? 0 : round(reached.reduce((a, b) => a + b, 0) / viewers),
      // Reaching k tenths: at least k/10 of the episode (a completed viewer reached every tenth).
      dropOff: Array.from({ length: 11 }, (_, k) =>
        viewers === 0 ? 0 : round(reached.filter((c) => c >= k / 10 - 1e-9).length / viewers)),
      updatedAt: new Date()
    }
  }

  /** A series' funnel (viewers per episode) and paywall: who reached the first locked episode, who went past it. */
  async function seriesStats (seriesId: ObjectId): Promise<void> {
    const found = await series.findById(seriesId)
    if (found === null) return
    const perEpisode = await analytics.episodesOf(seriesId)
    const numberOf = new Map(perEpisode.map((e) => [e._id.toHexString(), e.number]))
    const free = found.freeEpisodes
    const reached = new Set<string>()
    const converted = new Set<string>()
    const rows = await watchHistory.progressOf({ seriesId })
    for (const row of rows) {
      const number = numberOf.get(row.episodeId.toHexString())
      if (number === undefined) continue
      const user = row.userId.toHexString()
      if (number > free) { reached.add(user); converted.add(user) }
      if (number === free && completion(row) >= 0.95) reached.add(user)
    }
    await analytics.saveSeries({
      _id: seriesId,
      funnel: perEpisode.map((e) => ({ episodeId: e._id, number: e.number, viewers: e.uniqueViewers })),
      firstLockedNumber: perEpisode.some((e) => e.number > free) ? free + 1 : null,
      reachedPaywall: reached.size,
      converted: converted.size,
      languages: languageStats(rows, found.language ?? UNDETERMINED),
      updatedAt: new Date()
    })
  }

  /** A day's platform figures, recounted from their sources (its plays are counted in as views are flushed). */
  async function platformDay (d: string): Promise<void> {
    const [from, to] = [startOf(d), new Date(startOf(d).getTime() + 86_400_000)]
    const [signups, activeViewers, totals, subscriptions] = await Promise.all([
      users.countCreated(from, to), redis.pfcount(activeKey(d)), coins.totalsOn(d), audit.subscriptionChanges(from, to)
    ])
    await analytics.savePlatformDay(d, {
      signups,
      activeViewers,
      coinsPurchased: totals.purchase ?? 0,
      coinsSpent: -(totals.unlock ?? 0),
      subscriptionsStarted: subscriptions.started,
      subscriptionsEnded: subscriptions.ended,
      updatedAt: new Date()
    })
  }

  return {
    /** The job (every ANALYTICS_REFRESH_MS): the marked episodes, their series, today and yesterday. */
    async refresh (now = new Date()): Promise<{ episodes: number, series: number }> {
      const marked = await redis.srandmember(DIRTY, 1000)
      const touched = new Set<string>()
      for (const id of marked) {
        const stats = await episodeStats(ObjectId.createFromHexString(id))
        if (stats !== null) {
          await analytics.saveEpisode(stats)
          touched.add(stats.seriesId.toHexString())
        }
      }
      for (const id of touched) await seriesStats(ObjectId.createFromHexString(id))
      // Unmarked once their figures are saved: a refresh that failed half-way leaves them for the next.
      if (marked.length > 0) await redis.srem(DIRTY, ...marked)
      for (const d of new Set([day(new Date(now.getTime() - 86_400_000)), day(now)])) await platformDay(d)
      return { episodes: marked.length, series: touched.size }
    },

    /** Marks an episode for the next refresh (its plays were counted). */
    async touched (episodeIds: string[]): Promise<void> {
      if (episodeIds.length > 0) await redis.sadd(DIRTY, ...episodeIds)
    },

    /** A series' figures, for its creator or an admin (404 for anyone else): as of the last refresh. */
    async seriesReport (caller: Caller, seriesId: ObjectId) {
      const found = await series.findById(seriesId)
      if (found === null || (caller.role !== 'admin' && !found.ownerId.equals(caller._id))) throw new ApiError('series_not_found')
      const [perEpisode, summary, days] = await Promise.all([
        analytics.episodesOf(seriesId), analytics.seriesStats(seriesId), analytics.seriesPlaysByDay(seriesId)
      ])
      const reached = summary?.reachedPaywall ?? 0
      const converted = summary?.converted ?? 0
      return {
        seriesId: seriesId.toHexString(),
        episodes: perEpisode.map((e) => ({
          episodeId: e._id.toHexString(),
          number: e.number,
          plays: e.plays,
          uniqueViewers: e.uniqueViewers,
          watchTimeSec: e.watchTimeSec,
          avgCompletion: e.avgCompletion,
          dropOff: e.dropOff
        })),
        funnel: (summary?.funnel ?? []).map(({ episodeId, number, viewers }) =>
          ({ episodeId: episodeId.toHexString(), number, viewers })),
        paywall: {
          firstLockedNumber: summary?.firstLockedNumber ?? (found.freeEpisodes + 1),
          reached,
          converted,
          conversionRate: reached === 0 ? 0 : round(converted / reached)
        },
        days: days.slice(-SERIES_DAYS),
        languages: summary?.languages ?? [],
        updatedAt: summary?.updatedAt.toISOString() ?? null
      }
    },

    /** The platform per UTC day, from `from` to `to` (at most 366 days), as of the last refresh. */
    async platformReport (from: string, to: string) {
      checkDayRange(from, to)
      const rows = await analytics.platformDays(from, to)
      return {
        from,
        to,
        days: rows.map((r) => ({
          day: r._id,
          signups: r.signups ?? 0,
          activeViewers: r.activeViewers ?? 0,
          plays: r.plays ?? 0,
          coinsPurchased: r.coinsPurchased ?? 0,
          coinsSpent: r.coinsSpent ?? 0,
          subscriptionsStarted: r.subscriptionsStarted ?? 0,
          subscriptionsEnded: r.subscriptionsEnded ?? 0
        }))
      }
    }
  }
}

export type AnalyticsService = ReturnType<typeof createAnalyticsService>
