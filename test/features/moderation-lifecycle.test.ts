import t from 'tap'
import {
  api, approve, build, createEpisode, createSeries, ids, isError, MISSING_ID, setSubscription, signUp, uploadVideo,
  type Account, type Res
} from '../helper.js'

t.test('rejecting and resubmitting an episode', async (t) => {
  const app = await build(t)
  const m = api(app)
  const [creator, admin, viewer] = [await signUp(app, 'creator'), await signUp(app, 'admin'), await signUp(app, 'viewer')]
  await setSubscription(app, admin, viewer.user.id, 'active')
  const video = await uploadVideo(app, creator)
  const series = await createSeries(app, creator)
  const one = await createEpisode(app, creator, series.id, video.id, 1)
  await approve(app, admin, one.id)
  const two = await createEpisode(app, creator, series.id, video.id, 2)
  const reason = 'No audio after 0:40'
  const creatorEpisode = async (id: string) =>
    (await m.get(creator, `/creator/series/${series.id}/episodes`)).json().data.find((e: { id: string }) => e.id === id)

  t.test('a missing or blank reason is 400 validation_failed and the episode stays pending', async (t) => {
    for (const payload of [undefined, {}, { reason: '' }, { reason: '   ' }, { reason: 42 }, { reason: 'x'.repeat(1001) }, { reason: 'ok', extra: 1 }]) {
      isError(t, await m.rejectEpisode(admin, two.id, payload as Record<string, unknown> | undefined), 400, 'validation_failed')
    }
    t.equal((await creatorEpisode(two.id)).status, 'pending')
  })

  t.test('an admin rejects a pending episode with a reason', async (t) => {
    const res = await m.rejectEpisode(admin, two.id, { reason })
    t.equal(res.statusCode, 200)
    t.match(res.json().data, { id: two.id, status: 'rejected', moderationNote: reason, publishedAt: null })
  })

  t.test('the creator sees the reason in their episode list', async (t) => {
    t.match(await creatorEpisode(two.id), { id: two.id, status: 'rejected', moderationNote: reason })
    t.match(await creatorEpisode(one.id), { status: 'published', moderationNote: null })
  })

  t.test('viewers never see a rejected episode nor the reason', async (t) => {
    const list = await m.get(viewer, `/content/series/${series.id}/episodes`)
    t.same(ids(list), [one.id])
    t.notOk('moderationNote' in list.json().data[0], 'no moderation note for viewers')
    t.notMatch(list.body, reason)
    isError(t, await m.get(viewer, `/content/episodes/${two.id}`), 404, 'episode_not_found', 'Episode not found')
    isError(t, await m.get(viewer, `/video/play/${two.id}`), 404, 'episode_not_found', 'Episode not found')
  })

  t.test('rejecting it again is 409 not_pending', async (t) => {
    isError(t, await m.rejectEpisode(admin, two.id, { reason: 'Again' }), 409, 'not_pending', 'This episode is not pending')
    t.equal((await creatorEpisode(two.id)).moderationNote, reason, 'the first reason stays')
  })

  t.test('approving a rejected episode is 409 not_pending', async (t) => {
    isError(t, await m.approveEpisode(admin, two.id), 409, 'not_pending', 'This episode is not pending')
  })

  t.test('the creator fixes the title and resubmits: pending again, the note cleared', async (t) => {
    const edited = await app.inject({ method: 'PATCH', url: `/creator/episodes/${two.id}`, headers: creator.auth, payload: { title: 'The wedding (fixed audio)' } })
    t.equal(edited.statusCode, 200)
    t.match(edited.json().data, { title: 'The wedding (fixed audio)', status: 'rejected' })
    const res = await m.submitEpisode(creator, two.id)
    t.equal(res.statusCode, 200)
    t.match(res.json().data, { id: two.id, status: 'pending', moderationNote: null, title: 'The wedding (fixed audio)' })
    const queue = await m.get(admin, '/admin/episodes/pending')
    t.same(ids(queue), [two.id], 'back in the review queue')
  })

  t.test('resubmitting a pending episode is 409 wrong_status', async (t) => {
    isError(t, await m.submitEpisode(creator, two.id), 409, 'wrong_status', 'Not possible while the episode is pending')
  })

  t.test('an admin approves the resubmitted episode and viewers see it', async (t) => {
    const res = await m.approveEpisode(admin, two.id)
    t.equal(res.statusCode, 200)
    t.match(res.json().data, { status: 'published', moderationNote: null })
    const list = await m.get(viewer, `/content/series/${series.id}/episodes`)
    t.same(ids(list), [one.id, two.id])
    t.equal(list.json().data[1].title, 'The wedding (fixed audio)')
    t.equal((await m.get(viewer, `/video/play/${two.id}`)).statusCode, 200)
  })

  t.test('rejecting a published episode is 409 not_pending', async (t) => {
    isError(t, await m.rejectEpisode(admin, one.id, { reason }), 409, 'not_pending', 'This episode is not pending')
  })

  t.test('an unknown episode is 404 episode_not_found', async (t) => {
    isError(t, await m.rejectEpisode(admin, MISSING_ID, { reason }), 404, 'episode_not_found', 'Episode not found')
    isError(t, await m.unpublishEpisode(admin, MISSING_ID, { reason }), 404, 'episode_not_found', 'Episode not found')
  })

  t.test('viewers and creators get 403 forbidden on reject and unpublish', async (t) => {
    const pending = await createEpisode(app, creator, series.id, video.id, 3)
    for (const account of [viewer, creator]) {
      isError(t, await m.rejectEpisode(account, pending.id, { reason }), 403, 'forbidden', 'This needs the admin role')
      isError(t, await m.unpublishEpisode(account, one.id, { reason }), 403, 'forbidden', 'This needs the admin role')
    }
    t.equal((await creatorEpisode(pending.id)).status, 'pending')
    t.equal((await creatorEpisode(one.id)).status, 'published')
  })
})

