import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { approve, build, createEpisode, createSeries, ids, isError, MISSING_ID, signUp, uploadVideo, type Account } from '../../helper.js'

async function postSeries (app: FastifyInstance, account: Partial<Account>, payload: Record<string, unknown>) {
  return await app.inject({ method: 'POST', url: '/creator/series', headers: account.auth ?? {}, payload })
}

async function listSeries (app: FastifyInstance, account: Partial<Account>, query = '') {
  return await app.inject({ url: `/creator/series${query}`, headers: account.auth ?? {} })
}

t.test('POST /creator/series', async (t) => {
  const app = await build(t)
  const creator = await signUp(app, 'creator')

  t.test('a creator creates a pending series of their own', async (t) => {
    const res = await postSeries(app, creator, { title: '  The Billionaire\'s Secret Twin ', description: 'Two sisters.', genres: ['romance', 'revenge'] })
    t.equal(res.statusCode, 201)
    const { data } = res.json()
    t.same(Object.keys(data).sort(), [
      'coinPrice', 'coverUrl', 'createdAt', 'creatorId', 'description', 'freeEpisodes', 'genres', 'id', 'language', 'languages',
      'moderationNote', 'originalLanguage', 'publishedAt', 'regionalPrices', 'status', 'title', 'translations', 'updatedAt', 'views'
    ])
    t.match(data, {
      creatorId: creator.user.id,
      title: 'The Billionaire\'s Secret Twin',
      description: 'Two sisters.',
      genres: ['romance', 'revenge'],
      status: 'pending',
      publishedAt: null
    })
    t.match(data.id, /^[0-9a-f]{24}$/)
    t.equal(data.createdAt, data.updatedAt)
  })

  t.test('description defaults to empty and genres to none', async (t) => {
    const res = await postSeries(app, creator, { title: 'Bare' })
    t.equal(res.statusCode, 201)
    t.match(res.json().data, { title: 'Bare', description: '', genres: [], status: 'pending' })
  })

  t.test('genres are stored trimmed, lowercased and de-duplicated', async (t) => {
    const res = await postSeries(app, creator, { title: 'Genres', genres: ['Romance', 'REVENGE', ' romance ', 'Revenge', 'CEO'] })
    t.equal(res.statusCode, 201)
    t.same(res.json().data.genres, ['romance', 'revenge', 'ceo'])
  })

  t.test('an admin creates a series of their own', async (t) => {
    const admin = await signUp(app, 'admin')
    const res = await postSeries(app, admin, { title: 'Admin\'s own' })
    t.equal(res.statusCode, 201)
    t.equal(res.json().data.creatorId, admin.user.id)
  })

  t.test('a viewer gets 403 forbidden', async (t) => {
    isError(t, await postSeries(app, await signUp(app, 'viewer'), { title: 'Nope' }), 403, 'forbidden', 'This needs the creator or admin role')
  })

  t.test('without a token it is 401', async (t) => {
    isError(t, await postSeries(app, {}, { title: 'Nope' }), 401, 'unauthorized')
  })

  t.test('smuggled fields (status, ownerId, creatorId, role, publishedAt) get 400 naming the field', async (t) => {
    const other = await signUp(app, 'creator')
    const smuggled: Array<[string, unknown]> = [
      ['status', 'published'], ['ownerId', other.user.id], ['creatorId', other.user.id], ['role', 'admin'], ['publishedAt', new Date().toISOString()]
    ]
    for (const [field, value] of smuggled) {
      isError(t, await postSeries(app, creator, { title: 'Smuggler', [field]: value }), 400, 'validation_failed', `'${field}'`)
    }
    t.same((await listSeries(app, other)).json().data, [], 'nothing was created for the other creator')
  })

  t.test('wrong types and operators get 400 validation_failed', async (t) => {
    const bodies: Array<Record<string, unknown>> = [
      {},
      { title: '' },
      { title: 'x'.repeat(201) },
      { title: 42 },
      { title: { $ne: null } },
      { title: 'T', description: 5 },
      { title: 'T', description: 'x'.repeat(5001) },
      { title: 'T', genres: 'romance' },
      { title: 'T', genres: [{ $gt: '' }] },
      { title: 'T', genres: { $gt: '' } },
      { title: 'T', genres: ['$where'] },
      { title: 'T', genres: ['romance', 'romance'] },
      { title: 'T', genres: [''] },
      { title: 'T', genres: ['x'.repeat(41)] },
      { title: 'T', genres: Array.from({ length: 11 }, (_, i) => `g${i}`) },
      { title: 'T', genres: [1] }
    ]
    for (const payload of bodies) {
      const res = await postSeries(app, creator, payload)
      t.equal(res.statusCode, 400, JSON.stringify(payload).slice(0, 80))
      t.equal(res.json().error.code, 'validation_failed')
    }
  })

  // BUG: the schema's minLength runs before the route trims, so '   ' passes and is stored as ''.
  t.test('a title or genre of only spaces gets 400 instead of being stored empty', async (t) => {
    const blankTitle = await postSeries(app, creator, { title: '   ' })
    t.equal(blankTitle.statusCode, 400, `title '   ' stored as '${blankTitle.json().data?.title as string}'`)
    const blankGenre = await postSeries(app, creator, { title: 'T', genres: ['  '] })
    t.equal(blankGenre.statusCode, 400, `genre '  ' stored as ${JSON.stringify(blankGenre.json().data?.genres)}`)
  })
})

