import type { Collection, Document, Filter, ObjectId, UpdateFilter } from 'mongodb'
import type { AuditRepository, AuditTarget } from '../repositories/audit.js'

interface Moderated extends Document {
  _id: ObjectId
  status: string
  revision: number
}

export interface Transition<S extends string> {
  target: AuditTarget
  id: ObjectId
  from: readonly S[]
  to: S
  actorId: ObjectId
  action: string
  reason?: string | null
  /** Fields to set with the new status (e.g. publishedAt, the moderation note). */
  set?: Document
}

export type TransitionResult<T> = { ok: true, doc: T } | { ok: false, why: 'not_found' | 'wrong_status', status?: string }

/**
 * Moves a series or an episode from one of `from` to `to` as one step that only one caller can win:
 * the audit entry for the document's current revision is the claim (see the audit repository), and the
 * update is conditional on that revision. Every status change, by an admin or a creator, is in the audit log.
 */
export async function transition<T extends Moderated, S extends string> (
  collection: Collection<T>, audit: AuditRepository, t: Transition<S>
): Promise<TransitionResult<T>> {
  const current = await collection.findOne({ _id: t.id } as Filter<T>) as T | null
  if (current === null) return { ok: false, why: 'not_found' }
  if (!(t.from as readonly string[]).includes(current.status)) return { ok: false, why: 'wrong_status', status: current.status }
  const at = new Date()
  const won = await audit.claim({
    actorId: t.actorId, action: t.action, targetType: t.target, targetId: t.id, revision: current.revision,
    before: current.status, after: t.to, reason: t.reason ?? null, at
  })
  if (!won) return { ok: false, why: 'wrong_status', status: current.status }
  const doc = await collection.findOneAndUpdate(
    { _id: t.id, revision: current.revision } as Filter<T>,
    { $set: { status: t.to, updatedAt: at, ...t.set }, $inc: { revision: 1 } } as unknown as UpdateFilter<T>,
    { returnDocument: 'after' }
  ) as T | null
  return doc === null ? { ok: false, why: 'wrong_status', status: current.status } : { ok: true, doc }
}
