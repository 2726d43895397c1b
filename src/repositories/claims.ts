import type { Db } from 'mongodb'
import { unlessDuplicate } from '../adapters/db.js'

export interface ClaimDoc {
  /** What is claimed, e.g. `token:<id>` (a link used), `totp:<userId>:<step>` (a code used). */
  _id: string
  /** Kept until then (pruned by a job), long enough to outlive what it guards. */
  expiresAt: Date
}

/**
 * Things that may happen once: a link or a refresh token used, a two-factor code accepted. A claim is an insert
 * under a unique _id, atomic on MongoDB and on FerretDB (which does not re-check a conditional update's filter),
 * so of two requests using the same token at once exactly one wins.
 */
export function createClaimsRepository (db: Db) {
  const claims = db.collection<ClaimDoc>('claims')

  return {
    collection: claims,

    async ensureIndexes (): Promise<void> {
      await claims.createIndex({ expiresAt: 1 }, { name: 'expiresAt' })
    },

    /** True for the first caller with this key, false for every later one. */
    async claim (key: string, expiresAt: Date): Promise<boolean> {
      return await unlessDuplicate(() => claims.insertOne({ _id: key, expiresAt }))
    },

    /** Gives a claim back (what it guarded did not happen after all): the next caller may claim it. */
    async release (key: string): Promise<void> {
      await claims.deleteOne({ _id: key })
    },

    async prune (now = new Date()): Promise<number> {
      return (await claims.deleteMany({ expiresAt: { $lt: now } })).deletedCount
    }
  }
}

export type ClaimsRepository = ReturnType<typeof createClaimsRepository>
