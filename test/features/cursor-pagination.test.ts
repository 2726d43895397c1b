import t from 'tap'
import { approve, build, createEpisode, createSeries, isError, publishedCatalogue, signUp, uploadVideo } from '../helper.js'

t.test('cursor pagination', async (t) => {
  const app = await build(t)
  const [creator, admin, viewer] = [await signUp(app, 'creator'), await signUp(app, 'admin'), await signUp(app, 'viewer')]
  const video = await uploadVideo(app, creator)
  const publish = async (title: string) => {
    const series = await createSeries(app, creator, { title })
    await approve(app, admin, (await createEpisode(app, creator, series.id, video.id)).id)
    return series.id
  }
  // Two share a title, so a title sort needs the tie-breaker to neither repeat nor skip one.
  const ids = [await publish('Echo'), await publish('Alpha'), await publish('Echo'), await publish('Bravo'), await publish('Delta')]
  const get = (query: string) => app.inject({ url: `/content/series?${query}`, headers: viewer.auth })

  /** Every page by following nextCursor from page 1; returns the ids and each page's meta.page. */
  const walk = async (query: string) => {
    const seen: string[] = []
    const pages: number[] = []
    let cursor: string | null = null
    do {
      const res = await get(`${query}${cursor === null ? '' : `&cursor=${cursor}`}`)
      t.equal(res.statusCode, 200)
      const body = res.json()
      seen.push(...body.data.map((s: { id: string }) => s.id))
      pages.push(body.meta.page)
      cursor = body.meta.nextCursor
    } while (cursor !== null && pages.length < 10)
    return { seen, pages }
  }

  t.test('following nextCursor gives every item once, in the order page numbers give', async (t) => {
    for (const sort of ['publishedAt:desc', 'title:asc', 'title:desc']) {
      const byCursor = await walk(`limit=2&sort=${sort}`)
      const byPage = []
      for (let page = 1; page <= 3; page++) byPage.push(...(await get(`limit=2&sort=${sort}&page=${page}`)).json().data.map((s: { id: string }) => s.id))
      t.same(byCursor.seen, byPage, sort)
      t.same(byCursor.pages, [1, 2, 3], `${sort}: meta.page counts the pages`)
      t.same([...byCursor.seen].sort(), [...ids].sort(), `${sort}: each series once`)
    }
  })

  t.test('a series published while scrolling neither repeats an item nor hides one (an offset would repeat)', async (t) => {
    const first = (await get('limit=2')).json()
    t.same(first.data.map((s: { id: string }) => s.id), [ids[4], ids[3]])
    const newest = await publish('Foxtrot')
    const byCursor = (await get(`limit=2&cursor=${first.meta.nextCursor}`)).json()
    t.same(byCursor.data.map((s: { id: string }) => s.id), [ids[2], ids[1]], 'continues after the last item seen')
    const byOffset = (await get('limit=2&page=2')).json()
    t.same(byOffset.data.map((s: { id: string }) => s.id), [ids[3], ids[2]], 'the offset page repeats an item')
    t.equal(byCursor.meta.total, 6, 'the total counts the new series')
    t.same((await walk('limit=2')).seen[0], newest, 'a new scroll from the top starts with it')
  })

  t.test('filters apply to cursor pages too', async (t) => {
    t.same((await walk('limit=1&q=echo')).seen, [ids[2], ids[0]])
  })

  t.test('a cursor that was changed, or belongs to another sort or list, is 400 invalid_cursor', async (t) => {
    const { nextCursor } = (await get('limit=2')).json().meta
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const bad = [
      ['garbage', 'bm90LWpzb24'],
      ['another sort', null],
      ['an operator for a key', forged({ s: 'publishedAt:desc', p: 2, k: [{ $gt: '' }, { $oid: '0'.repeat(24) }] })],
      ['too few keys', forged({ s: 'publishedAt:desc', p: 2, k: [{ $date: '2026-01-01T00:00:00Z' }] })],
      ['page 0', forged({ s: 'publishedAt:desc', p: 0, k: [{ $date: '2026-01-01T00:00:00Z' }, { $oid: '0'.repeat(24) }] })],
      ['not an object', forged([1, 2])]
    ] as const
    for (const [why, cursor] of bad) {
      const res = cursor === null ? await get(`limit=2&sort=title:asc&cursor=${nextCursor}`) : await get(`limit=2&cursor=${cursor}`)
      isError(t, res, 400, 'invalid_cursor')
      t.notMatch(res.body, /\$gt|stack/, why)
    }
    isError(t, await get('cursor=not%20base64url!'), 400, 'validation_failed')
  })

  t.test('the episodes of a series page by number with a cursor too', async (t) => {
    const c = await publishedCatalogue(app, 3)
    const url = `/content/series/${c.series.id}/episodes?limit=2`
    const first = (await app.inject({ url, headers: c.viewer.auth })).json()
    const second = (await app.inject({ url: `${url}&cursor=${first.meta.nextCursor}`, headers: c.viewer.auth })).json()
    t.same([...first.data, ...second.data].map((e: { number: number }) => e.number), [1, 2, 3])
    t.same(second.meta, { total: 3, page: 2, limit: 2, totalPages: 2, nextCursor: null })
    const catalogueCursor = (await get('limit=1')).json().meta.nextCursor
    isError(t, await app.inject({ url: `${url}&cursor=${catalogueCursor}`, headers: c.viewer.auth }), 400, 'invalid_cursor')
  })
})
