import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { approve, build, createEpisode, createSeries, signUp, uploadVideo } from '../helper.js'

// The catalogue's meta.total is counted at most once per CATALOGUE_TOTAL_CACHE_MS per filter; pages are fresh.
const CACHE_MS = 700

t.test('catalogue totals are reused for CATALOGUE_TOTAL_CACHE_MS; pages are always fresh', async (t) => {
  const app = await build(t, { CATALOGUE_TOTAL_CACHE_MS: String(CACHE_MS) })
  const [creator, admin, viewer] = [await signUp(app, 'creator'), await signUp(app, 'admin'), await signUp(app, 'viewer')]
  const video = await uploadVideo(app, creator)
  const publish = async (genres: string[]) => {
    const series = await createSeries(app, creator, { genres })
    await approve(app, admin, (await createEpisode(app, creator, series.id, video.id)).id)
    return series.id
  }
  const list = async (query = '') => {
    const res = await app.inject({ url: `/content/series${query}`, headers: viewer.auth })
    t.equal(res.statusCode, 200)
    const { data, meta } = res.json()
    return {
      ids: data.map((s: { id: string }) => s.id) as string[],
      total: meta.total as number,
      totalPages: meta.totalPages as number
    }
  }

  const first = await publish(['romance'])
  t.same(await list(), { ids: [first], total: 1, totalPages: 1 })

  const second = await publish(['revenge'])
  const soon = await list()
  t.same(soon.ids, [second, first], 'the page shows the new series at once')
  t.equal(soon.total, 1, 'the total is the one counted less than CATALOGUE_TOTAL_CACHE_MS ago')
  t.same(await list('?genre=revenge'), { ids: [second], total: 1, totalPages: 1 }, 'another filter has its own count')

  await sleep(CACHE_MS + 100)
  t.same(await list(), { ids: [second, first], total: 2, totalPages: 1 }, 'counted again once the time is up')
})

t.test('CATALOGUE_TOTAL_CACHE_MS=0 counts on every request', async (t) => {
  const app = await build(t, { CATALOGUE_TOTAL_CACHE_MS: '0' })
  const [creator, admin, viewer] = [await signUp(app, 'creator'), await signUp(app, 'admin'), await signUp(app, 'viewer')]
  const video = await uploadVideo(app, creator)
  const total = async () => (await app.inject({ url: '/content/series', headers: viewer.auth })).json().meta.total
  for (let n = 1; n <= 2; n++) {
    const series = await createSeries(app, creator)
    await approve(app, admin, (await createEpisode(app, creator, series.id, video.id)).id)
    t.equal(await total(), n)
  }
})
