import t from 'tap'
import { approve, build, createEpisode, createSeries, setSubscription, signUp, uploadVideo, type Account, isError } from '../helper.js'

interface Row { series: { id: string }, episode: { id: string }, next: { id: string } | null }

t.test('continue watching', async (t) => {
  const app = await build(t)
  const [creator, admin, viewer, otherViewer] = [await signUp(app, 'creator'), await signUp(app, 'admin'), await signUp(app, 'viewer'), await signUp(app, 'viewer')]
  for (const account of [viewer, otherViewer]) await setSubscription(app, admin, account.user.id, 'active')
  const video = await uploadVideo(app, creator, undefined, undefined, { durationSec: 100 }) // every episode lasts 100 s
  const publish = async (title: string, count: number, freeEpisodes = 0) => {
    const series = await createSeries(app, creator, { title, freeEpisodes })
    const episodes = []
    for (let n = 1; n <= count; n++) {
      const episode = await createEpisode(app, creator, series.id, video.id, n)
      await approve(app, admin, episode.id)
      episodes.push(episode)
    }
    return { ...series, episodes }
  }
  const a = await publish('A', 2, 1)
  const b = await publish('B', 3)
  const c = await publish('C', 1)
  const d = await publish('D', 2)
  const progress = async (account: Account, episodeId: string, body: Record<string, unknown>) => {
    const res = await app.inject({ method: 'POST', url: '/video/progress', headers: account.auth, payload: { episodeId, ...body } })
    if (res.statusCode !== 200) throw new Error(`progress failed: ${res.statusCode} ${res.body}`)
  }
  const continueWatching = async (account: Account = viewer, query = '') => await app.inject({ url: `/me/continue-watching${query}`, headers: account.auth })
  const rowsOf = async (account: Account = viewer, query = ''): Promise<any[]> => {
    const res = await continueWatching(account, query)
    t.equal(res.statusCode, 200)
    return res.json().data
  }
  const seriesIds = (rows: Row[]) => rows.map((r) => r.series.id)

  t.equal((await continueWatching()).statusCode, 200)
  t.same((await continueWatching()).json(), { data: [] }, 'nothing watched yet: an empty list')

  // In this order: C finished, A's first episode half-watched, B's second episode finished; another viewer starts D.
  await progress(viewer, c.episodes[0]!.id, { positionSec: 100 })
  await progress(viewer, a.episodes[0]!.id, { positionSec: 30 })
  await progress(viewer, b.episodes[1]!.id, { positionSec: 60, completed: true })
  await progress(otherViewer, d.episodes[0]!.id, { positionSec: 10 })

  t.test('one row per started series, most recently watched first', async (t) => {
    t.same(seriesIds(await rowsOf()), [b.id, a.id])
  })

  t.test('an unfinished episode is resumed at its position, with the episode after it', async (t) => {
    const row = (await rowsOf()).find((r) => r.series.id === a.id)
    t.same(Object.keys(row).sort(), ['completed', 'durationSec', 'episode', 'next', 'positionSec', 'series', 'updatedAt'])
    t.match(row, {
      series: { id: a.id, title: 'A', inMyList: false },
      episode: { id: a.episodes[0]!.id, number: 1, access: 'free' },
      positionSec: 30,
      durationSec: 100,
      completed: false,
      next: { id: a.episodes[1]!.id, number: 2, access: 'subscription' }
    })
    t.type(row.updatedAt, 'string')
  })

  t.test('after a completed episode the next one is offered from the start', async (t) => {
    const row = (await rowsOf()).find((r) => r.series.id === b.id)
    t.match(row, {
      series: { id: b.id },
      episode: { id: b.episodes[2]!.id, number: 3 },
      positionSec: 0,
      durationSec: null,
      completed: false,
      next: null
    })
  })

  t.test('a series whose last episode is completed is left out', async (t) => {
    t.notOk(seriesIds(await rowsOf()).includes(c.id))
  })

  t.test('only the caller\'s own history counts', async (t) => {
    const rows = await rowsOf(otherViewer)
    t.same(seriesIds(rows), [d.id])
    t.match(rows[0], { episode: { id: d.episodes[0]!.id }, positionSec: 10, next: { id: d.episodes[1]!.id } })
    t.same(await rowsOf(await signUp(app, 'viewer')), [], 'a newcomer has nothing to continue')
  })

  t.test('limit caps the rows, newest kept', async (t) => {
    t.same(seriesIds(await rowsOf(viewer, '?limit=1')), [b.id])
    t.same(seriesIds(await rowsOf(viewer, '?limit=100')), [b.id, a.id])
  })

  t.test('a limit out of 1..100 or an unknown parameter is 400 validation_failed; no token is 401', async (t) => {
    for (const query of ['?limit=0', '?limit=101', '?limit=abc', '?page=2', '?sort=updatedAt:desc']) {
      isError(t, await continueWatching(viewer, query), 400, 'validation_failed')
    }
    isError(t, await app.inject({ url: '/me/continue-watching' }), 401, 'unauthorized')
  })

  t.test('the series says whether it is in the caller\'s list', async (t) => {
    t.equal((await app.inject({ method: 'PUT', url: `/me/list/${a.id}`, headers: viewer.auth })).statusCode, 204)
    t.equal((await rowsOf()).find((r) => r.series.id === a.id).series.inMyList, true)
  })

  t.test('watching again moves a series to the top with the new position', async (t) => {
    await progress(viewer, a.episodes[0]!.id, { positionSec: 45 })
    const rows = await rowsOf()
    t.same(seriesIds(rows), [a.id, b.id])
    t.equal(rows[0].positionSec, 45)
  })

  t.test('moving on to the next episode resumes that one', async (t) => {
    await progress(viewer, a.episodes[1]!.id, { positionSec: 5 })
    const row = (await rowsOf())[0]
    t.match(row, {
      series: { id: a.id }, episode: { id: a.episodes[1]!.id }, positionSec: 5, durationSec: 100, next: null
    })
  })

  t.test('finishing the last episode of a series removes its row', async (t) => {
    await progress(viewer, b.episodes[2]!.id, { positionSec: 100 })
    t.same(seriesIds(await rowsOf()), [a.id])
  })

  t.test('a new episode brings a finished series back, offering it from the start', async (t) => {
    const next = await createEpisode(app, creator, c.id, video.id, 2)
    await approve(app, admin, next.id)
    const rows = await rowsOf()
    t.same(seriesIds(rows), [a.id, c.id])
    t.match(rows[1], { episode: { id: next.id, number: 2 }, positionSec: 0, completed: false, next: null })
  })

  t.test('a series taken down leaves the list', async (t) => {
    const down = await app.inject({ method: 'POST', url: `/admin/series/${a.id}/unpublish`, headers: admin.auth, payload: { reason: 'Takedown' } })
    t.equal(down.statusCode, 200)
    t.same(seriesIds(await rowsOf()), [c.id])
  })
})
