import t from 'tap'
import { approve, build, createEpisode, createSeries, fakeVideo, MISSING_ID, setSubscription, signUp, uploadVideo } from '../../helper.js'

t.test('GET /video/play/:episodeId', async (t) => {
  const app = await build(t)
  const [creator, otherCreator, admin, viewer] = [
    await signUp(app, 'creator'), await signUp(app, 'creator'), await signUp(app, 'admin'), await signUp(app, 'viewer')
  ]
  const bytes = fakeVideo(5000)
  const video = await uploadVideo(app, creator, bytes)
  const series = await createSeries(app, creator)
  const published = await createEpisode(app, creator, series.id, video.id, 1)
  await approve(app, admin, published.id)
  const pending = await createEpisode(app, creator, series.id, video.id, 2)
  const play = (episodeId: string, headers?: { authorization: string }) =>
    app.inject({ url: `/video/play/${episodeId}`, ...(headers === undefined ? {} : { headers }) })

  t.test('no token is 401', async (t) => {
    const res = await play(published.id)
    t.equal(res.statusCode, 401)
    t.equal(res.json().error.code, 'unauthorized')
  })

  t.test('a viewer without a subscription gets 403 episode_locked', async (t) => {
    const res = await play(published.id, viewer.auth)
    t.equal(res.statusCode, 403)
    t.same(res.json(), { error: { message: 'This episode is locked: unlock it with coins (POST /content/episodes/{episodeId}/unlock) or subscribe to VIP', status: 403, code: 'episode_locked' } })
  })

  t.test('once an admin activates the subscription, the viewer gets a URL that lives 600 s', async (t) => {
    await setSubscription(app, admin, viewer.user.id, 'active')
    const before = Date.now()
    const res = await play(published.id, viewer.auth)
    const after = Date.now()
    t.equal(res.statusCode, 200)
    const { url, expiresAt } = res.json().data
    t.match(url, /^https?:\/\//)
    t.equal(new URL(url).searchParams.get('X-Amz-Expires'), '600')
    const expires = Date.parse(expiresAt)
    t.ok(expires >= before + 600_000 && expires <= after + 600_000, `expiresAt ${expiresAt} is 600 s after the request`)
  })

  t.test('the URL serves exactly the uploaded bytes', async (t) => {
    const res = await play(published.id, viewer.auth)
    const file = await fetch(res.json().data.url)
    t.equal(file.status, 200)
    const served = Buffer.from(await file.arrayBuffer())
    t.equal(served.length, bytes.length)
    t.ok(served.equals(bytes), 'same bytes as uploaded')
  })

  t.test('the URL does not work once tampered with', async (t) => {
    const res = await play(published.id, viewer.auth)
    const url = new URL(res.json().data.url)
    url.searchParams.set('X-Amz-Expires', '604800')
    const file = await fetch(url)
    t.equal(file.status, 403)
  })

  t.test('after the subscription is canceled the viewer gets 403 again', async (t) => {
    await setSubscription(app, admin, viewer.user.id, 'canceled')
    const res = await play(published.id, viewer.auth)
    t.equal(res.statusCode, 403)
    t.equal(res.json().error.code, 'episode_locked')
  })

  t.test('a pending episode is 404 for a subscribed viewer', async (t) => {
    await setSubscription(app, admin, viewer.user.id, 'active')
    t.equal((await play(published.id, viewer.auth)).statusCode, 200, 'the viewer can play published episodes')
    const res = await play(pending.id, viewer.auth)
    t.equal(res.statusCode, 404)
    t.same(res.json(), { error: { message: 'Episode not found', status: 404, code: 'episode_not_found' } })
  })

  t.test('a pending episode plays for its creator, who has no subscription, to preview it', async (t) => {
    const res = await play(pending.id, creator.auth)
    t.equal(res.statusCode, 200)
    const file = await fetch(res.json().data.url)
    t.ok(Buffer.from(await file.arrayBuffer()).equals(bytes))
  })

  t.test('a pending episode plays for an admin, to review it', async (t) => {
    const res = await play(pending.id, admin.auth)
    t.equal(res.statusCode, 200)
    t.type(res.json().data.url, 'string')
  })

  t.test('the creator plays their own published episode without a subscription', async (t) => {
    const res = await play(published.id, creator.auth)
    t.equal(res.statusCode, 200)
  })

  t.test('another creator without a subscription gets 403 on a published episode', async (t) => {
    const res = await play(published.id, otherCreator.auth)
    t.equal(res.statusCode, 403)
    t.equal(res.json().error.code, 'episode_locked')
  })

  t.test('another creator gets 404 on someone else\'s pending episode, even when subscribed', async (t) => {
    await setSubscription(app, admin, otherCreator.user.id, 'active')
    t.equal((await play(published.id, otherCreator.auth)).statusCode, 200, 'subscribed, they can play published ones')
    const res = await play(pending.id, otherCreator.auth)
    t.equal(res.statusCode, 404)
    t.equal(res.json().error.code, 'episode_not_found')
  })

  t.test('an unknown episode is 404 episode_not_found, for viewers and admins alike', async (t) => {
    for (const account of [viewer, admin]) {
      const res = await play(MISSING_ID, account.auth)
      t.equal(res.statusCode, 404)
      t.same(res.json(), { error: { message: 'Episode not found', status: 404, code: 'episode_not_found' } })
    }
  })

  t.test('a malformed episode id is 400', async (t) => {
    for (const id of ['nope', `${published.id}0`, 'z'.repeat(24)]) {
      const res = await play(id, viewer.auth)
      t.equal(res.statusCode, 400, id)
      t.equal(res.json().error.code, 'validation_failed')
    }
  })

  t.test('the answer never contains the storage key or the video id', async (t) => {
    const res = await play(published.id, viewer.auth)
    t.equal(res.statusCode, 200)
    t.same(Object.keys(res.json().data).sort(), ['expiresAt', 'posterUrl', 'type', 'url'])
    t.match(res.json().data, { type: 'mp4', posterUrl: null }, 'a video without an HLS ladder plays as its file')
    t.notMatch(res.body, /s3Key|videoId|ownerId|passwordHash/)
  })
})
