// npm run bench:languages [-- --series N --duration S]
//
// What languages cost, measured in one run on the local stack (FerretDB, Redis, MinIO, ffmpeg), through the API:
// - adding a subtitle language to an episode of a published series (PUT .../subtitles/{language}: validate, read the
//   ladder's first frame time, store the WebVTT, drop the cached episode), against transcoding that episode's video
//   (the pipeline's job, from the upload saved to ready): a subtitle must cost seconds at most, never a transcode;
// - the cached catalogue's read rate (GET /content/series, a page of 20, with READ_CACHE_MS on) when viewers ask in
//   three languages (es, pt-BR, en in turn) against one (es): the cache keeps an entry per language, so the rate must
//   hold; and the database reads per request in both (0 once warm).
// autocannon runs in this process against the API listening on loopback. Writes bench/results/languages-<time>.json.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import type { Test } from 'tap'
import {
  approve, buildTestApp, createEpisode, createSeries, makeClip, mediaWorker, processedVideo, signUp, testConfig,
  uploadVideo
} from '../test/helper.js'

const { values } = parseArgs({ options: { series: { type: 'string', default: '60' }, duration: { type: 'string', default: '6' } } })
const [seriesCount, duration] = [Number(values.series), Number(values.duration)]

const cleanups: Array<() => unknown> = []
const harness = { teardown: (fn: () => unknown) => cleanups.push(fn) } as unknown as Test
const app = await buildTestApp({ config: testConfig({ LANGUAGES: 'en,es,pt-BR', READ_CACHE_MS: '60000' }), logger: false })
await app.ready()
const base = await app.listen({ host: '127.0.0.1', port: 0 })
const [creator, admin, viewer] = [await signUp(app, 'creator'), await signUp(app, 'admin'), await signUp(app, 'viewer')]

// The episode: a 30-second vertical clip through the real pipeline.
mediaWorker(harness, app)
const savedAt = performance.now()
const clip = await uploadVideo(app, creator, makeClip({ width: 720, height: 1280, seconds: 30 }), 'video/mp4', { ready: false })
if ((await processedVideo(app, creator, clip.id, 600)).status !== 'ready') throw new Error('the clip was not processed')
const transcodeMs = performance.now() - savedAt

// The catalogue: series in three languages, published.
const translate = async (id: string, language: string, title: string) => await app.inject({
  method: 'PUT', url: `/creator/series/${id}/translations/${language}`, headers: creator.auth, payload: { title, description: `${title}.` }
})
let episodeId = ''
for (let i = 0; i < seriesCount; i++) {
  const series = await createSeries(app, creator, { title: `Heart of Ice ${i}`, language: 'en', freeEpisodes: 1 })
  await translate(series.id, 'es', `Corazón de hielo ${i}`)
  await translate(series.id, 'pt-BR', `Coração de gelo ${i}`)
  const episode = await createEpisode(app, creator, series.id, clip.id, 1)
  await approve(app, admin, episode.id)
  episodeId ||= episode.id
}

// Adding subtitles to the published episode: 100 cues, a language at a time, as a creator's tool would.
const vtt = 'WEBVTT\n\n' + Array.from({ length: 100 }, (_, i) => {
  const at = (s: number) => new Date(s * 1000).toISOString().slice(11, 23)
  return `${at(i * 0.29)} --> ${at(i * 0.29 + 0.25)}\nLínea ${i}: ¿dónde estás, mi amor?\n`
}).join('\n')
const subtitleMs: number[] = []
for (let i = 0; i < 20; i++) {
  const started = performance.now()
  const res = await app.inject({
    method: 'PUT',
    url: `/creator/episodes/${episodeId}/subtitles/${i % 2 === 0 ? 'es' : 'pt-BR'}`,
    headers: { ...creator.auth, 'content-type': 'text/vtt' },
    payload: vtt.replace('Línea 0', `Línea 0 (${i})`)
  })
  if (res.statusCode !== 200) throw new Error(`subtitles: ${res.statusCode} ${res.body}`)
  subtitleMs.push(performance.now() - started)
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** Requests per second and database reads per request for the catalogue's first page asked in these languages. */
async function readRate (languages: string[]) {
  let reads = 0
  const count = (event: { commandName: string }) => { if (['find', 'count', 'aggregate'].includes(event.commandName)) reads++ }
  const requests = languages.map((lang) => ({ method: 'GET', path: `/content/series?limit=20&lang=${lang}`, headers: viewer.auth }))
  await autocannon({ url: base, connections: 8, duration: 1, requests }) // warm-up: fills the cache
  app.mongo.client.on('commandStarted', count)
  const result = await autocannon({ url: base, connections: 8, duration, requests })
  app.mongo.client.off('commandStarted', count)
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`catalogue reads failed: ${result.non2xx} non-2xx, ${result.errors} errors`)
  const total = result.requests.total
  return { reqPerSec: Math.round(total / duration), dbReadsPerRequest: Math.round(reads / total * 1000) / 1000 }
}
// Two rounds in alternating order, so that neither always runs on a warmer machine.
const rounds = [await readRate(['es']), await readRate(['es', 'pt-BR', 'en']), await readRate(['es', 'pt-BR', 'en']), await readRate(['es'])]
const one = rounds[0]!.reqPerSec + rounds[3]!.reqPerSec
const three = rounds[1]!.reqPerSec + rounds[2]!.reqPerSec

const results = {
  at: new Date().toISOString(),
  series: seriesCount,
  transcodeMs: Math.round(transcodeMs),
  subtitleAddMedianMs: Math.round(median(subtitleMs) * 10) / 10,
  subtitleAddMaxMs: Math.round(Math.max(...subtitleMs) * 10) / 10,
  subtitleVsTranscode: Math.round(median(subtitleMs) / transcodeMs * 10_000) / 10_000,
  catalogue: {
    oneLanguage: [rounds[0], rounds[3]],
    threeLanguages: [rounds[1], rounds[2]],
    threeVsOne: Math.round(three / one * 100) / 100
  }
}
console.log(`Adding a subtitle language to a published episode: median ${results.subtitleAddMedianMs} ms (max ${results.subtitleAddMaxMs} ms) ` +
  `over 20; transcoding its 30 s video: ${(transcodeMs / 1000).toFixed(1)} s (ratio ${results.subtitleVsTranscode})`)
console.log(`Cached catalogue page: one language ${one / 2} req/s, three languages ${three / 2} req/s ` +
  `(three ÷ one ${results.catalogue.threeVsOne}); database reads per request ${rounds.map((r) => r.dbReadsPerRequest).join(', ')}`)
const dir = join(import.meta.dirname, 'results')
mkdirSync(dir, { recursive: true })
writeFileSync(join(dir, `languages-${results.at.replace(/[:.]/g, '-')}.json`), JSON.stringify(results, null, 2))

for (const cleanup of cleanups.reverse()) await cleanup()
await app.mongo.db!.dropDatabase().catch(() => {})
await app.close()
