import type { ObjectId } from 'mongodb'
import { ApiError, type ErrorCode } from '../errors.js'
import { event, type EventType } from '../events.js'
import type { EpisodeStatus, SeriesStatus } from '../schemas/catalog.js'
import type { PageRequest } from '../schemas/params.js'
import type { EpisodeDoc } from '../repositories/episodes.js'
import type { SeriesDoc } from '../repositories/series.js'
import type { Caller, Page, ServiceDeps } from './types.js'
import { toAuditEntry, toCreatorEpisode, toCreatorSeries } from './views.js'

/**
 * One step of the moderation state machine: who may take it, from which statuses to which, what it records
 * (the audit action, the domain event, the fields set with the status) and how a refusal is answered.
 */
interface Step<S extends string> {
  /** 'admin': any admin; 'owner': the creator of the target only (anyone else gets 404: it is not theirs). */
  who: 'admin' | 'owner'
  from: readonly S[]
  to: S
  action: string
  /** The event it emits, by the status it left. */
  event: (from: S) => EventType
  /** Fields set with the status: the publication date, the moderation note (the reason, or cleared). */
  set: (at: Date, reason: string | null) => Record<string, unknown>
  refusal: { code: ErrorCode, message: (status: S) => string }
}

const published = (at: Date) => ({ publishedAt: at, moderationNote: null })
const noted = (_at: Date, reason: string | null) => ({ moderationNote: reason })
const cleared = () => ({ moderationNote: null })
/** Admin steps name the status they need; a creator's step names the status that stands in the way. */
const notIn = (kind: string, expected: string, code: ErrorCode = 'wrong_status') =>
  ({ code, message: () => `This ${kind} is not ${expected}` })
const whileIn = (kind: string) => ({ code: 'wrong_status' as const, message: (status: string) => `Not possible while the ${kind} is ${status}` })

/** A row of a table below: who, from → to, the audit action, the event (by the status left), fields, refusal. */
function step<S extends string> (
  who: Step<S>['who'], from: ReadonlyArray<NoInfer<S>>, to: NoInfer<S>, action: string,
  event: EventType | ((from: NoInfer<S>) => EventType), set: Step<S>['set'], refusal: Step<NoInfer<S>>['refusal']
): Step<S> {
  return { who, from, to, action, event: typeof event === 'function' ? event : () => event, set, refusal }
}

/** An episode: created pending; an admin publishes or rejects it, and may take it down; its creator resubmits. */
export const EPISODE_STEPS: Record<'approve' | 'reject' | 'unpublish' | 'submit', Step<EpisodeStatus>> = {
  approve: step('admin', ['pending'], 'published', 'episode.approve', 'episode.published',
    published, notIn('episode', 'pending', 'not_pending')),
  reject: step('admin', ['pending'], 'rejected', 'episode.reject', 'episode.rejected',
    noted, notIn('episode', 'pending', 'not_pending')),
  unpublish: step('admin', ['published'], 'unpublished', 'episode.unpublish', 'episode.unpublished',
    noted, notIn('episode', 'published')),
  submit: step('owner', ['rejected', 'unpublished'], 'pending', 'episode.submit', 'episode.resubmitted',
    cleared, whileIn('episode'))
}

/**
 * A series: created pending (or a draft); published with its first approved episode, or by an admin when it
 * was resubmitted; rejected or taken down by an admin; submitted (again) by its creator.
 */
export const SERIES_STEPS: Record<'publishWithEpisode' | 'approve' | 'reject' | 'unpublish' | 'submit', Step<SeriesStatus>> = {
  /** The cascade of an episode's approval: a draft or pending series goes live with it. */
  publishWithEpisode: step('admin', ['draft', 'pending'], 'published', 'series.publish', 'series.published',
    published, notIn('series', 'pending', 'not_pending')),
  approve: step('admin', ['pending'], 'published', 'series.publish', 'series.published',
    published, notIn('series', 'pending', 'not_pending')),
  reject: step('admin', ['draft', 'pending'], 'rejected', 'series.reject', 'series.rejected',
    noted, notIn('series', 'pending')),
  unpublish: step('admin', ['published'], 'unpublished', 'series.unpublish', 'series.unpublished',
    noted, notIn('series', 'published')),
  submit: step('owner', ['draft', 'rejected', 'unpublished'], 'pending', 'series.submit',
    (from) => from === 'draft' ? 'series.submitted' : 'series.resubmitted', cleared, whileIn('series'))
}

/** What a creator may delete: a series never published, an episode never published (DELETE is 409 otherwise). */
export const DELETABLE = {
  series: ['draft', 'rejected'] as readonly SeriesStatus[],
  episode: ['pending', 'rejected'] as readonly EpisodeStatus[]
}

interface Moderated {
  _id: ObjectId
  ownerId: ObjectId
  status: SeriesStatus | EpisodeStatus
  revision: number
}

/** What the state machine needs of a collection: a read by id and a write at a revision. */
interface Target<D extends Moderated> {
  type: 'series' | 'episode'
  notFound: ErrorCode
  repo: {
    findById: (id: ObjectId) => Promise<D | null>
    updateAtRevision: (id: ObjectId, revision: number, set: Partial<D>) => Promise<D | null>
  }
}

