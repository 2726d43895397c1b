// Shared fixtures for the tests. Every test builds the real app (src/app.ts) against the real local
// stack, FerretDB and MinIO, which `npm test` starts; nothing is mocked.
//
// Where a test goes:
//   test/routes/<area>/  one route's contract and refusals: its answers, validation, who may call it
//                        (admin, auth, content, creator, health, uploads, video)
//   test/features/       flows across routes: moderation lifecycle, creator editing, free previews, my list,
//                        continue watching, discovery, covers, cursor pagination, catalogue totals
//   test/security/       OWASP checks over every operation in openapi.yaml (authorization, NoSQL injection),
//                        rate limits, sessions and their cache, security headers and what the logs keep
//   test/faults/         the API when something breaks: database or object store down, load shedding under a
//                        lagging event loop, graceful shutdown on SIGTERM; these assert 503s, so they call
//                        app.inject directly and never retry
//   test/e2e/            over a real listening server: the seed flow with fetch, the generated typed client,
//                        the /docs page in a real browser
//   test/plugins/        cross-cutting plugins: authentication, the error body (404, 405, 415, 500, CORS)
//   test/scripts/        the command-line scripts (creating an admin)
//   test/*.test.ts       the contract itself: openapi.yaml and clients/ts/schema.ts are what the code
//                        generates and lint clean, the configuration, and that every query has an index
//   test/contract.ts     openapi.yaml as the security tests walk it
//
// The fixtures below (signUp, uploadVideo, createSeries, createEpisode, approve, setSubscription) and the
// API client `api(app)` send their requests through injectWithRetry, so a busy machine that sheds load
// (503 with Retry-After) slows the suite down instead of failing it.
import { randomBytes } from 'node:crypto'
import { ObjectId } from 'mongodb'
import type { Test } from 'tap'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp, type AppOptions } from '../src/app.js'
import { loadConfig, type Config } from '../src/config.js'
import { jobsConnection, type QueueName } from '../src/jobs/queues.js'
import { mailHandlers, mediaHandlers, type Handlers } from '../src/jobs/handlers.js'
import { startWorker, workerTiming } from '../src/jobs/workers.js'
import { hashPassword } from '../src/lib/passwords.js'
import { createStripe } from '../src/adapters/stripe.js'
import { createMailer } from '../src/adapters/mail.js'
import { createEventBus } from '../src/events.js'
import { createServices } from '../src/services/index.js'
import type { Role, User } from '../src/schemas/common.js'

export const TEST_JWT_SECRET = 'test-secret-that-is-at-least-32-characters-long'

/** A well-formed id that no document has. */
export const MISSING_ID = '0123456789abcdef01234567'

/** A config for the real local stack (started by `npm test`), with a database of its own. */
export function testConfig (overrides: Record<string, string> = {}): Config {
  if (process.env.MONGODB_URI === undefined) {
    throw new Error('MONGODB_URI is not set: run the tests with `npm test`, which starts the local stack')
  }
  const uri = new URL(process.env.MONGODB_URI)
  uri.pathname = `/test_${randomBytes(6).toString('hex')}`
  // Apps on one database share one Redis namespace, as the instances of one deployment do; the test files
  // running at once on the same Redis (and the same 127.0.0.1) do not share counters or sessions.
  const database = new URL(overrides.MONGODB_URI ?? uri.toString()).pathname.slice(1)
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
    // Some tests change documents in the database directly, which no event announces;
    // test/features/read-cache.test.ts covers the cache.
    READ_CACHE_MS: '0',
    MONGODB_URI: uri.toString(),
    REDIS_KEY_PREFIX: `${database}:`,
    ...overrides
  })
}

/** Where each test process writes the error codes its apps answered: scripts/check-error-codes.ts reads them. */
export const ERROR_CODES_DIR = join(import.meta.dirname, '..', '.tap', 'error-codes')
const answered = new Set<string>()
process.once('exit', () => {
  if (answered.size === 0) return
  mkdirSync(ERROR_CODES_DIR, { recursive: true })
  writeFileSync(join(ERROR_CODES_DIR, `${process.pid}-${randomBytes(4).toString('hex')}.json`), JSON.stringify([...answered]))
})

/**
 * buildApp, recording each error code the app answers with the operation that answered it, so that the
 * suite can check the contract's error codes against what the API does (scripts/check-error-codes.ts).
 */
