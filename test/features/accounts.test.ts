// Accounts people can recover and protect: every message goes through the real SMTP server (Mailpit), read back
// over its API, and the link or code in it is followed as a user would.
import t from 'tap'
import { generate } from 'otplib'
import type { FastifyInstance } from 'fastify'
import { ObjectId } from 'mongodb'
import {
  build, eventually, injectWithRetry, isError, linkToken, mailsTo, mailTo, mailWorker, signUp, uniqueEmail
} from '../helper.js'

const post = async (app: FastifyInstance, url: string, payload?: object, headers: Record<string, string> = {}) =>
  await injectWithRetry(app, { method: 'POST', url, headers, ...(payload === undefined ? {} : { payload }) })
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

async function register (app: FastifyInstance, role: 'viewer' | 'creator' = 'viewer') {
  const email = uniqueEmail(role)
  const res = await post(app, '/auth/register', { email, password: 'password123', role })
  return { email, ...res.json().data as { token: string, refreshToken: string, user: { id: string } } }
}

const codeIn = (text: string) => /code instead: ([0-9]{6})/.exec(text)?.[1] ?? ''

/** Waits for the mail queue to be empty (every queued message sent or given up). */
async function mailQueueDrained (app: FastifyInstance) {
  return await eventually(async () => {
    const counts = await app.queues.mail.getJobCounts('waiting', 'active', 'delayed', 'prioritized')
    return Object.values(counts).every((n) => n === 0)
  })
}

