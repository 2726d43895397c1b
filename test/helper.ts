import { randomBytes } from 'node:crypto'
import type { Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { loadConfig, type Config } from '../src/config.js'
import { hashPassword } from '../src/lib/passwords.js'
import type { Role, User } from '../src/schemas/common.js'

export const TEST_JWT_SECRET = 'test-secret-that-is-at-least-32-characters-long'

/** A config for the real local stack (started by `npm test`), with a database of its own. */
export function testConfig (overrides: Record<string, string> = {}): Config {
  if (process.env.MONGODB_URI === undefined) {
    throw new Error('MONGODB_URI is not set: run the tests with `npm test`, which starts the local stack')
  }
  const uri = new URL(process.env.MONGODB_URI)
  uri.pathname = `/test_${randomBytes(6).toString('hex')}`
  return loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    JWT_SECRET: TEST_JWT_SECRET,
    BCRYPT_ROUNDS: '4',
    // Tests sign up many users from one IP; the rate-limit tests set their own low limits.
    RATE_LIMIT_MAX: '1000000',
    AUTH_RATE_LIMIT_MAX: '1000000',
    // A busy test machine lags; load shedding has its own test (test/faults/overload.test.ts).
    MAX_EVENT_LOOP_DELAY_MS: '0',
    // Tests check exact totals right after changes; test/features/catalogue-totals.test.ts covers the cache.
    CATALOGUE_TOTAL_CACHE_MS: '0',
    MONGODB_URI: uri.toString(),
    ...overrides
  })
}

/** Builds the real app against the local servers; its database is dropped and the app closed at teardown. */
export async function build (t: Test, overrides: Record<string, string> = {}): Promise<FastifyInstance> {
  const app = await buildApp({ config: testConfig(overrides), logger: false })
  t.teardown(async () => {
    await app.mongo.db!.dropDatabase().catch(() => {})
    await app.close()
  })
  await app.ready()
  return app
}

export interface Account {
  user: User
  token: string
  auth: { authorization: string }
}

let counter = 0
export const uniqueEmail = (role: string): string => `${role}-${process.pid}-${++counter}@example.com`

/** Registers a user through the API (admins are made directly, as the admin command does). */
export async function signUp (app: FastifyInstance, role: Role = 'viewer', email = uniqueEmail(role)): Promise<Account> {
  if (role === 'admin') {
    const { user } = await app.repos.users.upsertAdmin(email, await hashPassword('admin-password', 4))
    const token = app.signToken(user)
    const me = await app.inject({ url: '/auth/me', headers: { authorization: `Bearer ${token}` } })
    return { user: me.json().data, token, auth: { authorization: `Bearer ${token}` } }
  }
  const res = await app.inject({ method: 'POST', url: '/auth/register', payload: { email, password: 'password123', role } })
  if (res.statusCode !== 201) throw new Error(`sign-up failed: ${res.statusCode} ${res.body}`)
  const { token, user } = res.json().data
  return { user, token, auth: { authorization: `Bearer ${token}` } }
}

/** A tiny but real MP4 header followed by random bytes: what the tests upload as a video file. */
export function fakeVideo (size = 2048): Buffer {
  const bytes = randomBytes(size)
  Buffer.from('000000186674797069736f6d0000020069736f6d69736f32', 'hex').copy(bytes)
  return bytes
}

/** Presigns, PUTs the bytes to the real S3 server, saves the video: what a creator's app does. */
export async function uploadVideo (app: FastifyInstance, account: Account, bytes = fakeVideo(), contentType = 'video/mp4') {
  const presign = await app.inject({
    method: 'POST', url: '/uploads/presign', headers: account.auth, payload: { contentType, sizeBytes: bytes.length, fileName: 'clip.mp4' }
  })
  if (presign.statusCode !== 200) throw new Error(`presign failed: ${presign.statusCode} ${presign.body}`)
  const { s3Key, uploadUrl, headers } = presign.json().data
  const put = await fetch(uploadUrl, { method: 'PUT', headers, body: bytes })
  if (!put.ok) throw new Error(`upload failed: ${put.status} ${await put.text()}`)
  const saved = await app.inject({ method: 'POST', url: '/creator/videos', headers: account.auth, payload: { s3Key, title: 'clip' } })
  if (saved.statusCode !== 201) throw new Error(`save video failed: ${saved.statusCode} ${saved.body}`)
  return saved.json().data as { id: string, s3Key: string, sizeBytes: number, contentType: string }
}

export async function createSeries (app: FastifyInstance, account: Account, body: Record<string, unknown> = {}) {
  const res = await app.inject({ method: 'POST', url: '/creator/series', headers: account.auth, payload: { title: 'A series', genres: ['romance'], ...body } })
  if (res.statusCode !== 201) throw new Error(`create series failed: ${res.statusCode} ${res.body}`)
  return res.json().data as { id: string, status: string, title: string }
}

export async function createEpisode (app: FastifyInstance, account: Account, seriesId: string, videoId: string, number = 1) {
  const res = await app.inject({
    method: 'POST', url: `/creator/series/${seriesId}/episodes`, headers: account.auth, payload: { number, title: `Episode ${number}`, videoId }
  })
  if (res.statusCode !== 201) throw new Error(`create episode failed: ${res.statusCode} ${res.body}`)
  return res.json().data as { id: string, seriesId: string, number: number, status: string, videoId: string }
}

export async function approve (app: FastifyInstance, admin: Account, episodeId: string) {
  const res = await app.inject({ method: 'POST', url: `/admin/episodes/${episodeId}/approve`, headers: admin.auth })
  if (res.statusCode !== 200) throw new Error(`approve failed: ${res.statusCode} ${res.body}`)
  return res.json().data
}

export async function setSubscription (app: FastifyInstance, admin: Account, userId: string, status: 'active' | 'canceled') {
  const res = await app.inject({ method: 'POST', url: `/admin/users/${userId}/subscription`, headers: admin.auth, payload: { status } })
  if (res.statusCode !== 200) throw new Error(`subscription failed: ${res.statusCode} ${res.body}`)
  return res.json().data
}

/**
 * A creator with one published series of `episodes` published episodes (one uploaded video shared by them),
 * an admin, and a viewer without a subscription.
 */
export async function publishedCatalogue (app: FastifyInstance, episodes = 1) {
  const [creator, admin, viewer] = [await signUp(app, 'creator'), await signUp(app, 'admin'), await signUp(app, 'viewer')]
  const video = await uploadVideo(app, creator)
  const series = await createSeries(app, creator)
  const published = []
  for (let n = 1; n <= episodes; n++) {
    const episode = await createEpisode(app, creator, series.id, video.id, n)
    await approve(app, admin, episode.id)
    published.push(episode)
  }
  return { creator, admin, viewer, video, series, episodes: published }
}

export interface Res { statusCode: number, body: string, json: () => any }

/** The standard error body, `{ error: { message, status, code } }`, with nothing else in it. */
export function isError (t: Test, res: Pick<Res, 'statusCode' | 'json'>, status: number, code: string, message?: string | RegExp): void {
  t.equal(res.statusCode, status, `answers ${status}`)
  const body = res.json()
  t.same(Object.keys(body), ['error'])
  t.same(Object.keys(body.error).sort(), ['code', 'message', 'status'])
  t.match(body.error, { message: message ?? String, status, code })
}
