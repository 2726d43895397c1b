import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { ObjectId } from 'mongodb'
import { startRedis, type LocalServer } from '../../scripts/local-stack.js'
import { buildTestApp, publishedCatalogue, setSubscription, testConfig } from '../helper.js'

// This file runs its own Redis (kept on disk, as production's is) to stop, stall and restart it.
t.test('without Redis the API keeps serving from the database, and picks up where it was when Redis returns', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'redis-fault-'))
  let redis: LocalServer = await startRedis(dir, undefined, true)
  const port = redis.port
  const app = await buildTestApp({
    config: testConfig({ REDIS_URL: redis.url, READ_CACHE_MS: '60000', SESSION_CACHE_MS: '60000', AUTH_RATE_LIMIT_MAX: '2' }),
    logger: false
  })
  t.teardown(async () => {
    redis.process.kill('SIGCONT')
    await app.close()
    await redis.stop()
    rmSync(dir, { recursive: true, force: true })
  })
  const { admin, viewer, series, episodes } = await publishedCatalogue(app, 1)
  await setSubscription(app, admin, viewer.user.id, 'active')
  const catalogue = () => app.inject({ url: '/content/series', headers: viewer.auth })
  t.equal((await catalogue()).statusCode, 200, 'the catalogue is cached')
  t.equal((await app.inject({ url: `/video/play/${episodes[0]!.id}`, headers: viewer.auth })).statusCode, 200, 'a play, buffered in Redis')
  const views = async () => (await app.inject({ url: `/content/series/${series.id}`, headers: viewer.auth })).json().data.views as number

  await redis.stop()
  const ready = await app.inject({ url: '/health/ready' })
  t.equal(ready.statusCode, 503, 'readiness says so')
  t.equal(ready.json().error.message, 'Not ready: Redis unreachable')

  const started = Date.now()
  const burst = await Promise.all(Array.from({ length: 20 }, (_v, i) => app.inject({
    url: ['/content/series', `/content/series/${series.id}`, '/auth/me', `/content/series/${series.id}/episodes`][i % 4]!,
    headers: viewer.auth
  })))
  t.same([...new Set(burst.map((r) => r.statusCode))], [200], 'reads, sessions and the cache fall back to the database: 20 requests, all 200')
  t.ok(Date.now() - started < 10_000, 'in bounded time')

  const logins = []
  for (let i = 0; i < 4; i++) {
    logins.push((await app.inject({ method: 'POST', url: '/auth/login', payload: { email: viewer.user.email, password: 'wrong' } })).statusCode)
  }
  t.same(logins, [401, 401, 401, 401], 'rate limiting lets requests through rather than failing them')

  const before = await views()
  t.equal((await app.inject({ url: `/video/play/${episodes[0]!.id}`, headers: viewer.auth })).statusCode, 200, 'playback works')
  // The view is counted just after the answer, straight into the database while Redis is away.
  let counted = await views()
  for (let i = 0; i < 50 && counted === before; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    counted = await views()
  }
  t.equal(counted, before + 1, 'and its view is counted in the database')

  redis = await startRedis(dir, port, true)
  let status = 0
  for (let i = 0; i < 50 && status !== 200; i++) {
    status = (await app.inject({ url: '/health/ready' })).statusCode
    if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200))
  }
  t.equal(status, 200, 'ready again without a restart')
  t.match(await app.services.playback.flushViews(), { plays: 1 }, 'the play buffered before the outage is still there')
  // What is stored (the page may show the cached count for up to READ_CACHE_MS, as the contract says).
  t.equal((await app.repos.series.findById(ObjectId.createFromHexString(series.id)))?.views, before + 2, 'and counted: nothing lost')
  t.equal((await catalogue()).statusCode, 200)
})

t.test('a stalled Redis (stopped, connections open) slows requests by at most its command timeout, none fails', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'redis-stall-'))
  const redis = await startRedis(dir)
  const app = await buildTestApp({ config: testConfig({ REDIS_URL: redis.url, READ_CACHE_MS: '60000' }), logger: false })
  t.teardown(async () => {
    redis.process.kill('SIGCONT')
    await app.close()
    await redis.stop()
    rmSync(dir, { recursive: true, force: true })
  })
  const { viewer, series } = await publishedCatalogue(app, 1)

  redis.process.kill('SIGSTOP')
  const started = Date.now()
  const burst = await Promise.all(Array.from({ length: 16 }, (_v, i) =>
    app.inject({ url: i % 2 === 0 ? `/content/series/${series.id}` : '/health/ready', headers: viewer.auth })))
  const seconds = (Date.now() - started) / 1000
  t.same(burst.filter((_r, i) => i % 2 === 0).map((r) => r.statusCode), Array(8).fill(200), 'reads are served')
  t.same(burst.filter((_r, i) => i % 2 === 1).map((r) => r.statusCode), Array(8).fill(503), 'readiness is 503')
  t.ok(seconds < 10, `answered in ${seconds.toFixed(1)} s`)
  redis.process.kill('SIGCONT')
})
