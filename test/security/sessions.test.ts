import t from 'tap'
import { hashPassword } from '../../src/lib/passwords.js'
import { build, signUp } from '../helper.js'

t.test('sessions are revocable', async (t) => {
  const app = await build(t)
  const me = (token: string) => app.inject({ url: '/auth/me', headers: { authorization: `Bearer ${token}` } })
  const login = (email: string, password: string) => app.inject({ method: 'POST', url: '/auth/login', payload: { email, password } })

  t.test('after logout, every token issued before it is 401 token_revoked; logging in again works', async (t) => {
    const account = await signUp(app, 'viewer')
    const second = (await login(account.user.email, 'password123')).json().data.token
    const out = await app.inject({ method: 'POST', url: '/auth/logout', headers: account.auth })
    t.equal(out.statusCode, 204)
    t.equal(out.body, '')
    for (const token of [account.token, second]) {
      const res = await me(token)
      t.equal(res.statusCode, 401)
      t.equal(res.json().error.code, 'token_revoked')
    }
    const again = await login(account.user.email, 'password123')
    t.equal((await me(again.json().data.token)).statusCode, 200)
  })

  t.test('a password change revokes older tokens, returns a working one, and the old password stops working', async (t) => {
    const account = await signUp(app, 'creator')
    const res = await app.inject({
      method: 'POST', url: '/auth/password', headers: account.auth, payload: { currentPassword: 'password123', newPassword: 'a-brand-new-pass' }
    })
    t.equal(res.statusCode, 200)
    t.equal((await me(account.token)).statusCode, 401, 'the old token is revoked')
    t.equal((await me(res.json().data.token)).statusCode, 200, 'the new token works')
    t.equal((await login(account.user.email, 'password123')).statusCode, 401)
    t.equal((await login(account.user.email, 'a-brand-new-pass')).statusCode, 200)
  })

  t.test('a password change needs the current password', async (t) => {
    const account = await signUp(app, 'viewer')
    const res = await app.inject({
      method: 'POST', url: '/auth/password', headers: account.auth, payload: { currentPassword: 'not-my-password', newPassword: 'a-brand-new-pass' }
    })
    t.equal(res.statusCode, 401)
    t.equal(res.json().error.code, 'invalid_credentials')
    t.equal((await me(account.token)).statusCode, 200, 'nothing was revoked')
  })

  t.test('a short new password is 400', async (t) => {
    const account = await signUp(app, 'viewer')
    const res = await app.inject({ method: 'POST', url: '/auth/password', headers: account.auth, payload: { currentPassword: 'password123', newPassword: 'short' } })
    t.equal(res.statusCode, 400)
  })

  t.test('a role change (promotion to admin) revokes the tokens issued for the old role', async (t) => {
    const account = await signUp(app, 'creator')
    await app.repos.users.upsertAdmin(account.user.email, await hashPassword('admin-password', 4))
    t.equal((await me(account.token)).statusCode, 401)
  })

  t.test('logout needs a token', async (t) => {
    t.equal((await app.inject({ method: 'POST', url: '/auth/logout' })).statusCode, 401)
  })
})