t.test('GET /creator/series/:seriesId', async (t) => {
  const app = await build(t)
  const [creator, other] = [await signUp(app, 'creator'), await signUp(app, 'creator')]
  const series = await createSeries(app, creator, { title: 'Mine', freeEpisodes: 2, coinPrice: 9 })
  const rejected = await app.inject({
    method: 'POST', url: `/admin/series/${series.id}/reject`, headers: (await signUp(app, 'admin')).auth, payload: { reason: 'No cover' }
  })
  t.equal(rejected.statusCode, 200)
  const res = await app.inject({ url: `/creator/series/${series.id}`, headers: creator.auth })
  t.equal(res.statusCode, 200)
  t.match(res.json().data, { id: series.id, title: 'Mine', status: 'rejected', moderationNote: 'No cover', freeEpisodes: 2, coinPrice: 9 })
  isError(t, await app.inject({ url: `/creator/series/${series.id}`, headers: other.auth }), 404, 'series_not_found')
  isError(t, await app.inject({ url: `/creator/series/${MISSING_ID}`, headers: creator.auth }), 404, 'series_not_found')
})

t.test('GET /creator/series', async (t) => {
  const app = await build(t)
  const creator = await signUp(app, 'creator')
  const other = await signUp(app, 'creator')
  const admin = await signUp(app, 'admin')
  const created: Array<{ id: string, title: string }> = []
  for (const title of ['Bravo', 'Delta', 'Alpha', 'Echo', 'Charlie']) created.push(await createSeries(app, creator, { title }))
  const theirs = await createSeries(app, other, { title: 'Theirs' })
  const newestFirst = created.map((s) => s.id).reverse()
  const byTitle = (titles: string[]) => titles.map((title) => created.find((s) => s.title === title)?.id)

  // One series is published: an admin approves its first episode.
  const published = created[1]!
  const video = await uploadVideo(app, creator)
  await approve(app, admin, (await createEpisode(app, creator, published.id, video.id)).id)

  t.test('lists only the caller\'s own series, newest first', async (t) => {
    const res = await listSeries(app, creator)
    t.equal(res.statusCode, 200)
    t.same(ids(res), newestFirst)
    t.same(res.json().meta, { total: 5, page: 1, limit: 20, totalPages: 1, nextCursor: null })
    t.notOk(res.body.includes(theirs.id), 'another creator\'s series is not listed')
    t.ok(res.json().data.every((s: { creatorId: string }) => s.creatorId === creator.user.id))
  })

  t.test('pages split the list, with the right meta on each page', async (t) => {
    const pages = []
    for (const page of [1, 2, 3]) {
      const res = await listSeries(app, creator, `?limit=2&page=${page}`)
      t.match(res.json().meta, { total: 5, page, limit: 2, totalPages: 3, nextCursor: page < 3 ? String : null })
      pages.push(...ids(res))
    }
    t.same(pages, newestFirst, 'every series once, in order, across the pages')
    t.same((await listSeries(app, creator, '?limit=2&page=4')).json().data, [])
  })

  t.test('sort=title:asc and title:desc order by title', async (t) => {
    t.same(ids(await listSeries(app, creator, '?sort=title:asc')), byTitle(['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo']))
    t.same(ids(await listSeries(app, creator, '?sort=title:desc')), byTitle(['Echo', 'Delta', 'Charlie', 'Bravo', 'Alpha']))
  })

  t.test('sort=title:asc pages correctly', async (t) => {
    const second = await listSeries(app, creator, '?sort=title:asc&limit=2&page=2')
    t.same(ids(second), byTitle(['Charlie', 'Delta']))
    t.match(second.json().meta, { total: 5, page: 2, limit: 2, totalPages: 3, nextCursor: String })
  })

  t.test('status filters the list, and counts only what it matches', async (t) => {
    const pub = await listSeries(app, creator, '?status=published')
    t.same(ids(pub), [published.id])
    t.equal(pub.json().data[0].status, 'published')
    t.same(pub.json().meta, { total: 1, page: 1, limit: 20, totalPages: 1, nextCursor: null })
    const pending = await listSeries(app, creator, '?status=pending')
    t.same(ids(pending), newestFirst.filter((id) => id !== published.id))
    t.same(pending.json().meta.total, 4)
    t.same((await listSeries(app, creator, '?status=draft')).json(), { data: [], meta: { total: 0, page: 1, limit: 20, totalPages: 0, nextCursor: null } })
  })

  t.test('an admin lists only their own series', async (t) => {
    const own = await createSeries(app, admin, { title: 'Admin series' })
    t.same(ids(await listSeries(app, admin)), [own.id])
  })

  t.test('a viewer gets 403 forbidden', async (t) => {
    isError(t, await listSeries(app, await signUp(app, 'viewer')), 403, 'forbidden')
  })

  t.test('without a token it is 401', async (t) => {
    isError(t, await listSeries(app, {}), 401, 'unauthorized')
  })

  t.test('page=0 and limit out of 1..100 get 400 validation_failed', async (t) => {
    for (const query of ['?page=0', '?limit=0', '?limit=101']) {
      isError(t, await listSeries(app, creator, query), 400, 'validation_failed', /page|limit/)
    }
  })

  t.test('a sort that is not allowed gets 400 validation_failed naming the allowed values', async (t) => {
    for (const query of ['?sort=bogus:asc', '?sort=title:up', '?sort=title', '?sort=updatedAt:desc']) {
      isError(t, await listSeries(app, creator, query), 400, 'validation_failed', /createdAt:asc, createdAt:desc, title:asc, title:desc/)
    }
  })

  t.test('an unknown status gets 400 validation_failed naming the statuses', async (t) => {
    isError(t, await listSeries(app, creator, '?status=bogus'), 400, 'validation_failed', /draft, pending, published/)
  })

  t.test('an unknown query parameter, or an operator in one, gets 400', async (t) => {
    for (const query of [`?ownerId=${other.user.id}`, '?status[$ne]=draft', '?genre=romance']) {
      isError(t, await listSeries(app, creator, query), 400, 'validation_failed')
    }
  })
})
