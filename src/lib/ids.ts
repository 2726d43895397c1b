import { ObjectId } from 'mongodb'

/** Parses an id that the route schema already checked to be 24 hex characters. */
export function toObjectId (id: string): ObjectId {
  return ObjectId.createFromHexString(id)
}
