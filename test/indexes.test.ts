import t from 'tap'
import type { CommandStartedEvent, Document } from 'mongodb'
import { ObjectId } from 'mongodb'
import { build, publishedCatalogue, setSubscription } from './helper.js'

interface Query { collection: string, filter: Document, sort: Document }

// The driver may hold a sort as a Map; make it a plain object.
const plain = (sort: Document | Map<string, number> | undefined): Document =>
  sort instanceof Map ? Object.fromEntries(sort) : sort ?? {}

/** The filter and sort of every read or conditional write the driver sends. */
function queriesOf (event: CommandStartedEvent): Query[] {
  const c = event.command
  switch (event.commandName) {
    case 'find': return [{ collection: c.find, filter: c.filter ?? {}, sort: plain(c.sort) }]
    case 'findAndModify': return [{ collection: c.findAndModify, filter: c.query ?? {}, sort: plain(c.sort) }]
    case 'aggregate': return [{ collection: c.aggregate, filter: c.pipeline?.[0]?.$match ?? {}, sort: {} }]
    case 'update': return c.updates.map((u: Document) => ({ collection: c.update, filter: u.q, sort: {} }))
    case 'delete': return c.deletes.map((d: Document) => ({ collection: c.delete, filter: d.q, sort: {} }))
    default: return []
  }
}

const isOperatorObject = (v: unknown): v is Document =>
  typeof v === 'object' && v !== null && !(v instanceof ObjectId) && !(v instanceof Date) && Object.keys(v).some((k) => k.startsWith('$'))

/**
 * Served by an index: the _id index for a lookup by _id; otherwise an index whose first fields are the
 * filter's equality fields (in any order) followed by the sort fields in order, all in the index's
 * direction or all reversed. A cursor's `$or` (ranges on the sort fields) is served by the same index.
 */
function servedBy (query: Query, indexes: Document[]): boolean {
  const { $or: ranges, ...filter } = query.filter
  if (
    ranges !== undefined &&
    !(ranges as Document[]).every((branch) => Object.keys(branch).every((k) => k in query.sort))
  ) return false
  const equality = Object.entries(filter).filter(([, v]) => !isOperatorObject(v) || '$in' in v || '$eq' in v).map(([k]) => k)
  if (equality.includes('_id')) return true
  const sort = Object.entries(query.sort)
  return indexes.some(({ key }) => {
    const fields = Object.entries(key as Document)
    const head = fields.slice(0, equality.length).map(([f]) => f).sort()
    if (head.join() !== [...equality].sort().join()) return false
    const tail = fields.slice(equality.length, equality.length + sort.length)
    if (tail.length < sort.length) return false
    const same = tail.every(([f, d], i) => f === sort[i]![0] && d === sort[i]![1])
    const reversed = tail.every(([f, d], i) => f === sort[i]![0] && d === -sort[i]![1])
    return same || reversed
  })
}

