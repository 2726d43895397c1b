import t from 'tap'
import { api, build, MISSING_ID, signUp } from '../../helper.js'

t.test('POST /admin/users/:userId/subscription', async (t) => {
  const app = await build(t)
  const admin = await signUp(app, 'admin')
  const subscribe = async (userId: string, payload?: object) => await api(app).subscribe(admin, userId, payload)
  const statusOf = async (token: { authorization: string }) => (await app.inject({ url: '/auth/me', headers: token })).json().data.subscription.status

  t.test('{ status: active } activates the subscription and answers the user', async (t) => {
    const viewer = await signUp(app, 'viewer')
    const res = await subscribe(viewer.user.id, { status: 'active' })
    t.equal(res.statusCode, 200)
    t.match(res.json().data, { id: viewer.user.id, email: viewer.user.email, role: 'viewer', subscription: { status: 'active' } })
    t.type(res.json().data.subscription.updatedAt, 'string')
    t.equal(await statusOf(viewer.auth), 'active', 'the user sees it too')
  })

  t.test('{ status: active } twice leaves it active', async (t) => {
    const viewer = await signUp(app, 'viewer')
    t.equal((await subscribe(viewer.user.id, { status: 'active' })).json().data.subscription.status, 'active')
    const again = await subscribe(viewer.user.id, { status: 'active' })
    t.equal(again.statusCode, 200)
    t.equal(again.json().data.subscription.status, 'active')
    t.equal(await statusOf(viewer.auth), 'active')
  })

  t.test('{ status: canceled } cancels it', async (t) => {
    const viewer = await signUp(app, 'viewer')
    await subscribe(viewer.user.id, { status: 'active' })
    const res = await subscribe(viewer.user.id, { status: 'canceled' })
    t.equal(res.statusCode, 200)
    t.equal(res.json().data.subscription.status, 'canceled')
    t.equal(await statusOf(viewer.auth), 'canceled')
  })

  t.test('no body toggles: none → active → canceled → active', async (t) => {
    const viewer = await signUp(app, 'viewer')
    const seen = []
    for (let i = 0; i < 3; i++) {
      const res = await subscribe(viewer.user.id)
      t.equal(res.statusCode, 200)
      seen.push(res.json().data.subscription.status)
    }
    t.same(seen, ['active', 'canceled', 'active'])
  })

  t.test('an empty object toggles too', async (t) => {
    const viewer = await signUp(app, 'viewer')
    t.equal((await subscribe(viewer.user.id, {})).json().data.subscription.status, 'active')
    t.equal((await subscribe(viewer.user.id, {})).json().data.subscription.status, 'canceled')
  })

  t.test('works for creators as well as viewers', async (t) => {
    const creator = await signUp(app, 'creator')
    const res = await subscribe(creator.user.id, { status: 'active' })
    t.equal(res.statusCode, 200)
    t.match(res.json().data, { role: 'creator', subscription: { status: 'active' } })
  })

  t.test('an unknown user is 404 user_not_found', async (t) => {
    for (const payload of [{ status: 'active' }, undefined]) {
      const res = await subscribe(MISSING_ID, payload)
      t.equal(res.statusCode, 404)
      t.same(res.json(), { error: { message: 'User not found', status: 404, code: 'user_not_found' } })
    }
  })

  t.test('a malformed user id is 400', async (t) => {
    const res = await subscribe('not-an-id', { status: 'active' })
    t.equal(res.statusCode, 400)
    t.equal(res.json().error.code, 'validation_failed')
  })

  t.test('a status other than active or canceled is 400 and changes nothing', async (t) => {
    const viewer = await signUp(app, 'viewer')
    for (const status of ['none', 'ACTIVE', 'paused', '', 1, true, null]) {
      const res = await subscribe(viewer.user.id, { status })
      t.equal(res.statusCode, 400, JSON.stringify(status))
      t.equal(res.json().error.code, 'validation_failed')
    }
    t.equal(await statusOf(viewer.auth), 'none')
  })

  t.test('extra fields are 400 naming the field', async (t) => {
    const viewer = await signUp(app, 'viewer')
    const res = await subscribe(viewer.user.id, { status: 'active', role: 'admin' })
    t.equal(res.statusCode, 400)
    t.same(res.json().error, { message: 'body must NOT have additional properties: \'role\'', status: 400, code: 'validation_failed' })
    t.equal(await statusOf(viewer.auth), 'none')
    const me = await app.inject({ url: '/auth/me', headers: viewer.auth })
    t.equal(me.json().data.role, 'viewer')
  })

  t.test('an operator instead of a status is 400', async (t) => {
    const viewer = await signUp(app, 'viewer')
    const res = await subscribe(viewer.user.id, { status: { $ne: null } })
    t.equal(res.statusCode, 400)
    t.equal(res.json().error.code, 'validation_failed')
    t.equal(await statusOf(viewer.auth), 'none')
  })

  t.test('a body that is not an object is 400', async (t) => {
    const viewer = await signUp(app, 'viewer')
    const res = await app.inject({
      method: 'POST', url: `/admin/users/${viewer.user.id}/subscription`, headers: { ...admin.auth, 'content-type': 'application/json' }, payload: '["active"]'
    })
    t.equal(res.statusCode, 400)
    t.equal(await statusOf(viewer.auth), 'none')
  })

  t.test('the response never contains the password hash', async (t) => {
    const viewer = await signUp(app, 'viewer')
    for (const payload of [{ status: 'active' }, { status: 'canceled' }, undefined]) {
      const res = await subscribe(viewer.user.id, payload)
      t.equal(res.statusCode, 200)
      t.notMatch(res.body, /passwordHash/)
      t.notMatch(res.body, /\$2[aby]\$/, 'no bcrypt hash under any name')
    }
  })
})