t.test('taking down an episode someone is watching', async (t) => {
  const app = await build(t)
  const m = api(app)
  const [creator, admin, viewer] = [await signUp(app, 'creator'), await signUp(app, 'admin'), await signUp(app, 'viewer')]
  await setSubscription(app, admin, viewer.user.id, 'active')
  const video = await uploadVideo(app, creator)
  const series = await createSeries(app, creator)
  const one = await createEpisode(app, creator, series.id, video.id, 1)
  const two = await createEpisode(app, creator, series.id, video.id, 2)
  await approve(app, admin, one.id)
  await approve(app, admin, two.id)
  const reason = 'Copyright claim on the soundtrack'
  const progress = async (episodeId: string, positionSec: number) =>
    await app.inject({ method: 'POST', url: '/video/progress', headers: viewer.auth, payload: { episodeId, positionSec, durationSec: 100 } })
  const continueWatching = async () => await m.get(viewer, '/me/continue-watching')

  t.test('while it is published the viewer resumes it in continue watching', async (t) => {
    t.equal((await progress(one.id, 30)).statusCode, 200)
    const res = await continueWatching()
    t.equal(res.statusCode, 200)
    t.same(res.json().data.map((r: { episode: { id: string } }) => r.episode.id), [one.id])
  })

  t.test('a missing or blank reason is 400 validation_failed and it stays published', async (t) => {
    for (const payload of [undefined, {}, { reason: ' ' }]) {
      isError(t, await m.unpublishEpisode(admin, one.id, payload), 400, 'validation_failed')
    }
    t.equal((await m.get(viewer, `/content/episodes/${one.id}`)).statusCode, 200)
  })

  t.test('an admin takes the episode down with a reason', async (t) => {
    const res = await m.unpublishEpisode(admin, one.id, { reason })
    t.equal(res.statusCode, 200)
    t.match(res.json().data, { id: one.id, status: 'unpublished', moderationNote: reason })
  })

  t.test('it leaves the series\' episode list', async (t) => {
    t.same(ids(await m.get(viewer, `/content/series/${series.id}/episodes`)), [two.id])
  })

  t.test('its page, playback and progress are 404 episode_not_found', async (t) => {
    isError(t, await m.get(viewer, `/content/episodes/${one.id}`), 404, 'episode_not_found', 'Episode not found')
    isError(t, await m.get(viewer, `/video/play/${one.id}`), 404, 'episode_not_found', 'Episode not found')
    isError(t, await progress(one.id, 40), 404, 'episode_not_found', 'Episode not found')
  })

  t.test('continue watching no longer shows it', async (t) => {
    const res = await continueWatching()
    t.equal(res.statusCode, 200)
    t.notOk(res.json().data.some((r: { episode: { id: string }, next: { id: string } | null }) =>
      r.episode.id === one.id || r.next?.id === one.id), 'the taken-down episode is in no row')
  })

  t.test('the creator sees why in their episode list', async (t) => {
    const list = await m.get(creator, `/creator/series/${series.id}/episodes`)
    t.match(list.json().data[0], { id: one.id, status: 'unpublished', moderationNote: reason })
  })

  t.test('taking it down again is 409 wrong_status', async (t) => {
    isError(t, await m.unpublishEpisode(admin, one.id, { reason }), 409, 'wrong_status', 'This episode is not published')
  })

  t.test('a pending episode cannot be taken down: 409 wrong_status', async (t) => {
    const pending = await createEpisode(app, creator, series.id, video.id, 3)
    isError(t, await m.unpublishEpisode(admin, pending.id, { reason }), 409, 'wrong_status', 'This episode is not published')
  })

  t.test('the creator resubmits it: unpublished → pending, the note cleared', async (t) => {
    const res = await m.submitEpisode(creator, one.id)
    t.equal(res.statusCode, 200)
    t.match(res.json().data, { id: one.id, status: 'pending', moderationNote: null })
    isError(t, await m.get(viewer, `/content/episodes/${one.id}`), 404, 'episode_not_found', 'Episode not found')
  })

  t.test('approved again, it is back in the catalogue and the viewer resumes where they stopped', async (t) => {
    t.equal((await m.approveEpisode(admin, one.id)).statusCode, 200)
    t.same(ids(await m.get(viewer, `/content/series/${series.id}/episodes`)), [one.id, two.id])
    t.equal((await m.get(viewer, `/video/play/${one.id}`)).statusCode, 200)
    const rows = (await continueWatching()).json().data
    t.equal(rows.length, 1)
    t.match(rows[0], { episode: { id: one.id }, positionSec: 30, next: { id: two.id } })
  })
})

