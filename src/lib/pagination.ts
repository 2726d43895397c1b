import { Type, type TProperties } from '@sinclair/typebox'
import { BSON, ObjectId, type Collection, type Document, type Filter } from 'mongodb'
import { StringEnum, type PageMeta } from '../schemas/common.js'

/**
 * The query string of a list: page, limit and `sort=field:asc|desc` with the fields this list allows
 * (anything else is a 400 naming the allowed values), `cursor` (the previous page's `meta.nextCursor`),
 * plus the list's own filters.
 */
export function listQuery<const F extends readonly string[], P extends TProperties = {}> (
  sortFields: F, defaultSort: `${F[number]}:${'asc' | 'desc'}`, filters?: P
) {
  const sorts = sortFields.flatMap((f) => [`${f}:asc`, `${f}:desc`]) as Array<`${F[number]}:${'asc' | 'desc'}`>
  return Type.Object({
    page: Type.Integer({ minimum: 1, maximum: 10_000, format: 'int32', default: 1, description: 'Page number, from 1' }),
    limit: Type.Integer({ minimum: 1, maximum: 100, format: 'int32', default: 20, description: 'Items per page, 1 to 100' }),
    sort: StringEnum(sorts, { default: defaultSort, description: 'field:asc or field:desc' }),
    cursor: Type.Optional(Type.String({
      minLength: 1,
      maxLength: 1024,
      pattern: '^[A-Za-z0-9_-]+$',
      description: 'The previous page\'s `meta.nextCursor`: the page after it, found by position instead of by ' +
        'skipping `(page - 1) * limit` items, so deep pages cost what the first does. Pass the same sort and ' +
        'filters; `page` is then ignored'
    })),
    ...(filters ?? {} as P)
  }, { additionalProperties: false })
}

export interface PageRequest {
  page: number
  limit: number
  sort: string
  cursor?: string
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
export class InvalidCursorError extends Error {
  readonly statusCode = 400
  readonly code = 'invalid_cursor'
  constructor () {
    super('The cursor is not valid here: pass meta.nextCursor from the previous page, with the same sort')
  }
}

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
    throw new InvalidCursorError()
  }
  const { s, p, k } = (typeof value === 'object' && value !== null ? value : {}) as { s?: unknown, p?: unknown, k?: unknown }
  if (s !== sort || !Number.isSafeInteger(p) || (p as number) < 2 || !Array.isArray(k) || k.length !== fields || !k.every(isKey)) {
    throw new InvalidCursorError()
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
 * One page of a collection and the total, in two concurrent queries served by the same index: by offset, or
 * after a cursor (the sort key of the previous page's last item). One item more than the page is read, to
 * tell whether a next page exists.
 */
export async function findPage<T extends Document> (
  collection: Collection<T>, filter: Filter<T>, request: PageRequest, { uniqueSort = false, total: countTotal }: PageOptions = {}
): Promise<{ items: T[], meta: PageMeta }> {
  const { limit, sort, cursor } = request
  const order = toSort(sort, uniqueSort)
  const from = cursor === undefined ? undefined : decodeCursor(cursor, sort, Object.keys(order).length)
  const page = from?.page ?? request.page
  const query = (from === undefined ? filter : { ...filter, $or: after(order, from.keys) }) as Filter<T>
  const [found, total] = await Promise.all([
    collection.find(query, { sort: order, skip: from === undefined ? (page - 1) * limit : 0, limit: limit + 1 }).toArray() as Promise<T[]>,
    countTotal === undefined ? collection.countDocuments(filter) : countTotal()
  ])
  const items = found.slice(0, limit)
  const last = items.at(-1)
  const nextCursor = found.length > limit && last !== undefined
    ? encodeCursor(sort, Object.keys(order).map((f) => last[f]), page + 1)
    : null
  return { items, meta: { total, page, limit, totalPages: Math.ceil(total / limit), nextCursor } }
}
