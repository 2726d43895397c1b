import t from 'tap'
import { approve, build, createEpisode, createSeries, ids, MISSING_ID, signUp, uploadVideo } from '../../helper.js'

t.test('who may use the admin routes', async (t) => {
  const app = await build(t)
  const viewer = await signUp(app, 'viewer')
  const creator = await signUp(app, 'creator')
  const routes = [
    { method: 'GET' as const, url: '/admin/series/pending' },
    { method: 'GET' as const, url: '/admin/episodes/pending' },
    { method: 'POST' as const, url: `/admin/episodes/${MISSING_ID}/approve` },
    { method: 'POST' as const, url: `/admin/users/${viewer.user.id}/subscription`, payload: { status: 'active' } }
  ]

  t.test('a viewer gets 403 forbidden on every admin route', async (t) => {
    for (const route of routes) {
      const res = await app.inject({ ...route, headers: viewer.auth })
      t.equal(res.statusCode, 403, route.url)
      t.same(res.json(), { error: { message: 'This needs the admin role', status: 403, code: 'forbidden' } })
    }
  })

  t.test('a creator gets 403 forbidden on every admin route', async (t) => {
    for (const route of routes) {
      const res = await app.inject({ ...route, headers: creator.auth })
      t.equal(res.statusCode, 403, route.url)
      t.equal(res.json().error.code, 'forbidden')
    }
  })

  t.test('no token gets 401 on every admin route', async (t) => {
    for (const route of routes) {
      const res = await app.inject(route)
      t.equal(res.statusCode, 401, route.url)
      t.same(res.json(), { error: { message: 'Missing bearer token in the Authorization header', status: 401, code: 'unauthorized' } })
    }
  })

  t.test('the viewer\'s subscription was not changed by those refused calls', async (t) => {
    const me = await app.inject({ url: '/auth/me', headers: viewer.auth })
    t.equal(me.json().data.subscription.status, 'none')
  })
})

t.test('GET /admin/series/pending', async (t) => {
  const app = await build(t)
  const admin = await signUp(app, 'admin')
  const creator = await signUp(app, 'creator')
  const first = await createSeries(app, creator, { title: 'First' })
  const second = await createSeries(app, creator, { title: 'Second' })
  const third = await createSeries(app, creator, { title: 'Third' })

  t.test('lists pending series oldest first by default', async (t) => {
    const res = await app.inject({ url: '/admin/series/pending', headers: admin.auth })
    t.equal(res.statusCode, 200)
    t.same(ids(res), [first.id, second.id, third.id])
    t.same(res.json().meta, { total: 3, page: 1, limit: 20, totalPages: 1, nextCursor: null })
    t.ok(res.json().data.every((s: { status: string }) => s.status === 'pending'))
  })

  t.test('sort=createdAt:desc lists newest first', async (t) => {
    const res = await app.inject({ url: '/admin/series/pending?sort=createdAt:desc', headers: admin.auth })
    t.equal(res.statusCode, 200)
    t.same(ids(res), [third.id, second.id, first.id])
  })

  t.test('pages through the queue with the right meta', async (t) => {
    const page1 = await app.inject({ url: '/admin/series/pending?limit=2', headers: admin.auth })
    t.same(ids(page1), [first.id, second.id])
    t.match(page1.json().meta, { total: 3, page: 1, limit: 2, totalPages: 2, nextCursor: String })
    const page2 = await app.inject({ url: '/admin/series/pending?limit=2&page=2', headers: admin.auth })
    t.same(ids(page2), [third.id])
    t.same(page2.json().meta, { total: 3, page: 2, limit: 2, totalPages: 2, nextCursor: null })
  })

  t.test('an unknown sort field is 400 naming the allowed values', async (t) => {
    const res = await app.inject({ url: '/admin/series/pending?sort=title:asc', headers: admin.auth })
    t.equal(res.statusCode, 400)
    t.equal(res.json().error.code, 'validation_failed')
    t.match(res.json().error.message, /createdAt:asc, createdAt:desc/)
  })

  t.test('a series leaves the queue once its first episode is approved', async (t) => {
    const video = await uploadVideo(app, creator)
    const episode = await createEpisode(app, creator, second.id, video.id)
    await approve(app, admin, episode.id)
    const res = await app.inject({ url: '/admin/series/pending', headers: admin.auth })
    t.same(ids(res), [first.id, third.id])
  })
})

