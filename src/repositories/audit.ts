import type { Db, ObjectId } from 'mongodb'
import type { AuditTarget } from '../schemas/catalog.js'
import type { PageRequest } from '../schemas/params.js'
import { findPage, unlessDuplicate } from '../adapters/db.js'

export interface AuditDoc {
  _id?: ObjectId
  /** The admin; null for the system (a Stripe event). */
  actorId: ObjectId | null
  action: string
  targetType: AuditTarget
  targetId: ObjectId
  /** The target's revision this action started from: unique per target, so one action wins a race. */
  revision: number
  before: string | null
  after: string | null
  reason: string | null
  at: Date
}

/**
 * The record of every admin action, which doubles as the lock for state changes. FerretDB (the local
 * server) applies a conditional update like `{ _id, status: 'pending' }` without re-checking the
 * condition, so two admins could both "win"; a unique (targetId, revision) insert is atomic on MongoDB
 * and FerretDB alike. The winner then moves the target to revision + 1.
 */
export function createAuditRepository (db: Db) {
  const audit = db.collection<AuditDoc>('audit_log')

  return {
    collection: audit,

    async ensureIndexes (): Promise<void> {
      await audit.createIndex({ targetId: 1, revision: 1 }, { unique: true, name: 'target_revision_unique' })
      await audit.createIndex({ at: -1, _id: -1 }, { name: 'at' })
      await audit.createIndex({ actorId: 1, at: -1, _id: -1 }, { name: 'actor_at' })
      await audit.createIndex({ targetId: 1, at: -1, _id: -1 }, { name: 'target_at' })
    },

    async list (filter: { actorId?: ObjectId, targetId?: ObjectId }, page: PageRequest) {
      return await findPage(audit, {
        ...(filter.actorId === undefined ? {} : { actorId: filter.actorId }),
        ...(filter.targetId === undefined ? {} : { targetId: filter.targetId })
      }, page)
    },

    /** Subscription changes from `from` to `to` (exclusive): to active (started) and from active (ended). */
    async subscriptionChanges (from: Date, to: Date): Promise<{ started: number, ended: number }> {
      const projection = { action: 1, before: 1, after: 1 }
      const rows = await audit.find({ at: { $gte: from, $lt: to } }, { projection }).toArray()
      const changes = rows.filter((r) => r.action === 'user.subscription')
      return {
        started: changes.filter((r) => r.after === 'active' && r.before !== 'active' && r.before !== 'past_due').length,
        ended: changes.filter((r) => r.after === 'canceled').length
      }
    },

    /** Records the action; false when another action already started from the same revision. */
    async claim (entry: AuditDoc): Promise<boolean> {
      return await unlessDuplicate(() => audit.insertOne(entry))
    }
  }
}

export type AuditRepository = ReturnType<typeof createAuditRepository>
