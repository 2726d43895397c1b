import type { ObjectId } from 'mongodb'
import type { Access, AuditEntry, CreatorEpisode, CreatorSeries, Episode, Series, Video, WatchEntry } from '../schemas/catalog.js'
import type { User } from '../schemas/common.js'
import type { AuditDoc } from '../repositories/audit.js'
import type { EpisodeDoc } from '../repositories/episodes.js'
import type { SeriesDoc } from '../repositories/series.js'
import type { UserDoc } from '../repositories/users.js'
import type { VideoDoc } from '../repositories/videos.js'
import type { WatchDoc } from '../repositories/watch-history.js'

/** Documents as the API shows them (the schemas in src/schemas): ids as hex, dates as ISO strings. */

const iso = (date: Date | null): string | null => date?.toISOString() ?? null

/** The public path of a series' cover image: routes/covers serves it (a redirect to the image). */
export const coverPath = (seriesId: ObjectId): string => `/covers/${seriesId.toHexString()}`

export function toUser (doc: UserDoc): User {
  return {
    id: doc._id.toHexString(),
    email: doc.email,
    role: doc.role,
    subscription: {
      status: doc.subscription.status,
      offerId: doc.subscription.offerId?.toHexString() ?? null,
      currentPeriodEnd: iso(doc.subscription.currentPeriodEnd ?? null),
      updatedAt: iso(doc.subscription.updatedAt)
    },
    emailVerified: doc.emailVerified === true,
    mfaEnabled: doc.mfa?.enabled === true,
    createdAt: doc.createdAt.toISOString()
  }
}

/** What a player needs of a video: the upload (played as MP4 until there is a ladder), the HLS ladder, the poster. */
export interface VideoSource {
  id: string
  s3Key: string
  hlsMasterKey: string | null
  posterKey: string | null
}

export const toVideoSource = (doc: VideoDoc): VideoSource => ({
  id: doc._id.toHexString(),
  s3Key: doc.s3Key,
  hlsMasterKey: doc.media?.hlsMasterKey ?? null,
  posterKey: doc.media?.posterKey ?? null
})

/** What plays an episode, from the files it keeps of its video; null for one made before it kept them. */
export const episodeSource = (doc: EpisodeDoc): VideoSource | null =>
  doc.source === undefined ? null : { id: doc.videoId.toHexString(), ...doc.source }

/** A video as its owner sees it; `posterUrl` is a presigned URL of its poster (null until it has one). */
export function toVideo (doc: VideoDoc, posterUrl: string | null): Video {
  return {
    id: doc._id.toHexString(),
    s3Key: doc.s3Key,
    title: doc.title,
    contentType: doc.contentType,
    sizeBytes: doc.sizeBytes,
    status: doc.status,
    failure: doc.failure,
    durationSec: doc.media?.durationSec ?? null,
    width: doc.media?.width ?? null,
    height: doc.media?.height ?? null,
    renditions: doc.media?.renditions ?? [],
    posterTimeSec: doc.posterTimeSec,
    posterUrl,
    createdAt: doc.createdAt.toISOString(),
    processedAt: doc.processedAt?.toISOString() ?? null
  }
}

/** A series as every viewer sees it: what the read cache keeps (src/services/catalogue.ts). */
export function toSeriesBase (doc: SeriesDoc) {
  return {
    id: doc._id.toHexString(),
    creatorId: doc.ownerId.toHexString(),
    title: doc.title,
    description: doc.description,
    genres: doc.genres,
    freeEpisodes: doc.freeEpisodes,
    coinPrice: doc.coinPrice ?? null,
    views: doc.views,
    coverUrl: doc.coverKey === null ? null : coverPath(doc._id),
    status: doc.status,
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
    publishedAt: iso(doc.publishedAt)
  }
}

export type SeriesBase = ReturnType<typeof toSeriesBase>

/** What a caller's access to the series' episodes depends on (see accessFor in src/services/access.ts). */
export const ownerOf = (series: SeriesBase) =>
  ({ freeEpisodes: series.freeEpisodes, ownerId: series.creatorId, coinPrice: series.coinPrice })

export function toSeries (doc: SeriesDoc | SeriesBase, inMyList: boolean): Series {
  return { ...('_id' in doc ? toSeriesBase(doc) : doc), inMyList }
}

export function toCreatorSeries (doc: SeriesDoc): CreatorSeries {
  return { ...toSeriesBase(doc), moderationNote: doc.moderationNote }
}

/** An episode as every viewer sees it, before the caller's access to it. */
export function toEpisodeBase (doc: EpisodeDoc) {
  return {
    id: doc._id.toHexString(),
    seriesId: doc.seriesId.toHexString(),
    number: doc.number,
    title: doc.title,
    durationSec: doc.durationSec ?? null,
    status: doc.status,
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
    publishedAt: iso(doc.publishedAt)
  }
}

export type EpisodeBase = ReturnType<typeof toEpisodeBase>

/** An episode as the caller sees it: their access, and what unlocking it costs while it is locked. */
export function toEpisode (doc: EpisodeDoc | EpisodeBase, access: Access, coinPrice: number | null = null): Episode {
  return { ...('_id' in doc ? toEpisodeBase(doc) : doc), access, coinPrice: access === 'locked' ? coinPrice : null }
}

export function toCreatorEpisode (doc: EpisodeDoc): CreatorEpisode {
  return { ...toEpisodeBase(doc), videoId: doc.videoId.toHexString(), moderationNote: doc.moderationNote }
}

export function toWatchEntry (doc: WatchDoc): WatchEntry {
  return {
    episodeId: doc.episodeId.toHexString(),
    seriesId: doc.seriesId.toHexString(),
    positionSec: doc.positionSec,
    durationSec: doc.durationSec,
    completed: doc.completed,
    updatedAt: doc.updatedAt.toISOString()
  }
}

export function toAuditEntry (doc: AuditDoc & { _id: ObjectId }): AuditEntry {
  return {
    id: doc._id.toHexString(),
    actorId: doc.actorId?.toHexString() ?? null,
    action: doc.action,
    targetType: doc.targetType,
    targetId: doc.targetId.toHexString(),
    before: doc.before,
    after: doc.after,
    reason: doc.reason,
    at: doc.at.toISOString()
  }
}
