// Creator and platform analytics: a known set of plays and progress reports is replayed through the API, the
// jobs run (counting plays, refreshing the rollups), and every figure is checked.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, createEpisode, createSeries, injectWithRetry, isError, setSubscription, signUp, uploadVideo, type Account } from '../helper.js'

const get = async (app: FastifyInstance, who: Account, url: string) =>
  await injectWithRetry(app, { url, headers: who.auth })
const progress = async (app: FastifyInstance, who: Account, episodeId: string, positionSec: number) =>
  await injectWithRetry(app, { method: 'POST', url: '/video/progress', headers: who.auth, payload: { episodeId, positionSec } })

t.test('a series\' stats and the platform\'s day, from a known set of plays and progress reports', async (t) => {
  const app = await build(t)
  const [creator, admin, other] = [await signUp(app, 'creator'), await signUp(app, 'admin'), await signUp(app, 'creator')]
  const video = await uploadVideo(app, creator, undefined, undefined, { durationSec: 100 })
  const series = await createSeries(app, creator, { freeEpisodes: 1, coinPrice: 50 })
  const e1 = await createEpisode(app, creator, series.id, video.id, 1)
  const e2 = await createEpisode(app, creator, series.id, video.id, 2)
  const e3 = await createEpisode(app, creator, series.id, video.id, 3)
  for (const e of [e1, e2, e3]) await injectWithRetry(app, { method: 'POST', url: `/admin/episodes/${e.id}/approve`, headers: admin.auth })
  const [a, b, c, d] = [await signUp(app), await signUp(app), await signUp(app), await signUp(app)]
  // A unlocks episode 2 with coins; C subscribes.
  await app.inject({ method: 'POST', url: `/admin/users/${a.user.id}/coins`, headers: { ...admin.auth, 'idempotency-key': 'analytics-grant' }, payload: { amount: 50, reason: 'test' } })
  t.equal((await app.inject({ method: 'POST', url: `/content/episodes/${e2.id}/unlock`, headers: { ...a.auth, 'idempotency-key': 'analytics-unlock' } })).statusCode, 200)
  await setSubscription(app, admin, c.user.id, 'active')

  // Plays: episode 1 five times (A twice), episode 2 twice, episode 3 once; the creator's own play is not counted.
  const plays = [[a, e1], [a, e1], [b, e1], [c, e1], [d, e1], [a, e2], [c, e2], [c, e3], [creator, e1]] as const
  for (const [who, e] of plays) {
    t.equal((await get(app, who, `/video/play/${e.id}`)).statusCode, 200, 'plays')
  }
  // Progress (100 s episodes): A rewinds after finishing episode 1 (it still counts as reached).
  for (const [who, e, at] of [
    [a, e1, 40], [a, e1, 100], [a, e1, 10], [a, e2, 50], [b, e1, 30], [c, e1, 100], [c, e2, 100], [c, e3, 20],
    [d, e1, 95]
  ] as const) t.equal((await progress(app, who, e.id, at)).statusCode, 200)

  // The jobs: plays are counted in batches, then the rollups refreshed; each may run twice without counting twice.
  await app.services.playback.flushViews()
  await app.services.playback.flushViews()
  await app.services.analytics.refresh()
  await app.services.analytics.refresh()

  const res = await get(app, creator, `/creator/series/${series.id}/stats`)
  t.equal(res.statusCode, 200)
  const stats = res.json().data
  t.same(stats.episodes, [
    {
      episodeId: e1.id,
      number: 1,
      plays: 5,
      uniqueViewers: 4,
      watchTimeSec: 325,
      avgCompletion: 0.825,
      dropOff: [1, 1, 1, 1, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75]
    },
    {
      episodeId: e2.id,
      number: 2,
      plays: 2,
      uniqueViewers: 2,
      watchTimeSec: 150,
      avgCompletion: 0.75,
      dropOff: [1, 1, 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5]
    },
    {
      episodeId: e3.id,
      number: 3,
      plays: 1,
      uniqueViewers: 1,
      watchTimeSec: 20,
      avgCompletion: 0.2,
      dropOff: [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    }
  ])
  t.same(stats.funnel, [
    { episodeId: e1.id, number: 1, viewers: 4 },
    { episodeId: e2.id, number: 2, viewers: 2 },
    { episodeId: e3.id, number: 3, viewers: 1 }
  ])
  // A, C and D finished the free episode; A and C went on (A unlocked, C subscribed); B stopped at 30 %.
  t.same(stats.paywall, { firstLockedNumber: 2, reached: 3, converted: 2, conversionRate: 0.6667 })
  t.match(stats.updatedAt, /^\d{4}-/)
  t.same(stats.days, [{ day: new Date().toISOString().slice(0, 10), plays: 8 }], 'plays per day: the viewers\' eight')

  isError(t, await get(app, other, `/creator/series/${series.id}/stats`), 404, 'series_not_found')
  t.equal((await get(app, admin, `/creator/series/${series.id}/stats`)).statusCode, 200, 'admins see any series')

  const today = new Date().toISOString().slice(0, 10)
  const platform = await get(app, admin, `/admin/stats?from=${today}&to=${today}`)
  t.equal(platform.statusCode, 200)
  t.same(platform.json().data.days, [{
    day: today,
    signups: 7,
    activeViewers: 4,
    plays: 8,
    coinsPurchased: 0,
    coinsSpent: 50,
    subscriptionsStarted: 1,
    subscriptionsEnded: 0
  }])
  isError(t, await get(app, admin, `/admin/stats?from=${today}&to=2000-01-01`), 400, 'validation_failed')
})
