import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { approve, build, createEpisode, createSeries, ids, isError, signUp, uploadVideo, type Account } from '../../helper.js'

async function postEpisode (
  app: FastifyInstance, account: Partial<Account>, seriesId: string, payload: Record<string, unknown>
) {
  return await app.inject({ method: 'POST', url: `/creator/series/${seriesId}/episodes`, headers: account.auth ?? {}, payload })
}

async function listEpisodes (app: FastifyInstance, account: Partial<Account>, seriesId: string, query = '') {
  return await app.inject({ url: `/creator/series/${seriesId}/episodes${query}`, headers: account.auth ?? {} })
}

const UNKNOWN_ID = '665f1c2b9d3e4a0012345678'
const MALFORMED_IDS = ['not-an-id', '665f1c2b9d3e4a001234567', '665f1c2b9d3e4a00123456789', 'zzzf1c2b9d3e4a0012345678']

t.test('POST /creator/series/:seriesId/episodes', async (t) => {
  const app = await build(t)
  const creator = await signUp(app, 'creator')
  const other = await signUp(app, 'creator')
  const video = await uploadVideo(app, creator)
  const otherVideo = await uploadVideo(app, other)

  t.test('a creator adds a pending episode to their series', async (t) => {
    const series = await createSeries(app, creator)
    const res = await postEpisode(app, creator, series.id, { number: 1, title: ' The wedding ', videoId: video.id })
    t.equal(res.statusCode, 201)
    const { data } = res.json()
    t.same(Object.keys(data).sort(), [
      'audio', 'audioTracks', 'createdAt', 'durationSec', 'id', 'moderationNote', 'number', 'publishedAt', 'seriesId', 'status',
      'subtitles', 'title', 'translations', 'updatedAt', 'videoId'
    ])
    t.match(data, { seriesId: series.id, number: 1, title: 'The wedding', status: 'pending', publishedAt: null, videoId: video.id })
    t.match(data.id, /^[0-9a-f]{24}$/)
  })

  t.test('a number already used in the series gets 409 episode_number_taken', async (t) => {
    const series = await createSeries(app, creator)
    await createEpisode(app, creator, series.id, video.id, 3)
    isError(t, await postEpisode(app, creator, series.id, { number: 3, title: 'Again', videoId: video.id }), 409, 'episode_number_taken',
      'Episode 3 already exists in this series')
    t.equal((await listEpisodes(app, creator, series.id)).json().meta.total, 1, 'still one episode')
  })

  t.test('the same number in another series is fine', async (t) => {
    const first = await createSeries(app, creator)
    const second = await createSeries(app, creator)
    await createEpisode(app, creator, first.id, video.id, 1)
    const res = await postEpisode(app, creator, second.id, { number: 1, title: 'Pilot', videoId: video.id })
    t.equal(res.statusCode, 201)
    t.equal(res.json().data.seriesId, second.id)
  })

  t.test('another creator\'s series gets 404 series_not_found', async (t) => {
    const theirs = await createSeries(app, other)
    isError(t, await postEpisode(app, creator, theirs.id, { number: 1, title: 'Hijack', videoId: video.id }), 404, 'series_not_found', 'Series not found')
    t.equal((await listEpisodes(app, other, theirs.id)).json().meta.total, 0, 'nothing was added to it')
  })

  t.test('an unknown series id gets 404 series_not_found', async (t) => {
    isError(t, await postEpisode(app, creator, UNKNOWN_ID, { number: 1, title: 'Nowhere', videoId: video.id }), 404, 'series_not_found')
  })

  t.test('a malformed series id gets 400 validation_failed', async (t) => {
    for (const id of MALFORMED_IDS) {
      isError(t, await postEpisode(app, creator, id, { number: 1, title: 'Bad', videoId: video.id }), 400, 'validation_failed')
    }
  })

  t.test('another creator\'s video gets 403 video_not_yours', async (t) => {
    const series = await createSeries(app, creator)
    isError(t, await postEpisode(app, creator, series.id, { number: 1, title: 'Stolen', videoId: otherVideo.id }), 403, 'video_not_yours')
  })

  t.test('an unknown video id gets 403 video_not_yours', async (t) => {
    const series = await createSeries(app, creator)
    isError(t, await postEpisode(app, creator, series.id, { number: 1, title: 'Ghost', videoId: UNKNOWN_ID }), 403, 'video_not_yours')
  })

  t.test('an admin adds an episode to their own series with their own video', async (t) => {
    const admin = await signUp(app, 'admin')
    const adminVideo = await uploadVideo(app, admin)
    const series = await createSeries(app, admin)
    const res = await postEpisode(app, admin, series.id, { number: 1, title: 'Admin pilot', videoId: adminVideo.id })
    t.equal(res.statusCode, 201)
    t.equal(res.json().data.status, 'pending')
  })

  t.test('an admin gets 404 on a creator\'s series', async (t) => {
    const admin = await signUp(app, 'admin')
    const adminVideo = await uploadVideo(app, admin)
    const series = await createSeries(app, creator)
    isError(t, await postEpisode(app, admin, series.id, { number: 1, title: 'Not mine', videoId: adminVideo.id }), 404, 'series_not_found')
  })

  t.test('a viewer gets 403 forbidden', async (t) => {
    const series = await createSeries(app, creator)
    isError(t, await postEpisode(app, await signUp(app, 'viewer'), series.id, { number: 1, title: 'T', videoId: video.id }), 403, 'forbidden')
  })

  t.test('without a token it is 401', async (t) => {
    const series = await createSeries(app, creator)
    isError(t, await postEpisode(app, {}, series.id, { number: 1, title: 'T', videoId: video.id }), 401, 'unauthorized')
  })

  t.test('bad bodies get 400 validation_failed: missing, wrong types, operators, smuggled fields', async (t) => {
    const series = await createSeries(app, creator)
    const ok = { number: 1, title: 'T', videoId: video.id }
    const bodies: Array<Record<string, unknown>> = [
      {},
      { title: 'T', videoId: video.id },
      { number: 1, videoId: video.id },
      { number: 1, title: 'T' },
      { ...ok, number: 0 },
      { ...ok, number: -1 },
      { ...ok, number: 10_001 },
      { ...ok, number: 1.5 },
      { ...ok, number: '1' },
      { ...ok, number: { $gt: 0 } },
      { ...ok, title: '' },
      { ...ok, title: 'x'.repeat(201) },
      { ...ok, title: { $ne: null } },
      { ...ok, videoId: 'not-an-id' },
      { ...ok, videoId: { $ne: null } },
      { ...ok, videoId: 42 },
      { ...ok, status: 'published' },
      { ...ok, publishedAt: new Date().toISOString() },
      { ...ok, seriesId: series.id },
      { ...ok, ownerId: other.user.id },
      { ...ok, role: 'admin' }
    ]
    for (const payload of bodies) {
      const res = await postEpisode(app, creator, series.id, payload)
      t.equal(res.statusCode, 400, JSON.stringify(payload))
      t.equal(res.json().error.code, 'validation_failed')
    }
    t.equal((await listEpisodes(app, creator, series.id)).json().meta.total, 0, 'nothing was created')
  })

  // BUG: the schema's minLength runs before the route trims, so '   ' passes and is stored as ''.
  t.test('a title of only spaces gets 400 instead of being stored empty', async (t) => {
    const series = await createSeries(app, creator)
    const res = await postEpisode(app, creator, series.id, { number: 1, title: '   ', videoId: video.id })
    t.equal(res.statusCode, 400, `stored as '${res.json().data?.title as string}'`)
  })
})

