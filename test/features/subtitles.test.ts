import t from 'tap'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { build, isError, publishedClip, signUp } from '../helper.js'

const run = promisify(execFile)
const ffprobe = process.env.FFPROBE_PATH ?? 'ffprobe'
// ffmpeg's HLS demuxer reads WebVTT renditions only when asked for experimental features (FFmpeg 5 and 6).
const cuesOf = async (url: string, language: string) => (await run(process.env.FFMPEG_PATH ?? 'ffmpeg',
  ['-v', 'error', '-strict', 'experimental', '-i', url, '-map', `0:s:m:language:${language}`, '-f', 'webvtt', '-'])).stdout

const SPANISH = 'WEBVTT\n\n00:00:00.200 --> 00:00:01.500\n¡Hola, mi amor!\n\n00:00:02.000 --> 00:00:03.800\nAdiós para siempre.\n'
const PORTUGUESE_SRT = '1\r\n00:00:00,500 --> 00:00:01,900\r\nOlá, meu amor!\r\n\r\n2\r\n00:00:02,000 --> 00:00:03,500\r\nAdeus.\r\n'

// Subtitles are text tracks of the stream: uploaded per language, validated, stored beside the ladder and announced
// in the master playlist, where any HLS player (ffprobe and ffmpeg here) finds them through the playback token.
t.test('subtitles in the HLS stream', async (t) => {
  const app = await build(t, { LANGUAGES: 'en,es,pt-BR' })
  const base = await app.listen({ host: '127.0.0.1', port: 0 })
  const { creator, viewer, series, episode } = await publishedClip(t, app)
  const stranger = await signUp(app, 'creator')

  const put = async (language: string, body: string | Buffer, type = 'text/vtt', who = creator) => await app.inject({
    method: 'PUT', url: `/creator/episodes/${episode.id}/subtitles/${language}`, headers: { ...who.auth, 'content-type': type }, payload: body
  })
  const play = async () => {
    const res = await fetch(`${base}/video/play/${episode.id}`, { headers: viewer.auth })
    return ((await res.json()) as { data: { url: string } }).data.url
  }
  const mine = async () => (await app.inject({ url: `/creator/series/${series.id}/episodes`, headers: creator.auth })).json().data[0]

  t.test('a WebVTT and an SRT file become two subtitle languages of the episode', async (t) => {
    const added = await put('es', SPANISH)
    t.equal(added.statusCode, 200, added.body)
    const srt = await put('pt-br', PORTUGUESE_SRT, 'application/x-subrip')
    t.equal(srt.statusCode, 200, srt.body)
    t.same(srt.json().data.subtitles, [{ language: 'es', name: 'español' }, { language: 'pt-BR', name: 'português (Brasil)' }],
      'named in their own language, the tag made canonical')
    const shown = await app.inject({ url: `/content/episodes/${episode.id}`, headers: viewer.auth })
    t.same(shown.json().data.subtitles.map((s: { language: string }) => s.language), ['es', 'pt-BR'], 'viewers see the languages')
  })

  t.test('ffprobe, as the player, lists the subtitle renditions with their languages from the master playlist', async (t) => {
    const url = await play()
    const master = await (await fetch(url)).text()
    t.match(master, /#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",LANGUAGE="es",NAME="español",DEFAULT=NO,AUTOSELECT=YES/)
    t.ok(master.split('\n').filter((l) => l.startsWith('#EXT-X-STREAM-INF:')).every((l) => l.endsWith(',SUBTITLES="subs"')))
    const { stdout } = await run(ffprobe, ['-v', 'error', '-strict', 'experimental', '-show_entries', 'stream=codec_type,codec_name:stream_tags=language', '-of', 'json', url])
    type Stream = { codec_type: string, codec_name: string, tags?: { language?: string } }
    const { streams } = JSON.parse(stdout) as { streams: Stream[] }
    const subtitles = streams.filter((s) => s.codec_type === 'subtitle')
    t.same(subtitles.map((s) => [s.codec_name, s.tags?.language]).sort(), [['webvtt', 'es'], ['webvtt', 'pt-BR']])
    // ffmpeg reads the Spanish cues back out of the stream (its output starts at the first cue; it does not apply
    // X-TIMESTAMP-MAP, which the file's test below and the browser's player do).
    const cues = await cuesOf(url, 'es')
    t.match(cues, /00:00\.000 --> 00:01\.300\n¡Hola, mi amor!\n\n00:01\.800 --> 00:03\.600\nAdiós para siempre\./)
  })

  t.test('the WebVTT fetched through the tokenized playlist has the uploaded cues; a tampered token is refused', async (t) => {
    const url = await play()
    const token = /\/stream\/[0-9a-f]{24}\/([^/]+)\/master\.m3u8$/.exec(url)![1]!
    const playlist = await app.inject({ url: `/stream/${episode.id}/${token}/subtitles/pt-BR/index.m3u8` })
    t.equal(playlist.statusCode, 200)
    const file = playlist.body.split('\n').find((l) => l.startsWith('http'))!
    t.match(file, /X-Amz-Signature=/, 'a signed URL of the bucket')
    const vtt = await (await fetch(file)).text()
    t.match(vtt, /^WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:\d+,LOCAL:00:00:00\.000\n/, 'tied to the ladder\'s first frame')
    t.match(vtt, /00:00\.500 --> 00:01\.900\nOlá, meu amor!/, 'the SRT\'s cues, as WebVTT')
    const tampered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')
    isError(t, await app.inject({ url: `/stream/${episode.id}/${tampered}/subtitles/es/index.m3u8` }), 401, 'playback_token_invalid')
    isError(t, await app.inject({ url: `/stream/${episode.id}/${token}/subtitles/en/index.m3u8` }), 404, 'stream_not_found')
  })

  t.test('a creator sees views and completion by the subtitle language viewers chose', async (t) => {
    const progress = async (who: typeof viewer, body: object) => await app.inject({
      method: 'POST', url: '/video/progress', headers: who.auth, payload: { episodeId: episode.id, ...body }
    })
    const [second, third] = [await signUp(app, 'viewer'), await signUp(app, 'viewer')]
    t.equal((await progress(viewer, { positionSec: 4, subtitleLanguage: 'es' })).statusCode, 200)
    t.equal((await progress(second, { positionSec: 1, subtitleLanguage: 'es' })).statusCode, 200)
    t.equal((await progress(third, { positionSec: 2, subtitleLanguage: null })).statusCode, 200)
    isError(t, await progress(third, { positionSec: 2, subtitleLanguage: 'en' }), 422, 'track_not_found')
    isError(t, await progress(third, { positionSec: 2, audioLanguage: 'es' }), 422, 'track_not_found')
    await app.services.analytics.refresh()
    const stats = (await app.inject({ url: `/creator/series/${series.id}/stats`, headers: creator.auth })).json().data
    const round = (n: number) => Math.round(n * 100) / 100
    type Row = { kind: string, language: string | null, views: number, viewers: number, completed: number }
    const rows = stats.languages.map((l: Row & { avgCompletion: number }) =>
      [l.kind, l.language, l.views, l.viewers, l.completed, round(l.avgCompletion)])
    t.same(rows, [
      ['audio', 'en', 3, 3, 1, round((1 + 0.25 + 0.5) / 3)],
      ['subtitles', 'es', 2, 2, 1, round((1 + 0.25) / 2)],
      ['subtitles', null, 1, 1, 0, 0.5]
    ], 'the original audio for all three; Spanish subtitles for two, one of whom finished; none for one')
  })

  t.test('a broken file is a 422 naming the problem, and nothing changes', async (t) => {
    const before = await mine()
    const cases: Array<[string, string | Buffer, RegExp]> = [
      ['a cue past the end', 'WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nok\n\n00:00:03.000 --> 00:00:09.000\nlate\n', /^Line 6: the cue ends at 9\.000 s, after the episode's end \(4\.\d+ s\)/],
      ['a bad timestamp', 'WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nok\n\n00:00:0x.000 --> 00:00:03.000\nbad\n', /^Line 6 \("00:00:0x\.000 --> 00:00:03\.000"\): /],
      ['binary junk', Buffer.from([0x00, 0xff, 0xfe, 0x47, 0x12, 0x80, 0x81]), /not UTF-8 text/],
      ['no header', 'hello\n00:00:01.000 --> 00:00:02.000\nx\n', /^Line 1 .*WEBVTT/],
      ['cues out of order', 'WEBVTT\n\n00:00:02.000 --> 00:00:03.000\na\n\n00:00:01.000 --> 00:00:01.500\nb\n', /^Line 6 /],
      ['a 10 MB file', `WEBVTT\n\n${'00:00:01.000 --> 00:00:02.000\nfiller\n\n'.repeat(280_000)}`, /\d+\.\d MB: subtitles may be at most 512 KB/]
    ]
    for (const [name, body, message] of cases) {
      const res = await put('es', body)
      isError(t, res, 422, 'subtitle_invalid')
      t.match(res.json().error.message, message, name)
    }
    t.same(await mine(), before, 'the episode still has its two languages, as they were')
  })

  t.test('only the owner, in an offered language', async (t) => {
    isError(t, await put('es', SPANISH, 'text/vtt', stranger), 404, 'episode_not_found')
    isError(t, await put('fr', SPANISH), 422, 'language_not_supported')
    isError(t, await put('es', SPANISH, 'text/plain'), 415, 'unsupported_media_type')
    isError(t, await put('es', JSON.stringify({ text: SPANISH }), 'application/json'), 415, 'unsupported_media_type')
  })

  t.test('replacing and removing a language changes the stream at once, without a transcode', async (t) => {
    const jobsBefore = await app.queues.media.getJobCounts()
    t.equal((await put('es', SPANISH.replace('¡Hola, mi amor!', '¡Hola de nuevo!'))).statusCode, 200)
    t.match(await cuesOf(await play(), 'es'), /¡Hola de nuevo!/, 'the new text plays')
    const removed = await app.inject({ method: 'DELETE', url: `/creator/episodes/${episode.id}/subtitles/pt-BR`, headers: creator.auth })
    t.equal(removed.statusCode, 204)
    const master = await (await fetch(await play())).text()
    t.notMatch(master, /LANGUAGE="pt-BR"/, 'no longer announced')
    isError(t, await app.inject({ method: 'DELETE', url: `/creator/episodes/${episode.id}/subtitles/pt-BR`, headers: creator.auth }), 404, 'subtitle_not_found')
    t.same(await app.queues.media.getJobCounts(), jobsBefore, 'no media job was queued')
  })
})
