import t from 'tap'
import { ObjectId } from 'mongodb'
import { approve, build, createEpisode, createSeries, setSubscription, signUp, uploadVideo } from '../helper.js'

t.test('discovery', async (t) => {
  const app = await build(t)
  const [creator, admin, viewer] = [await signUp(app, 'creator'), await signUp(app, 'admin'), await signUp(app, 'viewer')]
  await setSubscription(app, admin, viewer.user.id, 'active')
  const video = await uploadVideo(app, creator)
  const publish = async (title: string, genres: string[]) => {
    const series = await createSeries(app, creator, { title, genres })
    const episode = await createEpisode(app, creator, series.id, video.id)
    await approve(app, admin, episode.id)
    return { ...series, episodeId: episode.id }
  }
  const billionaire = await publish('The Billionaire\'s  Secret Twin', ['Romance', 'Revenge'])
  const bride = await publish('The Bride Who Ran', ['romance'])
  const regexy = await publish('(.*) Is Not A Pattern', ['mystery'])
  await createSeries(app, creator, { title: 'The Billionaire Unpublished', genres: ['romance'] })
  const list = async (query: string) => {
    const res = await app.inject({ url: `/content/series?${query}`, headers: viewer.auth })
    t.equal(res.statusCode, 200, query)
    return res.json().data.map((s: { id: string }) => s.id) as string[]
  }

  t.test('title search matches a prefix in any case, spacing collapsed, published series only', async (t) => {
    t.same(await list('q=the%20billionaire%27s%20secret'), [billionaire.id])
    t.same((await list('q=THE%20B&sort=title:asc')), [billionaire.id, bride.id])
    t.same(await list('q=twin'), [], 'a prefix, not a substring')
  })

  t.test('regex characters in a search are taken literally', async (t) => {
    t.same(await list(`q=${encodeURIComponent('(.*)')}`), [regexy.id])
    t.same(await list(`q=${encodeURIComponent('.*')}`), [])
    t.same(await list(`q=${encodeURIComponent('[')}`), [])
  })

  t.test('a genre filter takes any case and combines with search', async (t) => {
    t.same((await list('genre=ROMANCE&sort=title:asc')), [billionaire.id, bride.id])
    t.same(await list('genre=romance&q=the%20bride'), [bride.id])
  })

  t.test('genres list the published catalogue with counts, most first', async (t) => {
    const res = await app.inject({ url: '/content/genres', headers: viewer.auth })
    t.equal(res.statusCode, 200)
    t.same(res.json().data, [{ genre: 'romance', count: 2 }, { genre: 'mystery', count: 1 }, { genre: 'revenge', count: 1 }])
    t.equal((await app.inject({ url: '/content/genres' })).statusCode, 401)
  })

  t.test('plays count views once the worker flushes them: most viewed and trending orders follow them', async (t) => {
    const views = async (id: string) => (await app.inject({ url: `/content/series/${id}`, headers: viewer.auth })).json().data.views as number
    const play = async (episodeId: string) =>
      t.equal((await app.inject({ url: `/video/play/${episodeId}`, headers: viewer.auth })).statusCode, 200)
    await Promise.all([play(bride.episodeId), play(bride.episodeId), play(bride.episodeId), play(regexy.episodeId)])
    t.equal(await views(bride.id), 0, 'buffered: not yet counted')
    t.match(await app.services.playback.flushViews(), { batches: 1, plays: 4 }, 'what the worker\'s job does')
    t.same(await list('sort=views:desc'), [bride.id, regexy.id, billionaire.id])
    t.same(await list('sort=trending:desc'), [bride.id, regexy.id, billionaire.id])
    t.equal(await views(bride.id), 3)
    t.match(await app.services.playback.flushViews(), { batches: 0, plays: 0 }, 'nothing twice')
    t.equal(await views(bride.id), 3)
  })

  t.test('a creator previewing their own episode does not count as a view', async (t) => {
    const before = (await app.inject({ url: `/content/series/${billionaire.id}`, headers: viewer.auth })).json().data.views
    await app.inject({ url: `/video/play/${billionaire.episodeId}`, headers: creator.auth })
    await app.services.playback.flushViews()
    t.equal((await app.inject({ url: `/content/series/${billionaire.id}`, headers: viewer.auth })).json().data.views, before)
  })

  t.test('trending counts only the last 7 days, and old scores decay', async (t) => {
    const { series } = app.repos
    const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000)
    const id = ObjectId.createFromHexString(billionaire.id)
    for (let i = 0; i < 5; i++) await series.recordView(id, tenDaysAgo)
    const doc = await series.findById(id)
    t.equal(doc?.views, 5, 'old plays count in the total')
    t.equal(doc?.trending, 5, 'scored as of the day they happened')
    await series.refreshTrending()
    t.equal((await series.findById(id))?.trending, 0, 'ten days later they no longer trend')
    t.same((await list('sort=trending:desc'))[2], billionaire.id)
  })
})
