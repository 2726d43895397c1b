import t from 'tap'
import { createClient, createSessionClient, isSignedIn, type SignedIn, type Tokens } from '../../clients/ts/index.js'
import { build, linkToken, mailTo, mailWorker, makeClip, mediaWorker, signUp, uniqueEmail } from '../helper.js'
import type { TokenClaims } from '../../plugins/auth.js'

/** The body of a successful call, or a failure naming the status and error body. */
function ok<T> (result: { data?: T, error?: unknown, response: Response }): T {
  if (result.data === undefined) throw new Error(`${result.response.status}: ${JSON.stringify(result.error)}`)
  return result.data
}

/** A login's answer when no second factor is asked. */
function signedIn (data: Parameters<typeof isSignedIn>[0]): SignedIn {
  if (!isSignedIn(data)) throw new Error('two-factor asked')
  return data
}

// The seed flow again, but every API call goes through the typed client generated from openapi.yaml
// (clients/ts), over a real listening server: a contract that lies fails to type-check or here.
t.test('the typed client drives upload → moderation → catalogue → gated playback → history', async (t) => {
  const app = await build(t)
  const base = await app.listen({ host: '127.0.0.1', port: 0 })
  const anonymous = createClient(base)

  const creatorEmail = uniqueEmail('creator')
  const viewerEmail = uniqueEmail('viewer')
  mailWorker(t, app)
  const registered = await anonymous.POST('/auth/register', { body: { email: creatorEmail, password: 'creator-pass-1', role: 'creator' } })
  t.equal(registered.response.status, 201)
  t.equal(ok(registered).data.user.role, 'creator')
  const verified = await anonymous.POST('/auth/email/verify', { body: { token: linkToken(await mailTo(creatorEmail)) } })
  t.equal(verified.response.status, 204, 'the creator follows the emailed link')
  t.equal((await anonymous.POST('/auth/register', { body: { email: viewerEmail, password: 'viewer-pass-1' } })).response.status, 201)
  const creatorSession = signedIn(ok(await anonymous.POST('/auth/login', { body: { email: creatorEmail, password: 'creator-pass-1' } })).data)
  const viewerSession = signedIn(ok(await anonymous.POST('/auth/login', { body: { email: viewerEmail, password: 'viewer-pass-1' } })).data)
  const creator = createClient(base, creatorSession.token)
  const viewer = createClient(base, viewerSession.token)
  const admin = createClient(base, (await signUp(app, 'admin')).token)
  t.equal(ok(await viewer.GET('/auth/me')).data.id, viewerSession.user.id)

  // Presign, PUT a real clip to S3 with exactly the returned headers, save the video, wait for the pipeline.
  mediaWorker(t, app)
  const bytes = makeClip({ seconds: 2 })
  const presign = ok(await creator.POST('/uploads/presign', { body: { contentType: 'video/mp4', sizeBytes: bytes.length, fileName: 'Pilot.mp4' } })).data
  const put = await fetch(presign.uploadUrl, { method: presign.method, headers: presign.headers, body: bytes })
  t.equal(put.status, 200, 'S3 accepts the upload')
  const video = ok(await creator.POST('/creator/videos', { body: { s3Key: presign.s3Key, title: 'Pilot master' } })).data
  t.equal(video.sizeBytes, bytes.length)
  t.equal(video.status, 'uploaded')
  let processed = video
  for (let i = 0; i < 600 && (processed.status === 'uploaded' || processed.status === 'processing'); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    processed = ok(await creator.GET('/creator/videos/{videoId}', { params: { path: { videoId: video.id } } })).data
  }
  t.match(processed, { status: 'ready', width: 360, height: 640 })

  const series = ok(await creator.POST('/creator/series', { body: { title: 'Contract Marriage', genres: ['Romance'] } })).data
  t.equal(series.status, 'pending')
  const episode = ok(await creator.POST('/creator/series/{seriesId}/episodes', {
    params: { path: { seriesId: series.id } }, body: { number: 1, title: 'The deal', videoId: video.id }
  })).data
  t.equal(episode.status, 'pending')

  const approved = ok(await admin.POST('/admin/episodes/{episodeId}/approve', { params: { path: { episodeId: episode.id } } })).data
  t.equal(approved.status, 'published')

  const catalogue = ok(await viewer.GET('/content/series', { params: { query: { genre: 'romance' } } }))
  t.same(catalogue.data.map((s) => [s.id, s.status]), [[series.id, 'published']])
  t.match(catalogue.meta, { total: 1, page: 1, limit: 20, totalPages: 1 })

  // Without a subscription, play is refused with the documented error body; once active, it works.
  const refused = await viewer.GET('/video/play/{episodeId}', { params: { path: { episodeId: episode.id } } })
  t.equal(refused.response.status, 403)
  t.equal(refused.error?.error.code, 'episode_locked')
  const subscribed = ok(await admin.POST('/admin/users/{userId}/subscription', {
    params: { path: { userId: viewerSession.user.id } }, body: { status: 'active' }
  })).data
  t.equal(subscribed.subscription.status, 'active')
  const play = ok(await viewer.GET('/video/play/{episodeId}', { params: { path: { episodeId: episode.id } } })).data
  t.equal(play.type, 'hls')
  const master = await fetch(play.url)
  t.equal(master.headers.get('content-type'), 'application/vnd.apple.mpegurl')
  t.match(await master.text(), /^#EXTM3U/, 'an HLS master playlist')

  const progress = ok(await viewer.POST('/video/progress', { body: { episodeId: episode.id, positionSec: 1 } })).data
  t.match(progress, {
    episodeId: episode.id, seriesId: series.id, positionSec: 1, durationSec: processed.durationSec, completed: false
  })
  const history = ok(await viewer.GET('/video/history', { params: { query: { limit: 10 } } }))
  t.same(history.data.map((e) => e.episodeId), [episode.id])
  t.equal(history.meta.limit, 10)
})

t.test('a session client renews an expired access token with its refresh token, once for concurrent requests', async (t) => {
  const app = await build(t)
  const base = await app.listen({ host: '127.0.0.1', port: 0 })
  const email = uniqueEmail('viewer')
  const registered = ok(await createClient(base).POST('/auth/register', { body: { email, password: 'viewer-pass-1' } })).data
  // The sign-in's access token, as it will be once expired: the same claims, a lifetime of 1 ms (exp is in whole
  // seconds, so it has expired a second later, however busy the machine). The renewed one lives 15 minutes, so
  // the three requests below need one refresh whatever their timing.
  const { sub, role, ver, sid } = app.jwt.decode<TokenClaims>(registered.token)!
  const expiredToken = app.jwt.sign({ sub, role, ver, sid, jti: 'expired' }, { expiresIn: '1ms' })
  await new Promise((resolve) => setTimeout(resolve, 1100))
  const saved: Tokens[] = []
  const tokens = { token: expiredToken, refreshToken: registered.refreshToken }
  const viewer = createSessionClient(base, tokens, (renewed) => saved.push(renewed))
  const expired = await createClient(base, expiredToken).GET('/auth/me')
  t.equal(expired.error?.error.code, 'token_expired', 'a plain client with the old token is refused')
  const answers = await Promise.all([viewer.GET('/auth/me'), viewer.GET('/me/wallet'), viewer.GET('/me/list')])
  t.same(answers.map((a) => a.response.status), [200, 200, 200], 'every request went through')
  t.equal(saved.length, 1, 'one refresh for the three')
  t.not(saved[0]!.refreshToken, registered.refreshToken, 'a new refresh token to keep')
})