t.test('rejecting and taking down a series', async (t) => {
  const app = await build(t)
  const m = api(app)
  const [creator, admin, viewer] = [await signUp(app, 'creator'), await signUp(app, 'admin'), await signUp(app, 'viewer')]
  await setSubscription(app, admin, viewer.user.id, 'active')
  const video = await uploadVideo(app, creator)
  const reason = 'The cover is misleading'

  t.test('an admin rejects a pending series with a reason the creator sees', async (t) => {
    const series = await createSeries(app, creator, { title: 'To reject' })
    const res = await m.rejectSeries(admin, series.id, { reason })
    t.equal(res.statusCode, 200)
    t.match(res.json().data, { id: series.id, status: 'rejected', moderationNote: reason })
    const mine = await m.get(creator, '/creator/series?status=rejected')
    t.match(mine.json().data, [{ id: series.id, moderationNote: reason }])
    isError(t, await m.get(viewer, `/content/series/${series.id}`), 404, 'series_not_found', 'Series not found')
    t.notOk(ids(await m.get(admin, '/admin/series/pending')).includes(series.id), 'out of the review queue')
  })

  t.test('an admin rejects a draft series too', async (t) => {
    const draft = await createSeries(app, creator, { title: 'Draft', draft: true })
    const res = await m.rejectSeries(admin, draft.id, { reason })
    t.equal(res.statusCode, 200)
    t.equal(res.json().data.status, 'rejected')
  })

  t.test('rejecting a rejected or published series is 409 wrong_status', async (t) => {
    const series = await createSeries(app, creator)
    await m.rejectSeries(admin, series.id, { reason })
    isError(t, await m.rejectSeries(admin, series.id, { reason }), 409, 'wrong_status', 'This series is not pending')
    const live = await createSeries(app, creator)
    await approve(app, admin, (await createEpisode(app, creator, live.id, video.id)).id)
    isError(t, await m.rejectSeries(admin, live.id, { reason }), 409, 'wrong_status', 'This series is not pending')
  })

  t.test('the creator resubmits a rejected series: pending, the note cleared', async (t) => {
    const series = await createSeries(app, creator)
    await m.rejectSeries(admin, series.id, { reason })
    const res = await m.submitSeries(creator, series.id)
    t.equal(res.statusCode, 200)
    t.match(res.json().data, { id: series.id, status: 'pending', moderationNote: null })
    t.ok(ids(await m.get(admin, '/admin/series/pending')).includes(series.id), 'back in the review queue')
  })

  t.test('a missing or blank reason is 400 validation_failed', async (t) => {
    const series = await createSeries(app, creator)
    for (const payload of [undefined, {}, { reason: '\t ' }]) {
      isError(t, await m.rejectSeries(admin, series.id, payload), 400, 'validation_failed')
      isError(t, await m.unpublishSeries(admin, series.id, payload), 400, 'validation_failed')
    }
    t.ok(ids(await m.get(admin, '/admin/series/pending')).includes(series.id), 'still pending')
  })

  t.test('an unknown series is 404 series_not_found', async (t) => {
    isError(t, await m.rejectSeries(admin, MISSING_ID, { reason }), 404, 'series_not_found', 'Series not found')
    isError(t, await m.unpublishSeries(admin, MISSING_ID, { reason }), 404, 'series_not_found', 'Series not found')
  })

  t.test('viewers and creators get 403 forbidden on series reject and unpublish', async (t) => {
    const series = await createSeries(app, creator)
    for (const account of [viewer, creator]) {
      isError(t, await m.rejectSeries(account, series.id, { reason }), 403, 'forbidden', 'This needs the admin role')
      isError(t, await m.unpublishSeries(account, series.id, { reason }), 403, 'forbidden', 'This needs the admin role')
    }
  })

  t.test('taking a series down', async (t) => {
    const series = await createSeries(app, creator, { title: 'Taken down' })
    const one = await createEpisode(app, creator, series.id, video.id, 1)
    const two = await createEpisode(app, creator, series.id, video.id, 2)
    await approve(app, admin, one.id)
    await approve(app, admin, two.id)
    const takedown = 'Breaks the community rules'

    t.test('a pending series cannot be taken down: 409 wrong_status', async (t) => {
      const pending = await createSeries(app, creator)
      isError(t, await m.unpublishSeries(admin, pending.id, { reason: takedown }), 409, 'wrong_status', 'This series is not published')
    })

    t.test('an admin takes a published series down with a reason', async (t) => {
      const res = await m.unpublishSeries(admin, series.id, { reason: takedown })
      t.equal(res.statusCode, 200)
      t.match(res.json().data, { id: series.id, status: 'unpublished', moderationNote: takedown })
    })

    t.test('the series and all its episodes leave the catalogue', async (t) => {
      t.notOk(ids(await m.get(viewer, '/content/series')).includes(series.id))
      isError(t, await m.get(viewer, `/content/series/${series.id}`), 404, 'series_not_found', 'Series not found')
      isError(t, await m.get(viewer, `/content/series/${series.id}/episodes`), 404, 'series_not_found', 'Series not found')
      for (const episode of [one, two]) {
        isError(t, await m.get(viewer, `/content/episodes/${episode.id}`), 404, 'episode_not_found', 'Episode not found')
        isError(t, await m.get(viewer, `/video/play/${episode.id}`), 404, 'episode_not_found', 'Episode not found')
      }
    })

    t.test('taking it down again is 409 wrong_status', async (t) => {
      isError(t, await m.unpublishSeries(admin, series.id, { reason: takedown }), 409, 'wrong_status', 'This series is not published')
    })

    t.test('the creator sees why and resubmits the series: pending, note cleared, still out of the catalogue', async (t) => {
      const mine = await m.get(creator, '/creator/series?status=unpublished')
      t.match(mine.json().data, [{ id: series.id, moderationNote: takedown }])
      const res = await m.submitSeries(creator, series.id)
      t.equal(res.statusCode, 200)
      t.match(res.json().data, { id: series.id, status: 'pending', moderationNote: null })
      t.ok(ids(await m.get(admin, '/admin/series/pending')).includes(series.id), 'in the review queue')
      isError(t, await m.get(viewer, `/content/series/${series.id}`), 404, 'series_not_found')
    })

    const approveSeries = async (id: string) => await app.inject({ method: 'POST', url: `/admin/series/${id}/approve`, headers: admin.auth })

    t.test('an admin approves the resubmitted series: back in the catalogue with the episodes it kept', async (t) => {
      const res = await approveSeries(series.id)
      t.equal(res.statusCode, 200)
      t.match(res.json().data, { id: series.id, status: 'published', moderationNote: null })
      t.equal((await m.get(viewer, `/content/series/${series.id}`)).statusCode, 200)
      t.equal((await m.get(viewer, `/content/series/${series.id}/episodes`)).json().meta.total, 2)
    })

    t.test('approving it again is 409 not_pending, and an unknown series is 404 series_not_found', async (t) => {
      isError(t, await approveSeries(series.id), 409, 'not_pending', 'This series is not pending')
      isError(t, await approveSeries(MISSING_ID), 404, 'series_not_found')
    })
  })
})

