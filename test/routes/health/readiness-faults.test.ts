import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { buildApp } from '../../../src/app.js'
import { freePort, startFerretDB } from '../../../scripts/local-stack.js'
import { testConfig } from '../../helper.js'

// This file runs its own FerretDB so that it can stop and restart it without touching other tests.
t.test('readiness follows the database: 503 while it is down, 200 again when it is back', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ferretdb-fault-'))
  let mongo = await startFerretDB(dir)
  const port = mongo.port
  const app = await buildApp({ config: testConfig({ MONGODB_URI: `${mongo.url}fault` }), logger: false })
  t.teardown(async () => {
    await app.close()
    await mongo.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  t.equal((await app.inject({ url: '/health/ready' })).statusCode, 200, 'ready while up')

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

  mongo = await startFerretDB(dir, port)
  let status = 0
  for (let i = 0; i < 50 && status !== 200; i++) {
    status = (await app.inject({ url: '/health/ready' })).statusCode
    if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200))
  }
  t.equal(status, 200, 'ready again without a restart of the API')
})

t.test('readiness is 503 when the object store is unreachable', async (t) => {
  const closedPort = await freePort()
  const app = await buildApp({ config: testConfig({ S3_ENDPOINT: `http://127.0.0.1:${closedPort}` }), logger: false })
  t.teardown(() => app.close())
  const res = await app.inject({ url: '/health/ready' })
  t.equal(res.statusCode, 503)
  t.equal(res.json().error.message, 'Not ready: object storage unreachable')
})
