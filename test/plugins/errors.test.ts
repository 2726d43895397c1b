import t, { type Test } from 'tap'
import { build, isError, signUp, type Res } from '../helper.js'

t.test('errors', async (t) => {
  const app = await build(t)

  t.test('an unknown route is a 404 with the standard body', async (t) => {
    const res = await app.inject({ url: '/no/such/route' })
    t.equal(res.statusCode, 404)
    t.same(res.json(), { error: { message: 'Route GET /no/such/route not found', status: 404, code: 'not_found' } })
  })

  t.test('every response carries a request id, and a plain one from the caller is kept', async (t) => {
    const given = await app.inject({ url: '/health', headers: { 'x-request-id': 'abc-123' } })
    t.equal(given.headers['x-request-id'], 'abc-123')
    const weird = await app.inject({ url: '/health', headers: { 'x-request-id': 'bad id\nwith newline'.replace('\n', ' ') } })
    t.not(weird.headers['x-request-id'], 'bad id with newline')
    t.match(weird.headers['x-request-id'], /^[0-9a-f-]{36}$/)
  })
})

t.test('a 500 answers a generic message with the request id, never the stack', async (t) => {
  const { buildApp } = await import('../../src/app.js')
  const { testConfig } = await import('../helper.js')
  const app = await buildApp({ config: testConfig(), logger: false })
  app.get('/boom', async () => { throw new Error('secret detail at /srv/app.js:12') })
  t.teardown(() => app.close())
  const res = await app.inject({ url: '/boom', headers: { 'x-request-id': 'req-42' } })
  t.equal(res.statusCode, 500)
  t.same(res.json(), { error: { message: 'Something went wrong on our side', status: 500, code: 'internal_error', requestId: 'req-42' } })
  t.notMatch(res.body, /secret detail/)
})

t.test('CORS', async (t) => {
  t.test('a preflight from any origin is allowed by default', async (t) => {
    const app = await build(t)
    const res = await app.inject({
      method: 'OPTIONS',
      url: '/auth/login',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' }
    })
    t.equal(res.statusCode, 204)
    t.equal(res.headers['access-control-allow-origin'], '*')
    t.match(String(res.headers['access-control-allow-methods']), /POST/)
    t.match(String(res.headers['access-control-allow-headers']), /Authorization/)
  })

  t.test('with a list, only listed origins are allowed', async (t) => {
    const app = await build(t, { CORS_ORIGINS: 'https://app.example.com, https://admin.example.com' })
    const preflight = (origin: string) => app.inject({
      method: 'OPTIONS', url: '/auth/login', headers: { origin, 'access-control-request-method': 'POST' }
    })
    t.equal((await preflight('https://admin.example.com')).headers['access-control-allow-origin'], 'https://admin.example.com')
    t.notOk((await preflight('https://evil.example.com')).headers['access-control-allow-origin'])
  })
})

t.test('a malformed URL or an overlong path segment is a 400 with the standard body', async (t) => {
  const app = await build(t)
  const viewer = await signUp(app, 'viewer')
  for (const url of [`/content/series/${'x'.repeat(150)}`, '/content/series/%E0%A4%A']) {
    const res = await app.inject({ url, headers: viewer.auth })
    t.equal(res.statusCode, 400, url)
    t.same(res.json(), { error: { message: 'The URL is malformed or a path segment is too long', status: 400, code: 'bad_request' } })
  }
})

t.test('a known path with another method is 405 naming the allowed methods', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'DELETE', url: '/content/series' })
  t.equal(res.statusCode, 405)
  t.equal(res.headers.allow, 'GET')
  t.same(res.json().error, { message: 'DELETE is not allowed here; use GET', status: 405, code: 'method_not_allowed' })
})

/** A 400 validation_failed whose message names `field` exactly once and says nothing twice. */
function namesFieldOnce (t: Test, res: Res, field: string): void {
  isError(t, res, 400, 'validation_failed')
  const message: string = res.json().error.message
  t.equal(message.match(new RegExp(`\\b${field}\\b`, 'g'))?.length, 1, `names ${field} once: ${message}`)
  const sentences = message.split(/[,;.]\s+/).map((s) => s.trim()).filter((s) => s !== '')
  t.same(sentences, [...new Set(sentences)], `no sentence twice: ${message}`)
  t.notMatch(message, /anyOf|match a schema/, 'no schema jargon')
}

t.test('a body with a wrong field name is 400 with a message that names the field once', async (t) => {
  const app = await build(t)
  const creator = await signUp(app, 'creator')
  const presign = async (payload: Record<string, unknown>) =>
    await app.inject({ method: 'POST', url: '/uploads/presign', headers: creator.auth, payload })

  t.test('an unknown field on a plain object body (POST /auth/register)', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/auth/register', payload: { email: 'rol@example.com', password: 'password123', rol: 'viewer' } })
    namesFieldOnce(t, res, 'rol')
  })

  t.test('a misspelled optional field on a body that is one of two shapes (POST /uploads/presign)', async (t) => {
    namesFieldOnce(t, await presign({ contentType: 'video/mp4', sizeBytes: 10, fileNme: 'x' }), 'fileNme')
    namesFieldOnce(t, await presign({ contentType: 'image/png', sizeBytes: 10, fileNme: 'x' }), 'fileNme')
  })

  t.test('a missing required field is named once', async (t) => {
    namesFieldOnce(t, await presign({ contentType: 'video/mp4' }), 'sizeBytes')
    namesFieldOnce(t, await presign({ contentType: 'video/mp4', sizeBites: 10 }), 'sizeBytes')
    namesFieldOnce(t, await app.inject({ method: 'POST', url: '/auth/register', payload: { email: 'missing@example.com' } }), 'password')
  })
})

t.test('a body that is not JSON to a JSON route is 415 unsupported_media_type', async (t) => {
  const app = await build(t)
  const bodies = [
    { type: 'text/plain', body: 'email=a@example.com&password=password123' },
    { type: 'application/xml', body: '<login><email>a@example.com</email></login>' }
  ]
  for (const { type, body } of bodies) {
    const res = await app.inject({ method: 'POST', url: '/auth/login', headers: { 'content-type': type }, payload: body })
    isError(t, res, 415, 'unsupported_media_type')
  }
})
