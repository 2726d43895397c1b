import t from 'tap'
import { api, approve, build, createEpisode, createSeries, fakeVideo, isError, MISSING_ID, setSubscription, signUp, uploadVideo, type Account } from '../helper.js'

t.test('free previews', async (t) => {
  const app = await build(t)
  const [creator, otherCreator, admin, viewer, subscriber] = [
    await signUp(app, 'creator'), await signUp(app, 'creator'), await signUp(app, 'admin'), await signUp(app, 'viewer'), await signUp(app, 'viewer')
  ]
  await setSubscription(app, admin, subscriber.user.id, 'active')
  const bytes = fakeVideo(4096)
  const video = await uploadVideo(app, creator, bytes)
  const series = await createSeries(app, creator, { title: 'Free then paid', freeEpisodes: 2 })
  const episodes: Array<{ id: string }> = []
  for (let n = 1; n <= 3; n++) {
    const episode = await createEpisode(app, creator, series.id, video.id, n)
    await approve(app, admin, episode.id)
    episodes.push(episode)
  }
  const [one, two, three] = episodes as [{ id: string }, { id: string }, { id: string }]

  const listedAccess = async (account: Account, seriesId = series.id): Promise<string[]> => {
    const res = await app.inject({ url: `/content/series/${seriesId}/episodes`, headers: account.auth })
    t.equal(res.statusCode, 200)
    return res.json().data.map((e: { access: string }) => e.access)
  }
  const play = async (account: Account, episodeId: string) => await app.inject({ url: `/video/play/${episodeId}`, headers: account.auth })
  const patchSeries = async (payload: Record<string, unknown>) =>
    await api(app).patchSeries(creator, series.id, payload)

  t.test('an unsubscribed viewer sees episodes 1 and 2 as free and episode 3 as locked in the episode list', async (t) => {
    t.same(await listedAccess(viewer), ['free', 'free', 'locked'])
  })

  t.test('each episode\'s own page shows the same access to an unsubscribed viewer', async (t) => {
    const seen = []
    for (const episode of episodes) {
      const res = await app.inject({ url: `/content/episodes/${episode.id}`, headers: viewer.auth })
      t.equal(res.statusCode, 200)
      seen.push(res.json().data.access)
    }
    t.same(seen, ['free', 'free', 'locked'])
  })

  t.test('an unsubscribed viewer plays the free episodes and the URL serves the uploaded bytes', async (t) => {
    for (const episode of [one, two]) {
      const res = await play(viewer, episode.id)
      t.equal(res.statusCode, 200)
      const file = await fetch(res.json().data.url)
      t.equal(file.status, 200)
      t.ok(Buffer.from(await file.arrayBuffer()).equals(bytes), 'same bytes as uploaded')
    }
  })

  t.test('an unsubscribed viewer is refused episode 3 with 403 episode_locked', async (t) => {
    isError(t, await play(viewer, three.id), 403, 'episode_locked', 'This episode is locked: unlock it with coins (POST /content/episodes/{episodeId}/unlock) or subscribe to VIP')
  })

  t.test('a subscriber sees episode 3 as subscription and plays it', async (t) => {
    t.same(await listedAccess(subscriber), ['free', 'free', 'subscription'])
    const page = await app.inject({ url: `/content/episodes/${three.id}`, headers: subscriber.auth })
    t.equal(page.json().data.access, 'subscription')
    const res = await play(subscriber, three.id)
    t.equal(res.statusCode, 200)
    const file = await fetch(res.json().data.url)
    t.ok(Buffer.from(await file.arrayBuffer()).equals(bytes), 'same bytes as uploaded')
  })

  t.test('the series\' creator and an admin see subscription, not locked, and play episode 3', async (t) => {
    for (const account of [creator, admin]) {
      t.same(await listedAccess(account), ['free', 'free', 'subscription'], account.user.role)
      const page = await app.inject({ url: `/content/episodes/${three.id}`, headers: account.auth })
      t.equal(page.json().data.access, 'subscription', account.user.role)
      t.equal((await play(account, three.id)).statusCode, 200, account.user.role)
    }
  })

  t.test('another creator without a subscription sees episode 3 locked and cannot play it', async (t) => {
    t.same(await listedAccess(otherCreator), ['free', 'free', 'locked'])
    isError(t, await play(otherCreator, three.id), 403, 'episode_locked')
  })

  t.test('a canceled subscription locks episode 3 again', async (t) => {
    const lapsed = await signUp(app, 'viewer')
    await setSubscription(app, admin, lapsed.user.id, 'active')
    t.equal((await play(lapsed, three.id)).statusCode, 200)
    await setSubscription(app, admin, lapsed.user.id, 'canceled')
    t.same(await listedAccess(lapsed), ['free', 'free', 'locked'])
    isError(t, await play(lapsed, three.id), 403, 'episode_locked')
    t.equal((await play(lapsed, one.id)).statusCode, 200, 'the free preview still plays')
  })

  t.test('with freeEpisodes 0 every episode is locked for an unsubscribed viewer', async (t) => {
    const paid = await createSeries(app, creator, { title: 'All paid', freeEpisodes: 0 })
    const first = await createEpisode(app, creator, paid.id, video.id, 1)
    const second = await createEpisode(app, creator, paid.id, video.id, 2)
    await approve(app, admin, first.id)
    await approve(app, admin, second.id)
    t.same(await listedAccess(viewer, paid.id), ['locked', 'locked'])
    isError(t, await play(viewer, first.id), 403, 'episode_locked')
    t.same(await listedAccess(subscriber, paid.id), ['subscription', 'subscription'])
    t.equal((await play(subscriber, first.id)).statusCode, 200)
  })

  t.test('raising freeEpisodes makes episode 3 free at once', async (t) => {
    const res = await patchSeries({ freeEpisodes: 3 })
    t.equal(res.statusCode, 200)
    t.equal(res.json().data.freeEpisodes, 3)
    t.same(await listedAccess(viewer), ['free', 'free', 'free'])
    t.equal((await app.inject({ url: `/content/episodes/${three.id}`, headers: viewer.auth })).json().data.access, 'free')
    t.equal((await play(viewer, three.id)).statusCode, 200)
  })

  t.test('a freeEpisodes larger than the series is fine: every episode is free', async (t) => {
    t.equal((await patchSeries({ freeEpisodes: 50 })).statusCode, 200)
    t.same(await listedAccess(viewer), ['free', 'free', 'free'])
  })

  t.test('lowering freeEpisodes to 0 locks every episode at once', async (t) => {
    const res = await patchSeries({ freeEpisodes: 0 })
    t.equal(res.statusCode, 200)
    t.same(await listedAccess(viewer), ['locked', 'locked', 'locked'])
    isError(t, await play(viewer, one.id), 403, 'episode_locked')
    t.same(await listedAccess(subscriber), ['subscription', 'subscription', 'subscription'])
  })

  t.test('a negative or fractional freeEpisodes is 400 validation_failed and changes nothing', async (t) => {
    for (const freeEpisodes of [-1, 1.5, '2', null]) {
      isError(t, await patchSeries({ freeEpisodes }), 400, 'validation_failed')
    }
    t.same(await listedAccess(viewer), ['locked', 'locked', 'locked'])
  })
})

