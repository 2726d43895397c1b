// What each repository call the scenarios make costs on this database, one at a time (no load), and
// whether the database served its filter from an index: the figures behind the scenario numbers.
import type { Db, Document, Filter } from 'mongodb'
import { ObjectId } from 'mongodb'
import { createUsersRepository } from '../src/repositories/users.js'
import { createVideosRepository } from '../src/repositories/videos.js'
import { createSeriesRepository } from '../src/repositories/series.js'
import { createEpisodesRepository } from '../src/repositories/episodes.js'
import { createWatchHistoryRepository } from '../src/repositories/watch-history.js'
import { createMyListRepository } from '../src/repositories/my-list.js'

export interface QueryCost {
  call: string
  usedBy: string
  /** Median milliseconds of `runs` sequential calls with random ids; null when the first call failed. */
  medianMs: number | null
  error?: string
  runs: number
  /** The database's own plan: FerretDB says whether it pushed the filter down to SQLite or PostgreSQL. */
  plan: string
}

interface Probe {
  call: string
  usedBy: string
  collection: string
  /** The find filter it sends, for explain. */
  filter: () => Filter<Document>
  run: () => Promise<unknown>
}

async function planOf (db: Db, collection: string, filter: Filter<Document>): Promise<string> {
  const explained = await db.collection(collection).find(filter).explain() as Document
  if (typeof explained.filterPushdown === 'boolean') {
    const plan = explained.queryPlanner?.Plan as string[] | Document | undefined
    const backend = Array.isArray(plan)
      ? `SQLite: ${plan.join('; ').replace(/^id=\d+ parent=\d+ notused=\d+ detail=/, '')}`
      : `PostgreSQL: ${String(plan?.['Node Type'] ?? 'unknown')}${plan?.['Index Name'] === undefined ? '' : ` using ${String(plan['Index Name'])}`}`
    return `${explained.filterPushdown ? 'filter pushed down' : 'filter NOT pushed down (every document decoded)'}; ${backend}`
  }
  const winning = explained.queryPlanner?.winningPlan as Document | undefined
  return JSON.stringify(winning?.inputStage?.stage ?? winning?.stage ?? 'unknown')
}

