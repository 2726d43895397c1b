import { ObjectId } from 'mongodb'

/** Parses an id that the route schema already checked to be 24 hex characters. */
export function toObjectId (id: string): ObjectId {
  return ObjectId.createFromHexString(id)
}

export function isDuplicateKeyError (err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000
}