t.test('GET /creator/series/:seriesId/episodes', async (t) => {
  const app = await build(t)
  const creator = await signUp(app, 'creator')
  const other = await signUp(app, 'creator')
  const admin = await signUp(app, 'admin')
  const video = await uploadVideo(app, creator)
  const series = await createSeries(app, creator)
  // Created out of order: 3, 1, 2.
  const byNumber = new Map<number, string>()
  for (const n of [3, 1, 2]) byNumber.set(n, (await createEpisode(app, creator, series.id, video.id, n)).id)
  const inOrder = [1, 2, 3].map((n) => byNumber.get(n))
  await approve(app, admin, inOrder[0]!)

  t.test('lists every episode of the series in order of number, even when created out of order', async (t) => {
    const res = await listEpisodes(app, creator, series.id)
    t.equal(res.statusCode, 200)
    t.same(ids(res), inOrder)
    t.same(res.json().data.map((e: { number: number }) => e.number), [1, 2, 3])
    t.same(res.json().meta, { total: 3, page: 1, limit: 20, totalPages: 1, nextCursor: null })
  })

  t.test('the creator sees published and pending episodes, with their video', async (t) => {
    const res = await listEpisodes(app, creator, series.id)
    t.same(res.json().data.map((e: { status: string }) => e.status), ['published', 'pending', 'pending'])
    t.ok(res.json().data.every((e: { videoId: string, seriesId: string }) =>
      e.videoId === video.id && e.seriesId === series.id))
  })

  t.test('sort=number:desc lists the last episode first', async (t) => {
    t.same(ids(await listEpisodes(app, creator, series.id, '?sort=number:desc')), [...inOrder].reverse())
  })

  t.test('pages split the list, with the right meta on each page', async (t) => {
    const first = await listEpisodes(app, creator, series.id, '?limit=2')
    t.same(ids(first), inOrder.slice(0, 2))
    t.match(first.json().meta, { total: 3, page: 1, limit: 2, totalPages: 2, nextCursor: String })
    const second = await listEpisodes(app, creator, series.id, '?limit=2&page=2')
    t.same(ids(second), inOrder.slice(2))
    t.same(second.json().meta, { total: 3, page: 2, limit: 2, totalPages: 2, nextCursor: null })
  })

  t.test('lists only the episodes of that series', async (t) => {
    const another = await createSeries(app, creator)
    const episode = await createEpisode(app, creator, another.id, video.id, 1)
    t.same(ids(await listEpisodes(app, creator, another.id)), [episode.id])
  })

  t.test('a series with no episodes gets an empty page', async (t) => {
    const empty = await createSeries(app, creator)
    t.same((await listEpisodes(app, creator, empty.id)).json(), {
      data: [],
      meta: { total: 0, page: 1, limit: 20, totalPages: 0, nextCursor: null }
    })
  })

  t.test('another creator\'s series gets 404 series_not_found', async (t) => {
    isError(t, await listEpisodes(app, other, series.id), 404, 'series_not_found')
  })

  t.test('an admin gets 404 on a creator\'s series and lists their own', async (t) => {
    isError(t, await listEpisodes(app, admin, series.id), 404, 'series_not_found')
    const own = await createSeries(app, admin)
    t.same((await listEpisodes(app, admin, own.id)).json().data, [])
  })

  t.test('an unknown series id gets 404 series_not_found', async (t) => {
    isError(t, await listEpisodes(app, creator, UNKNOWN_ID), 404, 'series_not_found', 'Series not found')
  })

  t.test('a malformed series id gets 400 validation_failed', async (t) => {
    for (const id of MALFORMED_IDS) isError(t, await listEpisodes(app, creator, id), 400, 'validation_failed')
  })

  t.test('a viewer gets 403 forbidden', async (t) => {
    isError(t, await listEpisodes(app, await signUp(app, 'viewer'), series.id), 403, 'forbidden')
  })

  t.test('without a token it is 401', async (t) => {
    isError(t, await listEpisodes(app, {}, series.id), 401, 'unauthorized')
  })

  t.test('page=0 and limit out of 1..100 get 400 validation_failed', async (t) => {
    for (const query of ['?page=0', '?limit=0', '?limit=101']) {
      isError(t, await listEpisodes(app, creator, series.id, query), 400, 'validation_failed', /page|limit/)
    }
  })

  t.test('a sort that is not allowed gets 400 validation_failed naming the allowed values', async (t) => {
    for (const query of ['?sort=bogus:asc', '?sort=number:up', '?sort=title:asc', '?sort=createdAt:desc']) {
      isError(t, await listEpisodes(app, creator, series.id, query), 400, 'validation_failed', /number:asc, number:desc/)
    }
  })

  t.test('an unknown query parameter, or an operator in one, gets 400', async (t) => {
    for (const query of ['?status=pending', '?number[$gt]=1', `?seriesId=${series.id}`]) {
      isError(t, await listEpisodes(app, creator, series.id, query), 400, 'validation_failed')
    }
  })
})