t.test('GET /admin/episodes/pending', async (t) => {
  const app = await build(t)
  const admin = await signUp(app, 'admin')
  const creator = await signUp(app, 'creator')
  const video = await uploadVideo(app, creator)
  const series = await createSeries(app, creator)
  const one = await createEpisode(app, creator, series.id, video.id, 1)
  const two = await createEpisode(app, creator, series.id, video.id, 2)
  const three = await createEpisode(app, creator, series.id, video.id, 3)

  t.test('lists pending episodes oldest first by default, with their video id for review', async (t) => {
    const res = await app.inject({ url: '/admin/episodes/pending', headers: admin.auth })
    t.equal(res.statusCode, 200)
    t.same(ids(res), [one.id, two.id, three.id])
    t.same(res.json().meta, { total: 3, page: 1, limit: 20, totalPages: 1, nextCursor: null })
    t.equal(res.json().data[0].videoId, video.id)
  })

  t.test('sort=createdAt:desc lists newest first', async (t) => {
    const res = await app.inject({ url: '/admin/episodes/pending?sort=createdAt:desc', headers: admin.auth })
    t.same(ids(res), [three.id, two.id, one.id])
  })

  t.test('pages through the queue with the right meta', async (t) => {
    const res = await app.inject({ url: '/admin/episodes/pending?limit=2&page=2', headers: admin.auth })
    t.equal(res.statusCode, 200)
    t.same(ids(res), [three.id])
    t.same(res.json().meta, { total: 3, page: 2, limit: 2, totalPages: 2, nextCursor: null })
  })

  t.test('a page past the end is empty with the true total', async (t) => {
    const res = await app.inject({ url: '/admin/episodes/pending?limit=2&page=5', headers: admin.auth })
    t.same(res.json(), { data: [], meta: { total: 3, page: 5, limit: 2, totalPages: 2, nextCursor: null } })
  })

  t.test('invalid page, limit or sort is 400', async (t) => {
    for (const query of ['page=0', 'limit=0', 'limit=101', 'page=abc', 'sort=createdAt', 'sort=number:asc', 'extra=1']) {
      const res = await app.inject({ url: `/admin/episodes/pending?${query}`, headers: admin.auth })
      t.equal(res.statusCode, 400, query)
      t.equal(res.json().error.code, 'validation_failed', query)
    }
  })

  t.test('an approved episode leaves the queue', async (t) => {
    await approve(app, admin, two.id)
    const res = await app.inject({ url: '/admin/episodes/pending', headers: admin.auth })
    t.same(ids(res), [one.id, three.id])
  })
})

