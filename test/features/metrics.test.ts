// Prometheus metrics: served on a port of their own (never the API's), behind a bearer token when one is set;
// RED metrics by route pattern, every MongoDB, Redis and S3 call, the read cache, queues; the worker's jobs and
// transcodes.
import t from 'tap'
import pino from 'pino'
import { ObjectId } from 'mongodb'
import { publishedCatalogue, build, eventually, makeClip, testConfig, uploadVideo, isError, MISSING_ID } from '../helper.js'
import { startJobs } from '../../src/worker.js'

const TOKEN = 'metrics-token-for-tests'

/** The value of one sample of the scrape (`name{labels}`), or undefined. */
function sample (text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`)
  const line = text.split('\n').find((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && wanted.every((w) => l.includes(w)))
  return line === undefined ? undefined : Number(line.split(' ').at(-1))
}

async function scrape (url: string, token = TOKEN) {
  return await fetch(url, { headers: { authorization: `Bearer ${token}` } })
}

t.test('the API serves RED metrics by route pattern and its calls\' latency on METRICS_PORT, with the token', async (t) => {
  const app = await build(t, { METRICS_PORT: '0', METRICS_TOKEN: TOKEN, READ_CACHE_MS: '30000', AUTH_RATE_LIMIT_MAX: '3' })
  t.match(app.metricsUrl, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/)
  const { viewer, series } = await publishedCatalogue(app, 1)
  for (let i = 0; i < 3; i++) await app.inject({ url: '/content/series', headers: viewer.auth })
  await app.inject({ url: `/content/series/${MISSING_ID}`, headers: viewer.auth })
  for (let i = 0; i < 3; i++) await app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'nobody@example.com', password: 'x' } })
  isError(t, await app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'nobody@example.com', password: 'x' } }), 429, 'rate_limited')

  t.equal((await app.inject({ url: '/metrics' })).statusCode, 404, 'not on the API\'s port')
  t.equal((await scrape(app.metricsUrl!, 'wrong-token-xxxxxxxx')).status, 401, 'a scrape without the token is refused')
  const res = await scrape(app.metricsUrl!)
  t.equal(res.status, 200)
  t.match(res.headers.get('content-type'), /^text\/plain/)
  const text = await res.text()
  t.ok(sample(text, 'http_request_duration_seconds_count', { method: 'GET', route: '/content/series', status: '200' })! >= 3, 'requests by route')
  t.equal(sample(text, 'http_errors_total', { route: '/content/series/:seriesId', code: 'series_not_found' }), 1, 'errors by code')
  t.equal(sample(text, 'http_errors_total', { route: '/auth/login', code: 'rate_limited' }), 1, 'rate-limit refusals')
  t.notOk(text.includes(series.id) || text.includes(MISSING_ID), 'no ids in labels: route patterns only')
  t.ok(sample(text, 'mongodb_command_duration_seconds_count', { command: 'find', outcome: 'ok' })! > 0, 'MongoDB commands')
  t.ok(sample(text, 'redis_command_duration_seconds_count', { outcome: 'ok' })! > 0, 'Redis commands')
  t.ok(sample(text, 's3_request_duration_seconds_count', { operation: 'HeadObjectCommand', outcome: 'ok' })! > 0, 'S3 calls')
  t.ok(sample(text, 'read_cache_reads_total', { scope: 'catalogue', result: 'hit' })! >= 1, 'read cache hits')
  t.ok(sample(text, 'read_cache_reads_total', { scope: 'catalogue', result: 'miss' })! >= 1, 'and misses')
  t.not(sample(text, 'queue_jobs', { queue: 'media', state: 'waiting' }), undefined, 'queue depths')
  t.ok(sample(text, 'process_cpu_seconds_total', {})! > 0, 'the process\'s own')
})

t.test('the worker serves its jobs\' durations, transcode seconds and outcomes', async (t) => {
  const app = await build(t)
  const { creator } = await publishedCatalogue(app, 1)
  const jobs = await startJobs(testConfig({ MONGODB_URI: app.config.MONGODB_URI, METRICS_PORT: '0', METRICS_TOKEN: TOKEN }), pino({ level: 'silent' }))
  t.teardown(() => jobs.close())
  t.match(jobs.metricsUrl, /\/metrics$/)
  const health = await fetch(jobs.metricsUrl!.replace(/\/metrics$/, '/health'))
  t.equal(health.status, 200, 'its probes\' /health answers without the token')
  const video = await uploadVideo(app, creator, makeClip({ seconds: 2 }), 'video/mp4', { ready: false })
  t.ok(await eventually(async () => (await app.repos.videos.findById(new ObjectId(video.id)))?.status === 'ready', 60), 'processed')
  let text = ''
  t.ok(await eventually(async () => {
    text = await (await scrape(jobs.metricsUrl!)).text()
    return sample(text, 'job_duration_seconds_count', { queue: 'media', job: 'process-video', outcome: 'ok' }) === 1
  }), 'the job\'s duration')
  t.equal(sample(text, 'transcode_duration_seconds_count', { outcome: 'ready' }), 1, 'one transcode')
  t.equal(sample(text, 'transcoded_media_seconds_total', {}), 2, 'two seconds of video')
  t.ok(sample(text, 's3_request_duration_seconds_count', { operation: 'PutObjectCommand', outcome: 'ok' })! > 0, 'the ladder\'s uploads')
})
