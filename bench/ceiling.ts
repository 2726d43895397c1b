// The ceiling: the service without HTTP's extras. A bare Fastify server with one route per bench scenario,
// each calling the same service function as the API's route (src/services), built the same way (the
// repositories, storage and caches), on the same database with the same client options. What it leaves out
// is what the ratio to it measures: authentication (JWT verify + the session lookup), validation, hooks
// (request id, helmet, CORS, rate limit, under-pressure), the response schemas and the error handler. The
// caller comes in an `x-user-id` header instead of a token, as the bench's callers are: a viewer with an
// active subscription. Answers are serialised with JSON.stringify.
//
//   node --import tsx bench/ceiling.ts     with the API's environment and PORT
import Fastify, { type FastifyRequest } from 'fastify'
import { MongoClient } from 'mongodb'
import { loadConfig } from '../src/config.js'
import { mongoClientOptions } from '../src/adapters/db.js'
import { createEventBus } from '../src/events.js'
import { toObjectId } from '../src/lib/ids.js'
import { createRepositories } from '../src/repositories/index.js'
import { createStripe } from '../src/adapters/stripe.js'
import { createServices, type Caller } from '../src/services/index.js'
import { createStorage } from '../src/adapters/storage.js'
import { redisClientOptions } from '../src/adapters/redis.js'
import { Redis } from 'ioredis'

const config = loadConfig()
const client = new MongoClient(config.MONGODB_URI, mongoClientOptions('microdrama-bench-ceiling', config.DB_TIMEOUT_MS))
await client.connect()
// The ceiling has no sessions to cache: it takes the caller from x-user-id. The services cache what the API's do.
const repos = createRepositories(client.db())
const log = { warn: () => {} }
const redis = new Redis(config.REDIS_URL, redisClientOptions(config.REDIS_KEY_PREFIX))
const { accounts, catalogue, playback, streaming } = createServices({
  repos, storage: createStorage(config), redis, events: createEventBus(log), config, log, stripe: createStripe(config)
})

const app = Fastify({ logger: false })
const caller = (request: FastifyRequest): Caller => ({
  _id: toObjectId(String(request.headers['x-user-id'])),
  role: 'viewer',
  tokenVersion: 0,
  subscription: { status: 'active' }
})
const page = (query: unknown, sort: string) => {
  const q = query as { page?: string, limit?: string, cursor?: string }
  return { page: Number(q.page ?? 1), limit: Number(q.limit ?? 20), sort, cursor: q.cursor }
}
type Id<K extends string> = { Params: Record<K, string> }

app.get('/health', async () => ({ ok: true }))
app.get('/content/series', async (request) => await catalogue.listSeries(caller(request), {}, page(request.query, 'publishedAt:desc')))
app.get<Id<'seriesId'>>('/content/series/:seriesId/episodes', async (request) =>
  await catalogue.listEpisodes(caller(request), toObjectId(request.params.seriesId), page(request.query, 'number:asc')))
app.get<Id<'episodeId'>>('/content/episodes/:episodeId', async (request) =>
  await catalogue.getEpisode(caller(request), toObjectId(request.params.episodeId)))
app.get<Id<'episodeId'>>('/video/play/:episodeId', async (request) =>
  await playback.play(caller(request), toObjectId(request.params.episodeId), `${request.protocol}://${request.host}`))
app.get<{ Params: { episodeId: string, token: string, rendition: string } }>('/stream/:episodeId/:token/:rendition/index.m3u8',
  async (request, reply) => {
    const { episodeId, token, rendition } = request.params
    const { playlist } = await streaming.media(toObjectId(episodeId), token, rendition)
    return await reply.type('application/vnd.apple.mpegurl').send(playlist)
  })
app.post<{ Body: { episodeId: string, positionSec: number, durationSec?: number } }>('/video/progress', async (request) =>
  await playback.recordProgress(caller(request), { ...request.body, episodeId: toObjectId(request.body.episodeId) }))
app.get('/video/history', async (request) => await playback.history(caller(request), page(request.query, 'updatedAt:desc')))
// The user by email and the bcrypt comparison (no token).
app.post<{ Body: { email: string, password: string } }>('/auth/login', async (request) => {
  const user = await accounts.login({ email: request.body.email.trim().toLowerCase(), password: request.body.password })
  return { id: user._id }
})

const close = async () => {
  await app.close()
  await client.close(true)
  redis.disconnect()
  process.exit(0)
}
const fail = (err: unknown) => { console.error(err); process.exit(1) }
process.once('SIGTERM', () => { close().catch(fail) })
process.once('SIGINT', () => { close().catch(fail) })

await app.listen({ host: '127.0.0.1', port: config.PORT })
