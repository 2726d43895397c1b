// The bench data set, written with bulk inserts straight through the driver, in exactly the document
// shapes the repositories write (the collections are the repositories' own, typed by their *Doc types).
import { randomUUID } from 'node:crypto'
import { ObjectId, type Db } from 'mongodb'
import bcrypt from 'bcrypt'
import { uploadPrefix } from '../src/lib/keys.js'
import type { UserDoc } from '../src/repositories/users.js'
import type { VideoDoc } from '../src/repositories/videos.js'
import { normaliseTitle, type SeriesDoc } from '../src/repositories/series.js'
import type { EpisodeDoc } from '../src/repositories/episodes.js'
import type { WatchDoc } from '../src/repositories/watch-history.js'
import type { MyListDoc } from '../src/repositories/my-list.js'
import { createRepositories, ensureIndexes } from '../src/repositories/index.js'

export const BENCH_PASSWORD = 'bench-password-123'
export const EPISODES_PER_SERIES = 30
const SERIES_PER_CREATOR = 10
const BATCH = 1000
const DAY = 86_400_000

export interface SeedSize {
  series: number
  users: number
  history: number
  myList: number
}

/**
 * At scale 1: 2,000 published series × 30 episodes (and one video each), 10,000 users, 100,000 watch-history
 * rows and 30,000 "my list" saves (3 a user: the catalogue looks them up for every page it shows).
 */
export function seedSize (scale: number): SeedSize {
  return { series: 2000 * scale, users: 10_000 * scale, history: 100_000 * scale, myList: 30_000 * scale }
}

export interface Viewer {
  id: string
  email: string
}

/** What the scenarios pick their ids from. */
export interface SeedResult {
  counts: Record<string, number>
  /** Seconds per collection, and for the indexes. */
  seconds: Record<string, number>
  seriesIds: string[]
  /** Every episode id, in series order (EPISODES_PER_SERIES per series), and its video's id. */
  episodeIds: ObjectId[]
  videoIds: ObjectId[]
  /** Viewers with an active subscription who own nothing: playback goes through the full gating. */
  subscribedViewers: Viewer[]
  /** The video whose object is really in the bucket, and its episode. */
  realObject: { s3Key: string, episodeId: string }
}

