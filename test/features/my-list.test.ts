import t from 'tap'
import { api, approve, build, createEpisode, createSeries, ids, isError, MISSING_ID, signUp, uploadVideo, type Account } from '../helper.js'

t.test('my list', async (t) => {
  const app = await build(t)
  const [creator, admin, viewer, otherViewer] = [await signUp(app, 'creator'), await signUp(app, 'admin'), await signUp(app, 'viewer'), await signUp(app, 'viewer')]
  const video = await uploadVideo(app, creator)
  const publish = async (title: string) => {
    const series = await createSeries(app, creator, { title })
    await approve(app, admin, (await createEpisode(app, creator, series.id, video.id)).id)
    return series
  }
  const saved = await publish('Saved')
  const other = await publish('Other')
  const pending = await createSeries(app, creator, { title: 'Not yet' })

  const a = api(app)
  const listIds = async (account: Account = viewer): Promise<string[]> => ids(await a.myList(account))
  const flags = async (account: Account): Promise<Record<string, boolean>> => {
    const res = await app.inject({ url: '/content/series', headers: account.auth })
    t.equal(res.statusCode, 200)
    return Object.fromEntries(res.json().data.map((s: { id: string, inMyList: boolean }) => [s.id, s.inMyList]))
  }
  const flagOf = async (account: Account, seriesId: string): Promise<boolean> =>
    (await app.inject({ url: `/content/series/${seriesId}`, headers: account.auth })).json().data.inMyList

  t.test('an empty list to start with', async (t) => {
    const res = await a.myList(viewer)
    t.equal(res.statusCode, 200)
    t.same(res.json(), { data: [], meta: { total: 0, page: 1, limit: 20, totalPages: 0, nextCursor: null } })
  })

  t.test('saving a series answers 204 with no body', async (t) => {
    const res = await a.addToList(viewer, saved.id)
    t.equal(res.statusCode, 204)
    t.equal(res.body, '')
  })

  t.test('saving it again is 204 too and it is still listed once', async (t) => {
    t.equal((await a.addToList(viewer, saved.id)).statusCode, 204)
    const res = await a.myList(viewer)
    t.same(ids(res), [saved.id])
    t.equal(res.json().meta.total, 1)
  })

  t.test('the list shows the series as the catalogue does, with inMyList true', async (t) => {
    const res = await a.myList(viewer)
    t.match(res.json().data[0], { id: saved.id, title: 'Saved', status: 'published', inMyList: true })
    t.notOk('moderationNote' in res.json().data[0])
  })

  t.test('the catalogue marks the saved series true and the others false', async (t) => {
    t.same(await flags(viewer), { [saved.id]: true, [other.id]: false })
    t.equal(await flagOf(viewer, saved.id), true)
    t.equal(await flagOf(viewer, other.id), false)
  })

  t.test('another viewer sees inMyList false for it and has an empty list', async (t) => {
    t.same(await flags(otherViewer), { [saved.id]: false, [other.id]: false })
    t.equal(await flagOf(otherViewer, saved.id), false)
    t.same(await listIds(otherViewer), [])
  })

  t.test('the list is most recently saved first', async (t) => {
    t.equal((await a.addToList(viewer, other.id)).statusCode, 204)
    t.same(await listIds(), [other.id, saved.id])
    t.same(ids(await a.myList(viewer, '?limit=1&page=2')), [saved.id])
  })

  t.test('removing a series answers 204 with no body, and again 204', async (t) => {
    const res = await a.removeFromList(viewer, other.id)
    t.equal(res.statusCode, 204)
    t.equal(res.body, '')
    t.equal((await a.removeFromList(viewer, other.id)).statusCode, 204)
    t.same(await listIds(), [saved.id])
    t.equal(await flagOf(viewer, other.id), false)
  })

  t.test('removing a series that was never saved or does not exist is 204', async (t) => {
    t.equal((await a.removeFromList(otherViewer, saved.id)).statusCode, 204)
    t.equal((await a.removeFromList(viewer, MISSING_ID)).statusCode, 204)
    t.same(await listIds(), [saved.id], 'the list is unchanged')
  })

  t.test('a series that is not published, or unknown, is 404 series_not_found', async (t) => {
    isError(t, await a.addToList(viewer, pending.id), 404, 'series_not_found', 'Series not found')
    isError(t, await a.addToList(viewer, MISSING_ID), 404, 'series_not_found', 'Series not found')
    t.same(await listIds(), [saved.id])
  })

  t.test('a malformed id is 400 validation_failed; no token is 401', async (t) => {
    isError(t, await a.addToList(viewer, 'nope'), 400, 'validation_failed')
    isError(t, await a.removeFromList(viewer, 'nope'), 400, 'validation_failed')
    isError(t, await app.inject({ method: 'PUT', url: `/me/list/${saved.id}` }), 401, 'unauthorized')
    isError(t, await app.inject({ url: '/me/list' }), 401, 'unauthorized')
  })

  t.test('a creator has a list of their own', async (t) => {
    t.equal((await a.addToList(creator, other.id)).statusCode, 204)
    t.same(await listIds(creator), [other.id])
    t.equal(await flagOf(creator, other.id), true)
  })

  t.test('a saved series that is taken down leaves the list', async (t) => {
    t.equal((await a.addToList(viewer, other.id)).statusCode, 204)
    t.same(await listIds(), [other.id, saved.id])
    const down = await app.inject({ method: 'POST', url: `/admin/series/${saved.id}/unpublish`, headers: admin.auth, payload: { reason: 'Takedown' } })
    t.equal(down.statusCode, 200)
    t.same(await listIds(), [other.id])
    isError(t, await a.addToList(viewer, saved.id), 404, 'series_not_found', 'Series not found')
  })
})
