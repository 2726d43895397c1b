import t from 'tap'
import type { FastifyInstance } from 'fastify'
import {
  api, approve, build, commandsDuring, createEpisode, createSeries, ids, isError, setSubscription, signUp, uploadVideo
} from '../helper.js'

// Published content is read through a cache in Redis shared by the instances; every change through the API
// drops what it touches before it is answered.

t.test('two instances reading through one shared cache', async (t) => {
  const a = await build(t, { READ_CACHE_MS: '60000' })
  const b = await build(t, { READ_CACHE_MS: '60000', MONGODB_URI: a.config.MONGODB_URI })
  const [creator, admin] = [await signUp(a, 'creator'), await signUp(a, 'admin')]
  const [saver, other] = [await signUp(a, 'viewer'), await signUp(a, 'viewer')]
  await setSubscription(a, admin, saver.user.id, 'active')
  const video = await uploadVideo(a, creator)
  const publish = async (title: string, episodes = 1) => {
    const series = await createSeries(a, creator, { title, freeEpisodes: 1 })
    for (let n = 1; n <= episodes; n++) {
      await approve(a, admin, (await createEpisode(a, creator, series.id, video.id, n)).id)
    }
    return series.id
  }
  const catalogue = (app: FastifyInstance, viewer = other) => app.inject({ url: '/content/series', headers: viewer.auth })
  const first = await publish('First', 2)

  t.test('a second read of the same page sends no query to the database at all', async (t) => {
    t.same(ids(await catalogue(b)), [first])
    const queries = await commandsDuring(b, async () => t.same(ids(await catalogue(b)), [first]))
    t.same(queries, [], `the page, its total and the caller's own list all come from the cache: ${queries.join(', ')}`)
  })

  t.test('a series published through one instance is in the other\'s catalogue at once, with its total', async (t) => {
    const second = await publish('Second')
    const res = await catalogue(b)
    t.same(ids(res), [second, first])
    t.equal(res.json().meta.total, 2)
  })

  t.test('what depends on the caller is never taken from another caller', async (t) => {
    const inMyList = async (viewer: typeof saver) =>
      (await catalogue(b, viewer)).json().data.find((s: { id: string }) => s.id === first).inMyList
    t.equal(await inMyList(saver), false, 'before saving (the viewer\'s list is now cached on B)')
    t.equal((await api(a).addToList(saver, first)).statusCode, 204)
    t.equal(await inMyList(saver), true, 'the viewer who saved it, on the other instance at once')
    t.equal(await inMyList(other), false, 'another viewer, reading the same cached page')
    t.equal((await api(a).removeFromList(saver, first)).statusCode, 204)
    t.equal(await inMyList(saver), false, 'removed on one instance: gone on the other at once')
    t.equal((await api(a).addToList(saver, first)).statusCode, 204)
    t.equal(await inMyList(saver), true)
    t.equal(await inMyList(other), false)
    const episodes = async (viewer = other) =>
      (await b.inject({ url: `/content/series/${first}/episodes`, headers: viewer.auth })).json().data.map((e: { access: string }) => e.access)
    t.same(await episodes(saver), ['free', 'subscription'], 'a subscriber')
    t.same(await episodes(other), ['free', 'locked'], 'a viewer without a subscription, same cached page')
    t.same(await episodes(creator), ['free', 'subscription'], 'its creator')
  })

  t.test('a viewer with a very long list still sees what they saved', async (t) => {
    const { ObjectId } = await import('mongodb')
    const userId = ObjectId.createFromHexString(other.user.id)
    const rows = Array.from({ length: 500 }, () =>
      ({ _id: new ObjectId(), userId, seriesId: new ObjectId(), addedAt: new Date() }))
    await a.mongo.db!.collection('my_list').insertMany(rows)
    t.equal((await api(a).addToList(other, first)).statusCode, 204, 'the 501st saved series')
    const page = (await catalogue(b, other)).json().data
    t.equal(page.find((s: { id: string }) => s.id === first).inMyList, true)
    await a.mongo.db!.collection('my_list').deleteMany({ _id: { $in: rows.map((r) => r._id) } })
    t.equal((await api(a).removeFromList(other, first)).statusCode, 204)
  })

  t.test('a creator\'s edit shows on the other instance at once', async (t) => {
    await b.inject({ url: `/content/series/${first}`, headers: other.auth })
    t.equal((await api(a).patchSeries(creator, first, { title: 'First (director\'s cut)' })).statusCode, 200)
    t.equal((await b.inject({ url: `/content/series/${first}`, headers: other.auth })).json().data.title, 'First (director\'s cut)')
  })

  t.test('a takedown on one instance removes it from the other at once', async (t) => {
    t.equal((await b.inject({ url: `/content/series/${first}/episodes`, headers: other.auth })).statusCode, 200)
    t.equal((await api(a).unpublishSeries(admin, first, { reason: 'Rights expired' })).statusCode, 200)
    isError(t, await b.inject({ url: `/content/series/${first}`, headers: other.auth }), 404, 'series_not_found')
    isError(t, await b.inject({ url: `/content/series/${first}/episodes`, headers: other.auth }), 404, 'series_not_found')
    t.notOk(ids(await catalogue(b)).includes(first), 'out of the catalogue')
  })

  t.test('an episode taken down leaves its series\' cached episode list and its cached page at once', async (t) => {
    const third = await publish('Third', 2)
    const list = async () => ids(await b.inject({ url: `/content/series/${third}/episodes`, headers: other.auth }))
    const [one, two] = await list()
    const detail = () => b.inject({ url: `/content/episodes/${two}`, headers: other.auth })
    t.equal((await detail()).statusCode, 200)
    const queries = await commandsDuring(b, async () => t.equal((await detail()).json().data.access, 'locked'))
    t.same(queries.filter((q) => /episodes|series/.test(q)), [], `an episode's page read again sends no query: ${queries.join(', ')}`)
    const play = () => b.inject({ url: `/video/play/${one}`, headers: saver.auth })
    t.equal((await play()).statusCode, 200)
    const playQueries = await commandsDuring(b, async () => t.equal((await play()).statusCode, 200))
    t.same(playQueries.filter((q) => /episodes|series|videos/.test(q)), [], `a play sends no query for the episode: ${playQueries.join(', ')}`)
    t.equal((await api(a).unpublishEpisode(admin, two!, { reason: 'Wrong cut' })).statusCode, 200)
    t.same(await list(), [one])
    isError(t, await detail(), 404, 'episode_not_found')
    t.equal((await api(a).unpublishEpisode(admin, one!, { reason: 'Wrong cut too' })).statusCode, 200)
    isError(t, await play(), 404, 'episode_not_found')
    t.equal((await b.inject({ url: `/video/play/${one}`, headers: creator.auth })).statusCode, 200, 'its creator may still review it')
  })
})

