import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ObjectId } from 'mongodb'
import { AudioFailure, MediaFailure, packageAudio, probeAudio } from '../adapters/media.js'
import { ApiError } from '../errors.js'
import { checkedLanguage, listOf } from '../lib/locale.js'
import type { AudioTrack, EpisodeDoc } from '../repositories/episodes.js'
import { ALLOWED_AUDIO_TYPES, type CreatorEpisode } from '../schemas/catalog.js'
import { hlsPrefix } from './media.js'
import type { Caller, ServiceDeps } from './types.js'
import type { UploadsService } from './uploads.js'
import { episodeEdited, ownedEpisodeOf } from './studio.js'
import { toCreatorEpisode } from './views.js'

/** What a dub's job carries: the episode, the language and which upload of it. */
export interface DubJob {
  episodeId: string
  language: string
  revision: number
}

const CONTENT_TYPES: Record<string, string> = { m3u8: 'application/vnd.apple.mpegurl', ts: 'video/mp2t' }

/**
 * Dubbing: an episode's soundtrack in another language, uploaded as an audio file, checked by ffprobe (audio, as
 * long as the episode) and packaged by the worker into an HLS audio rendition beside the ladder, with the states
 * and failures of a video's processing (uploaded → processing → ready | failed). The master playlist announces the
 * ready ones as EXT-X-MEDIA TYPE=AUDIO renditions (src/services/streaming.ts); the video is never transcoded again.
 */
export function createDubbingService (
  { repos, storage, events, config, queues, log }: ServiceDeps, uploads: Pick<UploadsService, 'check'>
) {
  const { episodes, series } = repos
  const languages = listOf(config.LANGUAGES)
  const folderOf = (episode: EpisodeDoc, language: string, revision: number) =>
    `${hlsPrefix(episode.videoId)}audio-${language}-${revision}`

  const ownedEpisode = async (caller: Caller, id: ObjectId) => await ownedEpisodeOf(episodes, caller, id)
  /** After a change to what the stream offers: every instance answers the episode anew. */
  const changed = async (actorId: ObjectId | null, episode: EpisodeDoc) => await episodeEdited(events, actorId, episode)

  const failed = (code: string, message: string): Partial<AudioTrack> => ({ status: 'failed', failure: { code, message } })

  return {
    /**
     * Sets the caller's episode's dub in one of the deployment's languages (not its original) from an audio file
     * they uploaded, and queues its processing; a dub it replaces stops playing at once and its files are deleted.
     */
    async put (caller: Caller, episodeId: ObjectId, tag: string, s3Key: string): Promise<CreatorEpisode> {
      const episode = await ownedEpisode(caller, episodeId)
      const language = checkedLanguage(languages, tag)
      if (language === (await series.findById(episode.seriesId))?.language) throw new ApiError('language_is_original')
      if (episode.durationSec === null) throw new ApiError('video_not_ready')
      await uploads.check(caller, s3Key, 'audio', ALLOWED_AUDIO_TYPES)
      const previous = episode.audio?.[language]
      const revision = (previous?.revision ?? 0) + 1
      const track: AudioTrack = { s3Key, status: 'uploaded', failure: null, folder: null, revision, updatedAt: new Date() }
      if (await episodes.setForLanguage(episode.ownerId, episodeId, 'audio', language, track) === null) {
        throw new ApiError('episode_not_found')
      }
      if (previous?.folder != null) await storage.removePrefix(`${previous.folder}/`)
      const after = (await episodes.findById(episodeId))!
      await changed(caller._id, after)
      try {
        if (queues === undefined) throw new Error('no job queues here')
        const job: DubJob = { episodeId: episodeId.toHexString(), language, revision }
        await queues.media.add('process-audio', job, { jobId: `process-audio-${job.episodeId}-${language}-${revision}` })
      } catch (err) {
        // Never left waiting for a job that is not there: failed, visibly, so that the creator sends it again.
        await episodes.updateAudio(episodeId, language, revision, failed('processing_failed', 'Could not be queued: send it again'))
        throw err
      }
      return toCreatorEpisode(after)
    },

    /** Removes the caller's episode's dub in one language (404 `track_not_found` without one) and its files. */
    async remove (caller: Caller, episodeId: ObjectId, tag: string): Promise<void> {
      const episode = await ownedEpisode(caller, episodeId)
      const language = checkedLanguage(languages, tag)
      const track = episode.audio?.[language]
      if (track === undefined) throw new ApiError('track_not_found')
      await episodes.setForLanguage(episode.ownerId, episodeId, 'audio', language, null)
      await storage.removePrefix(`${folderOf(episode, language, track.revision)}/`)
      await changed(caller._id, (await episodes.findById(episodeId)) ?? episode)
    },

    /**
     * The worker's job: probes and packages one upload of a dub, once (another upload since, or a finished one, is
     * left alone). A file that is not audio as long as the episode fails at once; anything else is thrown to be
     * retried, and fails as `processing_failed` on the last attempt.
     */
    async process (job: DubJob, { lastAttempt }: { lastAttempt: boolean }): Promise<string> {
      const { episodeId, language, revision } = job
      const id = ObjectId.createFromHexString(episodeId)
      const episode = await episodes.updateAudio(id, language, revision, { status: 'processing' }, ['uploaded', 'processing'])
      const track = episode?.audio?.[language]
      if (episode === null || track === undefined) return 'gone'
      const finish = async (set: Partial<AudioTrack>) => {
        const done = await episodes.updateAudio(id, language, revision, set, ['processing'])
        if (done !== null) await changed(null, done)
      }
      const work = await mkdtemp(join(tmpdir(), 'microdrama-dub-'))
      try {
        const source = join(work, 'source')
        await storage.download(track.s3Key, source)
        await probeAudio(config.FFPROBE_PATH, source, episode.durationSec ?? 0)
        const out = join(work, 'hls')
        await mkdir(out)
        await packageAudio(config.FFMPEG_PATH, source, out, config.HLS_SEGMENT_SEC)
        const folder = folderOf(episode, language, revision)
        const files = (await readdir(out)).sort((a, b) => Number(a.endsWith('.m3u8')) - Number(b.endsWith('.m3u8')))
        for (const name of files) {
          const type = CONTENT_TYPES[name.split('.').pop()!] ?? 'application/octet-stream'
          await storage.upload(`${folder}/${name}`, join(out, name), type, 'private, max-age=31536000, immutable')
        }
        await finish({ status: 'ready', folder })
        return 'ready'
      } catch (err) {
        if (err instanceof AudioFailure || err instanceof MediaFailure) {
          await finish(failed(err.code, err.message))
          return 'failed'
        }
        if (lastAttempt) await finish(failed('processing_failed', 'Processing failed after several attempts'))
        log.warn({ episodeId, language, err: (err as Error).message }, 'a dub\'s processing failed')
        throw err
      } finally {
        await rm(work, { recursive: true, force: true })
      }
    }
  }
}

export type DubbingService = ReturnType<typeof createDubbingService>
