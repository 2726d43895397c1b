// The moderation console: pending episodes, each watched inline through the same tokenized HLS as viewers get,
// approved or rejected with a reason; pending series likewise.
import { useState } from 'react'
import type { Schemas } from '../../../clients/ts/index.ts'
import { Loaded, later, useLoad } from '../load.tsx'
import { errorMessage, useSession } from '../session.tsx'
import { Video, type Stream } from '../player/video.tsx'

export function Console () {
  const { user } = useSession()
  if (user?.role !== 'admin') return <p>The console is for admins.</p>
  return (
    <>
      <h1>Moderation</h1>
      <PendingEpisodes />
      <PendingSeries />
    </>
  )
}

/** Approve, or reject with a reason: what a reviewer decides about one item. */
function Decision ({ name, onApprove, onReject }: {
  name: string
  onApprove: () => Promise<{ error?: unknown }>
  onReject: (reason: string) => Promise<{ error?: unknown }>
}) {
  const [error, setError] = useState<string | null>(null)
  const [rejecting, setRejecting] = useState(false)
  const run = (call: () => Promise<{ error?: unknown }>) => later(call().then(({ error }) => {
    setError(error === undefined ? null : errorMessage(error))
  }))
  return (
    <>
      {rejecting
        ? (
          <form onSubmit={(e) => { e.preventDefault(); run(async () => await onReject(String(new FormData(e.currentTarget).get('reason')))) }}>
            <label>Why {name} is rejected (the creator sees it) <textarea name='reason' required maxLength={1000} /></label>
            <button type='submit'>Reject</button>
            <button type='button' className='secondary' onClick={() => setRejecting(false)}>Cancel</button>
          </form>)
        : (
          <div role='group'>
            <button type='button' onClick={() => run(onApprove)}>Approve {name}</button>
            <button type='button' className='secondary' onClick={() => setRejecting(true)}>Reject {name}</button>
          </div>)}
      {error !== null && <p role='alert' className='error'>{error}</p>}
    </>
  )
}

function PendingEpisodes () {
  const { api } = useSession()
  const pending = useLoad(async () => await api.GET('/admin/episodes/pending', { params: { query: { limit: 20 } } }), [api])
  return (
    <section aria-labelledby='pending-episodes'>
      <h2 id='pending-episodes'>Episodes waiting for review</h2>
      <Loaded state={pending} empty={(page) => page.data.length === 0}>
        {(page) => page.data.map((e) => <Review key={e.id} episode={e} onDecided={() => pending.reload()} />)}
      </Loaded>
    </section>
  )
}

function Review ({ episode, onDecided }: { episode: Schemas['CreatorEpisode'], onDecided: () => void }) {
  const { api } = useSession()
  const path = { episodeId: episode.id }
  const play = useLoad(async () => await api.GET('/video/play/{episodeId}', { params: { path } }), [api, episode.id])
  const decided = <T extends { error?: unknown }>(answer: T): T => {
    if (answer.error === undefined) onDecided()
    return answer
  }
  return (
    <article aria-label={`Episode ${episode.number}: ${episode.title}`}>
      <h3>{episode.number}. {episode.title}</h3>
      <div className='stage'>
        <Loaded state={play}>{({ data }) => <Video stream={data as Stream} autoPlay={false} />}</Loaded>
      </div>
      <Decision
        name={`episode ${episode.number}`}
        onApprove={async () => decided(await api.POST('/admin/episodes/{episodeId}/approve', { params: { path } }))}
        onReject={async (reason) => decided(await api.POST('/admin/episodes/{episodeId}/reject', { params: { path }, body: { reason } }))}
      />
    </article>
  )
}

function PendingSeries () {
  const { api } = useSession()
  const pending = useLoad(async () => await api.GET('/admin/series/pending', { params: { query: { limit: 20 } } }), [api])
  return (
    <section aria-labelledby='pending-series'>
      <h2 id='pending-series'>Series waiting for review</h2>
      <Loaded state={pending} empty={(page) => page.data.length === 0}>
        {(page) => page.data.map((s) => {
          const path = { seriesId: s.id }
          const decided = <T extends { error?: unknown }>(answer: T): T => {
            if (answer.error === undefined) pending.reload()
            return answer
          }
          return (
            <article key={s.id} aria-label={s.title}>
              <h3>{s.title}</h3>
              <p>{s.description}</p>
              <Decision
                name='the series'
                onApprove={async () => decided(await api.POST('/admin/series/{seriesId}/approve', { params: { path } }))}
                onReject={async (reason) => decided(await api.POST('/admin/series/{seriesId}/reject', { params: { path }, body: { reason } }))}
              />
            </article>
          )
        })}
      </Loaded>
    </section>
  )
}
