import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import { build, publishedCatalogue, setSubscription, signUp } from '../helper.js'

// Sessions (role, token version, subscription) are kept in Redis for SESSION_CACHE_MS, shared by every instance;
// a change made through the API drops the entry before it is answered, on every instance at once.
const me = (app: FastifyInstance, auth: Record<string, string>) => app.inject({ url: '/auth/me', headers: auth })

t.test('two instances on one database and one Redis', async (t) => {
  const a = await build(t, { SESSION_CACHE_MS: '60000' })
  const b = await build(t, { SESSION_CACHE_MS: '60000', MONGODB_URI: a.config.MONGODB_URI })

  t.test('a logout on one instance is refused on the other at once', async (t) => {
    const account = await signUp(a, 'viewer')
    t.equal((await me(a, account.auth)).statusCode, 200)
    t.equal((await me(b, account.auth)).statusCode, 200, 'the session is now cached')
    t.equal((await a.inject({ method: 'POST', url: '/auth/logout', headers: account.auth })).statusCode, 204)
    t.equal((await me(b, account.auth)).statusCode, 401, 'refused by the other instance')
    t.equal((await me(a, account.auth)).statusCode, 401, 'and by its own')
  })

  t.test('a password change on one instance refuses the old token on the other at once', async (t) => {
    const account = await signUp(b, 'viewer')
    t.equal((await me(a, account.auth)).statusCode, 200)
    const res = await b.inject({
      method: 'POST', url: '/auth/password', headers: account.auth, payload: { currentPassword: 'password123', newPassword: 'password456' }
    })
    t.equal(res.statusCode, 200)
    t.equal((await me(a, account.auth)).statusCode, 401, 'the old token')
    t.equal((await me(a, { authorization: `Bearer ${res.json().data.token}` })).statusCode, 200, 'the new one')
  })

  t.test('a subscription cancelled on one instance stops playback on the other at once', async (t) => {
    const c = await publishedCatalogue(a, 2)
    await setSubscription(a, c.admin, c.viewer.user.id, 'active')
    const play = () => b.inject({ url: `/video/play/${c.episodes[1]!.id}`, headers: c.viewer.auth })
    t.equal((await play()).statusCode, 200)
    await setSubscription(a, c.admin, c.viewer.user.id, 'canceled')
    const res = await play()
    t.equal(res.statusCode, 403)
    t.equal(res.json().error.code, 'episode_locked')
  })
})

t.test('a user removed from the database directly (not through the API) is refused once the cached session expires', async (t) => {
  const app = await build(t, { SESSION_CACHE_MS: '300' })
  const account = await signUp(app, 'viewer')
  t.equal((await me(app, account.auth)).statusCode, 200)
  await app.repos.users.collection.deleteOne({ email: account.user.email })
  let status = 200
  for (let tries = 0; tries < 100 && status === 200; tries++) {
    await sleep(50)
    status = (await me(app, account.auth)).statusCode
  }
  t.equal(status, 401)
})

t.test('SESSION_CACHE_MS=0 reads the session from the database on every request', async (t) => {
  const app = await build(t, { SESSION_CACHE_MS: '0' })
  const account = await signUp(app, 'viewer')
  t.equal((await me(app, account.auth)).statusCode, 200)
  await app.repos.users.collection.deleteOne({ email: account.user.email })
  t.equal((await me(app, account.auth)).statusCode, 401)
})
