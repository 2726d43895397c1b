import t from 'tap'
import { approve, build, createEpisode, createSeries, ids, MISSING_ID, publishedCatalogue, signUp, uploadVideo } from '../../helper.js'

/** What a viewer-facing body must never carry: storage keys, the video behind an episode, owner ids, hashes. */
const SECRETS = /s3Key|videoId|ownerId|passwordHash|videos\//

t.test('who may read the catalogue', async (t) => {
  const app = await build(t)
  const { creator, admin, viewer, series, episodes } = await publishedCatalogue(app)
  const episode = episodes[0]!
  const urls = ['/content/series', `/content/series/${series.id}`, `/content/series/${series.id}/episodes`, `/content/episodes/${episode.id}`]

  t.test('a viewer, a creator and an admin may all read every content route', async (t) => {
    for (const account of [viewer, creator, admin]) {
      for (const url of urls) {
        const res = await app.inject({ url, headers: account.auth })
        t.equal(res.statusCode, 200, `${account.user.role} ${url}`)
      }
    }
  })

  t.test('a viewer without a subscription may browse (only playback needs one)', async (t) => {
    t.equal(viewer.user.subscription.status, 'none')
    const res = await app.inject({ url: `/content/episodes/${episode.id}`, headers: viewer.auth })
    t.equal(res.statusCode, 200)
  })

  t.test('no token is 401 on every content route', async (t) => {
    for (const url of urls) {
      const res = await app.inject({ url })
      t.equal(res.statusCode, 401, url)
      t.same(res.json(), { error: { message: 'Missing bearer token in the Authorization header', status: 401, code: 'unauthorized' } })
    }
  })

  t.test('a bad token is 401', async (t) => {
    const res = await app.inject({ url: '/content/series', headers: { authorization: 'Bearer not.a.token' } })
    t.equal(res.statusCode, 401)
    t.equal(res.json().error.code, 'unauthorized')
  })
})

t.test('unpublished content does not exist for readers', async (t) => {
  const app = await build(t)
  const { creator, admin, viewer, video, series: published } = await publishedCatalogue(app)
  const pendingSeries = await createSeries(app, creator, { title: 'Not yet' })
  const pendingInPending = await createEpisode(app, creator, pendingSeries.id, video.id, 1)
  const pendingInPublished = await createEpisode(app, creator, published.id, video.id, 2)

  t.test('a pending series is absent from the list', async (t) => {
    const res = await app.inject({ url: '/content/series', headers: viewer.auth })
    t.same(ids(res), [published.id])
    t.equal(res.json().meta.total, 1)
  })

  t.test('a pending series is 404 series_not_found, even for its creator and an admin', async (t) => {
    for (const account of [viewer, creator, admin]) {
      for (const url of [`/content/series/${pendingSeries.id}`, `/content/series/${pendingSeries.id}/episodes`]) {
        const res = await app.inject({ url, headers: account.auth })
        t.equal(res.statusCode, 404, `${account.user.role} ${url}`)
        t.same(res.json(), { error: { message: 'Series not found', status: 404, code: 'series_not_found' } })
      }
    }
  })

  t.test('an episode of a pending series is 404 episode_not_found', async (t) => {
    const res = await app.inject({ url: `/content/episodes/${pendingInPending.id}`, headers: viewer.auth })
    t.equal(res.statusCode, 404)
    t.same(res.json(), { error: { message: 'Episode not found', status: 404, code: 'episode_not_found' } })
  })

  t.test('a pending episode in a published series is left out of its episode list', async (t) => {
    const res = await app.inject({ url: `/content/series/${published.id}/episodes`, headers: viewer.auth })
    t.equal(res.statusCode, 200)
    t.notOk(ids(res).includes(pendingInPublished.id))
    t.equal(res.json().meta.total, 1)
  })

  t.test('a pending episode in a published series is 404 episode_not_found', async (t) => {
    const res = await app.inject({ url: `/content/episodes/${pendingInPublished.id}`, headers: viewer.auth })
    t.equal(res.statusCode, 404)
    t.equal(res.json().error.code, 'episode_not_found')
  })

  t.test('a published episode of a series pulled back to pending is 404', async (t) => {
    const series = await createSeries(app, creator, { title: 'Pulled' })
    const episode = await createEpisode(app, creator, series.id, video.id)
    await approve(app, admin, episode.id)
    t.equal((await app.inject({ url: `/content/episodes/${episode.id}`, headers: viewer.auth })).statusCode, 200)
    await app.repos.series.collection.updateOne({ title: 'Pulled' }, { $set: { status: 'pending' } })
    const res = await app.inject({ url: `/content/episodes/${episode.id}`, headers: viewer.auth })
    t.equal(res.statusCode, 404)
    t.equal(res.json().error.code, 'episode_not_found')
  })
})

