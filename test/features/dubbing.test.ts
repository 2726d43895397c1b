import t from 'tap'
import { execFile, execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { build, eventually, isError, publishedClip, signUp, type Account } from '../helper.js'

const run = promisify(execFile)

/** A tone of `seconds` as AAC in MP4 (audio/mp4), made with ffmpeg. */
function makeTone (seconds: number): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'microdrama-tone-'))
  const file = join(dir, 'tone.m4a')
  execFileSync(process.env.FFMPEG_PATH ?? 'ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=660:duration=${seconds}`, '-c:a', 'aac', file])
  const bytes = readFileSync(file)
  rmSync(dir, { recursive: true, force: true })
  return bytes
}

// Dubbed audio: an uploaded audio file per language, checked and packaged by the worker, offered by the stream as an
// alternate audio rendition that players (ffprobe and ffmpeg here) find with its language.
t.test('dubbed audio in the HLS stream', async (t) => {
  const app = await build(t, { LANGUAGES: 'en,es,pt-BR' })
  const base = await app.listen({ host: '127.0.0.1', port: 0 })
  const { creator, viewer, clip, series, episode } = await publishedClip(t, app)

  const upload = async (bytes: Buffer, contentType = 'audio/mp4', who: Account = creator) => {
    const presign = await app.inject({
      method: 'POST', url: '/uploads/presign', headers: who.auth, payload: { contentType, sizeBytes: bytes.length, fileName: 'dub.m4a' }
    })
    t.equal(presign.statusCode, 200, presign.body)
    const { s3Key, uploadUrl, headers } = presign.json().data
    t.equal((await fetch(uploadUrl, { method: 'PUT', headers, body: bytes })).status, 200)
    return s3Key as string
  }
  const dub = async (language: string, s3Key: string) => await app.inject({
    method: 'PUT', url: `/creator/episodes/${episode.id}/audio/${language}`, headers: creator.auth, payload: { s3Key }
  })
  const trackOf = async (language: string) => {
    const mine = (await app.inject({ url: `/creator/series/${series.id}/episodes`, headers: creator.auth })).json().data[0]
    return mine.audioTracks.find((a: { language: string }) => a.language === language)
  }
  const processed = async (language: string) => {
    t.ok(await eventually(async () => ['ready', 'failed'].includes((await trackOf(language))?.status), 60), `${language} processed`)
    return await trackOf(language)
  }
  const play = async () => {
    const res = await fetch(`${base}/video/play/${episode.id}`, { headers: viewer.auth })
    return ((await res.json()) as { data: { url: string } }).data.url
  }

  t.test('a dub goes uploaded → ready and the stream offers it beside the original', async (t) => {
    const accepted = await dub('es', await upload(makeTone(4)))
    t.equal(accepted.statusCode, 202, accepted.body)
    t.match(accepted.json().data.audioTracks, [{ language: 'es', status: 'uploaded', failure: null }])
    t.match(await processed('es'), { status: 'ready', failure: null })
    const shown = (await app.inject({ url: `/content/episodes/${episode.id}`, headers: viewer.auth })).json().data
    t.same(shown.audio, [{ language: 'es', name: 'español' }])

    const url = await play()
    const master = await (await fetch(url)).text()
    t.match(master, /#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",LANGUAGE="en",NAME="English",DEFAULT=YES,AUTOSELECT=YES\n/)
    t.match(master, /#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",LANGUAGE="es",NAME="español",DEFAULT=NO,AUTOSELECT=YES,URI="audio-es-1\/index.m3u8"/)
    t.ok(master.split('\n').filter((l) => l.startsWith('#EXT-X-STREAM-INF:')).every((l) => l.includes('AUDIO="audio"')))
    const { stdout } = await run(process.env.FFPROBE_PATH ?? 'ffprobe', [
      '-v', 'error', '-show_entries', 'stream=codec_type,codec_name:stream_tags=language', '-of', 'json', url
    ])
    type Stream = { codec_type: string, tags?: { language?: string } }
    const audio = (JSON.parse(stdout) as { streams: Stream[] }).streams.filter((s) => s.codec_type === 'audio')
    t.ok(audio.some((s) => s.tags?.language === 'es'), 'ffprobe lists the Spanish audio rendition')
    // ffmpeg decodes the Spanish rendition to its end through the tokenized playlist and the bucket.
    const { stderr } = await run(process.env.FFMPEG_PATH ?? 'ffmpeg', ['-v', 'error', '-i', url, '-map', '0:a:m:language:es', '-f', 'null', '-'])
    t.equal(stderr, '', 'no decoding error')
    const { stdout: seconds } = await run(process.env.FFPROBE_PATH ?? 'ffprobe', [
      '-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', url.replace('master.m3u8', 'audio-es-1/index.m3u8')
    ])
    t.ok(Math.abs(Number(seconds) - 4) < 0.2, `as long as the episode: ${seconds.trim()} s`)
  })

  t.test('a file that is not audio, or not as long as the episode, fails with its reason', async (t) => {
    t.equal((await dub('pt-BR', await upload(Buffer.from('not audio at all, only text'.repeat(100))))).statusCode, 202)
    t.match(await processed('pt-BR'), { status: 'failed', failure: { code: 'not_audio' } })
    t.equal((await dub('pt-BR', await upload(makeTone(30)))).statusCode, 202)
    t.match(await processed('pt-BR'), { status: 'failed', failure: { code: 'duration_mismatch', message: /30\.0 s; the episode 4\.0 s/ } })
    t.notMatch(await (await fetch(await play())).text(), /LANGUAGE="pt-BR"/, 'a failed dub is not offered')
  })

  t.test('only the owner, their own upload, another language than the original', async (t) => {
    const stranger = await signUp(app, 'creator')
    isError(t, await dub('es', await upload(makeTone(4), 'audio/mp4', stranger)), 403, 'forbidden_key')
    isError(t, await dub('en', await upload(makeTone(4))), 422, 'language_is_original')
    isError(t, await dub('fr', await upload(makeTone(4))), 422, 'language_not_supported')
  })

  t.test('removing a dub takes it out of the stream and deletes its files', async (t) => {
    const url = await play()
    const folder = url.replace('master.m3u8', 'audio-es-1/index.m3u8')
    t.equal((await fetch(folder)).status, 200)
    const removed = await app.inject({ method: 'DELETE', url: `/creator/episodes/${episode.id}/audio/es`, headers: creator.auth })
    t.equal(removed.statusCode, 204)
    t.notMatch(await (await fetch(await play())).text(), /TYPE=AUDIO/, 'no audio group left')
    t.equal((await app.storage.readText(`hls/${clip.id}/audio-es-1/index.m3u8`)), null, 'its playlist is gone from the bucket')
    isError(t, await app.inject({ method: 'DELETE', url: `/creator/episodes/${episode.id}/audio/es`, headers: creator.auth }), 422, 'track_not_found')
  })
})
