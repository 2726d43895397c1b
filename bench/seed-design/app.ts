// The seed design, for the bench's `seed` target: the original backend's design (/work/shared/seed: Node.js +
// Express + Mongoose), written as that codebase is, with the routes the bench calls. What it does per request:
// CORS, express.json, a request log line; on every authenticated route jwt.verify and User.findById (a full
// user document); then plain Mongoose queries, lists as countDocuments + find().sort().skip().limit() side by
// side; answers { data, meta }, errors { error: { message, status } }. Nothing is cached.
//
// Choices, where the seed left it open:
// - `.lean()` on read-only queries (lists, published content), as such codebases commonly do for speed; hydrated
//   documents for the user (auth middleware, login), where the code uses the document.
// - What the API has and the seed lacked, written the seed's way so that both answer the same data: free
//   episodes and each episode's `access` (from the series and user already loaded), and the catalogue's
//   `inMyList` (one query on my_list per page). A cursor (`?cursor=`) it does not have: it is ignored.
// - Watch history is not paginated ("no pagination on watch history"): every row of the user, newest first.
// - A play counts a view: $inc on the episode, awaited.
// - The API's tokens: HS256 with the same JWT_SECRET, the user's id in `sub`.
//
//   node --import tsx bench/seed-design/app.ts     with the API's environment and PORT
import express, { type NextFunction, type Request, type Response } from 'express'
import cors from 'cors'
import mongoose, { type FilterQuery, type Model } from 'mongoose'
import jwt from 'jsonwebtoken'
import bcrypt from 'bcrypt'
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { Episode, MyList, Series, User, Video, WatchHistory, type UserDocument } from './models.js'

declare module 'express-serve-static-core' {
  interface Request {
    user?: UserDocument
  }
}

// config/env.js: fail at start-up without the required variables.
for (const name of ['MONGODB_URI', 'JWT_SECRET', 'AWS_REGION', 'AWS_S3_BUCKET']) {
  if (!process.env[name]) throw new Error(`Missing required environment variable ${name}`)
}
const env = {
  port: Number(process.env.PORT ?? 3000),
  mongodbUri: process.env.MONGODB_URI!,
  jwtSecret: process.env.JWT_SECRET!,
  bucket: process.env.AWS_S3_BUCKET!,
  corsOrigins: process.env.CORS_ORIGINS ?? '*'
}

// utils/logger.js
const logger = {
  info: (message: string) => console.log(`${new Date().toISOString()} INFO ${message}`),
  error: (message: string, err?: unknown) => console.error(`${new Date().toISOString()} ERROR ${message}`, err)
}

// utils/s3.js: the credentials from the environment (the SDK's default chain); endpoint and path style for MinIO.
const s3 = new S3Client({
  region: process.env.AWS_REGION,
  endpoint: process.env.S3_ENDPOINT,
  forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true'
})
const presignGet = async (key: string) =>
  await getSignedUrl(s3, new GetObjectCommand({ Bucket: env.bucket, Key: key }), { expiresIn: 600 })

// utils/responses.js
const httpError = (status: number, message: string) => Object.assign(new Error(message), { status })

// utils/pagination.js: page, limit, sort=field:asc|desc among the allowed fields.
function pagination (query: Request['query'], allowed: string[], defaultSort: string) {
  const page = Math.max(1, Number.parseInt(String(query.page ?? 1), 10) || 1)
  const limit = Math.min(100, Math.max(1, Number.parseInt(String(query.limit ?? 20), 10) || 20))
  const [field = '', direction] = String(query.sort ?? defaultSort).split(':')
  if (!allowed.includes(field)) throw httpError(400, `sort must be one of: ${allowed.join(', ')}`)
  return { page, limit, sort: { [field]: direction === 'asc' ? 1 : -1 } as Record<string, 1 | -1> }
}

async function paginate<T> (
  model: Model<T>, filter: FilterQuery<T>, { page, limit, sort }: ReturnType<typeof pagination>
) {
  const [data, total] = await Promise.all([
    model.find(filter).sort(sort).skip((page - 1) * limit).limit(limit).lean(),
    model.countDocuments(filter)
  ])
  return { data, meta: { total, page, limit, totalPages: Math.ceil(total / limit) } }
}

// middleware/auth.js: the bearer token, then the user as it is now.
async function auth (req: Request, _res: Response, next: NextFunction) {
  const [scheme, token] = (req.headers.authorization ?? '').split(' ')
  if (scheme !== 'Bearer' || !token) throw httpError(401, 'Missing or invalid Authorization header')
  let payload: jwt.JwtPayload
  try {
    payload = jwt.verify(token, env.jwtSecret) as jwt.JwtPayload
  } catch {
    throw httpError(401, 'Invalid or expired token')
  }
  const user = await User.findById(payload.sub).select('-passwordHash')
  if (!user) throw httpError(401, 'User not found')
  req.user = user
  next()
}

/** Free previews for anyone; the rest for admins, the series' creator and active subscribers. */
function accessFor (
  episode: { number: number }, series: { freeEpisodes: number, ownerId: unknown }, user: UserDocument
) {
  if (episode.number <= series.freeEpisodes) return 'free'
  const entitled = user.role === 'admin' || String(series.ownerId) === user.id || user.subscription?.status === 'active'
  return entitled ? 'subscription' : 'locked'
}

/** A published episode and its series, both published (404 otherwise). */
async function findPublishedEpisode (id: string) {
  const episode = await Episode.findOne({ _id: id, status: 'published' }).lean()
  if (!episode) throw httpError(404, 'Episode not found')
  const series = await Series.findOne({ _id: episode.seriesId, status: 'published' }).lean()
  if (!series) throw httpError(404, 'Episode not found')
  return { episode, series }
}