t.test('GET /content/series', async (t) => {
  const app = await build(t)
  const admin = await signUp(app, 'admin')
  const creator = await signUp(app, 'creator')
  const viewer = await signUp(app, 'viewer')
  const video = await uploadVideo(app, creator)
  const publish = async (title: string, genres: string[]) => {
    const series = await createSeries(app, creator, { title, genres })
    await approve(app, admin, (await createEpisode(app, creator, series.id, video.id)).id)
    return series
  }
  // Published in this order: newest last.
  const bravo = await publish('Bravo', ['romance'])
  const alpha = await publish('Alpha', ['revenge'])
  const charlie = await publish('Charlie', ['romance', 'ceo'])
  const list = (query = '') => app.inject({ url: `/content/series${query}`, headers: viewer.auth })

  t.test('lists published series newest first by default, with page meta', async (t) => {
    const res = await list()
    t.equal(res.statusCode, 200)
    t.same(ids(res), [charlie.id, alpha.id, bravo.id])
    t.same(res.json().meta, { total: 3, page: 1, limit: 20, totalPages: 1, nextCursor: null })
    t.match(res.json().data[0], { title: 'Charlie', genres: ['romance', 'ceo'], status: 'published', creatorId: creator.user.id })
  })

  t.test('sort=title:asc lists them by title', async (t) => {
    const res = await list('?sort=title:asc')
    t.same(res.json().data.map((s: { title: string }) => s.title), ['Alpha', 'Bravo', 'Charlie'])
  })

  t.test('sort=title:desc and sort=publishedAt:asc work too', async (t) => {
    t.same((await list('?sort=title:desc')).json().data.map((s: { title: string }) => s.title), ['Charlie', 'Bravo', 'Alpha'])
    t.same(ids(await list('?sort=publishedAt:asc')), [bravo.id, alpha.id, charlie.id])
  })

  t.test('genre filters to one genre, whatever its case', async (t) => {
    const res = await list('?genre=Romance&sort=title:asc')
    t.equal(res.statusCode, 200)
    t.same(ids(res), [bravo.id, charlie.id])
    t.equal(res.json().meta.total, 2)
    t.same(ids(await list('?genre=revenge')), [alpha.id])
  })

  t.test('a genre nobody uses gives an empty page', async (t) => {
    const res = await list('?genre=horror')
    t.same(res.json(), { data: [], meta: { total: 0, page: 1, limit: 20, totalPages: 0, nextCursor: null } })
  })

  t.test('pages through the catalogue', async (t) => {
    const res = await list('?sort=title:asc&limit=2&page=2')
    t.same(ids(res), [charlie.id])
    t.same(res.json().meta, { total: 3, page: 2, limit: 2, totalPages: 2, nextCursor: null })
  })

  t.test('an unknown sort is 400 naming the allowed values', async (t) => {
    const res = await list('?sort=createdAt:asc')
    t.equal(res.statusCode, 400)
    t.same(res.json().error, {
      message: 'querystring/sort must be equal to one of the allowed values: publishedAt:asc, publishedAt:desc, title:asc, title:desc, views:asc, views:desc, trending:asc, trending:desc',
      status: 400,
      code: 'validation_failed'
    })
  })

  t.test('invalid page, limit, sort or genre is 400', async (t) => {
    for (const query of ['page=0', 'page=-1', 'page=1.5', 'page=x', 'limit=0', 'limit=101', 'sort=title', 'sort=title:up', 'genre=', 'genre[$ne]=x', 'genre=$where', 'status=pending']) {
      const res = await list(`?${query}`)
      t.equal(res.statusCode, 400, query)
      t.equal(res.json().error.code, 'validation_failed', query)
    }
  })

  t.test('never shows storage keys, video ids, owner ids or hashes', async (t) => {
    t.notMatch((await list()).body, SECRETS)
  })
})

