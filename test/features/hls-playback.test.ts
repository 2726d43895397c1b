import t from 'tap'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { api, approve, build, createEpisode, createSeries, isError, makeClip, mediaWorker, processedVideo, signUp, uploadVideo } from '../helper.js'

const run = promisify(execFile)

// A processed episode plays as tokenized HLS: the API serves the playlists, the bucket serves the segments.
t.test('tokenized HLS playback', async (t) => {
  const app = await build(t)
  const base = await app.listen({ host: '127.0.0.1', port: 0 })
  const [creator, admin, viewer] = [await signUp(app, 'creator'), await signUp(app, 'admin'), await signUp(app, 'viewer')]
  const series = await createSeries(app, creator, { freeEpisodes: 2 })
  // A video ready before the pipeline made ladders (made before the worker starts), and one it processes.
  const legacy = await createEpisode(app, creator, series.id, (await uploadVideo(app, creator)).id, 2)
  await approve(app, admin, legacy.id)
  mediaWorker(t, app)
  const clip = await uploadVideo(app, creator, makeClip({ width: 540, height: 960, seconds: 2 }), 'video/mp4', { ready: false })
  t.equal((await processedVideo(app, creator, clip.id)).status, 'ready')
  const episode = await createEpisode(app, creator, series.id, clip.id, 1)
  await approve(app, admin, episode.id)

  const play = async (episodeId: string) => {
    const res = await fetch(`${base}/video/play/${episodeId}`, { headers: viewer.auth })
    t.equal(res.status, 200)
    type Play = { type: string, url: string, posterUrl: string | null, expiresAt: string }
    return ((await res.json()) as { data: Play }).data
  }
  const played = await play(episode.id)
  const tokenOf = (url: string) => /\/stream\/[0-9a-f]{24}\/([^/]+)\/master\.m3u8$/.exec(url)?.[1] ?? ''
  const token = tokenOf(played.url)
  const stream = (path: string) => app.inject({ url: `/stream/${path}` })

  t.test('the play answer is an HLS master playlist under a playback token, with the poster', async (t) => {
    t.equal(played.type, 'hls')
    t.match(played.url, new RegExp(`^${base}/stream/${episode.id}/[^/]+/master\\.m3u8$`))
    t.ok(Date.parse(played.expiresAt) > Date.now())
    const poster = await fetch(played.posterUrl!)
    t.equal(poster.headers.get('content-type'), 'image/jpeg')
  })

  t.test('a real HLS client plays every rendition through the API\'s playlists and the bucket', async (t) => {
    const { stdout } = await run(process.env.FFPROBE_PATH ?? 'ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,width,height', '-of', 'csv=p=0', played.url])
    const variants = [...new Set(stdout.trim().split('\n').filter((l) => l.startsWith('video')))].sort()
    t.same(variants, ['video,360,640', 'video,540,960'], 'both variants')
    // Every segment of every variant, decoded.
    await run(process.env.FFMPEG_PATH ?? 'ffmpeg', ['-v', 'error', '-i', played.url, '-map', '0', '-f', 'null', '-'])
    t.pass('ffmpeg read the whole ladder without an error')
  })

  t.test('the media playlist\'s segments are signed URLs of the bucket, the same for the whole token window', async (t) => {
    const first = await stream(`${episode.id}/${token}/360p/index.m3u8`)
    t.equal(first.statusCode, 200)
    t.equal(first.headers['content-type'], 'application/vnd.apple.mpegurl')
    t.match(first.headers['cache-control'], /^private, max-age=\d+$/)
    const segments = first.body.split('\n').filter((l) => l !== '' && !l.startsWith('#'))
    t.ok(segments.length > 0 && segments.every((s) => s.includes(`/hls/${clip.id}/360p/segment_`) && s.includes('X-Amz-Signature=')))
    t.equal((await fetch(segments[0]!)).status, 200, 'the bucket serves a segment')
    t.equal((await stream(`${episode.id}/${token}/360p/index.m3u8`)).body, first.body, 'rewritten once per window')
    t.equal((await play(episode.id)).url, played.url, 'another play in the same window gets the same token')
  })

  t.test('a tampered token, another episode\'s token or an expired one is refused', async (t) => {
    const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')
    for (const path of ['master.m3u8', '360p/index.m3u8', 'subtitles/en/index.m3u8']) {
      isError(t, await stream(`${episode.id}/${flipped}/${path}`), 401, 'playback_token_invalid')
      isError(t, await stream(`${episode.id}/not-a-token/${path}`), 400, 'validation_failed')
      isError(t, await stream(`${legacy.id}/${token}/${path}`), 401, 'playback_token_invalid')
      const old = app.services.streaming.issue(new (await import('mongodb')).ObjectId(episode.id), clip.id, Date.now() - 3600_000)
      isError(t, await stream(`${episode.id}/${old.token}/${path}`), 401, 'playback_token_expired')
    }
  })

  t.test('a rendition or a ladder that does not exist is 404 stream_not_found', async (t) => {
    isError(t, await stream(`${episode.id}/${token}/1080p/index.m3u8`), 404, 'stream_not_found')
    const { ObjectId } = await import('mongodb')
    const noLadder = app.services.streaming.issue(new ObjectId(legacy.id), new ObjectId().toHexString())
    isError(t, await stream(`${legacy.id}/${noLadder.token}/master.m3u8`), 404, 'stream_not_found')
    isError(t, await stream(`${episode.id}/${token}/1080x/index.m3u8`), 400, 'validation_failed')
  })

  t.test('a video without a ladder still plays as its MP4 file', async (t) => {
    const mp4 = await play(legacy.id)
    t.match(mp4, { type: 'mp4', posterUrl: null })
    t.equal((await fetch(mp4.url)).status, 200)
    t.equal((await api(app).get(viewer, `/video/play/${legacy.id}`)).json().data.type, 'mp4')
  })
})
