import t from 'tap'
import { build, signUp, uniqueEmail } from '../helper.js'

t.test('login is limited per client IP, with 429, Retry-After and the standard body', async (t) => {
  const app = await build(t, { AUTH_RATE_LIMIT_MAX: '3' })
  const attempt = (email: string) => app.inject({ method: 'POST', url: '/auth/login', remoteAddress: '203.0.113.7', payload: { email, password: 'wrong-password' } })
  for (let i = 0; i < 3; i++) {
    const refused = await attempt(uniqueEmail('guess'))
    t.equal(refused.statusCode, 401)
    // The login's own limit (3), not the global one (far higher), is what the headers tell.
    t.match(refused.headers, { 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': String(2 - i) }, 'says how many are left')
    t.ok(Number(refused.headers['x-ratelimit-reset']) > 0)
  }
  const limited = await attempt(uniqueEmail('guess'))
  t.equal(limited.statusCode, 429)
  t.match(limited.json(), { error: { status: 429, code: 'rate_limited', message: /Too many requests/ } })
  t.ok(Number(limited.headers['retry-after']) > 0, 'says when to retry')
  t.match(limited.headers, { 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': '0' })
  const other = await app.inject({ method: 'POST', url: '/auth/login', remoteAddress: '203.0.113.8', payload: { email: uniqueEmail('x'), password: 'wrong-password' } })
  t.equal(other.statusCode, 401, 'another IP is not affected')
})

t.test('login is limited per email, whatever the IP', async (t) => {
  const app = await build(t, { AUTH_RATE_LIMIT_MAX: '3' })
  const account = await signUp(app, 'viewer')
  const attempt = (i: number) => app.inject({
    method: 'POST', url: '/auth/login', remoteAddress: `198.51.100.${i}`, payload: { email: account.user.email.toUpperCase(), password: 'wrong-password' }
  })
  for (let i = 1; i <= 3; i++) t.equal((await attempt(i)).statusCode, 401)
  t.equal((await attempt(4)).statusCode, 429, 'the fourth guess at the same account is refused')
})

t.test('register is limited per IP', async (t) => {
  const app = await build(t, { AUTH_RATE_LIMIT_MAX: '2' })
  const register = () => app.inject({ method: 'POST', url: '/auth/register', remoteAddress: '203.0.113.9', payload: { email: uniqueEmail('r'), password: 'password123' } })
  t.equal((await register()).statusCode, 201)
  t.equal((await register()).statusCode, 201)
  t.equal((await register()).statusCode, 429)
})

t.test('every route has a global limit per IP, and so do unknown routes', async (t) => {
  const app = await build(t, { RATE_LIMIT_MAX: '3' })
  for (let i = 0; i < 3; i++) t.equal((await app.inject({ url: '/openapi.json', remoteAddress: '203.0.113.10' })).statusCode, 200)
  t.equal((await app.inject({ url: '/openapi.json', remoteAddress: '203.0.113.10' })).statusCode, 429)
  for (let i = 0; i < 5; i++) {
    t.equal((await app.inject({ url: '/health', remoteAddress: '203.0.113.10' })).statusCode, 200, 'health probes are never limited')
  }
  for (let i = 0; i < 3; i++) t.equal((await app.inject({ url: `/nope/${i}`, remoteAddress: '203.0.113.11' })).statusCode, 404)
  const scan = await app.inject({ url: '/nope/again', remoteAddress: '203.0.113.11' })
  t.equal(scan.statusCode, 429)
  t.equal(scan.json().error.code, 'rate_limited')
})

t.test('a limit holds across instances: guesses at one account split over two instances meet one count', async (t) => {
  const a = await build(t, { AUTH_RATE_LIMIT_MAX: '10' })
  const b = await build(t, { AUTH_RATE_LIMIT_MAX: '10', MONGODB_URI: a.config.MONGODB_URI })
  const account = await signUp(a, 'viewer')
  const statuses = []
  for (let i = 1; i <= 16; i++) {
    const app = i % 2 === 0 ? a : b
    const res = await app.inject({
      method: 'POST', url: '/auth/login', remoteAddress: `198.51.100.${i}`, payload: { email: account.user.email, password: 'wrong-password' }
    })
    statuses.push(res.statusCode)
  }
  t.same(statuses, [...Array(10).fill(401), ...Array(6).fill(429)], 'the eleventh guess is refused, on either instance')
})
