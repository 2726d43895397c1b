import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { freePort, startFerretDB } from '../../scripts/local-stack.js'
import { build, signUp, testConfig, buildTestApp } from '../helper.js'

// This file runs its own FerretDB so that it can stop and restart it without touching other tests.
t.test('readiness follows the database: 503 while it is down, 200 again when it is back', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ferretdb-fault-'))
  let mongo = await startFerretDB(dir)
  const port = mongo.port
  const app = await buildTestApp({ config: testConfig({ MONGODB_URI: `${mongo.url}fault` }), logger: false })
  t.teardown(async () => {
    await app.close()
    await mongo.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  t.equal((await app.inject({ url: '/health/ready' })).statusCode, 200, 'ready while up')
  const viewer = await signUp(app, 'viewer')

  await mongo.stop()
  const started = Date.now()
  const down = await app.inject({ url: '/health/ready' })
  t.equal(down.statusCode, 503)
  t.same(down.json(), { error: { message: 'Not ready: database unreachable', status: 503, code: 'not_ready', requestId: down.headers['x-request-id'] } })
  t.ok(down.headers['retry-after'], 'says when to retry')
  t.ok(Date.now() - started < 5000, 'answers within the probe timeout instead of hanging')

  const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'a@example.com', password: 'password123' } })
  t.equal(login.statusCode, 503, 'a request that needs the database is a 503, not a 500')
  t.equal(login.json().error.code, 'database_unavailable')
  t.notMatch(login.body, /Mongo|stack|at /, 'no driver details leak')

  // Under load: every request that needs the database answers 503 in bounded time, none hangs or 500s.
  const burstStart = Date.now()
  const burst = await Promise.all(Array.from({ length: 30 }, (_v, i) =>
    app.inject({ url: i % 2 === 0 ? '/content/series' : '/auth/me', headers: viewer.auth })))
  t.same([...new Set(burst.map((r) => r.statusCode))], [503], '30 concurrent requests: all 503')
  t.same([...new Set(burst.map((r) => r.json().error.code))], ['database_unavailable'])
  t.ok(Date.now() - burstStart < 15_000, 'the burst is answered in bounded time')

  mongo = await startFerretDB(dir, port)
  let status = 0
  for (let i = 0; i < 50 && status !== 200; i++) {
    status = (await app.inject({ url: '/health/ready' })).statusCode
    if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200))
  }
  t.equal(status, 200, 'ready again without a restart of the API')
  t.equal((await app.inject({ url: '/content/series', headers: viewer.auth })).statusCode, 200, 'and requests work again')
})

t.test('a stalled database (stopped, connections open) is a 503 within DB_TIMEOUT_MS, not a hung request', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ferretdb-stall-'))
  const mongo = await startFerretDB(dir)
  const app = await buildTestApp({ config: testConfig({ MONGODB_URI: `${mongo.url}stall`, DB_TIMEOUT_MS: '1500' }), logger: false })
  t.teardown(async () => {
    mongo.process.kill('SIGCONT')
    await app.close()
    await mongo.stop()
    rmSync(dir, { recursive: true, force: true })
  })
  const viewer = await signUp(app, 'viewer')
  t.equal((await app.inject({ url: '/content/series', headers: viewer.auth })).statusCode, 200)

  mongo.process.kill('SIGSTOP') // as in a partition or a long pause: the connections stay open, nothing answers
  const started = Date.now()
  const burst = await Promise.all(Array.from({ length: 16 }, (_v, i) =>
    app.inject({ url: i % 2 === 0 ? '/content/series' : '/health/ready', headers: viewer.auth })))
  const seconds = (Date.now() - started) / 1000
  t.same([...new Set(burst.map((r) => r.statusCode))], [503], '16 concurrent requests: all 503')
  t.same([...new Set(burst.map((r) => r.json().error.code))].sort(), ['database_unavailable', 'not_ready'])
  t.ok(seconds < 10, `answered in ${seconds.toFixed(1)} s (DB_TIMEOUT_MS is 1.5 s; the driver's defaults and retry took 15 s)`)

  mongo.process.kill('SIGCONT')
  let status = 0
  for (let i = 0; i < 50 && status !== 200; i++) {
    status = (await app.inject({ url: '/content/series', headers: viewer.auth })).statusCode
    if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200))
  }
  t.equal(status, 200, 'serving again once it answers')
})

t.test('with the object store unreachable: presign still answers, saving a video and readiness are 503', async (t) => {
  const closedPort = await freePort()
  const app = await build(t, { S3_ENDPOINT: `http://127.0.0.1:${closedPort}` })
  const creator = await signUp(app, 'creator')
  const ready = await app.inject({ url: '/health/ready' })
  t.equal(ready.statusCode, 503)
  t.equal(ready.json().error.message, 'Not ready: object storage unreachable')

  const presign = await app.inject({ method: 'POST', url: '/uploads/presign', headers: creator.auth, payload: { contentType: 'video/mp4', sizeBytes: 1000 } })
  t.equal(presign.statusCode, 200, 'presigning is only signing')
  const save = await app.inject({ method: 'POST', url: '/creator/videos', headers: creator.auth, payload: { s3Key: presign.json().data.s3Key } })
  t.equal(save.statusCode, 503)
  t.match(save.json(), { error: { status: 503, code: 'storage_unavailable' } })
  t.ok(save.headers['retry-after'])
  t.notMatch(save.body, /ECONNREFUSED|127\.0\.0\.1/, 'no connection details leak')
})
