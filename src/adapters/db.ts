import {
  BSON, ObjectId, type Collection, type Document, type Filter, type MongoClientOptions, type OptionalUnlessRequiredId,
  type UpdateFilter, type WithId
} from 'mongodb'
import { ApiError } from '../errors.js'
import type { PageMeta } from '../schemas/common.js'
import type { PageRequest } from '../schemas/params.js'

/**
 * The database layer shared by every repository: the client options (the app's plugin and the bench use
 * the same), inserts that may meet a unique index, and pages by offset or cursor.
 */

/**
 * The client's options. `requestTimeoutMs` (the API's, DB_TIMEOUT_MS): every step of an operation (choosing the
 * server, waiting for a pooled connection, connecting, the command itself) is bounded by it, and nothing is
 * retried, so that an unreachable or stalled database (a partition, a long pause: connections open, nothing
 * answers) is a 503 with Retry-After within about that time instead of a request hung for 15 s or more (what the
 * driver's defaults and its one retry add up to). Without it (the worker, scripts): longer bounds and the driver's
 * retries, for work that nobody waits on.
 */
export const mongoClientOptions = (appName: string, requestTimeoutMs?: number): MongoClientOptions => ({
  serverSelectionTimeoutMS: 3000,
  connectTimeoutMS: 3000,
  socketTimeoutMS: 30_000,
  maxPoolSize: 50,
  appName,
  ...(requestTimeoutMs === undefined
    ? {}
    : {
        serverSelectionTimeoutMS: requestTimeoutMs,
        connectTimeoutMS: requestTimeoutMs,
        socketTimeoutMS: requestTimeoutMs,
        waitQueueTimeoutMS: requestTimeoutMs,
        retryReads: false,
        retryWrites: false
      })
})

export function isDuplicateKeyError (err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000
}

/** Inserts a document; null when a unique index already holds its key (an email, an s3Key, a number). */
export async function insertOrNull<T extends Document> (
  collection: Collection<T>, doc: OptionalUnlessRequiredId<T>
): Promise<WithId<T> | null> {
  try {
    const { insertedId } = await collection.insertOne(doc)
    return { ...doc, _id: insertedId } as WithId<T>
  } catch (err) {
    if (isDuplicateKeyError(err)) return null
    throw err
  }
}

/**
 * Runs an upsert once more when it lost a race to insert: two first writes at once both try to insert, the
 * unique index lets one in, and the other then updates that one.
 */
export async function upsertRacing<T> (upsert: () => Promise<T>): Promise<T> {
  try {
    return await upsert()
  } catch (err) {
    if (isDuplicateKeyError(err)) return await upsert()
    throw err
  }
}

/** Runs a write that may meet a unique index; false when it did (another writer got there first). */
export async function unlessDuplicate (write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write()
    return true
  } catch (err) {
    if (isDuplicateKeyError(err)) return false
    throw err
  }
}

/**
 * Turns `field:desc` into a driver sort. _id breaks ties so that pages never overlap, unless the
 * field is already unique within the filter (an episode's number within its series).
 */
export function toSort (sort: string, unique = false): Record<string, 1 | -1> {
  const [field = '_id', direction] = sort.split(':')
  const dir = direction === 'desc' ? -1 : 1
  return field === '_id' || unique ? { [field]: dir } : { [field]: dir, _id: dir }
}

/** A cursor the client changed, or one from another list or sort: 400 `invalid_cursor`. */
const invalidCursor = () => new ApiError('invalid_cursor')

type Key = string | number | Date | ObjectId

const isKey = (v: unknown): v is Key =>
  typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) ||
  (v instanceof Date && !Number.isNaN(v.getTime())) || v instanceof ObjectId

/**
 * A cursor is the sort key of the last item shown (base64url Extended JSON, so dates and ids keep their
 * types), with the sort it belongs to and the number of the page it leads to.
 */
function encodeCursor (sort: string, keys: unknown[], page: number): string {
  return Buffer.from(BSON.EJSON.stringify({ s: sort, p: page, k: keys }, { relaxed: false })).toString('base64url')
}

function decodeCursor (cursor: string, sort: string, fields: number): { page: number, keys: Key[] } {
  let value: unknown
  try {
    value = BSON.EJSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'), { relaxed: true })
  } catch {
    throw invalidCursor()
  }
  const { s, p, k } = (typeof value === 'object' && value !== null ? value : {}) as { s?: unknown, p?: unknown, k?: unknown }
  const pageOk = Number.isSafeInteger(p) && (p as number) >= 2
  if (s !== sort || !pageOk || !Array.isArray(k) || k.length !== fields || !k.every(isKey)) {
    throw invalidCursor()
  }
  return { page: p as number, keys: k }
}

