import { createHmac, timingSafeEqual } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import type { ObjectId } from 'mongodb'
import { ApiError } from '../errors.js'
import { hlsPrefix } from './media.js'
import type { ServiceDeps } from './types.js'

/**
 * Tokens are issued per window: whoever starts an episode within the same minute gets the same token, valid
 * PLAYBACK_URL_TTL seconds from the window's end, so a playlist rewritten for a token is made once per window.
 */
const WINDOW_SEC = 60
const TOKEN = /^([0-9a-f]{24})\.(\d{10})\.([A-Za-z0-9_-]{43})$/

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

    /** The master playlist, and how long it may be cached (until the token expires). */
    async master (episodeId: ObjectId, token: string): Promise<{ playlist: string, maxAgeSec: number }> {
      const { videoId, exp } = verify(episodeId, token)
      const playlist = await storedPlaylist(`${hlsPrefix(videoId)}master.m3u8`)
      return { playlist, maxAgeSec: Math.max(0, exp - Math.floor(Date.now() / 1000)) }
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
