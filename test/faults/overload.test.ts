import t from 'tap'
import { build, injectWithRetry, RETRY_ATTEMPTS, testConfig, buildTestApp } from '../helper.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

t.test('when the event loop lags, requests are shed with 503 and Retry-After, then served again', async (t) => {
  const app = await build(t, { MAX_EVENT_LOOP_DELAY_MS: '100' })
  // Block the event loop the way a CPU-bound burst would, then let the sampler see it.
  let shed
  for (let attempt = 0; attempt < 10 && shed === undefined; attempt++) {
    const until = Date.now() + 1200
    while (Date.now() < until) { /* busy */ }
    await sleep(50)
    const res = await app.inject({ url: '/health' })
    if (res.statusCode === 503) shed = res
  }
  t.ok(shed, 'a request is shed while the loop lags')
  t.match(shed?.json(), { error: { status: 503, code: 'service_unavailable', message: 'The server is overloaded; try again shortly' } })
  t.equal(shed?.headers['retry-after'], '5')

  let status = 0
  for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
    await sleep(200)
    status = (await app.inject({ url: '/health' })).statusCode
  }
  t.equal(status, 200, 'served again once the loop recovers')
})

t.test('the test fixtures wait out a shed request (503 with Retry-After) and try again, a few times', async (t) => {
  const app = await buildTestApp({ config: testConfig(), logger: false })
  t.teardown(() => app.close())
  const calls = { flaky: 0, down: 0, bare: 0 }
  app.get('/flaky', async (_request, reply) => {
    if (++calls.flaky <= 2) return await reply.code(503).header('retry-after', calls.flaky === 1 ? '1' : '0').send({ shed: true })
    return { ok: true }
  })
  app.get('/down', async (_request, reply) => { calls.down++; return await reply.code(503).header('retry-after', '0').send({ shed: true }) })
  app.get('/bare', async (_request, reply) => { calls.bare++; return await reply.code(503).send({ shed: true }) })

  const started = Date.now()
  const flaky = await injectWithRetry(app, { url: '/flaky' })
  t.equal(flaky.statusCode, 200, 'served once the server recovers')
  t.equal(calls.flaky, 3)
  t.ok(Date.now() - started >= 900, 'waited as long as Retry-After said')

  t.equal((await injectWithRetry(app, { url: '/down' })).statusCode, 503, 'gives up and answers the last 503')
  t.equal(calls.down, RETRY_ATTEMPTS)
  t.equal((await injectWithRetry(app, { url: '/bare' })).statusCode, 503)
  t.equal(calls.bare, 1, 'a 503 without Retry-After is not retried')
})