t.test('every query the API sends is served by an index created at start-up', async (t) => {
  const app = await build(t)
  const queries: Query[] = []
  app.mongo.client.on('commandStarted', (event) => queries.push(...queriesOf(event)))

  // Walk every route that reads or conditionally writes.
  const c = await publishedCatalogue(app, 3)
  await app.inject({ method: 'POST', url: `/admin/users/${c.viewer.user.id}/subscription`, headers: c.admin.auth }) // toggle
  await setSubscription(app, c.admin, c.viewer.user.id, 'active')
  const calls: Array<[string, string, Record<string, string>, unknown?]> = [
    ['POST', '/auth/login', {}, { email: c.viewer.user.email, password: 'password123' }],
    ['GET', '/auth/me', c.viewer.auth],
    ['GET', '/creator/videos', c.creator.auth],
    ['GET', '/creator/series', c.creator.auth],
    ['GET', '/creator/series?status=published&sort=title:asc', c.creator.auth],
    ['GET', `/creator/series/${c.series.id}/episodes?sort=number:desc`, c.creator.auth],
    ['GET', '/admin/series/pending', c.admin.auth],
    ['GET', '/admin/episodes/pending?sort=createdAt:desc', c.admin.auth],
    ['GET', '/content/series', c.viewer.auth],
    ['GET', '/content/series?genre=romance&sort=title:asc', c.viewer.auth],
    ['GET', '/content/series?genre=romance', c.viewer.auth],
    ['GET', `/content/series/${c.series.id}`, c.viewer.auth],
    ['GET', `/content/series/${c.series.id}/episodes`, c.viewer.auth],
    ['GET', `/content/episodes/${c.episodes[0]!.id}`, c.viewer.auth],
    ['GET', `/video/play/${c.episodes[0]!.id}`, c.viewer.auth],
    ['POST', '/video/progress', c.viewer.auth, { episodeId: c.episodes[0]!.id, positionSec: 3 }],
    ['GET', '/video/history', c.viewer.auth],
    ['GET', '/content/series?q=a%20ser&sort=title:asc', c.viewer.auth],
    ['GET', '/content/series?sort=views:desc', c.viewer.auth],
    ['GET', '/content/series?genre=romance&sort=trending:desc', c.viewer.auth],
    ['GET', '/content/genres', c.viewer.auth],
    ['GET', `/content/episodes/${c.episodes[0]!.id}/next`, c.viewer.auth],
    ['PUT', `/me/list/${c.series.id}`, c.viewer.auth],
    ['GET', '/me/list', c.viewer.auth],
    ['GET', '/me/continue-watching', c.viewer.auth],
    ['PATCH', `/creator/series/${c.series.id}`, c.creator.auth, { freeEpisodes: 1 }],
    ['POST', `/admin/episodes/${c.episodes[2]!.id}/unpublish`, c.admin.auth, { reason: 'test' }],
    ['POST', `/creator/episodes/${c.episodes[2]!.id}/submit`, c.creator.auth],
    ['POST', `/admin/episodes/${c.episodes[2]!.id}/reject`, c.admin.auth, { reason: 'test' }],
    ['GET', `/admin/audit?actorId=${c.admin.user.id}`, c.admin.auth],
    ['GET', `/admin/audit?targetId=${c.series.id}`, c.admin.auth],
    ['GET', '/admin/audit', c.admin.auth],
    ['DELETE', `/me/list/${c.series.id}`, c.viewer.auth]
  ]
  for (const [method, url, headers, payload] of calls) {
    const res = await app.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload: payload as object }) })
    t.ok(res.statusCode < 300, `${method} ${url} succeeds (${res.statusCode})`)
  }
  // The page after a cursor, on lists with more than one page.
  for (const [url, headers] of [
    [`/content/series/${c.series.id}/episodes?limit=1`, c.viewer.auth],
    [`/creator/series/${c.series.id}/episodes?limit=1&sort=number:desc`, c.creator.auth],
    ['/admin/audit?limit=1', c.admin.auth],
    [`/admin/audit?limit=1&targetId=${c.episodes[2]!.id}`, c.admin.auth]
  ] as const) {
    const { nextCursor } = (await app.inject({ url, headers })).json().meta
    const res = await app.inject({ url: `${url}&cursor=${nextCursor}`, headers })
    t.equal(res.statusCode, 200, `${url} then its nextCursor`)
  }

  const indexes = new Map<string, Document[]>()
  for (const name of new Set(queries.map((q) => q.collection))) {
    indexes.set(name, await app.mongo.db!.collection(name).indexes())
  }
  t.ok(queries.length > 30, `saw ${queries.length} queries`)
  const seen = new Set<string>()
  for (const query of queries) {
    const label = `${query.collection} ${JSON.stringify(query.filter, (_k, v) => v instanceof ObjectId || (typeof v === 'string' && /^[0-9a-f]{24}$/.test(v)) ? '<id>' : v)} sort ${JSON.stringify(query.sort)}`
    if (seen.has(label)) continue
    seen.add(label)
    t.ok(servedBy(query, indexes.get(query.collection) ?? []), label)
  }
})
