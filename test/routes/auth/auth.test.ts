import t from 'tap'
import { build, signUp, uniqueEmail } from '../../helper.js'

t.test('register', async (t) => {
  const app = await build(t)

  t.test('creates a viewer by default with a trimmed, lowercased email and returns a token', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/auth/register', payload: { email: '  New.Viewer@Example.COM ', password: 'password123' } })
    t.equal(res.statusCode, 201)
    const { data } = res.json()
    t.match(data, { user: { email: 'new.viewer@example.com', role: 'viewer', subscription: { status: 'none', updatedAt: null } }, expiresIn: '15m' })
    t.match(data.user.id, /^[0-9a-f]{24}$/)
    t.notOk('passwordHash' in data.user, 'the hash never leaves the server')
    const me = await app.inject({ url: '/auth/me', headers: { authorization: `Bearer ${data.token}` } })
    t.equal(me.json().data.id, data.user.id, 'the token works')
  })

  t.test('creates a creator when asked', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/auth/register', payload: { email: uniqueEmail('c'), password: 'password123', role: 'creator' } })
    t.equal(res.statusCode, 201)
    t.equal(res.json().data.user.role, 'creator')
  })

  t.test('refuses a taken email, whatever its case, with 409 email_taken', async (t) => {
    const email = uniqueEmail('dup')
    await signUp(app, 'viewer', email)
    const res = await app.inject({ method: 'POST', url: '/auth/register', payload: { email: email.toUpperCase(), password: 'password123' } })
    t.equal(res.statusCode, 409)
    t.same(res.json(), { error: { message: 'An account with this email already exists', status: 409, code: 'email_taken' } })
  })

  t.test('refuses admin self-signup with 403', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/auth/register', payload: { email: uniqueEmail('a'), password: 'password123', role: 'admin' } })
    t.equal(res.statusCode, 403)
    t.equal(res.json().error.code, 'admin_signup_forbidden')
  })

  t.test('refuses a short password with 400 naming the field', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/auth/register', payload: { email: uniqueEmail('p'), password: 'short' } })
    t.equal(res.statusCode, 400)
    t.equal(res.json().error.code, 'validation_failed')
    t.match(res.json().error.message, /password/)
  })

  t.test('refuses bad input with 400: bad email, unknown role, extra fields, wrong types, operators', async (t) => {
    const bodies = [
      { email: 'not-an-email', password: 'password123' },
      { email: uniqueEmail('r'), password: 'password123', role: 'superuser' },
      { email: uniqueEmail('x'), password: 'password123', subscription: { status: 'active' } },
      { email: uniqueEmail('x'), password: 'password123', status: 'published' },
      { email: 12345, password: 'password123' },
      { email: { $ne: null }, password: 'password123' },
      { email: uniqueEmail('m') },
      {}
    ]
    for (const payload of bodies) {
      const res = await app.inject({ method: 'POST', url: '/auth/register', payload })
      t.equal(res.statusCode, 400, JSON.stringify(payload))
      t.equal(res.json().error.code, 'validation_failed')
    }
  })

  t.test('refuses a body that is not JSON', async (t) => {
    const bad = await app.inject({ method: 'POST', url: '/auth/register', headers: { 'content-type': 'application/json' }, payload: '{"email":' })
    t.equal(bad.statusCode, 400)
    t.equal(bad.json().error.status, 400)
    const text = await app.inject({ method: 'POST', url: '/auth/register', headers: { 'content-type': 'application/xml' }, payload: '<email/>' })
    t.equal(text.statusCode, 415)
    t.equal(text.json().error.code, 'unsupported_media_type')
  })

  t.test('refuses a body over the size limit with 413', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/auth/register', payload: { email: uniqueEmail('big'), password: 'x'.repeat(70_000) } })
    t.equal(res.statusCode, 413)
    t.equal(res.json().error.code, 'payload_too_large')
  })
})

t.test('login', async (t) => {
  const app = await build(t)
  const email = uniqueEmail('login')
  const account = await signUp(app, 'creator', email)

  t.test('returns a token and the user for the right password, whatever the email case', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/auth/login', payload: { email: ` ${email.toUpperCase()}`, password: 'password123' } })
    t.equal(res.statusCode, 200)
    t.equal(res.json().data.user.id, account.user.id)
    t.equal(res.json().data.user.role, 'creator')
    t.type(res.json().data.token, 'string')
  })

  t.test('gives the same 401 for a wrong password and an unknown email', async (t) => {
    const wrong = await app.inject({ method: 'POST', url: '/auth/login', payload: { email, password: 'wrong-password' } })
    const unknown = await app.inject({ method: 'POST', url: '/auth/login', payload: { email: uniqueEmail('nobody'), password: 'password123' } })
    t.equal(wrong.statusCode, 401)
    t.same(wrong.json(), unknown.json())
    t.same(wrong.json(), { error: { message: 'Wrong email or password', status: 401, code: 'invalid_credentials' } })
  })

  t.test('refuses an operator instead of a password with 400', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/auth/login', payload: { email, password: { $gt: '' } } })
    t.equal(res.statusCode, 400)
  })
})

t.test('me', async (t) => {
  const app = await build(t)

  t.test('returns the caller', async (t) => {
    const account = await signUp(app, 'viewer')
    const res = await app.inject({ url: '/auth/me', headers: account.auth })
    t.equal(res.statusCode, 200)
    t.same(res.json().data, account.user)
  })

  t.test('is 401 without a token', async (t) => {
    const res = await app.inject({ url: '/auth/me' })
    t.equal(res.statusCode, 401)
    t.same(res.json().error, { message: 'Missing bearer token in the Authorization header', status: 401, code: 'unauthorized' })
  })

  t.test('is 401 for a token whose user was deleted', async (t) => {
    const account = await signUp(app, 'viewer')
    await app.repos.users.collection.deleteOne({ email: account.user.email })
    const res = await app.inject({ url: '/auth/me', headers: account.auth })
    t.equal(res.statusCode, 401)
  })
})
