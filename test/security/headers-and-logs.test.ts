import { Writable } from 'node:stream'
import t from 'tap'
import { loggerOptions } from '../../src/app.js'
import { build, testConfig, uniqueEmail, buildTestApp } from '../helper.js'

t.test('API responses carry security headers', async (t) => {
  const app = await build(t)
  const res = await app.inject({ url: '/health' })
  t.equal(res.headers['x-content-type-options'], 'nosniff')
  t.match(res.headers['strict-transport-security'], /max-age=/)
  t.match(res.headers['content-security-policy'], /default-src 'none'/)
  t.equal(res.headers['x-frame-options'], 'SAMEORIGIN')
  t.notOk(res.headers['x-powered-by'])
})

t.test('a browser app on another origin may read the rate limit, the request id and an idempotent replay', async (t) => {
  const app = await build(t)
  const res = await app.inject({ url: '/genres', headers: { origin: 'https://app.example.com' } })
  const exposed = String(res.headers['access-control-expose-headers']).toLowerCase().split(/,\s*/)
  for (const header of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'retry-after', 'idempotent-replayed', 'x-request-id']) {
    t.ok(exposed.includes(header), `${header} is exposed`)
  }
  t.ok(res.headers['x-ratelimit-remaining'] !== undefined, 'and the answer carries the rate limit')
})

t.test('the docs page still loads under its own content security policy', async (t) => {
  const app = await build(t)
  const res = await app.inject({ url: '/docs/' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /text\/html/)
  t.match(res.headers['content-security-policy'], /script-src 'self'/)
})

t.test('logs carry the request id on every request line and never a password, token or hash', async (t) => {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({ write (chunk, _enc, done) { lines.push(JSON.parse(chunk.toString())); done() } })
  const config = testConfig({ LOG_LEVEL: 'debug' })
  const app = await buildTestApp({ config, logger: { ...(loggerOptions(config) as object), stream } })
  t.teardown(async () => { await app.mongo.db!.dropDatabase(); await app.close() })
  const email = uniqueEmail('logged')
  const reg = await app.inject({ method: 'POST', url: '/auth/register', headers: { 'x-request-id': 'trace-1' }, payload: { email, password: 'super-secret-pass' } })
  const token = reg.json().data.token as string
  await app.inject({ url: '/auth/me', headers: { authorization: `Bearer ${token}`, 'x-request-id': 'trace-2' } })
  await app.inject({ method: 'POST', url: '/auth/login', payload: { email, password: 'wrong-secret-pass' } })
  const text = lines.map((l) => JSON.stringify(l)).join('\n')
  t.notMatch(text, 'super-secret-pass')
  t.notMatch(text, 'wrong-secret-pass')
  t.notMatch(text, token)
  t.notMatch(text, '$2b$')
  const requestLines = lines.filter((l) => 'req' in l || 'res' in l)
  t.ok(requestLines.length >= 6, 'requests are logged')
  t.ok(requestLines.every((l) => typeof l.reqId === 'string'), 'each request line has the request id')
  t.ok(lines.some((l) => l.reqId === 'trace-1') && lines.some((l) => l.reqId === 'trace-2'), 'the caller\'s X-Request-Id is used')
})

t.test('the logger redacts credentials if they are ever logged', async (t) => {
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _enc, done) { lines.push(chunk.toString()); done() } })
  const config = testConfig()
  const app = await buildTestApp({ config, logger: { ...(loggerOptions(config) as object), level: 'info', stream } })
  t.teardown(() => app.close())
  app.log.info({ req: { headers: { authorization: 'Bearer abc.def.ghi' } }, body: { password: 'hunter22', token: 'tok' } }, 'careless log')
  t.notMatch(lines.join(''), /abc\.def\.ghi|hunter22|"tok"/)
  t.match(lines.join(''), '[redacted]')
})
