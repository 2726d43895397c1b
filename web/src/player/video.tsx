// One episode's stream in a <video>: HLS through hls.js (Media Source Extensions), or natively where there is no
// MSE (older iOS), or the file itself for a video processed before the ladder existed.
import { useEffect, useRef, useState } from 'react'
import { later } from '../load.tsx'

export interface Stream { type: 'hls' | 'mp4', url: string, posterUrl: string | null }

/** The subtitles on (null: none) and the audio chosen (null: the original), as the progress call reports them. */
export interface Choice { subtitleLanguage: string | null, audioLanguage: string | null }

/** A rendition the stream offers: its index in hls.js's list, its language and its name. */
interface Track { index: number, language: string, name: string }

export function Video ({ stream, onEnded, onProgress, autoPlay = true }: {
  stream: Stream
  onEnded?: () => void
  /** Every few seconds while playing, and on pause and end: where the viewer is, with what subtitles and audio. */
  onProgress?: (positionSec: number, completed: boolean, choice: Choice) => void
  autoPlay?: boolean
}) {
  const ref = useRef<HTMLVideoElement>(null)
  const [failure, setFailure] = useState<string | null>(null)
  const [progress, ended] = [useRef(onProgress), useRef(onEnded)]
  progress.current = onProgress
  ended.current = onEnded
  // The stream's subtitle and dubbed audio renditions (from its master playlist), and the viewer's choice of them.
  const [subtitles, setSubtitles] = useState<Track[]>([])
  const [audio, setAudio] = useState<Track[]>([])
  const choice = useRef<Choice>({ subtitleLanguage: null, audioLanguage: null })
  const player = useRef<{ subtitleTrack: number, subtitleDisplay: boolean, audioTrack: number } | null>(null)

  useEffect(() => {
    const video = ref.current
    if (video === null) return
    let live = true
    let stop = () => {}
    if (stream.type === 'mp4') {
      video.src = stream.url
    } else {
      // hls.js wherever Media Source Extensions exist (as hls.js advises: some browsers that claim native HLS,
      // Chromium among them, cannot play every stream natively); the browser's own HLS elsewhere (older iOS).
      later(import('hls.js').then(({ default: Hls }) => {
        if (!live) return
        if (!Hls.isSupported()) {
          if (video.canPlayType('application/vnd.apple.mpegurl') !== '') video.src = stream.url
          else setFailure('This browser cannot play HLS streams.')
          return
        }
        const hls = new Hls({ enableWorker: true })
        const tracks = (list: Array<{ lang?: string, name: string }>) =>
          list.flatMap((t, index) => t.lang === undefined ? [] : [{ index, language: t.lang, name: t.name }])
        hls.on(Hls.Events.SUBTITLE_TRACKS_UPDATED, (_event, data) => { setSubtitles(tracks(data.subtitleTracks)) })
        hls.on(Hls.Events.AUDIO_TRACKS_UPDATED, (_event, data) => {
          setAudio(data.audioTracks.length > 1 ? tracks(data.audioTracks) : [])
        })
        hls.subtitleTrack = -1
        player.current = hls
        hls.on(Hls.Events.ERROR, (_event, data) => {
          if (!data.fatal) return
          console.error('playback failed', data.type, data.details, data.error?.message)
          setFailure(`This episode could not be played (${data.details}).`)
        })
        hls.loadSource(stream.url)
        hls.attachMedia(video)
        stop = () => { player.current = null; hls.destroy() }
      }))
    }
    let last = 0
    const report = (completed: boolean) => { progress.current?.(video.currentTime, completed, choice.current) }
    const onTime = () => { if (video.currentTime - last >= 5) { last = video.currentTime; report(false) } }
    const onPause = () => { if (!video.ended) report(false) }
    const onEnd = () => { report(true); ended.current?.() }
    video.addEventListener('timeupdate', onTime)
    video.addEventListener('pause', onPause)
    video.addEventListener('ended', onEnd)
    const onError = () => {
      console.error('media error', video.error?.code, video.error?.message)
      setFailure(`This episode could not be played (media error ${video.error?.code ?? ''}).`)
    }
    video.addEventListener('error', onError)
    // The moment the first frame can show, for measuring (Performance API: tests and real-user monitoring read it).
    const onFirstFrame = () => performance.mark('episode-first-frame', { detail: stream.url })
    video.addEventListener('loadeddata', onFirstFrame, { once: true })
    return () => {
      // Leaving the episode (the next one, another page) keeps where the viewer was, for continue watching.
      if (video.currentTime > 0 && !video.ended) report(false)
      video.removeEventListener('timeupdate', onTime)
      video.removeEventListener('pause', onPause)
      video.removeEventListener('ended', onEnd)
      video.removeEventListener('error', onError)
      video.removeEventListener('loadeddata', onFirstFrame)
      live = false
      stop()
      video.removeAttribute('src')
      video.load()
    }
  }, [stream.url, stream.type, ref])

  const chooseSubtitles = (value: string) => {
    const track = subtitles.find((t) => String(t.index) === value)
    choice.current = { ...choice.current, subtitleLanguage: track?.language ?? null }
    if (player.current !== null) {
      player.current.subtitleDisplay = track !== undefined
      player.current.subtitleTrack = track?.index ?? -1
    }
  }
  const chooseAudio = (value: string) => {
    const track = audio.find((t) => String(t.index) === value)
    const dubbed = track !== undefined && track.index !== 0
    choice.current = { ...choice.current, audioLanguage: dubbed ? track.language : null }
    if (player.current !== null && track !== undefined) player.current.audioTrack = track.index
  }

  return (
    <>
      {failure !== null && <p role='alert' className='error'>{failure}</p>}
      <video
        ref={ref} controls playsInline autoPlay={autoPlay} muted={autoPlay}
        poster={stream.posterUrl ?? undefined} aria-label='Episode'
      />
      {(subtitles.length > 0 || audio.length > 0) && (
        <div className='grid tracks'>
          {subtitles.length > 0 && (
            <label>
              Subtitles
              <select defaultValue='-1' onChange={(e) => chooseSubtitles(e.target.value)}>
                <option value='-1'>Off</option>
                {subtitles.map((t) => <option key={t.index} value={t.index} lang={t.language}>{t.name}</option>)}
              </select>
            </label>)}
          {audio.length > 0 && (
            <label>
              Audio
              <select defaultValue='0' onChange={(e) => chooseAudio(e.target.value)}>
                {audio.map((t) => <option key={t.index} value={t.index} lang={t.language}>{t.name}</option>)}
              </select>
            </label>)}
        </div>)}
    </>
  )
}
