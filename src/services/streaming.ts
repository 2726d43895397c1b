import { createHmac, timingSafeEqual } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import type { ObjectId } from 'mongodb'
import { ApiError } from '../errors.js'
import { hlsPrefix } from './media.js'
import type { ServiceDeps } from './types.js'
import { trackName as trackNameOf } from './views.js'

/**
 * Tokens are issued per window: whoever starts an episode within the same minute gets the same token, valid
 * PLAYBACK_URL_TTL seconds from the window's end, so a playlist rewritten for a token is made once per window.
 */
const WINDOW_SEC = 60
const TOKEN = /^([0-9a-f]{24})\.(\d{10})\.([A-Za-z0-9_-]{43})$/

/** The renditions an episode's stream offers beside its video ladder: subtitles and dubbed audio, by language. */
export interface StreamTracks {
  durationSec: number | null
  /** The language of the audio in the ladder (its series' original). */
  originalLanguage: string
  subtitles: Array<{ language: string, name: string, key: string }>
  audio: Array<{ language: string, name: string, folder: string }>
}

const attribute = (value: string) => `"${value.replace(/"/g, "'")}"`

/**
 * The master playlist with the episode's renditions announced (RFC 8216 4.3.4.1): a SUBTITLES group of its
 * subtitle languages, and an AUDIO group of the ladder's own audio (no URI: it is in the variants) and each dub;
 * every variant names the groups. Players choose among them (AUTOSELECT by the device's language).
 */
export function withRenditions (master: string, tracks: StreamTracks): string {
  if (tracks.subtitles.length === 0 && tracks.audio.length === 0) return master
  const original = `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",LANGUAGE=${attribute(tracks.originalLanguage)},` +
    `NAME=${attribute(trackNameOf(tracks.originalLanguage))},DEFAULT=YES,AUTOSELECT=YES`
  // The ladder's own audio, where it has any, is the default; a ladder without sound plays its first dub.
  const muxed = /CODECS="[^"]*mp4a/.test(master)
  const media = [
    ...(tracks.audio.length === 0 || !muxed ? [] : [original]),
    ...tracks.audio.map((a) => `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",LANGUAGE=${attribute(a.language)},` +
      `NAME=${attribute(a.name)},DEFAULT=${!muxed && a === tracks.audio[0] ? 'YES' : 'NO'},AUTOSELECT=YES,` +
      `URI="${a.folder.slice(a.folder.lastIndexOf('/') + 1)}/index.m3u8"`),
    ...tracks.subtitles.map((t) => `#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",LANGUAGE=${attribute(t.language)},` +
      `NAME=${attribute(t.name)},DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI="subtitles/${t.language}/index.m3u8"`)
  ]
  const groups = (tracks.audio.length === 0 ? '' : ',AUDIO="audio"') + (tracks.subtitles.length === 0 ? '' : ',SUBTITLES="subs"')
  const lines = master.split('\n')
  const first = lines.findIndex((line) => line.startsWith('#EXT-X-STREAM-INF:'))
  if (first === -1) return master
  return [...lines.slice(0, first), ...media, ...lines.slice(first)]
    .map((line) => line.startsWith('#EXT-X-STREAM-INF:') ? line + groups : line).join('\n')
}

export interface StreamToken {
  token: string
  expiresAt: Date
}

/**
 * Tokenized HLS: a playback token binds an episode, its video and an expiry, signed with a key derived from
 * JWT_SECRET. The API serves the master playlist as stored (its variants are relative, so they resolve under
 * the same token) and each media playlist with every segment (and #EXT-X-MAP) turned into a presigned GET of
 * the bucket: the bytes never pass through the API. A segment URL lives long enough to play the longest video
 * accepted after the token was checked.
 */