/** Items after `keys` in `order`: (a > x) or (a = x and b > y) or ..., each `>` a `<` where descending. */
function after (order: Record<string, 1 | -1>, keys: Key[]): Document[] {
  const fields = Object.entries(order)
  return fields.map(([field, dir], i) => ({
    ...Object.fromEntries(fields.slice(0, i).map(([f], j) => [f, keys[j]])),
    [field]: { [dir === 1 ? '$gt' : '$lt']: keys[i] }
  }))
}

export interface PageOptions {
  /** The sort field is unique within the filter: no _id tie-breaker. */
  uniqueSort?: boolean
  /** Where the total comes from, when not a count of the filter (e.g. a cached count). */
  total?: () => Promise<number>
}

/**
 * One page of a collection and the total, served by the same index: by offset, or after a cursor (the sort key
 * of the previous page's last item). One item more than the page is read, to tell whether a next page exists.
 * The total is counted only when the page cannot tell it: a page by offset that holds the last item (most
 * first pages of a viewer's own lists) already says how many there are.
 */
export async function findPage<T extends Document> (
  collection: Collection<T>, filter: Filter<T>, request: PageRequest,
  { uniqueSort = false, total: countTotal }: PageOptions = {}
): Promise<{ items: T[], meta: PageMeta }> {
  const { limit, sort, cursor } = request
  const order = toSort(sort, uniqueSort)
  const from = cursor === undefined ? undefined : decodeCursor(cursor, sort, Object.keys(order).length)
  const page = from?.page ?? request.page
  const query = (from === undefined ? filter : { ...filter, $or: after(order, from.keys) }) as Filter<T>
  const skip = from === undefined ? (page - 1) * limit : 0
  const found = await collection.find(query, { sort: order, skip, limit: limit + 1 }).toArray() as T[]
  const items = found.slice(0, limit)
  const endsHere = from === undefined && found.length <= limit && (items.length > 0 || page === 1)
  const total = endsHere
    ? (page - 1) * limit + items.length
    : countTotal === undefined ? await collection.countDocuments(filter) : await countTotal()
  const last = items.at(-1)
  const nextCursor = found.length > limit && last !== undefined
    ? encodeCursor(sort, Object.keys(order).map((f) => last[f]), page + 1)
    : null
  return { items, meta: { total, page, limit, totalPages: Math.ceil(total / limit), nextCursor } }
}

/**
 * The same page as findPage, with the same meta and cursors, of a whole list already in memory (read at once and
 * cached: a series' episodes), sorted by a number or string field unique in the list. The total is its length.
 */
export function pageOf<T extends Record<string, unknown>> (
  all: T[], request: PageRequest
): { items: T[], meta: PageMeta } {
  const { limit, sort, cursor } = request
  const [field, dir] = Object.entries(toSort(sort, true))[0]!
  const keyOf = (item: T) => item[field] as number | string
  const compare = (a: number | string, b: number | string) => a === b ? 0 : (a < b ? -dir : dir)
  const sorted = [...all].sort((a, b) => compare(keyOf(a), keyOf(b)))
  const from = cursor === undefined ? undefined : decodeCursor(cursor, sort, 1)
  const page = from?.page ?? request.page
  const rest = from === undefined
    ? sorted.slice((page - 1) * limit)
    : sorted.filter((item) => compare(keyOf(item), from.keys[0] as number | string) > 0)
  const items = rest.slice(0, limit)
  const last = items.at(-1)
  const nextCursor = rest.length > limit && last !== undefined ? encodeCursor(sort, [keyOf(last)], page + 1) : null
  return { items, meta: { total: all.length, page, limit, totalPages: Math.ceil(all.length / limit), nextCursor } }
}

/**
 * Sets `set` on the document at `revision` and moves it to revision + 1: null when another change moved it
 * first. State changes claim the revision in the audit log before calling this (see the audit repository).
 */
export async function updateAtRevision<T extends Document & { _id: ObjectId, revision: number }> (
  collection: Collection<T>, id: ObjectId, revision: number, set: Partial<T>
): Promise<WithId<T> | null> {
  return await collection.findOneAndUpdate(
    { _id: id, revision } as Filter<T>,
    { $set: set, $inc: { revision: 1 } } as unknown as UpdateFilter<T>,
    { returnDocument: 'after' }
  )
}
