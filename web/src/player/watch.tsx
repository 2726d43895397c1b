// An episode in the vertical player: swipe (or the arrow keys) between the series' episodes, the next one's stream
// asked for ahead, progress reported as it plays, and the paywall at a locked episode.
import { useEffect, useRef, useState } from 'react'
import { Link, useLocation } from 'wouter'
import type { Schemas } from '../../../clients/ts/index.ts'
import { Loaded, useLoad, later } from '../load.tsx'
import { errorMessage, useSession } from '../session.tsx'
import { Video, type Choice, type Stream } from './video.tsx'

export function Watch ({ id }: { id: string }) {
  const { api } = useSession()
  const [, navigate] = useLocation()
  const episode = useLoad(async () => await api.GET('/content/episodes/{episodeId}', { params: { path: { episodeId: id } } }), [api, id])
  const seriesId = episode.data?.data.seriesId
  const siblings = useLoad(async () => seriesId === undefined
    ? { data: undefined }
    : await api.GET('/content/series/{seriesId}/episodes', { params: { path: { seriesId }, query: { limit: 100 } } }), [api, seriesId])
  const list = siblings.data?.data ?? []
  const at = list.findIndex((e) => e.id === id)
  const [prev, next] = [at > 0 ? list[at - 1] : undefined, at >= 0 ? list[at + 1] : undefined]

  const go = (to: Schemas['Episode'] | undefined) => { if (to !== undefined) navigate(`/watch/${to.id}`) }
  useSwipe((direction) => go(direction === 'up' ? next : prev))

  // The next episode's stream, asked for while this one plays, and its master playlist fetched into the cache.
  useEffect(() => {
    if (next === undefined || next.access === 'locked') return
    later(api.GET('/video/play/{episodeId}', { params: { path: { episodeId: next.id } } })
      .then(async ({ data }) => { if (data?.data.type === 'hls') await fetch(data.data.url) }))
  }, [api, next])

  return (
    <Loaded state={episode}>
      {({ data: e }) => (
        <section className='stage' aria-label={`Episode ${e.number}: ${e.title}`}>
          <hgroup>
            <h1>{e.number}. {e.title}</h1>
            <p><Link href={`/series/${e.seriesId}`}>All episodes</Link></p>
          </hgroup>
          {e.access === 'locked' ? <Paywall episode={e} onUnlocked={() => episode.reload()} /> : <Player episode={e} onEnded={() => go(next)} />}
          <nav aria-label='Episodes'>
            <ul>
              <li><button type='button' className='secondary' disabled={prev === undefined} onClick={() => go(prev)}>Previous</button></li>
              <li><button type='button' disabled={next === undefined} onClick={() => go(next)}>Next episode</button></li>
            </ul>
          </nav>
        </section>)}
    </Loaded>
  )
}

function Player ({ episode, onEnded }: { episode: Schemas['Episode'], onEnded: () => void }) {
  const { api } = useSession()
  const play = useLoad(async () => await api.GET('/video/play/{episodeId}', { params: { path: { episodeId: episode.id } } }), [api, episode.id])
  const report = (positionSec: number, completed: boolean, choice: Choice) => {
    later(api.POST('/video/progress', { body: { episodeId: episode.id, positionSec, completed, ...choice } }))
  }
  return (
    <Loaded state={play}>
      {({ data }) => <Video stream={data as Stream} onEnded={onEnded} onProgress={report} />}
    </Loaded>
  )
}

/** A locked episode: its price, the wallet, and an unlock that charges once however often it is clicked. */
function Paywall ({ episode, onUnlocked }: { episode: Schemas['Episode'], onUnlocked: () => void }) {
  const { api } = useSession()
  const wallet = useLoad(async () => await api.GET('/me/wallet'), [api])
  // One key for this episode's unlock, kept across clicks and retries: the API charges a key once.
  const key = useRef(crypto.randomUUID())
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  async function unlock () {
    if (busy) return
    setBusy(true)
    setError(null)
    const { data, error } = await api.POST('/content/episodes/{episodeId}/unlock', {
      params: { path: { episodeId: episode.id }, header: { 'idempotency-key': key.current } }
    }).catch((err: unknown) => ({ data: undefined, error: err }))
    setBusy(false)
    if (data !== undefined) { onUnlocked(); return }
    // A refused key is not kept: the next try (after a top-up) may use a new one.
    key.current = crypto.randomUUID()
    setError(errorMessage(error))
    wallet.reload()
  }

  const balance = wallet.data?.data.balance
  return (
    <article className='paywall' aria-labelledby='paywall-title'>
      <h2 id='paywall-title'>This episode is locked</h2>
      {episode.coinPrice === null
        ? <p>It plays with VIP.</p>
        : (
          <p>
            Unlock it for <strong>{episode.coinPrice} coins</strong>.
            {balance !== undefined && <> Your wallet: <strong data-testid='balance'>{balance} coins</strong>.</>}
          </p>)}
      {error !== null && <p role='alert' className='error'>{error}</p>}
      {episode.coinPrice !== null && (
        <button type='button' aria-busy={busy} onClick={() => { later(unlock()) }}>Unlock for {episode.coinPrice} coins</button>)}
      <Link href='/wallet'>Buy coins or VIP</Link>
    </article>
  )
}

/** Vertical swipes on touch screens, and the arrow keys: up (or ArrowDown) for the next episode. */
function useSwipe (on: (direction: 'up' | 'down') => void) {
  const handler = useRef(on)
  handler.current = on
  useEffect(() => {
    let startY: number | null = null
    const down = (e: TouchEvent) => { startY = e.touches[0]?.clientY ?? null }
    const up = (e: TouchEvent) => {
      const endY = e.changedTouches[0]?.clientY
      if (startY !== null && endY !== undefined && Math.abs(endY - startY) > 80) handler.current(endY < startY ? 'up' : 'down')
      startY = null
    }
    const key = (e: KeyboardEvent) => {
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement) return
      if (e.key === 'ArrowDown') handler.current('up')
      if (e.key === 'ArrowUp') handler.current('down')
    }
    window.addEventListener('touchstart', down, { passive: true })
    window.addEventListener('touchend', up)
    window.addEventListener('keydown', key)
    return () => {
      window.removeEventListener('touchstart', down)
      window.removeEventListener('touchend', up)
      window.removeEventListener('keydown', key)
    }
  }, [])
}