const app = express()
app.use(cors({ origin: env.corsOrigins === '*' ? '*' : env.corsOrigins.split(',').map((o) => o.trim()) }))
app.use(express.json({ limit: '1mb' }))
// middleware/requestLogger.js
app.use((req, res, next) => {
  const started = process.hrtime.bigint()
  res.on('finish', () => {
    logger.info(`${req.method} ${req.originalUrl} ${res.statusCode} ${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(1)}ms`)
  })
  next()
})

app.get('/health', (_req, res) => { res.json({ data: { status: 'ok' } }) })

// routes/auth.js
const authRoutes = express.Router()
authRoutes.post('/login', async (req, res) => {
  const { email, password } = req.body ?? {}
  if (typeof email !== 'string' || typeof password !== 'string') throw httpError(400, 'email and password are required')
  const user = await User.findOne({ email: email.toLowerCase().trim() })
  if (!user || !(await bcrypt.compare(password, user.passwordHash))) throw httpError(401, 'Invalid email or password')
  const token = jwt.sign({ sub: user.id, role: user.role }, env.jwtSecret, { expiresIn: '1h' })
  const { id, role, subscription } = user
  res.json({ data: { token, user: { id, email: user.email, role, subscription } } })
})
app.use('/auth', authRoutes)

// routes/content.js: published content, any signed-in user.
const content = express.Router()
content.use(auth)
content.get('/series', async (req, res) => {
  const { genre } = req.query
  const filter = typeof genre === 'string' ? { status: 'published', genres: genre.toLowerCase() } : { status: 'published' }
  const page = pagination(req.query, ['publishedAt', 'title', 'views'], 'publishedAt:desc')
  const { data, meta } = await paginate(Series, filter, page)
  const saved = await MyList.find({ userId: req.user!._id, seriesId: { $in: data.map((s) => s._id) } })
    .select('seriesId').lean()
  const savedIds = new Set(saved.map((m) => String(m.seriesId)))
  res.json({ data: data.map((s) => ({ ...s, inMyList: savedIds.has(String(s._id)) })), meta })
})
content.get('/series/:seriesId/episodes', async (req, res) => {
  const series = await Series.findOne({ _id: req.params.seriesId, status: 'published' }).lean()
  if (!series) throw httpError(404, 'Series not found')
  const page = pagination(req.query, ['number'], 'number:asc')
  const { data, meta } = await paginate(Episode, { seriesId: series._id, status: 'published' }, page)
  res.json({ data: data.map((e) => ({ ...e, access: accessFor(e, series, req.user!) })), meta })
})
content.get('/episodes/:episodeId', async (req, res) => {
  const { episode, series } = await findPublishedEpisode(req.params.episodeId)
  res.json({ data: { ...episode, access: accessFor(episode, series, req.user!) } })
})
app.use('/content', content)

// routes/video.js: playback and progress.
const video = express.Router()
video.use(auth)
video.get('/play/:episodeId', async (req, res) => {
  const { episode, series } = await findPublishedEpisode(req.params.episodeId)
  if (accessFor(episode, series, req.user!) === 'locked') throw httpError(403, 'An active subscription is required')
  const file = await Video.findById(episode.videoId).lean()
  if (!file) throw httpError(404, 'Video not found')
  const url = await presignGet(file.s3Key)
  await Episode.updateOne({ _id: episode._id }, { $inc: { views: 1 } })
  res.json({ data: { url, expiresIn: 600 } })
})
video.post('/progress', async (req, res) => {
  const { episodeId, positionSec, durationSec } = req.body ?? {}
  if (!mongoose.isValidObjectId(episodeId) || typeof positionSec !== 'number' || positionSec < 0) {
    throw httpError(400, 'episodeId and a positionSec of 0 or more are required')
  }
  const episode = await Episode.findOne({ _id: episodeId, status: 'published' }).lean()
  if (!episode) throw httpError(404, 'Episode not found')
  const duration = typeof durationSec === 'number' && durationSec > 0 ? durationSec : null
  const completed = duration !== null && positionSec >= duration * 0.95
  const entry = await WatchHistory.findOneAndUpdate(
    { userId: req.user!._id, episodeId: episode._id },
    { $set: { seriesId: episode.seriesId, positionSec, durationSec: duration, completed } },
    { upsert: true, new: true, setDefaultsOnInsert: true }
  ).lean()
  res.json({ data: entry })
})
video.get('/history', async (req, res) => {
  const data = await WatchHistory.find({ userId: req.user!._id }).sort({ updatedAt: -1 }).lean()
  res.json({ data, meta: { total: data.length } })
})
app.use('/video', video)

// middleware/errorHandler.js
app.use((_req, _res, next) => { next(httpError(404, 'Not found')) })
app.use((err: Error & { status?: number }, req: Request, res: Response, _next: NextFunction) => {
  const status = err.status ?? (err.name === 'CastError' || err.name === 'ValidationError' ? 400 : 500)
  if (status >= 500) logger.error(`${req.method} ${req.originalUrl}`, err)
  res.status(status).json({ error: { message: status >= 500 ? 'Internal server error' : err.message, status } })
})

// server.js
await mongoose.connect(env.mongodbUri, { autoIndex: false, autoCreate: false })
const server = app.listen(env.port, () => logger.info(`listening on ${env.port}`))
const shutdown = () => {
  server.close(() => { mongoose.disconnect().finally(() => process.exit(0)) })
}
process.once('SIGTERM', shutdown)
process.once('SIGINT', shutdown)