export function createStreamingService ({ storage, config }: ServiceDeps) {
  const key = createHmac('sha256', config.JWT_SECRET).update('microdrama playback tokens v1').digest()
  const sign = (episodeId: string, videoId: string, exp: number) =>
    createHmac('sha256', key).update(`${episodeId}.${videoId}.${exp}`).digest('base64url')
  // Playlists as stored (they never change once written) and as rewritten for one token window (a rewritten one is
  // about 600 bytes a segment): bounded by size, so that an instance stays small whatever is watched.
  const sized = { sizeCalculation: (text: string) => text.length + 100 }
  const stored = new LRUCache<string, string>({ maxSize: 4 * 1024 * 1024, ...sized })
  const rewritten = new LRUCache<string, string>({
    maxSize: 16 * 1024 * 1024, ttl: (config.PLAYBACK_URL_TTL + WINDOW_SEC) * 1000, ...sized
  })

  async function storedPlaylist (objectKey: string): Promise<string> {
    const cached = stored.get(objectKey)
    if (cached !== undefined) return cached
    const text = await storage.readText(objectKey)
    if (text === null) throw new ApiError('stream_not_found')
    stored.set(objectKey, text)
    return text
  }

  /** The video a token of this episode is for; 401 when it is not a token we signed for it, or it expired. */
  function verify (episodeId: ObjectId, token: string): { videoId: string, exp: number } {
    const match = TOKEN.exec(token)
    if (match === null) throw new ApiError('playback_token_invalid')
    const [, videoId, expText, signature] = match as unknown as [string, string, string, string]
    const exp = Number(expText)
    const expected = Buffer.from(sign(episodeId.toHexString(), videoId, exp))
    if (!timingSafeEqual(expected, Buffer.from(signature))) throw new ApiError('playback_token_invalid')
    if (exp * 1000 <= Date.now()) throw new ApiError('playback_token_expired')
    return { videoId, exp }
  }

  return {
    /** A token for playing this episode's video. */
    issue (episodeId: ObjectId, videoId: string, now = Date.now()): StreamToken {
      const windowEnd = Math.ceil(now / 1000 / WINDOW_SEC) * WINDOW_SEC
      const exp = windowEnd + config.PLAYBACK_URL_TTL
      return { token: `${videoId}.${exp}.${sign(episodeId.toHexString(), videoId, exp)}`, expiresAt: new Date(exp * 1000) }
    },

    /**
     * The master playlist with the episode's subtitle and audio renditions (`tracks`, asked once the token is
     * checked), and how long it may be cached (until the token expires).
     */
    async master (
      episodeId: ObjectId, token: string, tracks: () => Promise<StreamTracks>
    ): Promise<{ playlist: string, maxAgeSec: number }> {
      const { videoId, exp } = verify(episodeId, token)
      const playlist = withRenditions(await storedPlaylist(`${hlsPrefix(videoId)}master.m3u8`), await tracks())
      return { playlist, maxAgeSec: Math.max(0, exp - Math.floor(Date.now() / 1000)) }
    },

    /**
     * A subtitle rendition's media playlist: its WebVTT file whole, as one segment the length of the episode (the
     * HLS specification allows it), presigned like a video segment; 404 `stream_not_found` for a language it lacks.
     */
    async subtitles (
      episodeId: ObjectId, token: string, language: string, tracks: () => Promise<StreamTracks>
    ): Promise<{ playlist: string, maxAgeSec: number }> {
      const { exp } = verify(episodeId, token)
      const { subtitles, durationSec } = await tracks()
      const track = subtitles.find((t) => t.language === language)
      if (track === undefined) throw new ApiError('stream_not_found')
      const maxAgeSec = Math.max(0, exp - Math.floor(Date.now() / 1000))
      const url = await storage.presignDownload(track.key, maxAgeSec + config.MAX_VIDEO_SECONDS + WINDOW_SEC)
      const duration = durationSec ?? config.MAX_VIDEO_SECONDS
      const playlist = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${Math.max(1, Math.ceil(duration))}`,
        '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VOD', `#EXTINF:${duration.toFixed(3)},`, url, '#EXT-X-ENDLIST', ''].join('\n')
      return { playlist, maxAgeSec }
    },

    /** A rendition's media playlist, its segments presigned. */
    async media (
      episodeId: ObjectId, token: string, rendition: string
    ): Promise<{ playlist: string, maxAgeSec: number }> {
      const { videoId, exp } = verify(episodeId, token)
      const maxAgeSec = Math.max(0, exp - Math.floor(Date.now() / 1000))
      const cacheKey = `${videoId}/${rendition}/${exp}`
      const cached = rewritten.get(cacheKey)
      if (cached !== undefined) return { playlist: cached, maxAgeSec }
      const folder = `${hlsPrefix(videoId)}${rendition}/`
      const source = await storedPlaylist(`${folder}index.m3u8`)
      const lifetime = maxAgeSec + config.MAX_VIDEO_SECONDS + WINDOW_SEC
      const presign = async (uri: string) => await storage.presignDownload(folder + uri, lifetime)
      const lines = await Promise.all(source.split('\n').map(async (line) => {
        if (line.startsWith('#EXT-X-MAP:')) {
          const uri = /URI="([^"]+)"/.exec(line)?.[1]
          return uri === undefined ? line : line.replace(`URI="${uri}"`, `URI="${await presign(uri)}"`)
        }
        return line === '' || line.startsWith('#') ? line : await presign(line.trim())
      }))
      const playlist = lines.join('\n')
      rewritten.set(cacheKey, playlist)
      return { playlist, maxAgeSec }
    }
  }
}

export type StreamingService = ReturnType<typeof createStreamingService>