export function createModerationService ({ repos, events }: ServiceDeps) {
  const { series, episodes, videos, audit } = repos
  const SERIES: Target<SeriesDoc> = { type: 'series', notFound: 'series_not_found', repo: series }
  const EPISODE: Target<EpisodeDoc> = { type: 'episode', notFound: 'episode_not_found', repo: episodes }

  /**
   * Takes one step on a series or an episode, as one change only one caller can win: the audit entry for the
   * target's current revision is the claim (unique per revision, see the audit repository), and the update
   * is conditional on that revision. Every status change is in the audit log and emits its event.
   */
  async function take<D extends Moderated> (
    target: Target<D>, step: Step<D['status']>, caller: Caller, id: ObjectId, reason: string | null = null
  ): Promise<D> {
    const current = await target.repo.findById(id)
    if (current === null || (step.who === 'owner' && !current.ownerId.equals(caller._id))) throw new ApiError(target.notFound)
    if (step.who === 'admin' && caller.role !== 'admin') throw new ApiError('forbidden')
    const refuse = () => new ApiError(step.refusal.code, step.refusal.message(current.status))
    if (!step.from.includes(current.status)) throw refuse()
    const at = new Date()
    const won = await audit.claim({
      actorId: caller._id,
      action: step.action,
      targetType: target.type,
      targetId: id,
      revision: current.revision,
      before: current.status,
      after: step.to,
      reason,
      at
    })
    if (!won) throw refuse()
    const set = { status: step.to, updatedAt: at, ...step.set(at, reason) } as unknown as Partial<D>
    const moved = await target.repo.updateAtRevision(id, current.revision, set)
    if (moved === null) throw refuse()
    const seriesId = (moved as Partial<EpisodeDoc>).seriesId
    const type = step.event(current.status)
    await events.emit(event(type, caller._id, { type: target.type, id, seriesId }, current.status, step.to, at))
    return moved
  }

  /**
   * An episode goes to viewers, or to review, only with a video that is ready (409 `video_not_ready`). Checked
   * for callers allowed to take the step; take() refuses the others as it refuses any step.
   */
  async function requireReadyVideo (episodeId: ObjectId, caller: Caller, who: 'admin' | 'owner'): Promise<void> {
    const found = await episodes.findById(episodeId)
    if (found === null || (who === 'owner' ? !found.ownerId.equals(caller._id) : caller.role !== 'admin')) return
    if ((await videos.findById(found.videoId))?.status !== 'ready') throw new ApiError('video_not_ready')
  }

  return {
    /**
     * An admin publishes a pending episode (409 `not_pending` otherwise, so of two admins approving at once one
     * wins). Its series goes live with it when it was a draft or pending, as a step of its own in the audit log;
     * a series already published, rejected or taken down stays as it is.
     */
    async approveEpisode (caller: Caller, id: ObjectId) {
      await requireReadyVideo(id, caller, 'admin')
      const episode = await take(EPISODE, EPISODE_STEPS.approve, caller, id)
      await take(SERIES, SERIES_STEPS.publishWithEpisode, caller, episode.seriesId).catch((err: unknown) => {
        if (!(err instanceof ApiError)) throw err // refused: the series stays as it is
      })
      return toCreatorEpisode(episode)
    },

    async rejectEpisode (caller: Caller, id: ObjectId, reason: string) {
      return toCreatorEpisode(await take(EPISODE, EPISODE_STEPS.reject, caller, id, reason))
    },

    async unpublishEpisode (caller: Caller, id: ObjectId, reason: string) {
      return toCreatorEpisode(await take(EPISODE, EPISODE_STEPS.unpublish, caller, id, reason))
    },

    /** Its creator sends a rejected or taken-down episode back for review. */
    async submitEpisode (caller: Caller, id: ObjectId) {
      await requireReadyVideo(id, caller, 'owner')
      return toCreatorEpisode(await take(EPISODE, EPISODE_STEPS.submit, caller, id))
    },

    async approveSeries (caller: Caller, id: ObjectId) {
      return toCreatorSeries(await take(SERIES, SERIES_STEPS.approve, caller, id))
    },

    async rejectSeries (caller: Caller, id: ObjectId, reason: string) {
      return toCreatorSeries(await take(SERIES, SERIES_STEPS.reject, caller, id, reason))
    },

    async unpublishSeries (caller: Caller, id: ObjectId, reason: string) {
      return toCreatorSeries(await take(SERIES, SERIES_STEPS.unpublish, caller, id, reason))
    },

    /** Its creator sends a draft, rejected or taken-down series for review. */
    async submitSeries (caller: Caller, id: ObjectId) {
      return toCreatorSeries(await take(SERIES, SERIES_STEPS.submit, caller, id))
    },

    async pendingSeries (page: PageRequest): Promise<Page<ReturnType<typeof toCreatorSeries>>> {
      const { items, meta } = await series.listByStatus('pending', {}, page)
      return { data: items.map(toCreatorSeries), meta }
    },

    async pendingEpisodes (page: PageRequest): Promise<Page<ReturnType<typeof toCreatorEpisode>>> {
      const { items, meta } = await episodes.listByStatus('pending', page)
      return { data: items.map(toCreatorEpisode), meta }
    },

    async auditLog (filter: { actorId?: ObjectId, targetId?: ObjectId }, page: PageRequest) {
      const { items, meta } = await audit.list(filter, page)
      return { data: items.map((e) => toAuditEntry(e as Required<typeof e>)), meta }
    }
  }
}

export type ModerationService = ReturnType<typeof createModerationService>