t.test('next episode', async (t) => {
  const app = await build(t)
  const [creator, admin, viewer, subscriber] = [
    await signUp(app, 'creator'), await signUp(app, 'admin'), await signUp(app, 'viewer'), await signUp(app, 'viewer')
  ]
  await setSubscription(app, admin, subscriber.user.id, 'active')
  const video = await uploadVideo(app, creator)
  const series = await createSeries(app, creator, { freeEpisodes: 2 })
  const one = await createEpisode(app, creator, series.id, video.id, 1)
  const two = await createEpisode(app, creator, series.id, video.id, 2)
  const three = await createEpisode(app, creator, series.id, video.id, 3)
  await approve(app, admin, one.id)
  await approve(app, admin, three.id)
  const next = async (episodeId: string, account: Account = viewer) =>
    await app.inject({ url: `/content/episodes/${episodeId}/next`, headers: account.auth })

  t.test('after episode 1 comes episode 3, skipping the pending episode 2, with the caller\'s access', async (t) => {
    const res = await next(one.id)
    t.equal(res.statusCode, 200)
    const { data } = res.json()
    t.same(Object.keys(data).sort(), [
      'access', 'audio', 'coinPrice', 'createdAt', 'durationSec', 'id', 'language', 'number', 'publishedAt', 'seriesId', 'status',
      'subtitles', 'title', 'updatedAt'
    ])
    t.match(data, { id: three.id, seriesId: series.id, number: 3, status: 'published', access: 'locked' })
    t.equal((await next(one.id, subscriber)).json().data.access, 'subscription', 'a subscriber may play it')
  })

  t.test('after the last episode it is 404 no_next_episode', async (t) => {
    isError(t, await next(three.id), 404, 'no_next_episode', 'This is the last episode so far')
  })

  t.test('an episode that is not published is 404 episode_not_found', async (t) => {
    isError(t, await next(two.id), 404, 'episode_not_found', 'Episode not found')
    isError(t, await next(two.id, creator), 404, 'episode_not_found', 'Episode not found')
  })

  t.test('an unknown episode is 404 episode_not_found and a malformed id is 400', async (t) => {
    isError(t, await next(MISSING_ID), 404, 'episode_not_found', 'Episode not found')
    isError(t, await next('not-an-id'), 400, 'validation_failed')
  })

  t.test('without a token it is 401', async (t) => {
    const res = await app.inject({ url: `/content/episodes/${one.id}/next` })
    isError(t, res, 401, 'unauthorized')
  })

  t.test('once episode 2 is approved it is the one after episode 1, free, and episode 3 follows it', async (t) => {
    await approve(app, admin, two.id)
    const after1 = await next(one.id)
    t.match(after1.json().data, { id: two.id, number: 2, access: 'free' })
    const after2 = await next(two.id)
    t.match(after2.json().data, { id: three.id, number: 3, access: 'locked' })
  })

  t.test('a taken-down episode is skipped', async (t) => {
    const down = await app.inject({ method: 'POST', url: `/admin/episodes/${two.id}/unpublish`, headers: admin.auth, payload: { reason: 'Wrong cut' } })
    t.equal(down.statusCode, 200)
    t.equal((await next(one.id)).json().data.id, three.id)
  })
})
