import { createHmac } from 'node:crypto'
import t from 'tap'
import { build, signUp, testConfig, TEST_JWT_SECRET, buildTestApp } from '../helper.js'

const b64 = (value: object | string): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

function forge (header: object, payload: object, secret = TEST_JWT_SECRET): string {
  const unsigned = `${b64(header)}.${b64(payload)}`
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`
}

t.test('tokens', async (t) => {
  const app = await build(t)
  const viewer = await signUp(app, 'viewer')
  const now = Math.floor(Date.now() / 1000)
  const claims = { sub: viewer.user.id, role: 'viewer', ver: 0, iat: now, exp: now + 600, iss: 'microdrama-api', aud: 'microdrama-app' }
  const call = async (token: string) => await app.inject({ url: '/auth/me', headers: { authorization: `Bearer ${token}` } })

  t.test('a token made the way the server makes them is accepted (the forger below is honest)', async (t) => {
    t.equal((await call(forge({ alg: 'HS256', typ: 'JWT' }, claims))).statusCode, 200)
  })

  const refused: Array<[string, string]> = [
    ['tampered payload', viewer.token.replace(/\.([^.]+)\./, (_m, p: string) => `.${b64({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), role: 'admin' })}.`)],
    ['expired', forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, iat: now - 7200, exp: now - 3600 })],
    ['without exp', forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, exp: undefined })],
    ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`],
    ['HS512 with the right secret', (() => {
      const unsigned = `${b64({ alg: 'HS512', typ: 'JWT' })}.${b64(claims)}`
      return `${unsigned}.${createHmac('sha512', TEST_JWT_SECRET).update(unsigned).digest('base64url')}`
    })()],
    ['signed with another secret', forge({ alg: 'HS256', typ: 'JWT' }, claims, 'another-secret-that-is-also-32-characters')],
    ['another issuer', forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, iss: 'someone-else' })],
    ['another audience', forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, aud: 'another-app' })],
    ['garbage', 'not-a-token']
  ]
  for (const [name, token] of refused) {
    t.test(`a token ${name} is 401 with the standard error body`, async (t) => {
      const res = await call(token)
      t.equal(res.statusCode, 401)
      t.match(res.json(), { error: { status: 401, code: /^(unauthorized|token_expired)$/, message: String } })
    })
  }

  t.test('an expired token says so', async (t) => {
    const res = await call(forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, iat: now - 7200, exp: now - 3600 }))
    t.equal(res.json().error.code, 'token_expired')
  })

  t.test('a non-bearer Authorization header is 401', async (t) => {
    const res = await app.inject({ url: '/auth/me', headers: { authorization: 'Basic dXNlcjpwYXNz' } })
    t.equal(res.statusCode, 401)
  })
})

t.test('requireRole', async (t) => {
  const app = await buildTestApp({ config: testConfig(), logger: false })
  app.get('/only-admins', { onRequest: app.requireRole('admin') }, async () => ({ ok: true }))
  t.teardown(async () => {
    await app.mongo.db!.dropDatabase()
    await app.close()
  })
  await app.ready()
  const viewer = await signUp(app, 'viewer')
  const admin = await signUp(app, 'admin')

  t.test('a caller with another role gets 403 forbidden', async (t) => {
    const res = await app.inject({ url: '/only-admins', headers: viewer.auth })
    t.equal(res.statusCode, 403)
    t.same(res.json().error, { message: 'This needs the admin role', status: 403, code: 'forbidden' })
  })

  t.test('a caller with the role gets through', async (t) => {
    const res = await app.inject({ url: '/only-admins', headers: admin.auth })
    t.equal(res.statusCode, 200)
  })

  t.test('no token is 401, not 403', async (t) => {
    t.equal((await app.inject({ url: '/only-admins' })).statusCode, 401)
  })

  t.test('the role comes from the account, not the token: a token claiming admin is refused', async (t) => {
    const now = Math.floor(Date.now() / 1000)
    const token = forge({ alg: 'HS256', typ: 'JWT' }, { sub: viewer.user.id, role: 'admin', ver: 0, iat: now, exp: now + 600, iss: 'microdrama-api', aud: 'microdrama-app' })
    t.equal((await app.inject({ url: '/only-admins', headers: { authorization: `Bearer ${token}` } })).statusCode, 403)
  })
})