t.test('on a miss, each read sends the fewest queries: the episode alone, a series\' whole list once', async (t) => {
  const app = await build(t, { READ_CACHE_MS: '60000' })
  const [creator, admin, viewer] = [await signUp(app, 'creator'), await signUp(app, 'admin'), await signUp(app, 'viewer')]
  await setSubscription(app, admin, viewer.user.id, 'active')
  const video = await uploadVideo(app, creator)
  const series = await createSeries(app, creator, { title: 'Misses', freeEpisodes: 1 })
  const episodes: string[] = []
  for (let n = 1; n <= 3; n++) {
    episodes.push((await approve(app, admin, (await createEpisode(app, creator, series.id, video.id, n)).id)).id)
  }
  const content = async (run: () => Promise<unknown>) =>
    (await commandsDuring(app, run)).filter((q) => /episodes|series|videos/.test(q))
  const get = async (url: string) => await app.inject({ url, headers: viewer.auth })
  t.equal((await get(`/content/series/${series.id}`)).statusCode, 200, 'the series is cached on its own')

  t.same(await content(async () => t.equal((await get(`/content/episodes/${episodes[1]}`)).json().data.access, 'subscription')),
    ['find episodes'], 'an episode\'s detail: one query, its series from its own cached entry')
  t.same(await content(async () => t.match((await get(`/video/play/${episodes[2]}`)).json().data, { type: 'mp4', url: /^http/ })),
    ['find episodes'], 'a play: one query, the episode carries its video\'s files (no read of the video)')

  let cursor = ''
  t.same(await content(async () => {
    const first = (await get(`/content/series/${series.id}/episodes?limit=2`)).json()
    t.same(first.data.map((e: { id: string }) => e.id), episodes.slice(0, 2))
    t.match(first.meta, { total: 3, page: 1, totalPages: 2, nextCursor: String })
    cursor = first.meta.nextCursor
  }), ['find episodes'], 'a series\' episodes: one query for the whole list, no count')
  t.same(await content(async () => {
    const next = (await get(`/content/series/${series.id}/episodes?limit=2&cursor=${cursor}`)).json()
    t.same(next.data.map((e: { id: string }) => e.id), [episodes[2]])
    t.match(next.meta, { total: 3, page: 2, nextCursor: null })
    const desc = (await get(`/content/series/${series.id}/episodes?sort=number:desc&limit=2&page=2`)).json()
    t.same(desc.data.map((e: { id: string }) => e.id), [episodes[0]], 'the other order, by page')
  }), [], 'its other pages and orders: from the cached list, no query')
})
