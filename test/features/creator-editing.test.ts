import t from 'tap'
import type { FastifyInstance } from 'fastify'
import {
  api, approve, build, createEpisode, createSeries, fakeVideo, ids, isError, MISSING_ID, setSubscription, signUp,
  uploadVideo, type Account
} from '../helper.js'

/** A series as its creator's list shows it, or undefined once it is gone. */
const findMySeries = async (app: FastifyInstance, creator: Account, id: string) =>
  (await api(app).mySeries(creator, '?limit=100')).json().data.find((s: { id: string }) => s.id === id)

t.test('editing a series', async (t) => {
  const app = await build(t)
  const c = api(app)
  const [creator, other, admin, viewer] = [await signUp(app, 'creator'), await signUp(app, 'creator'), await signUp(app, 'admin'), await signUp(app, 'viewer')]
  const series = await createSeries(app, creator, { title: 'Working title', description: 'Old', genres: ['romance'] })

  t.test('the creator edits title, description, genres and freeEpisodes: title trimmed, genres lowercased', async (t) => {
    const res = await c.patchSeries(creator, series.id, { title: '  The Secret Twin  ', description: 'Two sisters.', genres: ['Romance', ' CEO '], freeEpisodes: 3 })
    t.equal(res.statusCode, 200)
    t.match(res.json().data, { id: series.id, title: 'The Secret Twin', description: 'Two sisters.', genres: ['romance', 'ceo'], freeEpisodes: 3, status: 'pending' })
    t.match(await findMySeries(app, creator, series.id), { title: 'The Secret Twin', genres: ['romance', 'ceo'], freeEpisodes: 3 }, 'stored')
  })

  t.test('one field at a time leaves the others as they were', async (t) => {
    const res = await c.patchSeries(creator, series.id, { description: 'Two sisters, one fortune.' })
    t.equal(res.statusCode, 200)
    t.match(res.json().data, { title: 'The Secret Twin', description: 'Two sisters, one fortune.', genres: ['romance', 'ceo'], freeEpisodes: 3 })
  })

  t.test('genres that differ only in case are kept once', async (t) => {
    const res = await c.patchSeries(creator, series.id, { genres: ['Revenge', 'revenge', 'REVENGE '] })
    t.equal(res.statusCode, 200)
    t.same(res.json().data.genres, ['revenge'])
  })

  t.test('another creator\'s series is 404 series_not_found and stays as it was', async (t) => {
    isError(t, await c.patchSeries(other, series.id, { title: 'Hijacked' }), 404, 'series_not_found', 'Series not found')
    isError(t, await c.patchSeries(admin, series.id, { title: 'Hijacked' }), 404, 'series_not_found', 'Series not found')
    isError(t, await c.patchSeries(creator, MISSING_ID, { title: 'Nowhere' }), 404, 'series_not_found', 'Series not found')
    t.equal((await findMySeries(app, creator, series.id)).title, 'The Secret Twin')
  })

  t.test('an empty body is 400 validation_failed', async (t) => {
    isError(t, await c.patchSeries(creator, series.id, {}), 400, 'validation_failed')
  })

  t.test('unknown fields such as status or ownerId are 400 validation_failed and change nothing', async (t) => {
    for (const payload of [{ status: 'published' }, { ownerId: other.user.id }, { title: 'Sneaky', status: 'published' }, { moderationNote: null }, { views: 1e6 }]) {
      const res = await c.patchSeries(creator, series.id, payload)
      isError(t, res, 400, 'validation_failed')
      t.match(res.json().error.message, new RegExp(`'${Object.keys(payload).at(-1)}'`), 'names the field')
    }
    t.match(await findMySeries(app, creator, series.id), { title: 'The Secret Twin', status: 'pending', creatorId: creator.user.id })
  })

  t.test('bad values are 400 validation_failed', async (t) => {
    for (const payload of [{ title: '' }, { title: '   ' }, { title: 'x'.repeat(201) }, { genres: ['$where'] }, { genres: 'romance' },
      { genres: ['a', 'a'] }, { freeEpisodes: -1 }, { description: 'x'.repeat(5001) }, { title: { $ne: null } }]) {
      isError(t, await c.patchSeries(creator, series.id, payload), 400, 'validation_failed')
    }
  })

  t.test('a viewer gets 403 forbidden, no token 401, a malformed id 400', async (t) => {
    isError(t, await c.patchSeries(viewer, series.id, { title: 'Mine' }), 403, 'forbidden')
    isError(t, await app.inject({ method: 'PATCH', url: `/creator/series/${series.id}`, payload: { title: 'Mine' } }), 401, 'unauthorized')
    isError(t, await c.patchSeries(creator, 'not-an-id', { title: 'Mine' }), 400, 'validation_failed')
  })

  t.test('editing a published series keeps it published and viewers see the change, search included', async (t) => {
    const video = await uploadVideo(app, creator)
    await approve(app, admin, (await createEpisode(app, creator, series.id, video.id)).id)
    const res = await c.patchSeries(creator, series.id, { title: 'Zebra Nights' })
    t.equal(res.statusCode, 200)
    t.equal(res.json().data.status, 'published')
    const shown = await c.get(viewer, `/content/series/${series.id}`)
    t.match(shown.json().data, { title: 'Zebra Nights', status: 'published' })
    t.same(ids(await c.get(viewer, '/content/series?q=zebra%20n')), [series.id], 'found by its new title')
    t.same(ids(await c.get(viewer, '/content/series?q=the%20secret')), [], 'not by its old one')
  })
})