t.test('POST /admin/episodes/:episodeId/approve', async (t) => {
  const app = await build(t)
  const admin = await signUp(app, 'admin')
  const viewer = await signUp(app, 'viewer')
  const creator = await signUp(app, 'creator')
  const video = await uploadVideo(app, creator)

  t.test('publishes a pending episode and its pending series, which then shows in the catalogue', async (t) => {
    const series = await createSeries(app, creator, { title: 'Approve me' })
    const episode = await createEpisode(app, creator, series.id, video.id)
    t.equal(series.status, 'pending')

    const before = await app.inject({ url: '/content/series', headers: viewer.auth })
    t.notOk(before.json().data.some((s: { id: string }) => s.id === series.id), 'not in the catalogue before')

    const res = await app.inject({ method: 'POST', url: `/admin/episodes/${episode.id}/approve`, headers: admin.auth })
    t.equal(res.statusCode, 200)
    t.match(res.json().data, { id: episode.id, seriesId: series.id, status: 'published', videoId: video.id })
    t.type(res.json().data.publishedAt, 'string')

    const shown = await app.inject({ url: `/content/series/${series.id}`, headers: viewer.auth })
    t.equal(shown.statusCode, 200)
    t.equal(shown.json().data.status, 'published')
    t.type(shown.json().data.publishedAt, 'string')
    const list = await app.inject({ url: '/content/series', headers: viewer.auth })
    t.ok(list.json().data.some((s: { id: string }) => s.id === series.id), 'in the catalogue after')
    const episodes = await app.inject({ url: `/content/series/${series.id}/episodes`, headers: viewer.auth })
    t.same(ids(episodes), [episode.id])
  })

  t.test('publishes a draft series too', async (t) => {
    const series = await createSeries(app, creator, { title: 'Draft' })
    const episode = await createEpisode(app, creator, series.id, video.id)
    await app.repos.series.collection.updateOne({ title: 'Draft' }, { $set: { status: 'draft' } })
    await approve(app, admin, episode.id)
    const shown = await app.inject({ url: `/content/series/${series.id}`, headers: viewer.auth })
    t.equal(shown.statusCode, 200)
    t.equal(shown.json().data.status, 'published')
  })

  t.test('approving a later episode keeps the series\' first publication date', async (t) => {
    const series = await createSeries(app, creator)
    const one = await createEpisode(app, creator, series.id, video.id, 1)
    const two = await createEpisode(app, creator, series.id, video.id, 2)
    await approve(app, admin, one.id)
    const first = (await app.inject({ url: `/content/series/${series.id}`, headers: viewer.auth })).json().data.publishedAt
    await approve(app, admin, two.id)
    const after = (await app.inject({ url: `/content/series/${series.id}`, headers: viewer.auth })).json().data.publishedAt
    t.equal(after, first)
  })

  t.test('approving an already published episode is 409 not_pending', async (t) => {
    const series = await createSeries(app, creator)
    const episode = await createEpisode(app, creator, series.id, video.id)
    await approve(app, admin, episode.id)
    const res = await app.inject({ method: 'POST', url: `/admin/episodes/${episode.id}/approve`, headers: admin.auth })
    t.equal(res.statusCode, 409)
    t.same(res.json(), { error: { message: 'This episode is not pending', status: 409, code: 'not_pending' } })
  })

  t.test('two admins approving the same episode at once get exactly one 200 and one 409', async (t) => {
    const other = await signUp(app, 'admin')
    const series = await createSeries(app, creator)
    const episode = await createEpisode(app, creator, series.id, video.id)
    const results = await Promise.all([admin, other].map((a) =>
      app.inject({ method: 'POST', url: `/admin/episodes/${episode.id}/approve`, headers: a.auth })))
    t.same(results.map((r) => r.statusCode).sort(), [200, 409])
    const conflict = results.find((r) => r.statusCode === 409)
    t.equal(conflict?.json().error.code, 'not_pending')
  })

  t.test('an unknown episode is 404 episode_not_found', async (t) => {
    const res = await app.inject({ method: 'POST', url: `/admin/episodes/${MISSING_ID}/approve`, headers: admin.auth })
    t.equal(res.statusCode, 404)
    t.same(res.json(), { error: { message: 'Episode not found', status: 404, code: 'episode_not_found' } })
  })

  t.test('a malformed episode id is 400', async (t) => {
    for (const id of ['nope', '0123456789abcdef0123456', '0123456789abcdef0123456z']) {
      const res = await app.inject({ method: 'POST', url: `/admin/episodes/${id}/approve`, headers: admin.auth })
      t.equal(res.statusCode, 400, id)
      t.equal(res.json().error.code, 'validation_failed')
      t.equal(res.json().error.status, 400)
    }
  })
})