export async function buildTestApp (options: AppOptions): Promise<FastifyInstance> {
  const app = await buildApp(options)
  app.addHook('onSend', async (request, reply, payload) => {
    const operationId = (request.routeOptions.schema as { operationId?: string } | undefined)?.operationId
    if (reply.statusCode < 400 || operationId === undefined || typeof payload !== 'string') return payload
    const code = (JSON.parse(payload) as { error?: { code?: unknown } }).error?.code
    if (typeof code === 'string') answered.add(`${operationId} ${code}`)
    return payload
  })
  return app
}

/** Builds the real app against the local servers; its database is dropped and the app closed at teardown. */
export async function build (t: Test, overrides: Record<string, string> = {}): Promise<FastifyInstance> {
  const app = await buildTestApp({ config: testConfig(overrides), logger: false })
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

export interface Res { statusCode: number, body: string, json: () => any }

export const RETRY_ATTEMPTS = 4
const MAX_RETRY_WAIT_MS = 5000

/** How long a Retry-After header (seconds or an HTTP date) asks to wait, capped at MAX_RETRY_WAIT_MS. */
function retryWaitMs (retryAfter: string): number {
  const seconds = Number(retryAfter)
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - Date.now()
  if (Number.isNaN(ms)) return 1000
  return Math.min(Math.max(ms, 0), MAX_RETRY_WAIT_MS)
}

/**
 * app.inject, but a 503 that carries Retry-After (the load shedder on a busy machine) is tried again after
 * the wait it asks for, as a well-behaved client does; after RETRY_ATTEMPTS the last answer is returned.
 * For fixtures only: a test that asserts a 503 calls app.inject itself.
 */
export async function injectWithRetry (app: FastifyInstance, opts: InjectOptions): Promise<LightMyRequestResponse> {
  for (let attempt = 1; ; attempt++) {
    const res = await app.inject(opts)
    const retryAfter = res.headers['retry-after']
    if (res.statusCode !== 503 || retryAfter === undefined || attempt >= RETRY_ATTEMPTS) return res
    await new Promise((resolve) => setTimeout(resolve, retryWaitMs(String(retryAfter))))
  }
}

/** The ids of a list response's `data`, in order. */
export const ids = (res: Res): string[] => res.json().data.map((item: { id: string }) => item.id)

let counter = 0
export const uniqueEmail = (role: string): string => `${role}-${process.pid}-${++counter}@example.com`

/**
 * Registers a user through the API (admins are made directly, as the admin command does). A creator's email is
 * marked verified in the database, as following the emailed link would (test/features/accounts.test.ts follows it).
 */
export async function signUp (app: FastifyInstance, role: Role = 'viewer', email = uniqueEmail(role)): Promise<Account> {
  if (role === 'admin') {
    const { user } = await app.repos.users.upsertAdmin(email, await hashPassword('admin-password', 4))
    const token = app.signToken(user)
    const me = await injectWithRetry(app, { url: '/auth/me', headers: { authorization: `Bearer ${token}` } })
    return { user: me.json().data, token, auth: { authorization: `Bearer ${token}` } }
  }
  const res = await injectWithRetry(app, { method: 'POST', url: '/auth/register', payload: { email, password: 'password123', role } })
  if (res.statusCode !== 201) throw new Error(`sign-up failed: ${res.statusCode} ${res.body}`)
  const { token, user } = res.json().data
  if (role === 'creator') await app.repos.users.verifyEmail(new ObjectId(user.id as string))
  return { user, token, auth: { authorization: `Bearer ${token}` } }
}

/** A tiny but real MP4 header followed by random bytes: what the tests upload as a video file. */
export function fakeVideo (size = 2048): Buffer {
  const bytes = randomBytes(size)
  Buffer.from('000000186674797069736f6d0000020069736f6d69736f32', 'hex').copy(bytes)
  return bytes
}

const clips = new Map<string, Buffer>()
/**
 * A real video made with ffmpeg's test sources (a test pattern, and a tone unless `audio` is false): H.264 in
 * MP4, `width`×`height`, `seconds` long. Made once per shape.
 */
export function makeClip ({ width = 360, height = 640, seconds = 2, audio = true } = {}): Buffer {
  const key = `${width}x${height}-${seconds}-${audio}`
  const made = clips.get(key)
  if (made !== undefined) return made
  const dir = mkdtempSync(join(tmpdir(), 'microdrama-clip-'))
  const file = join(dir, 'clip.mp4')
  execFileSync(process.env.FFMPEG_PATH ?? 'ffmpeg', [
    '-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=24:duration=${seconds}`,
    ...(audio ? ['-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`, '-c:a', 'aac', '-shortest'] : []),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', file
  ])
  const bytes = readFileSync(file)
  rmSync(dir, { recursive: true, force: true })
  clips.set(key, bytes)
  return bytes
}

/** A worker on one of the app's queues (as `npm run worker` runs them), stopped at teardown. */
export function queueWorker (
  t: Test, app: FastifyInstance, queue: QueueName, handlers: Handlers, timing = workerTiming
) {
  const connection = jobsConnection(app.config.REDIS_URL)
  const quiet = { info: () => {}, warn: () => {} }
  const worker = startWorker(queue, connection, app.config.REDIS_KEY_PREFIX, handlers, quiet, timing)
  t.teardown(async () => {
    await worker.close()
    connection.disconnect()
  })
  return worker
}

/** A worker on the app's media queue: the media pipeline. */
export const mediaWorker = (t: Test, app: FastifyInstance, timing = workerTiming) =>
  queueWorker(t, app, 'media', mediaHandlers(app.services), timing)

/**
 * A worker on the app's mail queue, sending through the local stack's SMTP server (Mailpit) as the worker does.
 * The mail jobs need a mailer, which the API does not have: they run on services of their own over the app's
 * repositories and queues.
 */
export function mailWorker (t: Test, app: FastifyInstance) {
  const quiet = { info: () => {}, warn: () => {} }
  const mailer = createMailer(app.config)
  const services = createServices({
    repos: app.repos,
    storage: app.storage,
    redis: app.redis,
    queues: app.queues,
    events: createEventBus(quiet),
    config: app.config,
    log: quiet,
    stripe: createStripe(app.config),
    mailer
  })
  t.teardown(() => mailer.close())
  return queueWorker(t, app, 'mail', mailHandlers(services))
}

export interface Mail { ID: string, Subject: string, Text: string, HTML: string, To: Array<{ Address: string }> }

/** Mailpit's HTTP API (the local stack's SMTP server keeps every message). */
const mailpit = async (path: string, init?: RequestInit) => {
  if (process.env.MAILPIT_URL === undefined) throw new Error('MAILPIT_URL is not set: run the tests with `npm test`')
  const res = await fetch(`${process.env.MAILPIT_URL}${path}`, init)
  if (!res.ok) throw new Error(`Mailpit ${path}: ${res.status} ${await res.text()}`)
  return res
}

/** The messages sent to `address` so far, newest first (each in full). */
export async function mailsTo (address: string): Promise<Mail[]> {
  const found = await (await mailpit(`/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}`)).json() as { messages: Array<{ ID: string }> }
  return await Promise.all(found.messages.map(async ({ ID }) => await (await mailpit(`/api/v1/message/${ID}`)).json() as Mail))
}

/** Waits (up to `seconds`) for the `count`-th message to `address`, and answers the newest. */
export async function mailTo (address: string, { count = 1, seconds = 20 } = {}): Promise<Mail> {
  let mails: Mail[] = []
  if (!await eventually(async () => (mails = await mailsTo(address)).length >= count, seconds)) {
    throw new Error(`no message ${count} to ${address} within ${seconds} s`)
  }
  return mails[0]!
}

/** The token of the first link in a message (`...?token=...`). */
export const linkToken = (mail: Pick<Mail, 'Text'>): string => {
  const match = /[?&]token=([A-Za-z0-9_-]+)/.exec(mail.Text)
  if (match === null) throw new Error(`no link with a token in: ${mail.Text}`)
  return match[1]!
}

/** Polls `check` until it holds, for at most `seconds` (workers run on their own schedule). */
export async function eventually (check: () => boolean | Promise<boolean>, seconds = 20): Promise<boolean> {
  for (const started = Date.now(); Date.now() - started < seconds * 1000;) {
    if (await check()) return true
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return false
}

/** Polls the creator's view of a video until processing is over (ready or failed), for at most `seconds`. */
export async function processedVideo (app: FastifyInstance, account: Pick<Account, 'auth'>, videoId: string, seconds = 60) {
  for (const started = Date.now(); Date.now() - started < seconds * 1000;) {
    const res = await app.inject({ url: `/creator/videos/${videoId}`, headers: account.auth })
    const video = res.json().data
    if (video?.status === 'ready' || video?.status === 'failed') return video
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`video ${videoId} was not processed within ${seconds} s`)
}

/**
 * Uploads `bytes` and saves them as a video, then, unless `ready` is false, marks it ready as the media pipeline
 * would (its duration `durationSec`, no HLS ladder: played as MP4), so that tests of everything else need not
 * transcode. The pipeline itself runs for real in test/features/media-pipeline.test.ts. (Make such videos before
 * starting a media worker: one already running may take the job first.)
 */
export async function uploadVideo (
  app: FastifyInstance, account: Account, bytes = fakeVideo(), contentType = 'video/mp4',
  { ready = true, durationSec = 120 }: { ready?: boolean, durationSec?: number } = {}
) {
  const presign = await injectWithRetry(app, {
    method: 'POST', url: '/uploads/presign', headers: account.auth, payload: { contentType, sizeBytes: bytes.length, fileName: 'clip.mp4' }
  })
  if (presign.statusCode !== 200) throw new Error(`presign failed: ${presign.statusCode} ${presign.body}`)
  const { s3Key, uploadUrl, headers } = presign.json().data
  const put = await fetch(uploadUrl, { method: 'PUT', headers, body: bytes })
  if (!put.ok) throw new Error(`upload failed: ${put.status} ${await put.text()}`)
  const saved = await injectWithRetry(app, { method: 'POST', url: '/creator/videos', headers: account.auth, payload: { s3Key, title: 'clip' } })
  if (saved.statusCode !== 201) throw new Error(`save video failed: ${saved.statusCode} ${saved.body}`)
  const video = saved.json().data as { id: string, s3Key: string, sizeBytes: number, contentType: string }
  if (ready) {
    // Its processing job leaves the queue first: a worker must not take the file for a real video.
    await app.queues.media.remove(`process-video-${video.id}`)
    const media = { durationSec, width: 720, height: 1280, renditions: [], hlsMasterKey: null, posterKey: null }
    await app.mongo.db!.collection('videos').updateOne({ _id: new ObjectId(video.id) },
      { $set: { status: 'ready', media, processedAt: new Date() } })
  }
  return video
}

export async function createSeries (app: FastifyInstance, account: Account, body: Record<string, unknown> = {}) {
  const res = await injectWithRetry(app, {
    method: 'POST', url: '/creator/series', headers: account.auth, payload: { title: 'A series', genres: ['romance'], ...body }
  })
  if (res.statusCode !== 201) throw new Error(`create series failed: ${res.statusCode} ${res.body}`)
  return res.json().data as { id: string, status: string, title: string }
}

export async function createEpisode (
  app: FastifyInstance, account: Account, seriesId: string, videoId: string, number = 1
) {
  const res = await injectWithRetry(app, {
    method: 'POST', url: `/creator/series/${seriesId}/episodes`, headers: account.auth, payload: { number, title: `Episode ${number}`, videoId }
  })
  if (res.statusCode !== 201) throw new Error(`create episode failed: ${res.statusCode} ${res.body}`)
  return res.json().data as { id: string, seriesId: string, number: number, status: string, videoId: string }
}

export async function approve (app: FastifyInstance, admin: Account, episodeId: string) {
  const res = await injectWithRetry(app, { method: 'POST', url: `/admin/episodes/${episodeId}/approve`, headers: admin.auth })
  if (res.statusCode !== 200) throw new Error(`approve failed: ${res.statusCode} ${res.body}`)
  return res.json().data
}

export async function setSubscription (app: FastifyInstance, admin: Account, userId: string, status: 'active' | 'canceled') {
  const res = await injectWithRetry(app, { method: 'POST', url: `/admin/users/${userId}/subscription`, headers: admin.auth, payload: { status } })
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

/**
 * An id for every path parameter of the contract, for the tests that walk every operation: the catalogue's
 * objects, a queue and ids that match nothing (webhooks, deliveries, uploads, offers).
 */
export function pathIds (cat: Awaited<ReturnType<typeof publishedCatalogue>>): Record<string, string> {
  return {
    seriesId: cat.series.id,
    episodeId: cat.episodes[0]!.id,
    videoId: cat.video.id,
    userId: cat.viewer.user.id,
    queue: 'maintenance',
    jobId: 'none',
    webhookId: MISSING_ID,
    deliveryId: MISSING_ID,
    uploadId: MISSING_ID,
    offerId: MISSING_ID,
    language: 'es'
  }
}

/**
 * The API as the feature tests call it: one named call per operation, each taking the caller's Account and
 * answering the inject response unchanged, so that tests assert on the status and body themselves.
 * A body of `undefined` sends no body at all.
 */
export function api (app: FastifyInstance) {
  const send = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, account: Account, payload?: object) =>
    await injectWithRetry(app, { method, url, headers: account.auth, ...(payload === undefined ? {} : { payload }) })
  return {
    /** Any GET, for reads that have no call of their own. */
    get: async (account: Account, url: string) => await send('GET', url, account),

    // Creators: their series and episodes.
    mySeries: async (creator: Account, query = '') => await send('GET', `/creator/series${query}`, creator),
    patchSeries: async (creator: Account, id: string, payload: object) => await send('PATCH', `/creator/series/${id}`, creator, payload),
    deleteSeries: async (creator: Account, id: string) => await send('DELETE', `/creator/series/${id}`, creator),
    submitSeries: async (creator: Account, id: string) => await send('POST', `/creator/series/${id}/submit`, creator),
    myEpisodes: async (creator: Account, seriesId: string) => await send('GET', `/creator/series/${seriesId}/episodes`, creator),
    addEpisode: async (creator: Account, seriesId: string, payload: object) =>
      await send('POST', `/creator/series/${seriesId}/episodes`, creator, payload),
    patchEpisode: async (creator: Account, id: string, payload: object) => await send('PATCH', `/creator/episodes/${id}`, creator, payload),
    deleteEpisode: async (creator: Account, id: string) => await send('DELETE', `/creator/episodes/${id}`, creator),
    submitEpisode: async (creator: Account, id: string) => await send('POST', `/creator/episodes/${id}/submit`, creator),

    // Admins: moderation and subscriptions.
    approveEpisode: async (admin: Account, id: string) => await send('POST', `/admin/episodes/${id}/approve`, admin),
    rejectEpisode: async (admin: Account, id: string, payload?: object) => await send('POST', `/admin/episodes/${id}/reject`, admin, payload),
    unpublishEpisode: async (admin: Account, id: string, payload?: object) => await send('POST', `/admin/episodes/${id}/unpublish`, admin, payload),
    rejectSeries: async (admin: Account, id: string, payload?: object) => await send('POST', `/admin/series/${id}/reject`, admin, payload),
    unpublishSeries: async (admin: Account, id: string, payload?: object) => await send('POST', `/admin/series/${id}/unpublish`, admin, payload),
    subscribe: async (admin: Account, userId: string, payload?: object) => await send('POST', `/admin/users/${userId}/subscription`, admin, payload),

    // Everyone: my list.
    myList: async (account: Account, query = '') => await send('GET', `/me/list${query}`, account),
    addToList: async (account: Account, seriesId: string) => await send('PUT', `/me/list/${seriesId}`, account),
    removeFromList: async (account: Account, seriesId: string) => await send('DELETE', `/me/list/${seriesId}`, account)
  }
}

/** The standard error body, `{ error: { message, status, code } }`, with nothing else in it. */
export function isError (t: Test, res: Pick<Res, 'statusCode' | 'json'>, status: number, code: string, message?: string | RegExp): void {
  t.equal(res.statusCode, status, `answers ${status}`)
  const body = res.json()
  t.same(Object.keys(body), ['error'])
  t.same(Object.keys(body.error).sort(), ['code', 'message', 'status'])
  t.match(body.error, { message: message ?? String, status, code })
}

/** An event as Stripe sends it: `object` under data, a fresh id, `created` now unless given (seconds). */
export function stripeEvent (
  type: string, object: Record<string, unknown>, { id, created }: { id?: string, created?: number } = {}
) {
  return {
    id: id ?? `evt_test_${randomBytes(8).toString('hex')}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: created ?? Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object }
  }
}

/**
 * Delivers an event to POST /billing/webhook signed as Stripe signs it (stripe-node's generateTestHeaderString)
 * with the app's STRIPE_WEBHOOK_SECRET, unless told to sign with another secret, at another time, or to change
 * the body after signing.
 */
export async function deliverStripeEvent (
  app: FastifyInstance, event: object,
  { secret = app.config.STRIPE_WEBHOOK_SECRET, timestamp, tamper }:
  { secret?: string, timestamp?: number, tamper?: (body: string) => string } = {}
) {
  const payload = JSON.stringify(event)
  const at = timestamp === undefined ? {} : { timestamp }
  const signature = createStripe(app.config).webhooks.generateTestHeaderString({ payload, secret, ...at })
  return await injectWithRetry(app, {
    method: 'POST', url: '/billing/webhook', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, payload: tamper?.(payload) ?? payload
  })
}

/**
 * An offer on sale. A plan is made through the API, which reads its price from stripe-mock. stripe-mock answers
 * every price with its one fixture, a monthly price, which the API rightly refuses for a pack (a one-time price is
 * needed): a pack is put on sale through the repository, with that fixture's amount and currency.
 */
export async function createOffer (app: FastifyInstance, admin: Account, body: Record<string, unknown>) {
  const stripePriceId = `price_${randomBytes(6).toString('hex')}`
  if (body.kind === 'coins') {
    const { name, coins, bonusCoins = 0 } = body as { name: string, coins: number, bonusCoins?: number }
    const pack = await app.repos.offers.create({
      kind: 'coins', name, stripePriceId, coins, bonusCoins, amount: 2000, currency: 'usd', period: null
    })
    return { id: pack!._id.toHexString(), kind: 'coins', coins, bonusCoins, stripePriceId }
  }
  const res = await injectWithRetry(app, {
    method: 'POST', url: '/admin/offers', headers: admin.auth, payload: { stripePriceId, ...body }
  })
  if (res.statusCode !== 201) throw new Error(`create offer failed: ${res.statusCode} ${res.body}`)
  return res.json().data as { id: string, kind: string, coins: number, bonusCoins: number, stripePriceId: string }
}

/**
 * A published series whose second episode is locked (one free episode, 50 coins): what `viewer` may do with that
 * episode is `access()` (free, subscription, unlocked or locked).
 */
export async function lockedEpisode (app: FastifyInstance, admin: Account, viewer: Account) {
  const creator = await signUp(app, 'creator')
  const series = await createSeries(app, creator, { freeEpisodes: 1, coinPrice: 50 })
  const video = await uploadVideo(app, creator)
  await createEpisode(app, creator, series.id, video.id, 1)
  const locked = await createEpisode(app, creator, series.id, video.id, 2)
  await approve(app, admin, locked.id)
  const access = async () => (await app.inject({ url: `/content/episodes/${locked.id}`, headers: viewer.auth })).json().data.access as string
  return { locked, access }
}

/** The user's coin balance, and the sum of their ledger (which must equal it). */
export async function balanceOf (app: FastifyInstance, who: Account): Promise<number> {
  return (await app.inject({ url: '/me/wallet', headers: who.auth })).json().data.balance as number
}
export async function ledgerSum (app: FastifyInstance, who: Account): Promise<number> {
  const entries = (await app.inject({ url: '/me/wallet/ledger?limit=100', headers: who.auth })).json().data as Array<{ delta: number }>
  return entries.reduce((n, e) => n + e.delta, 0)
}

/** The reads (find, count, aggregate) the app sends to the database while `run` runs. */
export async function commandsDuring (app: FastifyInstance, run: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = []
  const listener = (event: { commandName: string, command: Record<string, unknown> }) => {
    if (['find', 'count', 'aggregate'].includes(event.commandName)) sent.push(`${event.commandName} ${String(event.command[event.commandName])}`)
  }
  app.mongo.client.on('commandStarted', listener)
  try {
    await run()
  } finally {
    app.mongo.client.off('commandStarted', listener)
  }
  return sent
}

/**
 * A published episode of a real clip (`seconds` long, processed into an HLS ladder by a media worker that keeps
 * running) in a series written in `language`, with its creator, an admin and a viewer.
 */
export async function publishedClip (t: Test, app: FastifyInstance, { seconds = 4, language = 'en' } = {}) {
  const [creator, admin, viewer] = [await signUp(app, 'creator'), await signUp(app, 'admin'), await signUp(app, 'viewer')]
  mediaWorker(t, app)
  const clip = await uploadVideo(app, creator, makeClip({ width: 360, height: 640, seconds }), 'video/mp4', { ready: false })
  if ((await processedVideo(app, creator, clip.id)).status !== 'ready') throw new Error('the clip was not processed')
  const series = await createSeries(app, creator, { freeEpisodes: 1, language })
  const episode = await createEpisode(app, creator, series.id, clip.id, 1)
  await approve(app, admin, episode.id)
  return { creator, admin, viewer, clip, series, episode }
}