t.test('drafts and submitting a series', async (t) => {
  const app = await build(t)
  const c = api(app)
  const [creator, other, admin] = [await signUp(app, 'creator'), await signUp(app, 'creator'), await signUp(app, 'admin')]
  const pendingQueue = async () => ids(await c.get(admin, '/admin/series/pending'))

  t.test('draft:true creates a draft, kept out of the review queue', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/creator/series', headers: creator.auth, payload: { title: 'Sketch', draft: true } })
    t.equal(res.statusCode, 201)
    t.equal(res.json().data.status, 'draft')
    t.notOk((await pendingQueue()).includes(res.json().data.id))
  })

  t.test('without draft a series starts pending', async (t) => {
    t.equal((await createSeries(app, creator, { draft: false })).status, 'pending')
  })

  t.test('submitting a draft makes it pending and puts it in the review queue', async (t) => {
    const draft = await createSeries(app, creator, { title: 'Ready', draft: true })
    const res = await c.submitSeries(creator, draft.id)
    t.equal(res.statusCode, 200)
    t.match(res.json().data, { id: draft.id, status: 'pending', moderationNote: null })
    t.ok((await pendingQueue()).includes(draft.id))
    const log = (await c.get(admin, `/admin/audit?targetId=${draft.id}`)).json().data
    t.match(log, [{ actorId: creator.user.id, action: 'series.submit', before: 'draft', after: 'pending' }], 'the submission is in the audit log')
  })

  t.test('submitting it again is 409 wrong_status', async (t) => {
    const draft = await createSeries(app, creator, { draft: true })
    t.equal((await c.submitSeries(creator, draft.id)).statusCode, 200)
    isError(t, await c.submitSeries(creator, draft.id), 409, 'wrong_status', 'Not possible while the series is pending')
  })

  t.test('submitting a published series is 409 wrong_status', async (t) => {
    const series = await createSeries(app, creator)
    const video = await uploadVideo(app, creator)
    await approve(app, admin, (await createEpisode(app, creator, series.id, video.id)).id)
    isError(t, await c.submitSeries(creator, series.id), 409, 'wrong_status', 'Not possible while the series is published')
  })

  t.test('another creator\'s draft is 404 series_not_found and stays a draft', async (t) => {
    const draft = await createSeries(app, creator, { draft: true })
    isError(t, await c.submitSeries(other, draft.id), 404, 'series_not_found', 'Series not found')
    isError(t, await c.submitSeries(creator, MISSING_ID), 404, 'series_not_found', 'Series not found')
    t.equal((await findMySeries(app, creator, draft.id)).status, 'draft')
  })

  t.test('episodes can be added to a draft; approving one publishes the draft series', async (t) => {
    const draft = await createSeries(app, creator, { draft: true })
    const video = await uploadVideo(app, creator)
    const episode = await createEpisode(app, creator, draft.id, video.id)
    await approve(app, admin, episode.id)
    t.equal((await findMySeries(app, creator, draft.id)).status, 'published')
  })
})

