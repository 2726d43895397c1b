import type { ObjectId } from 'mongodb'
import type { Access, AuditEntry, CreatorEpisode, CreatorSeries, Episode, Series, Video, WatchEntry } from '../schemas/catalog.js'
import type { User } from '../schemas/common.js'
import type { AuditDoc } from '../repositories/audit.js'
import type { EpisodeDoc } from '../repositories/episodes.js'
import type { SeriesDoc } from '../repositories/series.js'
import type { UserDoc } from '../repositories/users.js'
import type { VideoDoc } from '../repositories/videos.js'
import type { WatchDoc } from '../repositories/watch-history.js'
import { priceIn } from './access.js'

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

/** The original language of a series made before series had one: BCP 47's "undetermined". */
export const UNDETERMINED = 'und'

/** The language a text is answered in: the one asked for when there is a text in it, else the original. */
const answeredIn = (language: string | null | undefined, translations: Record<string, unknown> | undefined) =>
  language != null && translations?.[language] !== undefined ? language : null

type AudioFailure = CreatorEpisode['audioTracks'][number]['failure']

/** A subtitle language as players list it: its name in itself ("español", "português (Brasil)"). */
export const trackName = (language: string): string => {
  try {
    return new Intl.DisplayNames([language], { type: 'language' }).of(language) ?? language
  } catch {
    return language
  }
}

/**
 * A series as every viewer sees it in one language (`language`, else its original): what the read cache keeps,
 * one entry per language (src/services/catalogue.ts). Its price per market goes with it for the caller's price.
 */
export function toSeriesBase (doc: SeriesDoc, language: string | null = null) {
  const original = doc.language ?? UNDETERMINED
  const asked = answeredIn(language, doc.translations)
  const text = asked === null ? doc : doc.translations![asked]!
  return {
    id: doc._id.toHexString(),
    creatorId: doc.ownerId.toHexString(),
    title: text.title,
    description: text.description,
    language: asked ?? original,
    originalLanguage: original,
    languages: [original, ...Object.keys(doc.translations ?? {}).sort()],
    genres: doc.genres,
    freeEpisodes: doc.freeEpisodes,
    coinPrice: doc.coinPrice ?? null,
    regionalPrices: doc.regionalPrices ?? {},
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

/** A series as a viewer sees it: in their language, at their market's price. */
export function toSeries (base: SeriesBase, inMyList: boolean, country: string | null = null): Series {
  const { regionalPrices, ...shown } = base
  return { ...shown, coinPrice: priceIn(base, country), inMyList }
}

export function toCreatorSeries (doc: SeriesDoc): CreatorSeries {
  const { regionalPrices, ...base } = toSeriesBase(doc)
  return {
    ...base,
    translations: Object.entries(doc.translations ?? {}).map(([language, text]) => ({ language, ...text }))
      .sort((a, b) => a.language.localeCompare(b.language)),
    regionalPrices: Object.entries(regionalPrices).map(([country, coinPrice]) => ({ country, coinPrice }))
      .sort((a, b) => a.country.localeCompare(b.country)),
    moderationNote: doc.moderationNote
  }
}

/**
 * The files an episode's stream offers beside its ladder, by language (what the master playlist announces): what
 * the catalogue caches with a published episode.
 */
export const streamFilesOf = (doc: EpisodeDoc) => ({
  subtitles: Object.entries(doc.subtitles ?? {}).map(([language, file]) => ({ language, key: file.key }))
    .sort((a, b) => a.language.localeCompare(b.language)),
  audio: Object.entries(doc.audio ?? {}).flatMap(([language, track]) =>
    track.status === 'ready' && track.folder !== null ? [{ language, folder: track.folder }] : [])
    .sort((a, b) => a.language.localeCompare(b.language))
})

export type StreamFiles = ReturnType<typeof streamFilesOf>

const subtitlesOf = (doc: EpisodeDoc) =>
  Object.keys(doc.subtitles ?? {}).sort().map((language) => ({ language, name: trackName(language) }))

/**
 * An episode as every viewer sees it in one language, before the caller's access to it; `language` null: its
 * series' original (which the episode does not know; toEpisode names it).
 */
export function toEpisodeBase (doc: EpisodeDoc, language: string | null = null) {
  const asked = answeredIn(language, doc.translations)
  return {
    id: doc._id.toHexString(),
    seriesId: doc.seriesId.toHexString(),
    number: doc.number,
    title: asked === null ? doc.title : doc.translations![asked]!.title,
    language: asked,
    durationSec: doc.durationSec ?? null,
    subtitles: subtitlesOf(doc),
    audio: streamFilesOf(doc).audio.map(({ language }) => ({ language, name: trackName(language) })),
    status: doc.status,
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
    publishedAt: iso(doc.publishedAt)
  }
}

export type EpisodeBase = ReturnType<typeof toEpisodeBase>

/**
 * An episode as the caller sees it: in their language (else its series' original), their access, and what
 * unlocking it costs them while it is locked.
 */
export function toEpisode (base: EpisodeBase, series: Pick<SeriesBase, 'originalLanguage'>, access: Access, coinPrice: number | null = null): Episode {
  return { ...base, language: base.language ?? series.originalLanguage, access, coinPrice: access === 'locked' ? coinPrice : null }
}

export function toCreatorEpisode (doc: EpisodeDoc): CreatorEpisode {
  const { language, ...base } = toEpisodeBase(doc)
  return {
    ...base,
    translations: Object.entries(doc.translations ?? {}).map(([language, text]) => ({ language, ...text }))
      .sort((a, b) => a.language.localeCompare(b.language)),
    audioTracks: Object.entries(doc.audio ?? {}).map(([language, { status, failure, updatedAt }]) =>
      ({ language, status, failure: failure as AudioFailure | null, updatedAt: updatedAt.toISOString() }))
      .sort((a, b) => a.language.localeCompare(b.language)),
    videoId: doc.videoId.toHexString(),
    moderationNote: doc.moderationNote
  }
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
