import { STATUS_CODES } from 'node:http'
import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox'
import { ERROR_CODES, errorCatalogue, type ErrorCode } from '../errors.js'

/**
 * A reference to a shared schema registered with `addSchema`: serialised as `{ $ref: id }` (so the
 * OpenAPI document gets one `components.schemas` entry) while TypeScript still sees the full type.
 */
export function ref<T extends TSchema & { $id?: string }> (schema: T): TUnsafe<Static<T>> {
  if (schema.$id === undefined) throw new Error('ref() needs a schema with an $id')
  return Type.Unsafe<Static<T>>(Type.Ref(schema.$id))
}

export const ObjectIdSchema = Type.String({
  $id: 'ObjectId',
  minLength: 24,
  maxLength: 24,
  pattern: '^[0-9a-fA-F]{24}$',
  description: 'A 24-character hexadecimal id',
  examples: ['665f1c2b9d3e4a0012345678']
})

export const ErrorResponseSchema = Type.Object({
  error: Type.Object({
    message: Type.String({ description: 'What went wrong, for people' }),
    status: Type.Integer({ format: 'int32', description: 'The HTTP status code, repeated' }),
    code: Type.Unsafe<ErrorCode>({
      type: 'string',
      enum: ERROR_CODES,
      description: 'What went wrong, for programs: one of the error catalogue\'s codes (src/errors.ts); each operation lists those it answers'
    }),
    requestId: Type.Optional(Type.String({ description: 'Quote it when reporting a server error' }))
  }, { additionalProperties: false })
}, { $id: 'ErrorResponse', additionalProperties: false, description: 'The body of every error response' })

export type ErrorResponse = Static<typeof ErrorResponseSchema>

/** A string enum, written as `{ type: string, enum }` so that client generators make a real enum type. */
export function StringEnum<const T extends readonly string[]> (
  values: T, options: Record<string, unknown> = {}
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options })
}

export const ROLES = ['viewer', 'creator', 'admin'] as const
export const RoleSchema = StringEnum(ROLES, { $id: 'Role' })
export type Role = Static<typeof RoleSchema>

export const SubscriptionStatusSchema = StringEnum(['none', 'active', 'past_due', 'canceled'], {
  $id: 'SubscriptionStatus',
  description: 'none (never subscribed), active, past_due (a renewal failed: it plays on for a grace period while ' +
    'Stripe retries the payment), canceled'
})
export type SubscriptionStatus = Static<typeof SubscriptionStatusSchema>

export const UserSchema = Type.Object({
  id: ref(ObjectIdSchema),
  email: Type.String({ format: 'email' }),
  role: ref(RoleSchema),
  subscription: Type.Object({
    status: ref(SubscriptionStatusSchema),
    offerId: Nullable(Type.String({ description: 'The VIP plan paid for (GET /billing/offers), when bought' })),
    currentPeriodEnd: Nullable(Type.String({ format: 'date-time', description: 'When the paid period ends (renews or stops)' })),
    updatedAt: Nullable(Type.String({ format: 'date-time' }))
  }, { additionalProperties: false }),
  emailVerified: Type.Boolean({ description: 'The user followed the verification link or typed its code; creators upload once verified' }),
  mfaEnabled: Type.Boolean({ description: 'Two-factor (TOTP) is on: sign-ins need a code' }),
  createdAt: Type.String({ format: 'date-time' })
}, { $id: 'User', additionalProperties: false })

export type User = Static<typeof UserSchema>

/** Wraps a payload in the success envelope: `{ data }`. */
export function envelope<T extends TSchema> (data: T) {
  return Type.Object({ data }, { additionalProperties: false })
}

/**
 * An error response in a route's schema: the shared body, with the codes it carries (`x-error-codes`, read by
 * the route's other hooks and the tests; the contract names them in the description, see plugins/swagger.ts).
 */
export type ErrorResponseRef = TUnsafe<ErrorResponse> & { 'x-error-codes': ErrorCode[] }

type StatusOf<C extends ErrorCode> = (typeof errorCatalogue)[C]['status']

/**
 * The error responses of a route, from the codes it may answer (grouped by their status): each response is
 * the shared body, described by its status text and codes. Codes every operation shares (rate limit,
 * outages, bearer-token refusals, bad input) are added in the contract (plugins/swagger.ts), and an area's
 * role check adds `forbidden` (plugins/auth.ts).
 */
export function errors<const C extends ErrorCode[]> (...codes: C): { [K in StatusOf<C[number]>]: ErrorResponseRef } {
  const byStatus = new Map<number, ErrorCode[]>()
  for (const code of new Set(codes)) {
    const status = errorCatalogue[code].status
    byStatus.set(status, [...byStatus.get(status) ?? [], code])
  }
  return Object.fromEntries([...byStatus].map(([status, list]) => [status, {
    ...ref(ErrorResponseSchema),
    description: `${STATUS_CODES[status] ?? 'Error'}: ${list.map((c) => `\`${c}\``).join(', ')}`,
    'x-error-codes': list
  }])) as { [K in StatusOf<C[number]>]: ErrorResponseRef }
}

/** The codes of a route's response schemas (those built by `errors()`). */
export function errorCodesOf (response: Record<string, unknown> | undefined): ErrorCode[] {
  return Object.values(response ?? {}).flatMap((r) => (r as { 'x-error-codes'?: ErrorCode[] } | null)?.['x-error-codes'] ?? [])
}

/** A route's responses with `codes` added to its error responses. */
export function withErrors (
  response: Record<string, unknown> | undefined, ...codes: ErrorCode[]
): Record<string, unknown> {
  const own = Object.fromEntries(Object.entries(response ?? {}).filter(([, r]) => (r as { 'x-error-codes'?: unknown } | null)?.['x-error-codes'] === undefined))
  return { ...own, ...errors(...errorCodesOf(response), ...codes) }
}

/** A value that may be null, written as OpenAPI 3.0's `nullable` (understood by Ajv and the serializer). */
export function Nullable<T extends TSchema> (schema: T): TUnsafe<Static<T> | null> {
  return Type.Unsafe<Static<T> | null>({ ...schema, nullable: true })
}

export const PageMetaSchema = Type.Object({
  total: Type.Integer({ minimum: 0, format: 'int64' }),
  page: Type.Integer({ minimum: 1, format: 'int32' }),
  limit: Type.Integer({ minimum: 1, format: 'int32' }),
  totalPages: Type.Integer({ minimum: 0, format: 'int32' }),
  nextCursor: Nullable(Type.String({ description: 'Pass as `cursor` for the next page; null on the last page' }))
}, { $id: 'PageMeta', additionalProperties: false })

export type PageMeta = Static<typeof PageMetaSchema>

/** A page of a list: `{ data: [...], meta: { total, page, limit, totalPages, nextCursor } }`. */
export function page<T extends TSchema> (item: T) {
  return Type.Object({
    data: Type.Array(item, { maxItems: 100 }),
    meta: ref(PageMetaSchema)
  }, { additionalProperties: false })
}

/** The `security` of a route that needs a bearer token. */
export const bearer = [{ bearerAuth: [] }]