t.test('GET /content/series/:seriesId and its episodes', async (t) => {
  const app = await build(t)
  const { creator, admin, viewer, video, series, episodes } = await publishedCatalogue(app, 2)
  const third = await createEpisode(app, creator, series.id, video.id, 3)
  // Approved out of order: the list must still follow the episode numbers.
  const fifth = await createEpisode(app, creator, series.id, video.id, 5)
  const fourth = await createEpisode(app, creator, series.id, video.id, 4)
  await approve(app, admin, fifth.id)
  await approve(app, admin, fourth.id)
  await approve(app, admin, third.id)
  const all = [...episodes.map((e) => e.id), third.id, fourth.id, fifth.id]

  t.test('returns a published series', async (t) => {
    const res = await app.inject({ url: `/content/series/${series.id}`, headers: viewer.auth })
    t.equal(res.statusCode, 200)
    t.match(res.json().data, { id: series.id, title: series.title, status: 'published', creatorId: creator.user.id })
  })

  t.test('lists published episodes in number order', async (t) => {
    const res = await app.inject({ url: `/content/series/${series.id}/episodes`, headers: viewer.auth })
    t.equal(res.statusCode, 200)
    t.same(ids(res), all)
    t.same(res.json().data.map((e: { number: number }) => e.number), [1, 2, 3, 4, 5])
    t.same(res.json().meta, { total: 5, page: 1, limit: 20, totalPages: 1, nextCursor: null })
  })

  t.test('sort=number:desc and pages work on episodes', async (t) => {
    const res = await app.inject({ url: `/content/series/${series.id}/episodes?sort=number:desc&limit=2&page=1`, headers: viewer.auth })
    t.same(res.json().data.map((e: { number: number }) => e.number), [5, 4])
    t.match(res.json().meta, { total: 5, page: 1, limit: 2, totalPages: 3, nextCursor: String })
  })

  t.test('invalid sort, page or limit on episodes is 400', async (t) => {
    for (const query of ['sort=title:asc', 'page=0', 'limit=1000']) {
      const res = await app.inject({ url: `/content/series/${series.id}/episodes?${query}`, headers: viewer.auth })
      t.equal(res.statusCode, 400, query)
      t.equal(res.json().error.code, 'validation_failed')
    }
  })

  t.test('an unknown series is 404 series_not_found', async (t) => {
    for (const url of [`/content/series/${MISSING_ID}`, `/content/series/${MISSING_ID}/episodes`]) {
      const res = await app.inject({ url, headers: viewer.auth })
      t.equal(res.statusCode, 404, url)
      t.same(res.json(), { error: { message: 'Series not found', status: 404, code: 'series_not_found' } })
    }
  })

  t.test('a malformed series id is 400', async (t) => {
    for (const url of ['/content/series/nope', '/content/series/nope/episodes', `/content/series/${series.id}x`, '/content/series/%24ne']) {
      const res = await app.inject({ url, headers: viewer.auth })
      t.equal(res.statusCode, 400, url)
      t.equal(res.json().error.code, 'validation_failed')
    }
  })

  t.test('never shows storage keys, video ids, owner ids or hashes', async (t) => {
    for (const url of [`/content/series/${series.id}`, `/content/series/${series.id}/episodes`]) {
      const res = await app.inject({ url, headers: viewer.auth })
      t.notMatch(res.body, SECRETS, url)
      t.notOk(res.body.includes(video.id), 'not even the video id value')
    }
  })
})

t.test('GET /content/episodes/:episodeId', async (t) => {
  const app = await build(t)
  const { viewer, video, series, episodes } = await publishedCatalogue(app)
  const episode = episodes[0]!

  t.test('returns a published episode', async (t) => {
    const res = await app.inject({ url: `/content/episodes/${episode.id}`, headers: viewer.auth })
    t.equal(res.statusCode, 200)
    t.match(res.json().data, { id: episode.id, seriesId: series.id, number: 1, title: 'Episode 1', status: 'published' })
    t.type(res.json().data.publishedAt, 'string')
  })

  t.test('an unknown episode is 404 episode_not_found', async (t) => {
    const res = await app.inject({ url: `/content/episodes/${MISSING_ID}`, headers: viewer.auth })
    t.equal(res.statusCode, 404)
    t.same(res.json(), { error: { message: 'Episode not found', status: 404, code: 'episode_not_found' } })
  })

  t.test('a series id is not an episode id: 404', async (t) => {
    const res = await app.inject({ url: `/content/episodes/${series.id}`, headers: viewer.auth })
    t.equal(res.statusCode, 404)
  })

  t.test('a malformed episode id is 400', async (t) => {
    for (const id of ['123', 'g'.repeat(24), `${episode.id}0`]) {
      const res = await app.inject({ url: `/content/episodes/${id}`, headers: viewer.auth })
      t.equal(res.statusCode, 400, id)
      t.equal(res.json().error.code, 'validation_failed')
    }
  })

  t.test('never shows storage keys, video ids, owner ids or hashes', async (t) => {
    const res = await app.inject({ url: `/content/episodes/${episode.id}`, headers: viewer.auth })
    t.notMatch(res.body, SECRETS)
    t.notOk(res.body.includes(video.id), 'not even the video id value')
    t.notOk(res.body.includes(video.s3Key), 'not even the key value')
  })
})
