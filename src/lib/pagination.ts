import { Type, type TProperties } from '@sinclair/typebox'
import type { Collection, Document, Filter, Sort } from 'mongodb'
import { StringEnum, type PageMeta } from '../schemas/common.js'

/**
 * The query string of a list: page, limit and `sort=field:asc|desc` with the fields this list allows
 * (anything else is a 400 naming the allowed values), plus the list's own filters.
 */
export function listQuery<const F extends readonly string[], P extends TProperties = {}> (
  sortFields: F, defaultSort: `${F[number]}:${'asc' | 'desc'}`, filters?: P
) {
  const sorts = sortFields.flatMap((f) => [`${f}:asc`, `${f}:desc`]) as Array<`${F[number]}:${'asc' | 'desc'}`>
  return Type.Object({
    page: Type.Integer({ minimum: 1, maximum: 10_000, format: 'int32', default: 1, description: 'Page number, from 1' }),
    limit: Type.Integer({ minimum: 1, maximum: 100, format: 'int32', default: 20, description: 'Items per page, 1 to 100' }),
    sort: StringEnum(sorts, { default: defaultSort, description: 'field:asc or field:desc' }),
    ...(filters ?? {} as P)
  }, { additionalProperties: false })
}

export interface PageRequest {
  page: number
  limit: number
  sort: string
}

/**
 * Turns `field:desc` into a driver sort. _id breaks ties so that pages never overlap, unless the
 * field is already unique within the filter (an episode's number within its series).
 */
export function toSort (sort: string, unique = false): Sort {
  const [field = '_id', direction] = sort.split(':')
  const dir = direction === 'desc' ? -1 : 1
  return field === '_id' || unique ? { [field]: dir } : { [field]: dir, _id: dir }
}

/** One page of a collection and the total, in two concurrent queries served by the same index. */
export async function findPage<T extends Document> (
  collection: Collection<T>, filter: Filter<T>, { page, limit, sort }: PageRequest, { uniqueSort = false } = {}
): Promise<{ items: T[], meta: PageMeta }> {
  const [items, total] = await Promise.all([
    collection.find(filter, { sort: toSort(sort, uniqueSort), skip: (page - 1) * limit, limit }).toArray() as Promise<T[]>,
    collection.countDocuments(filter)
  ])
  return { items, meta: { total, page, limit, totalPages: Math.ceil(total / limit) } }
}
