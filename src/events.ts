import type { ObjectId } from 'mongodb'
import type { EpisodeStatus, SeriesStatus, VideoStatus } from './schemas/catalog.js'
import type { Role, SubscriptionStatus } from './schemas/common.js'

/**
 * Domain events: every committed state change is announced once, after the write, by the service that made
 * it. Caches, webhooks and analytics subscribe here instead of to routes. Delivery is in process: the service
 * waits for the listeners before it answers (so a cache is invalidated before the change is seen), and a
 * listener that throws is logged and never fails the change (nor the other listeners). Listeners must be quick:
 * slow work goes to a job.
 */

/** Each event's target and the state its `before` and `after` carry. */
interface Shapes {
  'series.created': { target: 'series', state: SeriesStatus }
  'series.updated': { target: 'series', state: SeriesStatus }
  'series.deleted': { target: 'series', state: SeriesStatus }
  'series.submitted': { target: 'series', state: SeriesStatus }
  'series.resubmitted': { target: 'series', state: SeriesStatus }
  'series.published': { target: 'series', state: SeriesStatus }
  'series.rejected': { target: 'series', state: SeriesStatus }
  'series.unpublished': { target: 'series', state: SeriesStatus }
  'episode.created': { target: 'episode', state: EpisodeStatus }
  'episode.updated': { target: 'episode', state: EpisodeStatus }
  'episode.deleted': { target: 'episode', state: EpisodeStatus }
  'episode.resubmitted': { target: 'episode', state: EpisodeStatus }
  'episode.published': { target: 'episode', state: EpisodeStatus }
  'episode.rejected': { target: 'episode', state: EpisodeStatus }
  'episode.unpublished': { target: 'episode', state: EpisodeStatus }
  'video.saved': { target: 'video', state: VideoStatus }
  'video.ready': { target: 'video', state: VideoStatus }
  'video.failed': { target: 'video', state: VideoStatus }
  'user.registered': { target: 'user', state: Role }
  'user.role_changed': { target: 'user', state: Role }
  'user.subscription_changed': { target: 'user', state: SubscriptionStatus }
  'user.email_verified': { target: 'user', state: boolean }
  /** Two-factor turned on (true) or off. */
  'user.mfa_changed': { target: 'user', state: boolean }
  /** Logout, a password change: every token issued before is refused; the state is the token version. */
  'user.sessions_revoked': { target: 'user', state: number }
  'progress.recorded': { target: 'episode', state: { positionSec: number, completed: boolean } }
  /** A viewer unlocked an episode with coins; the state is the coins it cost. */
  'episode.unlocked': { target: 'episode', state: number }
  /** Coins in or out of a user's wallet (a purchase, a check-in, a refund, an admin); the state is the balance. */
  'coins.changed': { target: 'user', state: number }
}

export type EventType = keyof Shapes

/** The domain events integrators may subscribe to with a webhook. */
export const WEBHOOK_EVENTS = [
  'video.ready', 'video.failed', 'episode.published', 'episode.rejected', 'episode.unpublished',
  'series.published', 'series.unpublished'
] as const satisfies readonly EventType[]
export type WebhookEvent = typeof WEBHOOK_EVENTS[number]

export interface DomainEvent<T extends EventType = EventType> {
  type: T
  /** Who made the change; null for the system (a script, a job). */
  actorId: ObjectId | null
  /** What changed; an episode also names its series (a cache of the series' episodes depends on it). */
  target: { type: Shapes[T]['target'], id: ObjectId, seriesId?: ObjectId }
  before: Shapes[T]['state'] | null
  after: Shapes[T]['state'] | null
  at: Date
}

export type Listener<T extends EventType> = (event: DomainEvent<T>) => void | Promise<void>

export interface EventLog {
  warn: (obj: object, msg: string) => void
}

export function createEventBus (log: EventLog) {
  const listeners = new Map<EventType | '*', Array<Listener<EventType>>>()

  return {
    /** Calls `listener` with every event of `type` (or every event, for '*'), after each change. */
    on<T extends EventType> (type: T | '*', listener: Listener<T>): void {
      listeners.set(type, [...listeners.get(type) ?? [], listener as Listener<EventType>])
    },

    /** Calls every listener of the event and waits for them; one that throws is logged and changes nothing. */
    async emit<T extends EventType> (event: DomainEvent<T>): Promise<void> {
      await Promise.all([...listeners.get(event.type) ?? [], ...listeners.get('*') ?? []].map(async (listener) => {
        try {
          await listener(event)
        } catch (err) {
          log.warn({ err, event: event.type, targetId: event.target.id.toHexString() }, 'an event listener failed')
        }
      }))
    }
  }
}

export type EventBus = ReturnType<typeof createEventBus>

/** Events as one record: the shape every emit in the services takes. */
export function event<T extends EventType> (
  type: T, actorId: ObjectId | null, target: DomainEvent<T>['target'], before: DomainEvent<T>['before'], after: DomainEvent<T>['after'], at = new Date()
): DomainEvent<T> {
  return { type, actorId, target, before, after, at }
}