t.test('deleting a series', async (t) => {
  const app = await build(t)
  const c = api(app)
  const [creator, other, admin, viewer] = [await signUp(app, 'creator'), await signUp(app, 'creator'), await signUp(app, 'admin'), await signUp(app, 'viewer')]
  const video = await uploadVideo(app, creator)

  t.test('a draft series is deleted with its episodes', async (t) => {
    const draft = await createSeries(app, creator, { draft: true })
    const one = await createEpisode(app, creator, draft.id, video.id, 1)
    const two = await createEpisode(app, creator, draft.id, video.id, 2)
    const res = await c.deleteSeries(creator, draft.id)
    t.equal(res.statusCode, 204)
    t.equal(res.body, '')
    t.equal(await findMySeries(app, creator, draft.id), undefined, 'gone from the creator\'s list')
    isError(t, await c.myEpisodes(creator, draft.id), 404, 'series_not_found')
    for (const episode of [one, two]) {
      isError(t, await c.patchEpisode(creator, episode.id, { title: 'Orphan' }), 404, 'episode_not_found', 'Episode not found')
      isError(t, await c.get(admin, `/video/play/${episode.id}`), 404, 'episode_not_found')
    }
    const queue = ids(await c.get(admin, '/admin/episodes/pending'))
    t.notOk(queue.includes(one.id) || queue.includes(two.id), 'its episodes left the review queue')
  })

  t.test('a rejected series is deleted', async (t) => {
    const series = await createSeries(app, creator)
    const episode = await createEpisode(app, creator, series.id, video.id)
    t.equal((await c.rejectSeries(admin, series.id, { reason: 'Not good enough' })).statusCode, 200)
    t.equal((await c.deleteSeries(creator, series.id)).statusCode, 204)
    t.equal(await findMySeries(app, creator, series.id), undefined)
    isError(t, await c.submitEpisode(creator, episode.id), 404, 'episode_not_found')
  })

  t.test('a pending series is 409 wrong_status and kept', async (t) => {
    const series = await createSeries(app, creator)
    isError(t, await c.deleteSeries(creator, series.id), 409, 'wrong_status', 'Not possible while the series is pending')
    t.equal((await findMySeries(app, creator, series.id)).status, 'pending')
  })

  t.test('a published series is 409 wrong_status and stays in the catalogue', async (t) => {
    const series = await createSeries(app, creator)
    await approve(app, admin, (await createEpisode(app, creator, series.id, video.id)).id)
    isError(t, await c.deleteSeries(creator, series.id), 409, 'wrong_status', 'Not possible while the series is published')
    t.equal((await c.get(viewer, `/content/series/${series.id}`)).statusCode, 200)
  })

  t.test('another creator\'s draft is 404 series_not_found and kept', async (t) => {
    const draft = await createSeries(app, creator, { draft: true })
    isError(t, await c.deleteSeries(other, draft.id), 404, 'series_not_found', 'Series not found')
    t.equal((await findMySeries(app, creator, draft.id)).status, 'draft')
  })

  t.test('deleting it twice: the second is 404 series_not_found', async (t) => {
    const draft = await createSeries(app, creator, { draft: true })
    t.equal((await c.deleteSeries(creator, draft.id)).statusCode, 204)
    isError(t, await c.deleteSeries(creator, draft.id), 404, 'series_not_found', 'Series not found')
  })

  t.test('a viewer gets 403 forbidden', async (t) => {
    const draft = await createSeries(app, creator, { draft: true })
    isError(t, await c.deleteSeries(viewer, draft.id), 403, 'forbidden')
  })
})