t.test('sign-up sends a verification email; its link verifies the account and lets a creator upload', async (t) => {
  const app = await build(t)
  mailWorker(t, app)
  const creator = await register(app, 'creator')
  const upload = { contentType: 'video/mp4', sizeBytes: 1000, fileName: 'e1.mp4' }
  isError(t, await post(app, '/uploads/presign', upload, bearer(creator.token)), 403, 'email_not_verified')
  isError(t, await post(app, '/uploads/multipart', { ...upload, sizeBytes: 10_000_000 }, bearer(creator.token)), 403, 'email_not_verified')

  const mail = await mailTo(creator.email)
  t.match(mail.Subject, /Confirm your email address · Microdrama/)
  t.match(mail.Text, /http:\/\/localhost:3000\/app\/verify-email\?token=/, 'the link is on the app\'s address')
  t.match(mail.HTML, /<a href="http:\/\/localhost:3000\/app\/verify-email\?token=/, 'an HTML part with the same link')
  t.match(codeIn(mail.Text), /^[0-9]{6}$/, 'a code for apps too')

  t.equal((await post(app, '/auth/email/verify', { token: linkToken(mail) })).statusCode, 204)
  t.match((await injectWithRetry(app, { url: '/auth/me', headers: bearer(creator.token) })).json().data, { emailVerified: true })
  t.equal((await post(app, '/uploads/presign', upload, bearer(creator.token))).statusCode, 200, 'a verified creator uploads')
  isError(t, await post(app, '/auth/email/verify', { token: linkToken(mail) }), 400, 'account_token_invalid', /already used/)
  isError(t, await post(app, '/auth/email/verification', undefined, bearer(creator.token)), 409, 'email_already_verified')
  isError(t, await post(app, '/auth/email/verify', { token: 'x'.repeat(43) }), 400, 'account_token_invalid')
})

t.test('an app verifies with the code; wrong codes count, a resent email brings a new code', async (t) => {
  const app = await build(t)
  mailWorker(t, app)
  const viewer = await register(app)
  const first = await mailTo(viewer.email)
  const wrong = codeIn(first.Text) === '000000' ? '000001' : '000000'
  isError(t, await post(app, '/auth/email/verify-code', { code: wrong }, bearer(viewer.token)), 400, 'account_token_invalid')
  t.equal((await post(app, '/auth/email/verification', undefined, bearer(viewer.token))).statusCode, 202)
  const second = await mailTo(viewer.email, { count: 2 })
  t.not(linkToken(second), linkToken(first), 'a new link')
  t.equal((await post(app, '/auth/email/verify-code', { code: codeIn(second.Text) }, bearer(viewer.token))).statusCode, 204)
  isError(t, await post(app, '/auth/email/verify-code', { code: codeIn(second.Text) }, bearer(viewer.token)), 409, 'email_already_verified')
})

t.test('a verification link or code past its expiry is refused', async (t) => {
  const app = await build(t)
  mailWorker(t, app)
  const viewer = await register(app)
  const mail = await mailTo(viewer.email)
  const past = { $set: { expiresAt: new Date(Date.now() - 1000) } }
  await app.repos.accountTokens.collections.tokens.updateMany({ userId: new ObjectId(viewer.user.id) }, past)
  isError(t, await post(app, '/auth/email/verify', { token: linkToken(mail) }), 400, 'account_token_expired')
  isError(t, await post(app, '/auth/email/verify-code', { code: codeIn(mail.Text) }, bearer(viewer.token)), 400, 'account_token_expired')
})

t.test('password reset: the emailed link sets a new password once and signs the account out everywhere', async (t) => {
  const app = await build(t)
  mailWorker(t, app)
  const viewer = await register(app)
  await mailTo(viewer.email) // the welcome message
  const forgot = await post(app, '/auth/password/forgot', { email: ` ${viewer.email.toUpperCase()} ` })
  t.equal(forgot.statusCode, 202)
  const mail = await mailTo(viewer.email, { count: 2 })
  t.match(mail.Subject, /Reset your password/)
  t.match(mail.Text, /reset-password\?token=/)

  const reset = await post(app, '/auth/password/reset', { token: linkToken(mail), password: 'brand-new-password' })
  t.equal(reset.statusCode, 204)
  isError(t, await injectWithRetry(app, { url: '/auth/me', headers: bearer(viewer.token) }), 401, 'token_revoked')
  isError(t, await post(app, '/auth/refresh', { refreshToken: viewer.refreshToken }), 401, 'refresh_token_invalid')
  isError(t, await post(app, '/auth/login', { email: viewer.email, password: 'password123' }), 401, 'invalid_credentials')
  const login = await post(app, '/auth/login', { email: viewer.email, password: 'brand-new-password' })
  t.equal(login.statusCode, 200)
  t.equal(login.json().data.user.emailVerified, true, 'the email is proven by the reset')
  isError(t, await post(app, '/auth/password/reset', { token: linkToken(mail), password: 'another-password' }), 400, 'account_token_invalid')

  await post(app, '/auth/password/forgot', { email: viewer.email })
  const late = await mailTo(viewer.email, { count: 3 })
  await app.repos.accountTokens.collections.tokens.updateMany({ purpose: 'reset_password' }, { $set: { expiresAt: new Date(Date.now() - 1000) } })
  isError(t, await post(app, '/auth/password/reset', { token: linkToken(late), password: 'another-password' }), 400, 'account_token_expired')
})

t.test('forgot password: an unknown email is indistinguishable from a known one, in answer and in time', async (t) => {
  const app = await build(t)
  mailWorker(t, app)
  const known = await register(app)
  await mailTo(known.email)
  const unknown = uniqueEmail('nobody')
  const timed = async (email: string) => {
    const started = process.hrtime.bigint()
    const res = await app.inject({ method: 'POST', url: '/auth/password/forgot', payload: { email } })
    return { res, ms: Number(process.hrtime.bigint() - started) / 1e6 }
  }
  const samples: Record<'known' | 'unknown', number[]> = { known: [], unknown: [] }
  for (let i = 0; i < 20; i++) {
    for (const [kind, email] of [['known', known.email], ['unknown', unknown]] as const) {
      const { res, ms } = await timed(email)
      t.equal(res.statusCode, 202)
      t.equal(res.body, 'null', 'the same body')
      samples[kind].push(ms)
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  // The noise to compare with: how much one bcrypt comparison (the login's cost) varies on this machine now.
  const bcryptMs: number[] = []
  for (let i = 0; i < 20; i++) {
    const started = process.hrtime.bigint()
    await app.inject({ method: 'POST', url: '/auth/login', payload: { email: unknown, password: 'not-the-password' } })
    bcryptMs.push(Number(process.hrtime.bigint() - started) / 1e6)
  }
  const noise = Math.max(...bcryptMs) - Math.min(...bcryptMs)
  const gap = Math.abs(median(samples.known) - median(samples.unknown))
  t.ok(gap <= Math.max(noise, 2), `median gap ${gap.toFixed(2)} ms within the bcrypt noise ${noise.toFixed(2)} ms`)
  t.ok(await mailQueueDrained(app))
  t.equal((await mailsTo(unknown)).length, 0, 'nothing sent for the unknown email')
  t.equal((await mailsTo(known.email)).length, 21, 'the welcome and a reset link per request for the known one')
})

const me = async (app: FastifyInstance, token: string) => await injectWithRetry(app, { url: '/auth/me', headers: bearer(token) })

t.test('refresh tokens rotate on every use; a reused one revokes its whole family, access tokens included', async (t) => {
  const app = await build(t)
  const viewer = await register(app)
  t.match(viewer, { refreshToken: /^[A-Za-z0-9_-]{43}$/ })
  // Another sign-in of the same user, before anything is reused: another family.
  const other = (await post(app, '/auth/login', { email: viewer.email, password: 'password123' })).json().data
  const first = await post(app, '/auth/refresh', { refreshToken: viewer.refreshToken })
  t.equal(first.statusCode, 200)
  t.match(first.json().data, { token: String, expiresIn: '15m', refreshToken: String, refreshExpiresAt: String, user: { id: viewer.user.id } })
  const second = await post(app, '/auth/refresh', { refreshToken: first.json().data.refreshToken })
  t.equal(second.statusCode, 200, 'the new one works once')
  // Within the same second, every refresh mints a new pair: no two access tokens alike.
  const tokens = [viewer.token, first.json().data.token, second.json().data.token, other.token]
  t.equal(new Set(tokens).size, 4, 'each access token is distinct')
  for (const token of tokens) t.equal((await me(app, token)).statusCode, 200)
  // The first refresh token comes back (a copy someone kept): the family is revoked.
  isError(t, await post(app, '/auth/refresh', { refreshToken: viewer.refreshToken }), 401, 'refresh_token_reused')
  isError(t, await post(app, '/auth/refresh', { refreshToken: second.json().data.refreshToken }), 401, 'refresh_token_invalid')
  isError(t, await post(app, '/auth/refresh', { refreshToken: 'A'.repeat(43) }), 401, 'refresh_token_invalid')
  // ...and so is every access token of that sign-in, at once.
  for (const token of tokens.slice(0, 3)) isError(t, await me(app, token), 401, 'token_revoked')

  // The other sign-in is untouched; a logout ends it.
  t.equal((await me(app, other.token)).statusCode, 200, 'another sign-in\'s access token still works')
  t.equal((await post(app, '/auth/refresh', { refreshToken: other.refreshToken })).statusCode, 200)
  const again = (await post(app, '/auth/login', { email: viewer.email, password: 'password123' })).json().data
  t.equal((await post(app, '/auth/logout', undefined, bearer(again.token))).statusCode, 204)
  isError(t, await post(app, '/auth/refresh', { refreshToken: again.refreshToken }), 401, 'refresh_token_invalid')

  const late = (await post(app, '/auth/login', { email: viewer.email, password: 'password123' })).json().data
  await app.repos.accountTokens.collections.refresh.updateMany({}, { $set: { expiresAt: new Date(Date.now() - 1000) } })
  isError(t, await post(app, '/auth/refresh', { refreshToken: late.refreshToken }), 401, 'refresh_token_invalid')
})

/** Waits, if needed, until 5 s or more remain in the current 30 s step (so ±1 step is still ±1 when checked). */
async function awayFromStepEdge () {
  const left = 30 - (Date.now() / 1000) % 30
  if (left < 5) await new Promise((resolve) => setTimeout(resolve, left * 1000 + 100))
}
const codeAt = async (secret: string, offsetSec: number) =>
  await generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSec })

t.test('TOTP two-factor: enrol, sign in with a code at ±1 step of skew (not beyond, never twice), recovery codes, disable', async (t) => {
  const app = await build(t)
  const viewer = await register(app)
  const auth = bearer(viewer.token)
  isError(t, await post(app, '/auth/mfa/enable', { code: '123456' }, auth), 409, 'mfa_setup_required')
  const setup = await post(app, '/auth/mfa/setup', undefined, auth)
  t.equal(setup.statusCode, 200)
  const { secret, otpauthUri } = setup.json().data
  t.match(otpauthUri, new RegExp(`^otpauth://totp/Microdrama:${encodeURIComponent(viewer.email)}\\?.*secret=${secret}`))
  t.match(otpauthUri, /issuer=Microdrama/)
  isError(t, await post(app, '/auth/mfa/enable', { code: await codeAt(secret, 0) === '000000' ? '000001' : '000000' }, auth), 401, 'mfa_code_invalid')
  await awayFromStepEdge()
  const enabled = await post(app, '/auth/mfa/enable', { code: await codeAt(secret, 0) }, auth)
  t.equal(enabled.statusCode, 200)
  const { recoveryCodes } = enabled.json().data as { recoveryCodes: string[] }
  t.equal(new Set(recoveryCodes).size, 10)
  isError(t, await post(app, '/auth/mfa/setup', undefined, auth), 409, 'mfa_already_enabled')
  isError(t, await post(app, '/auth/mfa/enable', { code: '123456' }, auth), 409, 'mfa_already_enabled')
  t.match((await injectWithRetry(app, { url: '/auth/me', headers: auth })).json().data, { mfaEnabled: true })

  const login = async () => {
    const res = await post(app, '/auth/login', { email: viewer.email, password: 'password123' })
    t.equal(res.statusCode, 202, 'the password alone asks for a code')
    t.match(res.json().data, { mfaRequired: true, challenge: String, expiresAt: String })
    return res.json().data.challenge as string
  }
  const complete = async (challenge: string, code: string) => await post(app, '/auth/mfa', { challenge, code })

  await awayFromStepEdge()
  for (const skew of [-60, 60]) isError(t, await complete(await login(), await codeAt(secret, skew)), 401, 'mfa_code_invalid', undefined)
  for (const skew of [-30, 30]) {
    const res = await complete(await login(), await codeAt(secret, skew))
    t.equal(res.statusCode, 200, `a code ${skew} s off is accepted`)
    t.match(res.json().data, { token: String, refreshToken: String, user: { mfaEnabled: true } })
  }
  isError(t, await complete(await login(), await codeAt(secret, 30)), 401, 'mfa_code_invalid', /used already/)

  // A recovery code: once.
  const challenge = await login()
  t.equal((await complete(challenge, recoveryCodes[0]!.toLowerCase())).statusCode, 200)
  isError(t, await complete(challenge, recoveryCodes[1]!), 401, 'mfa_challenge_invalid', undefined)
  isError(t, await complete(await login(), recoveryCodes[0]!), 401, 'mfa_code_invalid')

  // Five wrong codes and the challenge is spent.
  const tried = await login()
  for (let i = 0; i < 5; i++) await complete(tried, await codeAt(secret, 0) === '000000' ? '000001' : '000000')
  isError(t, await complete(tried, recoveryCodes[2]!), 401, 'mfa_challenge_invalid')

  isError(t, await post(app, '/auth/mfa/disable', { code: 'WRONG-CODE1' }, auth), 401, 'mfa_code_invalid')
  t.equal((await post(app, '/auth/mfa/disable', { code: recoveryCodes[3]! }, auth)).statusCode, 204)
  isError(t, await post(app, '/auth/mfa/disable', { code: recoveryCodes[4]! }, auth), 409, 'mfa_not_enabled')
  t.equal((await post(app, '/auth/login', { email: viewer.email, password: 'password123' })).statusCode, 200, 'no code asked any more')
  const stored = await app.repos.users.findById(new ObjectId(viewer.user.id))
  t.equal(stored?.mfa?.secret, null, 'the secret is gone')
})

t.test('a refused sign-in challenge (used or expired) spends neither the code nor the recovery code sent with it', async (t) => {
  const app = await build(t)
  const viewer = await register(app)
  const auth = bearer(viewer.token)
  const { secret } = (await post(app, '/auth/mfa/setup', undefined, auth)).json().data
  await awayFromStepEdge()
  // Enrolled with the previous step's code, so that the current step's is still unused.
  const { recoveryCodes } = (await post(app, '/auth/mfa/enable', { code: await codeAt(secret, -30) }, auth)).json().data as { recoveryCodes: string[] }
  const login = async () => (await post(app, '/auth/login', { email: viewer.email, password: 'password123' })).json().data.challenge as string
  const complete = async (challenge: string, code: string) => await post(app, '/auth/mfa', { challenge, code })

  const used = await login()
  t.equal((await complete(used, recoveryCodes[0]!)).statusCode, 200)
  isError(t, await complete(used, recoveryCodes[1]!), 401, 'mfa_challenge_invalid')
  const now = await codeAt(secret, 0)
  isError(t, await complete(used, now), 401, 'mfa_challenge_invalid')
  const expired = await login()
  await app.repos.accountTokens.collections.tokens.updateMany({ purpose: 'mfa_challenge' }, { $set: { expiresAt: new Date(Date.now() - 1000) } })
  isError(t, await complete(expired, now), 401, 'mfa_challenge_invalid')
  isError(t, await complete(expired, recoveryCodes[2]!), 401, 'mfa_challenge_invalid')

  t.equal((await complete(await login(), now)).statusCode, 200, 'the TOTP code sent with refused challenges still works')
  t.equal((await complete(await login(), recoveryCodes[1]!)).statusCode, 200, 'so does the recovery code sent with a used one')
  t.equal((await complete(await login(), recoveryCodes[2]!)).statusCode, 200, 'and the one sent with an expired one')
})

t.test('with ADMIN_MFA=always, admin routes refuse an admin without two-factor until they enrol', async (t) => {
  const app = await build(t, { ADMIN_MFA: 'always' })
  const admin = await signUp(app, 'admin')
  isError(t, await injectWithRetry(app, { url: '/admin/series/pending', headers: admin.auth }), 403, 'mfa_enrollment_required')
  const { secret } = (await post(app, '/auth/mfa/setup', undefined, admin.auth)).json().data
  await awayFromStepEdge()
  t.equal((await post(app, '/auth/mfa/enable', { code: await codeAt(secret, 0) }, admin.auth)).statusCode, 200)
  t.equal((await injectWithRetry(app, { url: '/admin/series/pending', headers: admin.auth })).statusCode, 200)
  const sealed = (await app.repos.users.findById(new ObjectId(admin.user.id)))?.mfa?.secret
  t.ok(sealed !== undefined && sealed !== null && !sealed.includes(secret), 'the secret is sealed at rest')
})

t.test('the new account routes are rate limited per client and per email', async (t) => {
  const app = await build(t, { AUTH_RATE_LIMIT_MAX: '2' })
  const email = uniqueEmail('limited')
  const statuses = []
  for (let i = 0; i < 3; i++) statuses.push((await app.inject({ method: 'POST', url: '/auth/password/forgot', payload: { email } })).statusCode)
  t.same(statuses, [202, 202, 429])
  const refresh = []
  for (let i = 0; i < 3; i++) refresh.push((await app.inject({ method: 'POST', url: '/auth/refresh', payload: { refreshToken: 'A'.repeat(43) } })).statusCode)
  t.same(refresh, [401, 401, 429])
})