export async function measureQueries (
  db: Db,
  ids: {
    seriesIds: ObjectId[]
    episodeIds: ObjectId[]
    videoIds: ObjectId[]
    viewerIds: ObjectId[]
    viewerEmails: string[]
    deepPage: number
  },
  { maxMsPerCall = 1500, maxRuns = 5 } = {}
): Promise<QueryCost[]> {
  const users = createUsersRepository(db)
  const videos = createVideosRepository(db)
  const series = createSeriesRepository(db)
  const episodes = createEpisodesRepository(db)
  const history = createWatchHistoryRepository(db)
  const myList = createMyListRepository(db)
  const any = <T>(list: T[]): T => list[Math.floor(Math.random() * list.length)]!
  let id = new ObjectId()
  const firstPage = { page: 1, limit: 20, sort: 'publishedAt:desc' }

  const probes: Probe[] = [
    { call: 'users.findSession({_id})', usedBy: 'every authenticated request (auth; also gives the subscription)', collection: 'users', filter: () => ({ _id: id }), run: () => users.findSession(id = any(ids.viewerIds)) },
    { call: 'users.findByEmail({email})', usedBy: 'login', collection: 'users', filter: () => ({ email: ids.viewerEmails[0] }), run: () => users.findByEmail(any(ids.viewerEmails)) },
    { call: 'episodes.findById({_id})', usedBy: 'play', collection: 'episodes', filter: () => ({ _id: id }), run: () => episodes.findById(id = any(ids.episodeIds)) },
    { call: 'episodes.findPublished({_id, status})', usedBy: 'episode detail, play, progress', collection: 'episodes', filter: () => ({ _id: id, status: 'published' }), run: () => episodes.findPublished(id = any(ids.episodeIds)) },
    { call: 'series.findPublished({_id, status})', usedBy: 'series episodes, episode detail, play, progress', collection: 'series', filter: () => ({ _id: id, status: 'published' }), run: () => series.findPublished(id = any(ids.seriesIds)) },
    { call: 'series.findById({_id})', usedBy: '(for comparison: the same lookup by _id alone)', collection: 'series', filter: () => ({ _id: id }), run: () => series.findById(id = any(ids.seriesIds)) },
    { call: 'series.recordView (findOneAndUpdate + updateOne by _id)', usedBy: 'play (not awaited)', collection: 'series', filter: () => ({ _id: id }), run: () => series.recordView(id = any(ids.seriesIds)) },
    { call: 'videos.findById({_id})', usedBy: 'play', collection: 'videos', filter: () => ({ _id: id }), run: () => videos.findById(any(ids.videoIds)) },
    { call: 'series.listByStatus page 1 (find + countDocuments)', usedBy: 'catalogue page 1', collection: 'series', filter: () => ({ status: 'published' }), run: () => series.listByStatus('published', {}, firstPage) },
    { call: `series.listByStatus page ${ids.deepPage}`, usedBy: 'catalogue deep page', collection: 'series', filter: () => ({ status: 'published' }), run: () => series.listByStatus('published', {}, { ...firstPage, page: ids.deepPage }) },
    { call: 'myList.savedAmong({userId, seriesId: {$in}})', usedBy: 'catalogue (every page)', collection: 'my_list', filter: () => ({ userId: id }), run: () => { id = any(ids.viewerIds); return myList.savedAmong(id, ids.seriesIds.slice(0, 20)) } },
    { call: 'series countDocuments({status}) alone', usedBy: '(the total of every catalogue page)', collection: 'series', filter: () => ({ status: 'published' }), run: () => series.collection.countDocuments({ status: 'published' }) },
    { call: 'episodes.listForSeries (find + countDocuments)', usedBy: 'series episodes', collection: 'episodes', filter: () => ({ seriesId: id, status: 'published' }), run: () => { id = any(ids.seriesIds); return episodes.listForSeries(id, 'published', { page: 1, limit: 20, sort: 'number:asc' }) } },
    { call: 'watchHistory.listForUser (find + countDocuments)', usedBy: 'history', collection: 'watch_history', filter: () => ({ userId: id }), run: () => { id = any(ids.viewerIds); return history.listForUser(id, { page: 1, limit: 20, sort: 'updatedAt:desc' }) } },
    { call: 'watchHistory.find({userId, episodeId})', usedBy: 'progress without durationSec; the upsert\'s filter', collection: 'watch_history', filter: () => ({ userId: id, episodeId: ids.episodeIds[0] }), run: () => { id = any(ids.viewerIds); return history.find(id, any(ids.episodeIds)) } }
  ]

  const costs: QueryCost[] = []
  for (const probe of probes) {
    const times: number[] = []
    const started = performance.now()
    let error: string | undefined
    while (times.length < maxRuns && (times.length === 0 || performance.now() - started < maxMsPerCall)) {
      const t = performance.now()
      try {
        await probe.run()
      } catch (err) {
        // At large scales a FerretDB scan can outlast the driver's socket timeout.
        error = `${(err as Error).name} after ${Math.round(performance.now() - t)} ms`
        break
      }
      times.push(performance.now() - t)
    }
    times.sort((a, b) => a - b)
    costs.push({
      call: probe.call,
      usedBy: probe.usedBy,
      medianMs: times.length === 0 ? null : Math.round(times[Math.floor(times.length / 2)]! * 100) / 100,
      runs: times.length,
      plan: await planOf(db, probe.collection, probe.filter()).catch((err: Error) => `explain failed: ${err.message}`),
      ...(error === undefined ? {} : { error })
    })
  }
  return costs
}
