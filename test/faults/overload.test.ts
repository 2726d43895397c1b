import t from 'tap'
import { build } from '../helper.js'

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
