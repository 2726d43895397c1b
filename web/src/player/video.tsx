// One episode's stream in a <video>: HLS through hls.js (Media Source Extensions), or natively where there is no
// MSE (older iOS), or the file itself for a video processed before the ladder existed.
import { useEffect, useRef, useState } from 'react'
import { later } from '../load.tsx'

export interface Stream { type: 'hls' | 'mp4', url: string, posterUrl: string | null }

export function Video ({ stream, onEnded, onProgress, autoPlay = true }: {
  stream: Stream
  onEnded?: () => void
  /** Every few seconds while playing, and on pause and end: where the viewer is. */
  onProgress?: (positionSec: number, completed: boolean) => void
  autoPlay?: boolean
}) {
  const ref = useRef<HTMLVideoElement>(null)
  const [failure, setFailure] = useState<string | null>(null)
  const [progress, ended] = [useRef(onProgress), useRef(onEnded)]
  progress.current = onProgress
  ended.current = onEnded

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
        hls.on(Hls.Events.ERROR, (_event, data) => {
          if (!data.fatal) return
          console.error('playback failed', data.type, data.details, data.error?.message)
          setFailure(`This episode could not be played (${data.details}).`)
        })
        hls.loadSource(stream.url)
        hls.attachMedia(video)
        stop = () => hls.destroy()
      }))
    }
    let last = 0
    const report = (completed: boolean) => { progress.current?.(video.currentTime, completed) }
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

  return (
    <>
      {failure !== null && <p role='alert' className='error'>{failure}</p>}
      <video
        ref={ref} controls playsInline autoPlay={autoPlay} muted={autoPlay}
        poster={stream.posterUrl ?? undefined} aria-label='Episode'
      />
    </>
  )
}
