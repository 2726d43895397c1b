import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import { build, publishedCatalogue, setSubscription, signUp } from '../helper.js'

// Each instance reuses a caller's session for SESSION_CACHE_MS instead of reading it on every request.
// What it changes itself applies at once; what another instance changes applies within that time.
const CACHE_MS = 600

const me = (app: FastifyInstance, auth: Record<string, string>) => app.inject({ url: '/auth/me', headers: auth })

/** Milliseconds until `app` answers /auth/me with 401 (polling), or Infinity after `limitMs`. */
async function msUntilRefused (app: FastifyInstance, auth: Record<string, string>, limitMs: number): Promise<number> {
  const started = performance.now()
  while (performance.now() - started < limitMs) {
    if ((await me(app, auth)).statusCode === 401) return performance.now() - started
    await sleep(25)
  }
  return Infinity
}

t.test('two instances on one database, sessions cached for 600 ms', async (t) => {
  const a = await build(t, { SESSION_CACHE_MS: String(CACHE_MS) })
  const b = await build(t, { SESSION_CACHE_MS: String(CACHE_MS), MONGODB_URI: a.config.MONGODB_URI })

  t.test('a logout is refused at once on its own instance and within the cache time on the other', async (t) => {
    const account = await signUp(a, 'viewer')
    t.equal((await me(a, account.auth)).statusCode, 200)
    t.equal((await me(b, account.auth)).statusCode, 200, 'both instances now hold the session')
    t.equal((await a.inject({ method: 'POST', url: '/auth/logout', headers: account.auth })).statusCode, 204)
    t.equal((await me(a, account.auth)).statusCode, 401, 'refused at once where it logged out')
    const ms = await msUntilRefused(b, account.auth, 5000)
    t.ok(ms <= CACHE_MS + 250, `refused by the other instance after ${Math.round(ms)} ms`)
  })

  t.test('a cancelled subscription stops playback at once on the instance that cancelled it', async (t) => {
    const c = await publishedCatalogue(a, 2)
    await setSubscription(a, c.admin, c.viewer.user.id, 'active')
    const play = () => a.inject({ url: `/video/play/${c.episodes[1]!.id}`, headers: c.viewer.auth })
    t.equal((await play()).statusCode, 200)
    await setSubscription(a, c.admin, c.viewer.user.id, 'canceled')
    const res = await play()
    t.equal(res.statusCode, 403)
    t.equal(res.json().error.code, 'subscription_required')
  })

  t.test('a user removed from the database directly is refused within the cache time', async (t) => {
    const account = await signUp(a, 'viewer')
    t.equal((await me(a, account.auth)).statusCode, 200)
    await a.repos.users.collection.deleteOne({ email: account.user.email })
    const ms = await msUntilRefused(a, account.auth, 5000)
    t.ok(ms <= CACHE_MS + 250, `refused after ${Math.round(ms)} ms`)
  })
})

t.test('SESSION_CACHE_MS=0 reads the session on every request: another instance\'s logout applies at once', async (t) => {
  const a = await build(t, { SESSION_CACHE_MS: '0' })
  const b = await build(t, { SESSION_CACHE_MS: '0', MONGODB_URI: a.config.MONGODB_URI })
  const account = await signUp(a, 'viewer')
  t.equal((await me(b, account.auth)).statusCode, 200)
  t.equal((await a.inject({ method: 'POST', url: '/auth/logout', headers: account.auth })).statusCode, 204)
  t.equal((await me(b, account.auth)).statusCode, 401)
})
