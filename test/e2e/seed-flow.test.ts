import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, linkToken, mailTo, mailWorker, makeClip, mediaWorker, processedVideo, signUp, uniqueEmail } from '../helper.js'

// The seed's data flow, upload → moderation → catalogue → gated playback → progress, over a real
// listening server with fetch, real bytes through MinIO and real documents in FerretDB.
t.test('a video goes from a creator\'s upload to a subscriber\'s screen', async (t) => {
  const app: FastifyInstance = await build(t)
  const base = await app.listen({ host: '127.0.0.1', port: 0 })

  async function call (method: string, path: string, token?: string, body?: unknown) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    return { status: res.status, body: await res.json() as any }
  }

  mailWorker(t, app)
  const creatorEmail = uniqueEmail('creator')
  const creator = await call('POST', '/auth/register', undefined, { email: creatorEmail, password: 'creator-pass-1', role: 'creator' })
  t.equal(creator.status, 201)
  const creatorToken: string = creator.body.data.token
  // 0. The creator follows the link of the verification email (creators upload once verified).
  const verified = await fetch(`${base}/auth/email/verify`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: linkToken(await mailTo(creatorEmail)) })
  })
  t.equal(verified.status, 204)
  const viewerEmail = uniqueEmail('viewer')
  t.equal((await call('POST', '/auth/register', undefined, { email: viewerEmail, password: 'viewer-pass-1' })).status, 201)
  const viewerLogin = await call('POST', '/auth/login', undefined, { email: viewerEmail, password: 'viewer-pass-1' })
  t.equal(viewerLogin.status, 200)
  const viewerToken: string = viewerLogin.body.data.token
  const viewerId: string = viewerLogin.body.data.user.id
  const admin = await signUp(app, 'admin')

  // 1. The creator presigns and uploads the file straight to S3.
  mediaWorker(t, app)
  const bytes = makeClip({ seconds: 2 })
  const presign = await call('POST', '/uploads/presign', creatorToken, { contentType: 'video/mp4', sizeBytes: bytes.length, fileName: 'Pilot.mp4' })
  t.equal(presign.status, 200)
  const { s3Key, uploadUrl, headers } = presign.body.data
  const put = await fetch(uploadUrl, { method: 'PUT', headers, body: bytes })
  t.equal(put.status, 200, 'S3 accepts the upload')

  // 2. Saves the video, creates a series and its first episode: all pending.
  const video = await call('POST', '/creator/videos', creatorToken, { s3Key, title: 'Pilot master' })
  t.equal(video.status, 201)
  t.equal(video.body.data.sizeBytes, bytes.length, 'the stored size is read from S3')
  const processed = await processedVideo(app, { auth: { authorization: `Bearer ${creatorToken}` } }, video.body.data.id)
  t.equal(processed.status, 'ready', 'the media pipeline made it playable')
  const series = await call('POST', '/creator/series', creatorToken, { title: 'Contract Marriage', genres: ['Romance'] })
  t.equal(series.body.data.status, 'pending')
  const seriesId: string = series.body.data.id
  const episode = await call('POST', `/creator/series/${seriesId}/episodes`, creatorToken, { number: 1, title: 'The deal', videoId: video.body.data.id })
  t.equal(episode.status, 201)
  t.equal(episode.body.data.status, 'pending')
  const episodeId: string = episode.body.data.id

  // 3. The viewer cannot see any of it yet.
  t.same((await call('GET', '/content/series', viewerToken)).body.data, [])
  t.equal((await call('GET', `/content/series/${seriesId}/episodes`, viewerToken)).status, 404)
  t.equal((await call('GET', `/content/episodes/${episodeId}`, viewerToken)).status, 404)
  t.equal((await call('GET', `/video/play/${episodeId}`, viewerToken)).status, 404)

  // 4. The admin finds it in the queue and approves it; the series is published with it.
  const queue = await call('GET', '/admin/episodes/pending', admin.token)
  t.same(queue.body.data.map((e: { id: string }) => e.id), [episodeId])
  const approved = await call('POST', `/admin/episodes/${episodeId}/approve`, admin.token)
  t.equal(approved.status, 200)
  t.equal(approved.body.data.status, 'published')
  const catalogue = await call('GET', '/content/series?genre=romance', viewerToken)
  t.same(catalogue.body.data.map((s: { id: string, status: string }) => [s.id, s.status]), [[seriesId, 'published']])
  const episodes = await call('GET', `/content/series/${seriesId}/episodes`, viewerToken)
  t.same(episodes.body.data.map((e: { id: string }) => e.id), [episodeId])
  t.notMatch(JSON.stringify(episodes.body), /s3Key|videoId|ownerId|videos\//, 'nothing private reaches the viewer')

  // 5. Without a subscription, playback is refused; the admin activates it; playback works.
  const refused = await call('GET', `/video/play/${episodeId}`, viewerToken)
  t.equal(refused.status, 403)
  t.equal(refused.body.error.code, 'episode_locked')
  const subscribed = await call('POST', `/admin/users/${viewerId}/subscription`, admin.token, { status: 'active' })
  t.equal(subscribed.body.data.subscription.status, 'active')
  const play = await call('GET', `/video/play/${episodeId}`, viewerToken)
  t.equal(play.status, 200)
  t.equal(play.body.data.type, 'hls')
  t.match(play.body.data.url, new RegExp(`^${base}/stream/${episodeId}/`), 'the playlist is the API\'s, under a playback token')
  const master = await (await fetch(play.body.data.url)).text()
  t.match(master, /^#EXTM3U/)
  const rendition = master.split('\n').find((line) => line.endsWith('index.m3u8'))!
  const media = await (await fetch(new URL(rendition, play.body.data.url))).text()
  const segment = media.split('\n').find((line) => line.startsWith('http'))!
  t.notMatch(segment, new RegExp(`^${base}`), 'segments come from storage, not from the API')
  t.equal((await fetch(segment)).status, 200, 'the bucket serves the segment')

  // 6. Progress and history round-trip.
  const progress = await call('POST', '/video/progress', viewerToken, { episodeId, positionSec: 1 })
  t.equal(progress.status, 200)
  t.match(progress.body.data, {
    episodeId, seriesId, positionSec: 1, durationSec: processed.durationSec, completed: false
  })
  const history = await call('GET', '/video/history', viewerToken)
  t.match(history.body, {
    data: [{ episodeId, positionSec: 1 }],
    meta: { total: 1, page: 1, limit: 20, totalPages: 1 }
  })
})
