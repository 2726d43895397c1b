import { execFile, spawn } from 'node:child_process'
import { promisify } from 'node:util'

/**
 * What ffprobe and ffmpeg (Debian's `ffmpeg` package, or FFPROBE_PATH / FFMPEG_PATH) do for the media
 * pipeline: read what a file is, turn it into a portrait HLS ladder, take a poster. No state, no storage.
 */

/** Why a video cannot be processed: permanent, shown to its creator. */
export const MEDIA_FAILURES = {
  not_a_video: 'The file is not a video',
  unsupported_codec: 'The video is in a codec we do not accept',
  too_long: 'The video is longer than allowed',
  not_vertical: 'The video is not vertical: its width is not smaller than its height',
  corrupt: 'The video file is damaged or incomplete',
  processing_failed: 'Processing failed after several attempts'
} as const
export type MediaFailureCode = keyof typeof MEDIA_FAILURES

/** A failure that retrying will not change. */
export class MediaFailure extends Error {
  constructor (readonly code: MediaFailureCode, message: string = MEDIA_FAILURES[code]) {
    super(message)
    this.name = 'MediaFailure'
  }
}

/** The video codecs a source may be in (decoded by Debian's ffmpeg). */
const ACCEPTED_CODECS = new Set(['h264', 'hevc', 'vp8', 'vp9', 'av1', 'mpeg4'])

export interface Probe {
  durationSec: number
  /** As displayed, after rotation. */
  width: number
  height: number
  rotation: number
  videoCodec: string
  audioCodec: string | null
}

interface FfprobeStream {
  codec_type?: string
  codec_name?: string
  width?: number
  height?: number
  tags?: { rotate?: string }
  side_data_list?: Array<{ rotation?: number }>
}

const run = promisify(execFile)

interface FfprobeInfo { streams?: FfprobeStream[], format?: { duration?: string, format_name?: string } }

/**
 * ffprobe's streams and format of a file; where ffprobe cannot read it, the failure `refusal` makes of its message
 * (the file's fault), or the error itself (not the file's fault: a missing binary, a full disk; retried).
 */
async function ffprobeJson (
  ffprobe: string, file: string, refusal: (stderr: string) => Error | null
): Promise<FfprobeInfo> {
  try {
    const { stdout } = await run(ffprobe, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file],
      { maxBuffer: 4 * 1024 * 1024 })
    return JSON.parse(stdout) as FfprobeInfo
  } catch (err) {
    throw refusal(String((err as { stderr?: string }).stderr ?? '')) ?? err
  }
}

/** What the file is; a MediaFailure when it is not a video this service takes. */
export async function probe (ffprobe: string, file: string, maxDurationSec: number): Promise<Probe> {
  const info = await ffprobeJson(ffprobe, file, (stderr) => {
    if (/moov atom not found|Invalid NAL|partial file|end of file/i.test(stderr)) return new MediaFailure('corrupt')
    if (/Invalid data found|could not find codec|unknown format/i.test(stderr)) return new MediaFailure('not_a_video')
    return null
  })
  const video = info.streams?.find((s) => s.codec_type === 'video' && s.width !== undefined && s.height !== undefined)
  // Images (a JPEG sent as video/mp4) are one-frame "videos" to ffprobe: formats of still pictures are not videos.
  if (video === undefined || /image2|_pipe|png|mjpeg|gif/.test(info.format?.format_name ?? '')) {
    throw new MediaFailure('not_a_video')
  }
  if (!ACCEPTED_CODECS.has(video.codec_name ?? '')) {
    const accepted = [...ACCEPTED_CODECS].join(', ')
    throw new MediaFailure('unsupported_codec', `The video is in ${video.codec_name ?? 'an unknown codec'}; accepted: ${accepted}`)
  }
  const durationSec = Number(info.format?.duration)
  if (!Number.isFinite(durationSec) || durationSec <= 0) throw new MediaFailure('corrupt')
  if (durationSec > maxDurationSec) {
    throw new MediaFailure('too_long', `The video lasts ${Math.round(durationSec)} s; at most ${maxDurationSec} s is allowed`)
  }
  const sideRotation = video.side_data_list?.find((d) => d.rotation !== undefined)?.rotation
  const rotation = Number(sideRotation ?? video.tags?.rotate ?? 0)
  const turned = Math.abs(rotation) % 180 === 90
  const width = turned ? video.height! : video.width!
  const height = turned ? video.width! : video.height!
  if (width >= height) throw new MediaFailure('not_vertical', `The video is ${width}×${height}; a vertical video is taller than wide`)
  const audio = info.streams?.find((s) => s.codec_type === 'audio')
  return { durationSec, width, height, rotation, videoCodec: video.codec_name!, audioCodec: audio?.codec_name ?? null }
}

