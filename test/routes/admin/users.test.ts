// The console's list of accounts: support finds a user by email (as typed) before granting coins.
import t from 'tap'
import { build, isError, signUp } from '../../helper.js'

t.test('GET /admin/users', async (t) => {
  const app = await build(t)
  const admin = await signUp(app, 'admin')
  const [viewer, creator] = [await signUp(app, 'viewer'), await signUp(app, 'creator')]
  const list = async (query: string, who = admin) => await app.inject({ url: `/admin/users?${query}`, headers: who.auth })

  const typed = ` ${viewer.user.email.toUpperCase()} `
  const found = await list(`email=${encodeURIComponent(typed)}`)
  t.equal(found.statusCode, 200)
  t.same(found.json().data.map((u: { id: string }) => u.id), [viewer.user.id], 'the email as a person types it finds the one account')
  t.notOk('passwordHash' in found.json().data[0], 'no password hash')

  const newest = (await list('limit=3')).json()
  t.same(newest.data.map((u: { id: string }) => u.id), [creator.user.id, viewer.user.id, admin.user.id], 'newest first')
  t.equal(newest.meta.total >= 3, true)
  const creators = (await list('role=creator&limit=100')).json().data as Array<{ role: string, id: string }>
  t.ok(creators.some((u) => u.id === creator.user.id) && creators.every((u) => u.role === 'creator'), 'filtered by role')
  t.same((await list('email=nobody%40example.com')).json().data, [], 'an unknown email: an empty page')

  isError(t, await list('limit=1', viewer), 403, 'forbidden')
  isError(t, await list('role=owner'), 400, 'validation_failed')
})
