import { Type, type TProperties } from '@sinclair/typebox'
import { ObjectIdSchema, ref, StringEnum } from './common.js'

/** Path parameters, one schema per id kind: a malformed id is a 400 before any handler runs. */
export const SeriesParamsSchema = Type.Object({ seriesId: ref(ObjectIdSchema) })
export const EpisodeParamsSchema = Type.Object({ episodeId: ref(ObjectIdSchema) })
export const UserParamsSchema = Type.Object({ userId: ref(ObjectIdSchema) })
export const VideoParamsSchema = Type.Object({ videoId: ref(ObjectIdSchema) })

/** The Idempotency-Key of a request that moves coins: a retry with the same key answers the same, applied once. */
export const IdempotencyHeadersSchema = Type.Object({
  'idempotency-key': Type.String({
    minLength: 8,
    maxLength: 255,
    pattern: '^[\\x21-\\x7e]+$',
    description: 'A key the client makes per request (a UUID) and sends again when it retries the same request'
  })
})

const LimitSchema = Type.Integer({ minimum: 1, maximum: 100, format: 'int32', default: 20, description: 'Items per page, 1 to 100' })

/** `?limit=` alone, for a list that is one page. */
export const LimitQuerySchema = Type.Object({ limit: LimitSchema }, { additionalProperties: false })

/**
 * `?lang=`: the language a read of the catalogue answers in. One of the deployment's (or one it stands for:
 * `es-MX` → `es`); without it, the Accept-Language header decides; a series or episode without a text in that
 * language answers in its original. The answer names its language (`language`).
 */
export const LangProperty = {
  lang: Type.Optional(Type.String({
    minLength: 2,
    maxLength: 35,
    pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$',
    description: 'BCP 47, e.g. es or pt-BR: takes precedence over Accept-Language'
  }))
}
export const LangQuerySchema = Type.Object(LangProperty, { additionalProperties: false })

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
    limit: LimitSchema,
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

/** What a list's query string gives its repository: the page, or the cursor after the last one. */
export interface PageRequest {
  page: number
  limit: number
  sort: string
  cursor?: string
}