/** A small deterministic PRNG (mulberry32), so that every run seeds the same data set. */
export function prng (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

const GENRES = ['romance', 'revenge', 'ceo', 'fantasy', 'thriller', 'comedy', 'family', 'historical', 'werewolf', 'mystery', 'drama', 'campus']
const WORDS = ['secret', 'billionaire', 'bride', 'return', 'hidden', 'heir', 'midnight', 'contract', 'love', 'betrayal',
  'crown', 'second', 'chance', 'lost', 'queen', 'alpha', 'fate', 'revenge', 'marriage', 'empire', 'shadow', 'promise']

/** insertMany in batches of BATCH documents; returns how many the server acknowledged. */
async function insertInBatches<T extends { _id: ObjectId }> (
  insert: (docs: T[]) => Promise<{ insertedCount: number }>, total: number, make: (i: number) => T
): Promise<number> {
  let inserted = 0
  for (let start = 0; start < total; start += BATCH) {
    const docs: T[] = []
    for (let i = start; i < Math.min(total, start + BATCH); i++) docs.push(make(i))
    inserted += (await insert(docs)).insertedCount
  }
  return inserted
}

/**
 * Seeds an empty database. Indexes are created first with the repositories' own ensureIndexes (what the
 * server does at start-up), so the unique ones also check the generated data.
 */
export async function seed (db: Db, scale: number, log: (line: string) => void): Promise<SeedResult> {
  const size = seedSize(scale)
  const rand = prng(20_240_601 + scale)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!
  const title = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ').replace(/^./, (c) => c.toUpperCase())
  const now = Date.now()
  const seconds: Record<string, number> = {}
  const counts: Record<string, number> = {}
  const timed = async (name: string, fn: () => Promise<number | void>) => {
    const started = performance.now()
    const inserted = await fn()
    seconds[name] = Math.round((performance.now() - started) / 100) / 10
    if (typeof inserted === 'number') counts[name] = inserted
    log(`  ${name}: ${typeof inserted === 'number' ? `${inserted} documents in ` : ''}${seconds[name]} s`)
  }

  const repos = createRepositories(db)
  await timed('indexes', async () => { await ensureIndexes(repos) })

  // One real bcrypt hash at the server's cost (BCRYPT_ROUNDS=10), shared by every account.
  const passwordHash = await bcrypt.hash(BENCH_PASSWORD, 10)
  const creators = size.series / SERIES_PER_CREATOR
  const userIds = Array.from({ length: size.users }, () => new ObjectId())
  const subscribedViewers: Viewer[] = []
  await timed('users', () => insertInBatches<UserDoc>((docs) => repos.users.collection.insertMany(docs), size.users, (i) => {
    const createdAt = new Date(now - Math.floor(rand() * 400 * DAY))
    const creator = i < creators
    // Viewers: about 60 % subscribed, 10 % canceled, the rest never subscribed.
    const r = rand()
    const status = creator ? 'none' : r < 0.6 ? 'active' : r < 0.7 ? 'canceled' : 'none'
    const email = `${creator ? 'creator' : 'viewer'}${i}@bench.example.com`
    if (status === 'active') subscribedViewers.push({ id: userIds[i]!.toHexString(), email })
    return {
      _id: userIds[i]!,
      email,
      passwordHash,
      role: creator ? 'creator' : 'viewer',
      tokenVersion: 0,
      subscription: { status, updatedAt: status === 'none' ? null : new Date(createdAt.getTime() + DAY), revision: 0 },
      createdAt,
      updatedAt: createdAt
    }
  }))

  const seriesIds = Array.from({ length: size.series }, () => new ObjectId())
  const seriesOwner = (s: number) => userIds[Math.floor(s / SERIES_PER_CREATOR)]!
  const seriesPublished = seriesIds.map(() => new Date(now - Math.floor(rand() * 365 * DAY)))
  await timed('series', () => insertInBatches<SeriesDoc>((docs) => repos.series.collection.insertMany(docs), size.series, (s) => {
    const publishedAt = seriesPublished[s]!
    const createdAt = new Date(publishedAt.getTime() - 2 * DAY)
    const genres = [...new Set([pick(GENRES), pick(GENRES), pick(GENRES)].slice(0, 1 + Math.floor(rand() * 3)))]
    const seriesTitle = title(3)
    // Plays over the last 7 days (what trending sums) on top of older ones.
    const viewsByDay: Record<string, number> = {}
    for (let d = 0; d < 7; d++) {
      viewsByDay[new Date(now - d * DAY).toISOString().slice(0, 10)] = Math.floor(rand() * 500)
    }
    const trending = Object.values(viewsByDay).reduce((a, b) => a + b, 0)
    return {
      _id: seriesIds[s]!,
      ownerId: seriesOwner(s),
      title: seriesTitle,
      description: `${title(12)}. ${title(10)}.`,
      genres,
      status: 'published',
      revision: 0,
      freeEpisodes: pick([0, 3, 5, 10]),
      moderationNote: null,
      titleLower: normaliseTitle(seriesTitle),
      views: trending + Math.floor(rand() * 100_000),
      viewsByDay,
      trending,
      // Most series have a cover (only its key is stored; the catalogue never reads the object).
      coverKey: rand() < 0.8 ? `${uploadPrefix(seriesOwner(s).toHexString(), 'images')}${randomUUID()}.jpg` : null,
      createdAt,
      updatedAt: publishedAt,
      publishedAt
    }
  }))

  const episodes = size.series * EPISODES_PER_SERIES
  const episodeIds = Array.from({ length: episodes }, () => new ObjectId())
  const videoIds = Array.from({ length: episodes }, () => new ObjectId())
  const videoKeys: string[] = []
  await timed('videos', () => insertInBatches<VideoDoc>((docs) => repos.videos.collection.insertMany(docs), episodes, (e) => {
    const ownerId = seriesOwner(Math.floor(e / EPISODES_PER_SERIES))
    const s3Key = `${uploadPrefix(ownerId.toHexString(), 'videos')}${randomUUID()}-episode-${(e % EPISODES_PER_SERIES) + 1}.mp4`
    videoKeys.push(s3Key)
    return {
      _id: videoIds[e]!,
      ownerId,
      s3Key,
      title: `episode-${(e % EPISODES_PER_SERIES) + 1}.mp4`,
      contentType: 'video/mp4',
      sizeBytes: 5_000_000 + Math.floor(rand() * 45_000_000),
      // Ready, as videos saved before the HLS pipeline existed: played as MP4.
      status: 'ready',
      posterTimeSec: null,
      failure: null,
      media: { durationSec: 90, width: 720, height: 1280, renditions: [], hlsMasterKey: null, posterKey: null },
      createdAt: new Date(seriesPublished[Math.floor(e / EPISODES_PER_SERIES)]!.getTime() - 3 * DAY),
      processedAt: new Date(seriesPublished[Math.floor(e / EPISODES_PER_SERIES)]!.getTime() - 3 * DAY)
    }
  }))

  await timed('episodes', () => insertInBatches<EpisodeDoc>((docs) => repos.episodes.collection.insertMany(docs), episodes, (e) => {
    const s = Math.floor(e / EPISODES_PER_SERIES)
    const publishedAt = new Date(seriesPublished[s]!.getTime() + (e % EPISODES_PER_SERIES) * 60_000)
    const createdAt = new Date(seriesPublished[s]!.getTime() - 2 * DAY)
    return {
      _id: episodeIds[e]!,
      seriesId: seriesIds[s]!,
      ownerId: seriesOwner(s),
      videoId: videoIds[e]!,
      number: (e % EPISODES_PER_SERIES) + 1,
      title: `Episode ${(e % EPISODES_PER_SERIES) + 1}: ${title(3)}`,
      durationSec: 90,
      // What the API keeps of its video when an episode is made (src/services/studio.ts).
      source: { s3Key: videoKeys[e]!, hlsMasterKey: null, posterKey: null },
      status: 'published',
      revision: 0,
      moderationNote: null,
      createdAt,
      updatedAt: publishedAt,
      publishedAt
    }
  }))

  // The same number of rows for every user (10 at any scale), distinct episodes per user (the unique index).
  const perUser = Math.ceil(size.history / size.users)
  let userEpisodes = new Set<number>()
  await timed('watch_history', () => insertInBatches<WatchDoc>((docs) => repos.watchHistory.collection.insertMany(docs), size.history, (h) => {
    if (h % perUser === 0) userEpisodes = new Set()
    const user = userIds[Math.floor(h / perUser)]!
    let e: number
    do e = Math.floor(rand() * episodes); while (userEpisodes.has(e))
    userEpisodes.add(e)
    const durationSec = 60 + Math.floor(rand() * 120)
    const positionSec = Math.floor(rand() * durationSec)
    return {
      _id: new ObjectId(),
      userId: user,
      episodeId: episodeIds[e]!,
      seriesId: seriesIds[Math.floor(e / EPISODES_PER_SERIES)]!,
      positionSec,
      durationSec,
      completed: positionSec >= durationSec * 0.95,
      updatedAt: new Date(now - Math.floor(rand() * 60 * DAY))
    }
  }))

  // Saved series: the same number for every user, distinct per user (the unique index).
  const savesPerUser = Math.ceil(size.myList / size.users)
  let userSeries = new Set<number>()
  await timed('my_list', () => insertInBatches<MyListDoc>((docs) => repos.myList.collection.insertMany(docs), size.myList, (m) => {
    if (m % savesPerUser === 0) userSeries = new Set()
    let s: number
    do s = Math.floor(rand() * size.series); while (userSeries.has(s))
    userSeries.add(s)
    return {
      _id: new ObjectId(),
      userId: userIds[Math.floor(m / savesPerUser)]!,
      seriesId: seriesIds[s]!,
      addedAt: new Date(now - Math.floor(rand() * 90 * DAY))
    }
  }))

  return {
    counts,
    seconds,
    seriesIds: seriesIds.map((id) => id.toHexString()),
    episodeIds,
    videoIds,
    subscribedViewers,
    realObject: { s3Key: videoKeys[0]!, episodeId: episodeIds[0]!.toHexString() }
  }
}
