// The moderation console: the review queue (each episode watched inline through the same tokenized HLS as viewers
// get), taking down what is published, and the operators' pages (people, operations, statistics).
import { useState } from 'react'
import { Link, Route, Switch, useRoute } from 'wouter'
import type { Schemas } from '../../../clients/ts/index.ts'
import { Loaded, useAction, useLoad } from '../load.tsx'
import { useSession } from '../session.tsx'
import { Video, type Stream } from '../player/video.tsx'
import { AuditLog, Users } from './people.tsx'
import { Jobs, Offers, Webhooks } from './operations.tsx'
import { PlatformStats } from './stats.tsx'
import { TwoFactor } from './two-factor.tsx'

const PAGES = [
  ['/console', 'Review'], ['/console/published', 'Published'], ['/console/users', 'Users'], ['/console/audit', 'Audit log'],
  ['/console/jobs', 'Jobs'], ['/console/webhooks', 'Webhooks'], ['/console/offers', 'Offers'], ['/console/stats', 'Statistics']
] as const

export function Console () {
  const { user } = useSession()
  if (user?.role !== 'admin') return <p>The console is for admins.</p>
  return (
    <>
      <h1>Console</h1>
      {!user.mfaEnabled && <TwoFactor />}
      <nav aria-label='Console' className='tabs'>
        <ul>{PAGES.map(([href, name]) => <li key={href}><PageLink href={href}>{name}</PageLink></li>)}</ul>
      </nav>
      <Switch>
        <Route path='/console'><PendingEpisodes /><PendingSeries /></Route>
        <Route path='/console/published'><Published /></Route>
        <Route path='/console/users'><Users /></Route>
        <Route path='/console/audit'><AuditLog /></Route>
        <Route path='/console/jobs'><Jobs /></Route>
        <Route path='/console/webhooks'><Webhooks /></Route>
        <Route path='/console/offers'><Offers /></Route>
        <Route path='/console/stats'><PlatformStats /></Route>
      </Switch>
    </>
  )
}

function PageLink ({ href, children }: { href: string, children: string }) {
  const [here] = useRoute(href)
  return <Link href={href} aria-current={here ? 'page' : undefined}>{children}</Link>
}

type Call = () => Promise<{ error?: unknown }>

/** What a reviewer decides about one item: approve it, or reject (or take it down) with a reason the creator sees. */
function Decision ({ name, onApprove, onReject, rejectLabel = 'Reject', onDone }: {
  name: string
  onApprove?: Call
  onReject: (reason: string) => Promise<{ error?: unknown }>
  rejectLabel?: string
  onDone: () => void
}) {
  const { run, status } = useAction()
  const [rejecting, setRejecting] = useState(false)
  return (
    <>
      {rejecting
        ? (
          <form onSubmit={(e) => {
            e.preventDefault()
            const reason = String(new FormData(e.currentTarget).get('reason'))
            run(async () => await onReject(reason), undefined, onDone)
          }}
          >
            <label>Why: {rejectLabel.toLowerCase()} {name} (the creator sees it) <textarea name='reason' required maxLength={1000} /></label>
            <button type='submit'>{rejectLabel}</button>
            <button type='button' className='secondary' onClick={() => setRejecting(false)}>Cancel</button>
          </form>)
        : (
          <div role='group'>
            {onApprove !== undefined && <button type='button' onClick={() => run(onApprove, undefined, onDone)}>Approve {name}</button>}
            <button type='button' className='secondary' onClick={() => setRejecting(true)}>{rejectLabel} {name}</button>
          </div>)}
      {status}
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
  return (
    <article aria-label={`Episode ${episode.number}: ${episode.title}`}>
      <h3>{episode.number}. {episode.title}</h3>
      <div className='stage'>
        <Loaded state={play}>{({ data }) => <Video stream={data as Stream} autoPlay={false} />}</Loaded>
      </div>
      <Decision
        name={`episode ${episode.number}`} onDone={onDecided}
        onApprove={async () => await api.POST('/admin/episodes/{episodeId}/approve', { params: { path } })}
        onReject={async (reason) => await api.POST('/admin/episodes/{episodeId}/reject', { params: { path }, body: { reason } })}
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
          return (
            <article key={s.id} aria-label={s.title}>
              <h3>{s.title}</h3>
              <p>{s.description}</p>
              <Decision
                name='the series' onDone={() => pending.reload()}
                onApprove={async () => await api.POST('/admin/series/{seriesId}/approve', { params: { path } })}
                onReject={async (reason) => await api.POST('/admin/series/{seriesId}/reject', { params: { path }, body: { reason } })}
              />
            </article>
          )
        })}
      </Loaded>
    </section>
  )
}

/** What viewers can watch now, newest first: a series taken down leaves the catalogue with a reason. */
function Published () {
  const { api } = useSession()
  const [q, setQ] = useState('')
  const series = useLoad(async () => await api.GET('/content/series', {
    params: { query: { limit: 20, ...(q.trim() === '' ? {} : { q }) } }
  }), [api, q])
  return (
    <section aria-labelledby='published'>
      <h2 id='published'>Published series</h2>
      <input type='search' aria-label='Search the catalogue' placeholder='Search' onChange={(e) => setQ(e.target.value)} />
      <Loaded state={series} empty={(page) => page.data.length === 0}>
        {(page) => page.data.map((s) => (
          <article key={s.id} aria-label={s.title}>
            <h3><Link href={`/series/${s.id}`}>{s.title}</Link></h3>
            <Decision
              name='the series' rejectLabel='Take down' onDone={() => series.reload()}
              onReject={async (reason) => await api.POST('/admin/series/{seriesId}/unpublish', { params: { path: { seriesId: s.id } }, body: { reason } })}
            />
          </article>))}
      </Loaded>
    </section>
  )
}
