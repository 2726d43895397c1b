import { SpanStatusCode, trace } from '@opentelemetry/api'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { ObjectId } from 'mongodb'
import { event } from '../events.js'
import { extractPoster, ladderFor, MediaFailure, probe, transcodeHls } from '../adapters/media.js'
import type { VideoDoc } from '../repositories/videos.js'
import type { ServiceDeps } from './types.js'

const CONTENT_TYPES: Record<string, string> = { m3u8: 'application/vnd.apple.mpegurl', ts: 'video/mp2t', jpg: 'image/jpeg' }
/** Where the pipeline writes what it made of a video: its HLS ladder and its poster. */
export const hlsPrefix = (videoId: ObjectId | string) => `hls/${videoId.toString()}/`
/** A video waits this long after it is saved before the sweep queues it again (its job may be on its way). */
const WAITING_MS = 60_000

/**
 * The media pipeline: an uploaded video is probed (src/adapters/media.ts), refused for good with a failure code
 * when it is not a vertical video we take, or transcoded into a portrait HLS ladder with a poster, stored beside
 * nothing else under hls/<videoId>/; the original upload is kept. Runs in the worker, one job per video.
 */
const tracer = trace.getTracer('microdrama')

/** One step of the pipeline as a span of the job's trace (a no-op without tracing). */
async function step<T> (name: string, run: () => Promise<T>): Promise<T> {
  return await tracer.startActiveSpan(name, async (span) => {
    try {
      return await run()
    } catch (err) {
      span.recordException(err as Error)
      span.setStatus({ code: SpanStatusCode.ERROR })
      throw err
    } finally {
      span.end()
    }
  })
}

export function createMediaService ({ repos, storage, config, events, queues, log, metrics }: ServiceDeps) {
  const { videos } = repos

  /** Processing goes through the queue; a job id per video, so queueing twice runs it once. */
  async function enqueue (videoId: ObjectId): Promise<void> {
    if (queues === undefined) throw new Error('no job queues here')
    const id = videoId.toHexString()
    await queues.media.add('process-video', { videoId: id }, { jobId: `process-video-${id}` })
  }

  async function finish (video: VideoDoc, outcome: Pick<VideoDoc, 'media'> | Pick<VideoDoc, 'failure'>) {
    const done = await videos.finishProcessing(video._id, outcome)
    if (done === null) return
    const type = done.status === 'ready' ? 'video.ready' : 'video.failed'
    await events.emit(event(type, null, { type: 'video', id: done._id }, 'processing', done.status, done.processedAt ?? new Date()))
  }

  /** Transcodes into `work`, stores the ladder and the poster, and answers what the video now has. */
  async function transcode (video: VideoDoc, work: string): Promise<VideoDoc['media']> {
    const source = join(work, 'source')
    await step('media.download', () => storage.download(video.s3Key, source))
    const probed = await step('media.probe', () => probe(config.FFPROBE_PATH, source, config.MAX_VIDEO_SECONDS))
    const renditions = ladderFor(probed)
    const out = join(work, 'hls')
    await step('media.transcode', () => transcodeHls(config.FFMPEG_PATH, source, out, probed, renditions, config.HLS_SEGMENT_SEC))
    const posterAt = video.posterTimeSec ?? Math.min(1, probed.durationSec / 2)
    await step('media.poster', () => extractPoster(config.FFMPEG_PATH, source, join(out, 'poster.jpg'), posterAt, probed))
    const prefix = hlsPrefix(video._id)
    const files = (await readdir(out, { recursive: true, withFileTypes: true })).filter((f) => f.isFile())
    // Segments first, playlists last: a playlist in the bucket never names a segment that is not there yet.
    files.sort((a, b) => Number(a.name.endsWith('.m3u8')) - Number(b.name.endsWith('.m3u8')))
    await step('media.upload', async () => {
      for (let i = 0; i < files.length; i += 4) {
        await Promise.all(files.slice(i, i + 4).map(async (f) => {
          const path = join(f.parentPath, f.name)
          const type = CONTENT_TYPES[f.name.split('.').pop()!] ?? 'application/octet-stream'
          await storage.upload(prefix + relative(out, path), path, type, 'private, max-age=31536000, immutable')
        }))
      }
    })
    const { durationSec, width, height } = probed
    return { durationSec, width, height, renditions, hlsMasterKey: `${prefix}master.m3u8`, posterKey: `${prefix}poster.jpg` }
  }

  return {
    enqueue,

    /**
     * Processes one video, once: a ready or failed video is left as it is. A file that is not a vertical video we
     * take fails at once with its code; anything else (storage, a killed ffmpeg) is thrown to be retried, and on
     * the last attempt the video fails as `processing_failed`. Answers the video's status.
     */
    async process (videoId: ObjectId, { lastAttempt }: { lastAttempt: boolean }): Promise<string> {
      const video = await videos.startProcessing(videoId)
      if (video === null) return (await videos.findById(videoId))?.status ?? 'gone'
      const work = await mkdtemp(join(tmpdir(), 'microdrama-media-'))
      const end = metrics?.transcode.startTimer()
      try {
        const media = await transcode(video, work)
        end?.({ outcome: 'ready' })
        metrics?.transcodedMedia.inc(media?.durationSec ?? 0)
        await finish(video, { media })
      } catch (err) {
        end?.({ outcome: err instanceof MediaFailure ? 'refused' : 'error' })
        if (err instanceof MediaFailure) {
          await finish(video, { failure: { code: err.code, message: err.message } })
        } else {
          if (lastAttempt) await finish(video, { failure: { code: 'processing_failed', message: 'Processing failed after several attempts' } })
          throw err
        }
      } finally {
        await rm(work, { recursive: true, force: true })
      }
      return (await videos.findById(videoId))?.status ?? 'gone'
    },

    /** Queues the uploaded videos whose job never reached the queue (saved while Redis was down). */
    async enqueueWaiting (): Promise<number> {
      const waiting = await videos.findWaiting(new Date(Date.now() - WAITING_MS), 500)
      for (const video of waiting) await enqueue(video._id)
      if (waiting.length > 0) log.warn({ videos: waiting.length }, 'queued videos that were waiting for processing')
      return waiting.length
    },

    /** For the worker: the id in a job's payload. */
    videoIdOf: (data: { videoId?: unknown }) => ObjectId.createFromHexString(String(data.videoId))
  }
}

export type MediaService = ReturnType<typeof createMediaService>
