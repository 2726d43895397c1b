import { createHash } from 'node:crypto'
import type { ObjectId } from 'mongodb'
import { parseSync, stringifySync } from 'subtitle'
import webvtt from 'webvtt-parser'
import { firstVideoPts } from '../adapters/media.js'
import { ApiError } from '../errors.js'
import { checkedLanguage, listOf } from '../lib/locale.js'
import type { EpisodeDoc } from '../repositories/episodes.js'
import type { CreatorEpisode } from '../schemas/catalog.js'
import { hlsPrefix } from './media.js'
import type { Caller, ServiceDeps } from './types.js'
import { episodeEdited, ownedEpisodeOf } from './studio.js'
import { toCreatorEpisode } from './views.js'

/** The largest subtitle file taken: a few minutes of dialogue is a few kilobytes. */
export const MAX_SUBTITLE_BYTES = 512 * 1024
/** How far past the episode's end a cue may run (players report durations a frame or two short). */
const END_SLACK_SEC = 0.5
/** Enough of a segment to hold its first video frame's header. */
const PTS_PROBE_BYTES = 64 * 1024

export type SubtitleFormat = 'vtt' | 'srt'

/** The W3C validator's parser reports what it finds; these it reports about headers players ignore. */
const HARMLESS = new Set(['No blank line after the signature.'])

/**
 * Subtitles: a WebVTT file per episode and language (SRT is converted on upload), validated against the episode
 * (cues well-formed, in order, inside its duration), stored in the bucket beside its video's ladder with the
 * X-TIMESTAMP-MAP that ties cue times to the ladder's first frame, and announced in the master playlist as a
 * SUBTITLES rendition (src/services/streaming.ts). Adding, replacing or removing one touches no video.
 */