t.test('the audit log', async (t) => {
  const app = await build(t)
  const m = api(app)
  const [creator, admin, otherAdmin, viewer] = [
    await signUp(app, 'creator'), await signUp(app, 'admin'), await signUp(app, 'admin'), await signUp(app, 'viewer')
  ]
  await setSubscription(app, admin, viewer.user.id, 'active')
  const video = await uploadVideo(app, creator)
  const series = await createSeries(app, creator)
  const one = await createEpisode(app, creator, series.id, video.id, 1)
  const two = await createEpisode(app, creator, series.id, video.id, 2)
  // The actions under test, in this order.
  await approve(app, admin, one.id)
  t.equal((await m.rejectEpisode(otherAdmin, two.id, { reason: 'No audio' })).statusCode, 200)
  t.equal((await m.submitEpisode(creator, two.id)).statusCode, 200)
  t.equal((await m.unpublishEpisode(admin, one.id, { reason: 'Copyright claim' })).statusCode, 200)

  const audit = async (query = '', account: Account = admin) => await m.get(account, `/admin/audit${query}`)
  const summary = (e: any) => [e.actorId, e.action, e.targetId, e.before, e.after, e.reason]
  const episodeEntries = (res: Res) => res.json().data.filter((e: { targetType: string }) => e.targetType === 'episode').map(summary)

  t.test('lists every action newest first, with who, what, before, after and why', async (t) => {
    const res = await audit()
    t.equal(res.statusCode, 200)
    const { data } = res.json()
    t.same(Object.keys(data[0]).sort(), ['action', 'actorId', 'after', 'at', 'before', 'id', 'reason', 'targetId', 'targetType'])
    t.same(episodeEntries(res), [
      [admin.user.id, 'episode.unpublish', one.id, 'published', 'unpublished', 'Copyright claim'],
      [creator.user.id, 'episode.submit', two.id, 'rejected', 'pending', null],
      [otherAdmin.user.id, 'episode.reject', two.id, 'pending', 'rejected', 'No audio'],
      [admin.user.id, 'episode.approve', one.id, 'pending', 'published', null]
    ])
    t.match(data.at(-1), {
      actorId: admin.user.id, action: 'user.subscription', targetType: 'user', targetId: viewer.user.id, before: 'none', after: 'active', reason: null
    }, 'the first action, the subscription, is last')
    const times = data.map((e: { at: string }) => Date.parse(e.at))
    t.same(times, [...times].sort((a: number, b: number) => b - a), 'newest first')
    t.equal(res.json().meta.total, data.length)
  })

  t.test('?actorId= lists only that user\'s actions', async (t) => {
    const byOther = await audit(`?actorId=${otherAdmin.user.id}`)
    t.equal(byOther.statusCode, 200)
    t.same(byOther.json().data.map(summary), [[otherAdmin.user.id, 'episode.reject', two.id, 'pending', 'rejected', 'No audio']])
    const byCreator = await audit(`?actorId=${creator.user.id}`)
    t.same(byCreator.json().data.map((e: { action: string }) => e.action), ['episode.submit'])
    const byAdmin = await audit(`?actorId=${admin.user.id}`)
    t.ok(byAdmin.json().data.every((e: { actorId: string }) => e.actorId === admin.user.id))
    t.same(episodeEntries(byAdmin).map((e: unknown[]) => e[1]), ['episode.unpublish', 'episode.approve'])
    t.same((await audit(`?actorId=${viewer.user.id}`)).json().data, [], 'a viewer did nothing')
  })

  t.test('?targetId= lists only that item\'s history', async (t) => {
    t.same((await audit(`?targetId=${two.id}`)).json().data.map((e: { action: string }) => e.action), ['episode.submit', 'episode.reject'])
    t.same((await audit(`?targetId=${one.id}`)).json().data.map((e: { action: string }) => e.action), ['episode.unpublish', 'episode.approve'])
    const both = await audit(`?targetId=${two.id}&actorId=${creator.user.id}`)
    t.same(both.json().data.map((e: { action: string }) => e.action), ['episode.submit'], 'filters combine')
    t.same((await audit(`?targetId=${MISSING_ID}`)).json().data, [])
  })

  t.test('pages through the log', async (t) => {
    const all = (await audit()).json()
    const page = await audit('?limit=2&page=2')
    t.equal(page.statusCode, 200)
    t.same(page.json().data, all.data.slice(2, 4))
    t.match(page.json().meta, { total: all.meta.total, page: 2, limit: 2, totalPages: Math.ceil(all.meta.total / 2) })
  })

  t.test('a malformed filter is 400 validation_failed', async (t) => {
    for (const query of ['?actorId=nope', '?targetId=123', '?sort=action:asc', '?extra=1']) {
      isError(t, await audit(query), 400, 'validation_failed')
    }
  })

  t.test('viewers and creators get 403 forbidden; no token is 401', async (t) => {
    isError(t, await audit('', viewer), 403, 'forbidden', 'This needs the admin role')
    isError(t, await audit('', creator), 403, 'forbidden', 'This needs the admin role')
    isError(t, await app.inject({ url: '/admin/audit' }), 401, 'unauthorized')
  })

  t.test('a refused action leaves no entry', async (t) => {
    const before = (await audit()).json().meta.total
    t.equal((await m.rejectEpisode(admin, one.id, { reason: 'Too late' })).statusCode, 409)
    t.equal((await m.approveEpisode(admin, one.id)).statusCode, 409)
    t.equal((await audit()).json().meta.total, before)
  })

  // The route promises "every status change of a series": the series went pending → published when its
  // first episode was approved, but approve calls series.publishIfUnpublished, which writes no entry.
  t.test('the series going live with its first approved episode is in the audit log', async (t) => {
    const res = await audit(`?targetId=${series.id}`)
    t.equal(res.statusCode, 200)
    t.match(res.json().data, [{ actorId: admin.user.id, targetType: 'series', targetId: series.id, before: 'pending', after: 'published' }])
  })
})

