// The ceiling: a bare Fastify server with one route per bench scenario, each making exactly the driver
// calls the API's handler makes (through the same repository functions, so the filters, sorts, skips and
// limits cannot drift), on the same database, with a MongoClient and S3 client configured as the API's.
// What it leaves out is what the ratio to it measures: authentication (JWT verify + the session lookup),
// validation, hooks (request id, helmet, CORS, rate limit, under-pressure), the envelope and the
// response schemas. The caller's id comes in an `x-user-id` header instead of a token, and the caller's
// session (role and subscription, which the API's auth reads in its one lookup) is that of the bench's
// callers: a viewer with an active subscription.
//
// Keep each route in step with its API handler (routes/content, routes/video, routes/auth) when a
// handler's data access changes.
//
//   node --import tsx bench/ceiling.ts     with the API's environment and PORT
import Fastify, { type FastifyRequest } from 'fastify'
import { MongoClient } from 'mongodb'
import { loadConfig } from '../src/config.js'
import { toObjectId } from '../src/lib/ids.js'
import { verifyPassword } from '../src/lib/passwords.js'
import { accessFor } from '../src/lib/access.js'
import { findPublishedEpisode } from '../src/lib/catalog.js'
import { createStorage } from '../plugins/s3.js'
import type { Session } from '../src/repositories/users.js'
import { createRepositories, type Repositories } from '../src/repositories/index.js'

const config = loadConfig()
// The same client options as plugins/mongodb.ts.
const client = new MongoClient(config.MONGODB_URI, {
  serverSelectionTimeoutMS: 3000,
  connectTimeoutMS: 3000,
  socketTimeoutMS: 30_000,
  maxPoolSize: 50,
  appName: 'microdrama-bench-ceiling'
})
await client.connect()
const db = client.db()
// The same caches as the API (the ceiling has no sessions to cache: it takes the caller from x-user-id).
const repos: Repositories = createRepositories(db, { catalogueTotalCacheMs: config.CATALOGUE_TOTAL_CACHE_MS })
const storage = createStorage(config)

const app = Fastify({ logger: false })
const caller = (request: FastifyRequest): Session => ({
  _id: toObjectId(String(request.headers['x-user-id'])),
  role: 'viewer',
  tokenVersion: 0,
  subscription: { status: 'active' }
})
const page = (query: unknown, sort: string) => {
  const q = query as { page?: string, limit?: string, cursor?: string }
  return { page: Number(q.page ?? 1), limit: Number(q.limit ?? 20), sort, cursor: q.cursor }
}

app.get('/health', async () => ({ ok: true }))

// GET /content/series: the published catalogue, newest first, and which of the page the caller saved.
app.get('/content/series', async (request) => {
  const { items, meta } = await repos.series.listByStatus('published', {}, page(request.query, 'publishedAt:desc'))
  const saved = await repos.myList.savedAmong(caller(request)._id, items.map((s) => s._id))
  return { items, meta, saved: [...saved] }
})

// GET /content/series/:id/episodes: the published series, then its published episodes by number.
app.get<{ Params: { seriesId: string } }>('/content/series/:seriesId/episodes', async (request, reply) => {
  const found = await repos.series.findPublished(toObjectId(request.params.seriesId))
  if (found === null) return await reply.code(404).send({ found: false })
  const { items, meta } = await repos.episodes.listForSeries(found._id, 'published', page(request.query, 'number:asc'))
  const who = caller(request)
  return { items: items.map((e) => ({ ...e, access: accessFor(e, found, who) })), meta }
})

// GET /content/episodes/:id: a published episode of a published series.
app.get<{ Params: { episodeId: string } }>('/content/episodes/:episodeId', async (request, reply) => {
  const found = await findPublishedEpisode(repos, toObjectId(request.params.episodeId))
  if (found === null) return await reply.code(404).send({ found: false })
  return { ...found.episode, access: accessFor(found.episode, found.series, caller(request)) }
})

// GET /video/play/:id: the episode, the gating (published, free or subscribed), the view count, the video, a presigned URL.
app.get<{ Params: { episodeId: string } }>('/video/play/:episodeId', async (request, reply) => {
  const id = toObjectId(request.params.episodeId)
  const who = caller(request)
  const episode = await repos.episodes.findById(id)
  if (episode === null) return await reply.code(404).send({ found: false })
  if (!episode.ownerId.equals(who._id)) {
    const published = episode.status === 'published' ? await repos.series.findPublished(episode.seriesId) : null
    if (published === null) return await reply.code(404).send({ found: false })
    if (accessFor(episode, published, who) === 'locked') return await reply.code(403).send({ subscribed: false })
    repos.series.recordView(published._id).catch(() => {})
  }
  const file = await repos.videos.findById(episode.videoId)
  if (file === null) return await reply.code(404).send({ found: false })
  return { url: await storage.presignDownload(file.s3Key, config.PLAYBACK_URL_TTL) }
})

// POST /video/progress: the published episode, then the upsert of the caller's row.
app.post<{ Body: { episodeId: string, positionSec: number, durationSec?: number } }>('/video/progress', async (request, reply) => {
  const found = await findPublishedEpisode(repos, toObjectId(request.body.episodeId))
  if (found === null) return await reply.code(404).send({ found: false })
  const { episode } = found
  const userId = caller(request)._id
  const durationSec = request.body.durationSec ?? (await repos.watchHistory.find(userId, episode._id))?.durationSec ?? null
  const positionSec = durationSec === null ? request.body.positionSec : Math.min(request.body.positionSec, durationSec)
  return await repos.watchHistory.record({
    userId,
    episodeId: episode._id,
    seriesId: episode.seriesId,
    positionSec,
    durationSec,
    completed: durationSec !== null && positionSec >= durationSec * 0.95
  })
})

// GET /video/history: the caller's rows, most recent first.
app.get('/video/history', async (request) => {
  return await repos.watchHistory.listForUser(caller(request)._id, page(request.query, 'updatedAt:desc'))
})

// POST /auth/login: the user by email and the bcrypt comparison (no token).
app.post<{ Body: { email: string, password: string } }>('/auth/login', async (request, reply) => {
  const user = await repos.users.findByEmail(request.body.email.trim().toLowerCase())
  if (!await verifyPassword(request.body.password, user?.passwordHash)) return await reply.code(401).send({ ok: false })
  return { id: user!._id }
})

const close = async () => {
  await app.close()
  await client.close(true)
  process.exit(0)
}
process.once('SIGTERM', () => { void close() })
process.once('SIGINT', () => { void close() })

await app.listen({ host: '127.0.0.1', port: config.PORT })