export interface Rendition {
  name: string
  width: number
  height: number
  /** Video bitrate, kbit/s. */
  bitrateKbps: number
}

/** The portrait ladder by width (360p is 360 wide), and each rung's video bitrate. */
const LADDER = [
  { width: 360, bitrateKbps: 800 },
  { width: 540, bitrateKbps: 1400 },
  { width: 720, bitrateKbps: 2500 },
  { width: 1080, bitrateKbps: 5000 }
]
const even = (n: number) => Math.max(2, Math.round(n / 2) * 2)

/** The rungs a source gets: never wider than the source (a source under 360 wide gets one rung, its own size). */
export function ladderFor (source: { width: number, height: number }): Rendition[] {
  const rungs = LADDER.filter((r) => r.width <= source.width)
  const chosen = rungs.length > 0 ? rungs : [{ width: even(source.width), bitrateKbps: LADDER[0]!.bitrateKbps }]
  return chosen.map(({ width, bitrateKbps }) =>
    ({ name: `${width}p`, width, height: even(source.height * width / source.width), bitrateKbps }))
}

/** Runs ffmpeg; a MediaFailure('corrupt') when it stops on the input's data, a plain error otherwise. */
async function ffmpegRun (ffmpeg: string, args: string[], timeoutMs: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(ffmpeg, ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000) })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', (err) => { clearTimeout(timer); reject(err) })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) return resolve()
      if (signal === null && /Invalid data|corrupt|error while decoding|partial file|Error splitting/i.test(stderr)) {
        return reject(new MediaFailure('corrupt'))
      }
      reject(new Error(`ffmpeg ${signal !== null ? `killed (${signal})` : `exited ${code}`}: ${stderr.trim().slice(-500)}`))
    })
  })
}

/**
 * Transcodes `file` into `outDir`: H.264 + AAC renditions, each an HLS media playlist (`<name>/index.m3u8`) of
 * segments of `segmentSec` with keyframes at the same times in every rendition, and `master.m3u8` naming them.
 */
export async function transcodeHls (
  ffmpeg: string, file: string, outDir: string, source: Probe, renditions: Rendition[], segmentSec: number
): Promise<void> {
  const timeoutMs = Math.max(60_000, source.durationSec * 20_000)
  await ffmpegRun(ffmpeg, hlsArgs(file, outDir, source, renditions, segmentSec), timeoutMs)
}

/** ffmpeg's arguments for transcodeHls (the bench runs them as a bare command line too). */
export function hlsArgs (
  file: string, outDir: string, source: Probe, renditions: Rendition[], segmentSec: number
): string[] {
  const n = renditions.length
  const audio = source.audioCodec !== null
  const filter = `[0:v]split=${n}${renditions.map((_, i) => `[s${i}]`).join('')};` +
    renditions.map((r, i) => `[s${i}]scale=${r.width}:${r.height}:flags=bicubic,setsar=1[v${i}]`).join(';')
  const args = ['-i', file, '-filter_complex', filter]
  renditions.forEach((r, i) => {
    args.push('-map', `[v${i}]`)
    if (audio) args.push('-map', '0:a:0')
    args.push(`-b:v:${i}`, `${r.bitrateKbps}k`, `-maxrate:v:${i}`, `${Math.round(r.bitrateKbps * 1.2)}k`, `-bufsize:v:${i}`, `${r.bitrateKbps * 2}k`)
  })
  args.push(
    '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'main', '-pix_fmt', 'yuv420p',
    // A keyframe at every segment boundary, in every rendition, and nowhere a scene cut would add one.
    '-force_key_frames', `expr:gte(t,n_forced*${segmentSec})`, '-sc_threshold', '0',
    ...(audio ? ['-c:a', 'aac', '-b:a', '96k', '-ac', '2', '-ar', '48000'] : []),
    '-f', 'hls', '-hls_time', String(segmentSec), '-hls_playlist_type', 'vod', '-hls_flags', 'independent_segments',
    '-hls_segment_type', 'mpegts', '-hls_segment_filename', `${outDir}/%v/segment_%03d.ts`,
    '-master_pl_name', 'master.m3u8',
    '-var_stream_map', renditions.map((r, i) => `v:${i}${audio ? `,a:${i}` : ''},name:${r.name}`).join(' '),
    `${outDir}/%v/index.m3u8`
  )
  return args
}