t.test('two admins acting on the same pending episode at once', async (t) => {
  const app = await build(t)
  const m = api(app)
  const [creator, admin, otherAdmin, viewer] = [
    await signUp(app, 'creator'), await signUp(app, 'admin'), await signUp(app, 'admin'), await signUp(app, 'viewer')
  ]
  const video = await uploadVideo(app, creator)
  const series = await createSeries(app, creator)
  const first = await createEpisode(app, creator, series.id, video.id, 1)
  await approve(app, admin, first.id)

  t.test('one rejects while the other approves: exactly one wins, and the episode shows the winner\'s choice', async (t) => {
    for (let n = 2; n <= 6; n++) {
      const episode = await createEpisode(app, creator, series.id, video.id, n)
      const [rejected, approved] = await Promise.all([
        m.rejectEpisode(admin, episode.id, { reason: 'Race' }),
        m.approveEpisode(otherAdmin, episode.id)
      ])
      t.same([rejected.statusCode, approved.statusCode].sort(), [200, 409], `episode ${n}`)
      const loser = rejected.statusCode === 409 ? rejected : approved
      t.equal(loser.json().error.code, 'not_pending')
      const shown = await m.get(viewer, `/content/episodes/${episode.id}`)
      t.equal(shown.statusCode, approved.statusCode === 200 ? 200 : 404, 'the viewer sees the winner\'s outcome')
      const log = (await m.get(admin, `/admin/audit?targetId=${episode.id}`)).json().data
      t.equal(log.length, 1, 'one entry in the audit log')
      t.equal(log[0]?.action, approved.statusCode === 200 ? 'episode.approve' : 'episode.reject')
    }
  })

  t.test('both reject at once: one 200, one 409 not_pending', async (t) => {
    const episode = await createEpisode(app, creator, series.id, video.id, 7)
    const results = await Promise.all([admin, otherAdmin].map(async (a) => await m.rejectEpisode(a, episode.id, { reason: `by ${a.user.id}` })))
    t.same(results.map((r) => r.statusCode).sort(), [200, 409])
    const winner = results.find((r) => r.statusCode === 200)!
    const list = await m.get(creator, `/creator/series/${series.id}/episodes`)
    const stored = list.json().data.find((e: { id: string }) => e.id === episode.id)
    t.equal(stored.moderationNote, winner.json().data.moderationNote, 'the winner\'s reason is kept')
  })
})
