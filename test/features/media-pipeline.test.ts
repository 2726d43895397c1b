import t from 'tap'
import { spawn } from 'node:child_process'
import { ObjectId } from 'mongodb'
import { api, build, createSeries, isError, makeClip, mediaWorker, processedVideo, signUp, uploadVideo } from '../helper.js'

// The media pipeline for real: clips made with ffmpeg, uploaded to MinIO, probed and transcoded by the
// worker's ffmpeg, the ladder and the poster stored in the bucket.

t.test('a vertical clip becomes an HLS ladder that never upscales, with a poster', async (t) => {
  const app = await build(t)
  const creator = await signUp(app, 'creator')
  mediaWorker(t, app)
  const saved = await uploadVideo(app, creator, makeClip({ width: 720, height: 1280, seconds: 3 }), 'video/mp4', { ready: false })
  const video = await processedVideo(app, creator, saved.id)
  t.match(video, { status: 'ready', failure: null, width: 720, height: 1280 })
  t.ok(Math.abs(video.durationSec - 3) < 0.2, `duration read from the file: ${video.durationSec}`)
  t.same(video.renditions.map((r: { name: string, width: number, height: number }) => `${r.name} ${r.width}x${r.height}`),
    ['360p 360x640', '540p 540x960', '720p 720x1280'], 'up to the source\'s width, no 1080p')

  const poster = await fetch(video.posterUrl)
  t.equal(poster.status, 200)
  t.equal(poster.headers.get('content-type'), 'image/jpeg')
  t.ok((await poster.arrayBuffer()).byteLength > 1000, 'a real image')

  const master = await app.storage.client.send(new (await import('@aws-sdk/client-s3')).GetObjectCommand({
    Bucket: app.storage.bucket, Key: `hls/${saved.id}/master.m3u8`
  }))
  const text = await master.Body!.transformToString()
  t.match(text, /RESOLUTION=360x640/)
  t.match(text, /RESOLUTION=720x1280/)
  const media = await app.storage.client.send(new (await import('@aws-sdk/client-s3')).GetObjectCommand({
    Bucket: app.storage.bucket, Key: `hls/${saved.id}/720p/index.m3u8`
  }))
  const playlist = await media.Body!.transformToString()
  const durations = [...playlist.matchAll(/#EXTINF:([\d.]+)/g)].map((m) => Number(m[1]))
  t.ok(durations.length >= 1 && durations.every((d) => d <= 4.1), `segments of at most 4 s: ${durations.join(', ')}`)
  t.ok(await app.storage.head(saved.s3Key), 'the original upload is kept')

  // An episode may now use it, and takes its duration from it (not from the client).
  const series = await createSeries(app, creator)
  const episode = await api(app).addEpisode(creator, series.id, { number: 1, title: 'Pilot', videoId: saved.id })
  t.equal(episode.statusCode, 201)
  t.ok(Math.abs(episode.json().data.durationSec - 3) < 0.2)
})

t.test('what is not a vertical video we take fails at once with its code, never retried', async (t) => {
  const app = await build(t)
  const creator = await signUp(app, 'creator')
  mediaWorker(t, app)
  const full = makeClip({ width: 360, height: 640, seconds: 2 })
  const cases: Array<[string, Buffer, string]> = [
    ['a horizontal clip', makeClip({ width: 640, height: 360, seconds: 1 }), 'not_vertical'],
    ['a text file sent as video/mp4', Buffer.from('this is not a video at all\n'.repeat(50)), 'not_a_video'],
    ['a truncated file', full.subarray(0, Math.floor(full.length / 2)), 'corrupt']
  ]
  for (const [what, bytes, code] of cases) {
    const saved = await uploadVideo(app, creator, bytes, 'video/mp4', { ready: false })
    const video = await processedVideo(app, creator, saved.id)
    t.match(video, { status: 'failed', failure: { code }, renditions: [], posterUrl: null }, what)
    t.type(video.failure.message, 'string')
    // The job ends just after the video is marked failed: once it has, it has been tried once and not retried.
    const job = async () => await app.queues.media.getJob(`process-video-${saved.id}`)
    for (let i = 0; i < 200 && await (await job())?.getState() !== 'completed'; i++) await new Promise((resolve) => setTimeout(resolve, 25))
    t.equal(await (await job())?.getState(), 'completed', `${what}: the job ended`)
    t.equal((await job())?.attemptsMade, 1, `${what}: one attempt`)
  }
})

t.test('an episode needs a ready video: 409 video_not_ready while it is processing or when it failed', async (t) => {
  const app = await build(t)
  const [creator, admin, other] = [await signUp(app, 'creator'), await signUp(app, 'admin'), await signUp(app, 'creator')]
  const series = await createSeries(app, creator)
  const waiting = await uploadVideo(app, creator, makeClip(), 'video/mp4', { ready: false })
  isError(t, await api(app).addEpisode(creator, series.id, { number: 1, title: 'Too soon', videoId: waiting.id }), 409, 'video_not_ready')
  const seen = await app.inject({ url: `/creator/videos/${waiting.id}`, headers: creator.auth })
  t.equal(seen.json().data.status, 'uploaded', 'waiting for the pipeline')
  isError(t, await app.inject({ url: `/creator/videos/${waiting.id}`, headers: other.auth }), 404, 'video_not_found')
  isError(t, await app.inject({ url: `/creator/videos/${new ObjectId().toHexString()}`, headers: creator.auth }), 404, 'video_not_found')

  // An episode made with a ready video whose replacement is not ready; an admin cannot approve it then.
  const ready = await uploadVideo(app, creator)
  const episode = (await api(app).addEpisode(creator, series.id, { number: 1, title: 'Pilot', videoId: ready.id })).json().data
  isError(t, await api(app).patchEpisode(creator, episode.id, { videoId: waiting.id }), 409, 'video_not_ready')
  await app.mongo.db!.collection('videos').updateOne({ _id: new ObjectId(ready.id) }, { $set: { status: 'failed' } })
  isError(t, await api(app).approveEpisode(admin, episode.id), 409, 'video_not_ready')
  t.equal((await api(app).rejectEpisode(admin, episode.id, { reason: 'The video failed' })).statusCode, 200)
  isError(t, await api(app).submitEpisode(creator, episode.id), 409, 'video_not_ready')
})

t.test('a worker killed mid-transcode: the job runs again on a live worker and the video becomes ready', async (t) => {
  const app = await build(t)
  const creator = await signUp(app, 'creator')
  // The worker as production runs it (src/worker.ts), in its own process, with a short job lock.
  const config = Object.fromEntries(Object.entries(app.config).map(([k, v]) => [k, String(v)]))
  const env = { ...process.env, ...config, JOB_LOCK_MS: '1000', LOG_LEVEL: 'silent' }
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], { env, stdio: 'ignore' })
  t.teardown(() => { child.kill('SIGKILL') })
  const saved = await uploadVideo(app, creator, makeClip({ width: 720, height: 1280, seconds: 6 }), 'video/mp4', { ready: false })
  for (let i = 0; i < 600; i++) {
    if ((await app.mongo.db!.collection('videos').findOne({ _id: new ObjectId(saved.id) }))?.status === 'processing') break
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  child.kill('SIGKILL')
  await new Promise((resolve) => child.once('exit', resolve))
  t.equal((await app.inject({ url: `/creator/videos/${saved.id}`, headers: creator.auth })).json().data.status, 'processing',
    'the worker died with the video in hand')

  mediaWorker(t, app, { lockDurationMs: 1000, stalledIntervalMs: 500 })
  const video = await processedVideo(app, creator, saved.id, 120)
  t.equal(video.status, 'ready')
  t.equal(video.renditions.length, 3)
})