/** Why a dub cannot be used: permanent, shown to its creator (with `corrupt` and `processing_failed` above). */
export const AUDIO_FAILURES = {
  not_audio: 'The file is not audio',
  duration_mismatch: 'The audio does not last as long as the episode'
} as const

/** A dub that retrying will not change. */
export class AudioFailure extends Error {
  constructor (readonly code: keyof typeof AUDIO_FAILURES | 'corrupt', message: string) {
    super(message)
    this.name = 'AudioFailure'
  }
}

/**
 * What a dub is: its duration, which must be the episode's within `slackSec` (it replaces the episode's sound
 * second for second); an AudioFailure when it is not audio or not that long.
 */
export async function probeAudio (ffprobe: string, file: string, episodeSec: number, slackSec = 1): Promise<number> {
  const info = await ffprobeJson(ffprobe, file, (stderr) =>
    /Invalid data found|could not find codec|unknown format|moov atom not found|end of file/i.test(stderr)
      ? new AudioFailure('not_audio', AUDIO_FAILURES.not_audio)
      : null)
  if (info.streams?.some((s) => s.codec_type === 'audio') !== true) throw new AudioFailure('not_audio', AUDIO_FAILURES.not_audio)
  const durationSec = Number(info.format?.duration)
  if (!Number.isFinite(durationSec) || durationSec <= 0) throw new AudioFailure('corrupt', MEDIA_FAILURES.corrupt)
  if (Math.abs(durationSec - episodeSec) > slackSec) {
    throw new AudioFailure('duration_mismatch',
      `The audio lasts ${durationSec.toFixed(1)} s; the episode ${episodeSec.toFixed(1)} s (within ${slackSec} s)`)
  }
  return durationSec
}

/**
 * Packages a dub as an HLS audio rendition in `outDir` (`index.m3u8` and MPEG-TS segments), encoded and cut as the
 * ladder's audio is (AAC, 96 kbit/s, stereo, 48 kHz, segments of `segmentSec` from the same start), so that players
 * switch to it in step with the video.
 */
export async function packageAudio (ffmpeg: string, file: string, outDir: string, segmentSec: number): Promise<void> {
  await ffmpegRun(ffmpeg, [
    '-i', file, '-map', '0:a:0', '-vn', '-c:a', 'aac', '-b:a', '96k', '-ac', '2', '-ar', '48000',
    '-f', 'hls', '-hls_time', String(segmentSec), '-hls_playlist_type', 'vod', '-hls_segment_type', 'mpegts',
    '-hls_segment_filename', `${outDir}/segment_%03d.ts`, `${outDir}/index.m3u8`
  ], 30 * 60_000)
}

/** A JPEG of the frame at `atSec` (within the video), 720 wide at most. */
export async function extractPoster (
  ffmpeg: string, file: string, out: string, atSec: number, source: Probe
): Promise<void> {
  const at = Math.min(Math.max(0, atSec), Math.max(0, source.durationSec - 0.1))
  const scale = `scale=${Math.min(720, source.width)}:-2`
  await ffmpegRun(ffmpeg, ['-ss', at.toFixed(3), '-i', file, '-frames:v', '1', '-vf', scale, '-q:v', '3', out], 60_000)
}

/**
 * The presentation time (90 kHz ticks) of the first video frame in an MPEG-TS segment, from its first PES header
 * of a video stream (ISO/IEC 13818-1: 188-byte packets, PTS in 33 bits); null when there is none in `ts`. A WebVTT
 * rendition maps its cue times onto it (X-TIMESTAMP-MAP), as the HLS specification asks.
 */
export function firstVideoPts (ts: Buffer): number | null {
  for (let at = 0; at + 188 <= ts.length; at += 188) {
    if (ts[at] !== 0x47 || (ts[at + 1]! & 0x40) === 0) continue // not a packet, or no PES starts in it
    const control = (ts[at + 3]! >> 4) & 0x3
    if ((control & 0x1) === 0) continue // no payload
    const p = at + 4 + ((control & 0x2) === 0 ? 0 : 1 + ts[at + 4]!)
    const video = ts[p] === 0 && ts[p + 1] === 0 && ts[p + 2] === 1 && (ts[p + 3]! & 0xf0) === 0xe0
    if (!video || (ts[p + 7]! & 0x80) === 0) continue
    return ((ts[p + 9]! >> 1) & 0x07) * 2 ** 30 + ts[p + 10]! * 2 ** 22 + (ts[p + 11]! >> 1) * 2 ** 15 +
      ts[p + 12]! * 2 ** 7 + (ts[p + 13]! >> 1)
  }
  return null
}