export function createSubtitlesService ({ repos, storage, events, config }: ServiceDeps) {
  const { episodes } = repos
  const languages = listOf(config.LANGUAGES)

  const ownedEpisode = async (caller: Caller, id: ObjectId) => await ownedEpisodeOf(episodes, caller, id)

  /** The first frame's time of the episode's ladder (90 kHz), read from its first segment; 0 without a ladder. */
  async function ladderStartPts (episode: EpisodeDoc): Promise<number> {
    const master = await storage.readText(`${hlsPrefix(episode.videoId)}master.m3u8`)
    const variant = master?.split('\n').find((line) => line.trim() !== '' && !line.startsWith('#'))?.trim()
    if (variant === undefined) return 0
    const folder = `${hlsPrefix(episode.videoId)}${variant.slice(0, variant.lastIndexOf('/') + 1)}`
    const media = await storage.readText(`${hlsPrefix(episode.videoId)}${variant}`)
    const segment = media?.split('\n').find((line) => line.trim() !== '' && !line.startsWith('#'))?.trim()
    const bytes = segment === undefined ? null : await storage.readStart(folder + segment, PTS_PROBE_BYTES)
    return (bytes === null ? null : firstVideoPts(bytes)) ?? 0
  }

  /** A WebVTT file from what the creator sent, or a 422 `subtitle_invalid` naming the line and the problem. */
  function parsed (body: Buffer, format: SubtitleFormat, durationSec: number) {
    const invalid = (why: string) => new ApiError('subtitle_invalid', why)
    if (body.length > MAX_SUBTITLE_BYTES) {
      throw invalid(`The file is ${(body.length / 1024 / 1024).toFixed(1)} MB: subtitles may be at most ${MAX_SUBTITLE_BYTES / 1024} KB`)
    }
    let text: string
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body)
    } catch {
      throw invalid('The file is not UTF-8 text')
    }
    if (text.includes('\0')) throw invalid('The file is not text: it has NUL bytes')
    if (format === 'srt') {
      // SRT becomes WebVTT line for line (a blank line and the header before it): lines are named in the WebVTT.
      try {
        text = stringifySync(parseSync(text), { format: 'WebVTT' })
      } catch (err) {
        throw invalid(`The SRT file cannot be read: ${(err as Error).message}`)
      }
    }
    const lines = text.split(/\r\n|\r|\n/)
    const result = new webvtt.WebVTTParser().parse(text, 'subtitles')
    const error = result.errors.find((e) => !HARMLESS.has(e.message))
    if (error !== undefined) {
      const line = lines[error.line - 1]
      throw invalid(`Line ${error.line}${line === undefined ? '' : ` (${JSON.stringify(line.slice(0, 80))})`}: ${error.message}`)
    }
    if (result.cues.length === 0) throw invalid('The file has no cues')
    // A cue's timing line is the n-th line with an arrow: "-->" cannot appear in cue text.
    const timingLines = lines.flatMap((line, i) => line.includes('-->') ? [i + 1] : [])
    result.cues.forEach((cue, i) => {
      if (cue.endTime > durationSec + END_SLACK_SEC) {
        throw invalid(`Line ${timingLines[i] ?? '?'}: the cue ends at ${cue.endTime.toFixed(3)} s, after the episode's end ` +
          `(${durationSec.toFixed(3)} s)`)
      }
    })
    return { cues: result.cues, styles: result.styles }
  }

  const changed = async (caller: Caller, episode: EpisodeDoc) => await episodeEdited(events, caller._id, episode)

  return {
    /**
     * Sets the caller's episode's subtitles in one of the deployment's languages (replacing any) from the file sent
     * (null: not sent as WebVTT or SRT, 415, once the episode is known to be the caller's): validated,
     * stored as WebVTT beside its ladder (a new object per content; the old one deleted once replaced).
     */
    async put (
      caller: Caller, episodeId: ObjectId, tag: string, sent: { body: Buffer, format: SubtitleFormat } | null
    ): Promise<CreatorEpisode> {
      const episode = await ownedEpisode(caller, episodeId)
      if (sent === null) throw new ApiError('unsupported_media_type', 'Send the file as text/vtt (WebVTT) or application/x-subrip (SRT)')
      const { body, format } = sent
      const language = checkedLanguage(languages, tag)
      if (episode.durationSec === null) throw new ApiError('video_not_ready')
      const { cues, styles } = parsed(body, format, episode.durationSec)
      const map = `X-TIMESTAMP-MAP=MPEGTS:${await ladderStartPts(episode)},LOCAL:00:00:00.000`
      const vtt = new webvtt.WebVTTSerializer().serialize(cues, styles).replace(/^WEBVTT\n/, `WEBVTT\n${map}\n`)
      const hash = createHash('sha256').update(vtt).digest('base64url').slice(0, 16)
      const key = `${hlsPrefix(episode.videoId)}subtitles/${language}-${hash}.vtt`
      await storage.put(key, vtt, 'text/vtt; charset=utf-8', 'public, max-age=31536000, immutable')
      const file = { key, cues: cues.length, bytes: Buffer.byteLength(vtt), updatedAt: new Date() }
      const before = await episodes.setForLanguage(episode.ownerId, episodeId, 'subtitles', language, file)
      if (before === null) {
        await storage.remove(key)
        throw new ApiError('episode_not_found')
      }
      const old = before.subtitles?.[language]?.key
      if (old !== undefined && old !== key) await storage.remove(old)
      const after = (await episodes.findById(episodeId))!
      await changed(caller, after)
      return toCreatorEpisode(after)
    },

    /** Removes the caller's episode's subtitles in one language (404 `subtitle_not_found` when it has none). */
    async remove (caller: Caller, episodeId: ObjectId, tag: string): Promise<void> {
      const episode = await ownedEpisode(caller, episodeId)
      const language = checkedLanguage(languages, tag)
      if (episode.subtitles?.[language] === undefined) throw new ApiError('subtitle_not_found')
      const before = await episodes.setForLanguage(episode.ownerId, episodeId, 'subtitles', language, null)
      const old = before?.subtitles?.[language]?.key
      if (old !== undefined) await storage.remove(old)
      await changed(caller, (await episodes.findById(episodeId)) ?? episode)
    }
  }
}

export type SubtitlesService = ReturnType<typeof createSubtitlesService>
