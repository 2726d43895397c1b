import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { api, approve, build, createEpisode, createSeries, ids, isError, setSubscription, signUp, uploadVideo } from '../helper.js'

// Published content is read through a cache in Redis shared by the instances; every change through the API
// drops what it touches before it is answered.

/** How many commands the app sends to the database while `run` runs. */
async function commandsDuring (app: FastifyInstance, run: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = []
  const listener = (event: { commandName: string, command: Record<string, unknown> }) => {
    if (['find', 'count', 'aggregate'].includes(event.commandName)) sent.push(`${event.commandName} ${String(event.command[event.commandName])}`)
  }
  app.mongo.client.on('commandStarted', listener)
  try {
    await run()
  } finally {
    app.mongo.client.off('commandStarted', listener)
  }
  return sent
}

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