t.test('editing episodes', async (t) => {
  const app = await build(t)
  const c = api(app)
  const [creator, other, admin, viewer] = [await signUp(app, 'creator'), await signUp(app, 'creator'), await signUp(app, 'admin'), await signUp(app, 'viewer')]
  await setSubscription(app, admin, viewer.user.id, 'active')
  const [bytesA, bytesB] = [fakeVideo(3000), fakeVideo(3100)]
  const videoA = await uploadVideo(app, creator, bytesA)
  const videoB = await uploadVideo(app, creator, bytesB)
  const othersVideo = await uploadVideo(app, other)
  const series = await createSeries(app, creator)
  const published = await createEpisode(app, creator, series.id, videoA.id, 1)
  await approve(app, admin, published.id)
  const pending = await createEpisode(app, creator, series.id, videoA.id, 2)
  const served = async (account: Account, episodeId: string): Promise<Buffer> => {
    const res = await c.get(account, `/video/play/${episodeId}`)
    t.equal(res.statusCode, 200)
    return Buffer.from(await (await fetch(res.json().data.url)).arrayBuffer())
  }
  const stored = async (id: string) =>
    (await c.myEpisodes(creator, series.id)).json().data.find((e: { id: string }) => e.id === id)

  t.test('the creator renames a pending episode (trimmed)', async (t) => {
    const res = await c.patchEpisode(creator, pending.id, { title: '  The wedding  ' })
    t.equal(res.statusCode, 200)
    t.match(res.json().data, { id: pending.id, title: 'The wedding', status: 'pending', videoId: videoA.id })
  })

  t.test('renaming a published episode keeps it published and viewers see the new title', async (t) => {
    const res = await c.patchEpisode(creator, published.id, { title: 'Pilot (recut title)' })
    t.equal(res.statusCode, 200)
    t.equal(res.json().data.status, 'published')
    t.equal((await c.get(viewer, `/content/episodes/${published.id}`)).json().data.title, 'Pilot (recut title)')
  })

  t.test('a pending episode\'s video can be replaced by another of the creator\'s videos', async (t) => {
    const res = await c.patchEpisode(creator, pending.id, { videoId: videoB.id })
    t.equal(res.statusCode, 200)
    t.equal(res.json().data.videoId, videoB.id)
    t.ok((await served(admin, pending.id)).equals(bytesB), 'the reviewer plays the new file')
  })

  t.test('another creator\'s video is 403 video_not_yours and the video is unchanged', async (t) => {
    isError(t, await c.patchEpisode(creator, pending.id, { videoId: othersVideo.id }), 403, 'video_not_yours', 'videoId is not one of your videos')
    isError(t, await c.patchEpisode(creator, pending.id, { videoId: MISSING_ID }), 403, 'video_not_yours', 'videoId is not one of your videos')
    t.equal((await stored(pending.id)).videoId, videoB.id)
  })

  t.test('the video of a published episode cannot be replaced: 409 episode_published, play serves the old bytes', async (t) => {
    isError(t, await c.patchEpisode(creator, published.id, { videoId: videoB.id }), 409, 'episode_published',
      'A published episode keeps its video; ask an admin to take it down first')
    isError(t, await c.patchEpisode(creator, published.id, { title: 'Sneaky', videoId: videoB.id }), 409, 'episode_published')
    t.match(await stored(published.id), { videoId: videoA.id, title: 'Pilot (recut title)' }, 'nothing changed, title included')
    t.ok((await served(viewer, published.id)).equals(bytesA), 'the viewer still gets the original file')
  })

  t.test('an empty body or unknown fields are 400 validation_failed', async (t) => {
    for (const payload of [{}, { status: 'published' }, { number: 5 }, { seriesId: series.id }, { title: 'T', ownerId: other.user.id }, { title: '  ' }, { videoId: 'nope' }]) {
      isError(t, await c.patchEpisode(creator, pending.id, payload), 400, 'validation_failed')
    }
    t.match(await stored(pending.id), { title: 'The wedding', status: 'pending', number: 2 })
  })

  t.test('another creator\'s episode is 404 episode_not_found on edit, delete and submit', async (t) => {
    isError(t, await c.patchEpisode(other, pending.id, { title: 'Mine now' }), 404, 'episode_not_found', 'Episode not found')
    isError(t, await c.deleteEpisode(other, pending.id), 404, 'episode_not_found', 'Episode not found')
    isError(t, await c.submitEpisode(other, pending.id), 404, 'episode_not_found', 'Episode not found')
    isError(t, await c.patchEpisode(creator, MISSING_ID, { title: 'Nowhere' }), 404, 'episode_not_found', 'Episode not found')
    t.match(await stored(pending.id), { title: 'The wedding', status: 'pending' })
  })

  t.test('submitting a pending or published episode is 409 wrong_status', async (t) => {
    isError(t, await c.submitEpisode(creator, pending.id), 409, 'wrong_status', 'Not possible while the episode is pending')
    isError(t, await c.submitEpisode(creator, published.id), 409, 'wrong_status', 'Not possible while the episode is published')
  })

  t.test('a rejected episode\'s video can be replaced before resubmitting it', async (t) => {
    const episode = await createEpisode(app, creator, series.id, videoA.id, 3)
    t.equal((await c.rejectEpisode(admin, episode.id, { reason: 'Not good enough' })).statusCode, 200)
    const res = await c.patchEpisode(creator, episode.id, { videoId: videoB.id })
    t.equal(res.statusCode, 200)
    t.match(res.json().data, { videoId: videoB.id, status: 'rejected' })
    t.equal((await c.submitEpisode(creator, episode.id)).json().data.status, 'pending')
  })

  t.test('a pending episode is deleted: 204, out of the review queue, and its number is free again', async (t) => {
    const episode = await createEpisode(app, creator, series.id, videoA.id, 4)
    const res = await c.deleteEpisode(creator, episode.id)
    t.equal(res.statusCode, 204)
    t.equal(res.body, '')
    t.equal(await stored(episode.id), undefined)
    t.notOk(ids(await c.get(admin, '/admin/episodes/pending')).includes(episode.id))
    t.equal((await createEpisode(app, creator, series.id, videoA.id, 4)).number, 4)
  })

  t.test('a rejected episode is deleted: 204', async (t) => {
    const episode = await createEpisode(app, creator, series.id, videoA.id, 5)
    t.equal((await c.rejectEpisode(admin, episode.id, { reason: 'Not good enough' })).statusCode, 200)
    t.equal((await c.deleteEpisode(creator, episode.id)).statusCode, 204)
    t.equal(await stored(episode.id), undefined)
    isError(t, await c.deleteEpisode(creator, episode.id), 404, 'episode_not_found', 'Episode not found')
  })

  t.test('a published episode cannot be deleted: 409 wrong_status, still playable', async (t) => {
    isError(t, await c.deleteEpisode(creator, published.id), 409, 'wrong_status', 'Not possible while the episode is published')
    t.equal((await c.get(viewer, `/video/play/${published.id}`)).statusCode, 200)
  })

  t.test('a taken-down episode cannot be deleted either: 409 wrong_status', async (t) => {
    const episode = await createEpisode(app, creator, series.id, videoA.id, 6)
    await approve(app, admin, episode.id)
    const down = await app.inject({ method: 'POST', url: `/admin/episodes/${episode.id}/unpublish`, headers: admin.auth, payload: { reason: 'Takedown' } })
    t.equal(down.statusCode, 200)
    isError(t, await c.deleteEpisode(creator, episode.id), 409, 'wrong_status', 'Not possible while the episode is unpublished')
  })

  t.test('a viewer gets 403 forbidden on edit, delete and submit', async (t) => {
    isError(t, await c.patchEpisode(viewer, pending.id, { title: 'No' }), 403, 'forbidden')
    isError(t, await c.deleteEpisode(viewer, pending.id), 403, 'forbidden')
    isError(t, await c.submitEpisode(viewer, pending.id), 403, 'forbidden')
  })
})
