import { Link } from 'wouter'
import type { Schemas } from '../../../clients/ts/index.ts'
import { Loaded, useLoad, later } from '../load.tsx'
import { errorMessage, useSession } from '../session.tsx'
import { useState } from 'react'

const ACCESS: Record<Schemas['Access'], string> = { free: 'Free', subscription: 'VIP', unlocked: 'Unlocked', locked: 'Locked' }

export function SeriesPage ({ id }: { id: string }) {
  const { api } = useSession()
  const series = useLoad(async () => await api.GET('/content/series/{seriesId}', { params: { path: { seriesId: id } } }), [api, id])
  const episodes = useLoad(async () => await api.GET('/content/series/{seriesId}/episodes', {
    params: { path: { seriesId: id }, query: { limit: 100 } }
  }), [api, id])
  const [saved, setSaved] = useState<boolean | null>(null)
  const [error, setError] = useState<string | null>(null)

  async function toggle (inList: boolean) {
    setError(null)
    const answer = inList
      ? await api.DELETE('/me/list/{seriesId}', { params: { path: { seriesId: id } } })
      : await api.PUT('/me/list/{seriesId}', { params: { path: { seriesId: id } } })
    if (answer.error !== undefined) setError(errorMessage(answer.error))
    else setSaved(!inList)
  }

  return (
    <Loaded state={series}>
      {({ data: s }) => {
        const inList = saved ?? s.inMyList
        return (
          <article>
            <div className='grid'>
              {s.coverUrl !== null && <img className='cover' src={s.coverUrl} alt='' />}
              <div>
                <h1>{s.title}</h1>
                <p>{s.description}</p>
                <p>{s.genres.join(' · ')}</p>
                <p>
                  {s.freeEpisodes === 1 ? 'The first episode is free' : `The first ${s.freeEpisodes} episodes are free`}
                  {s.coinPrice === null ? ', the rest play with VIP.' : `; then ${s.coinPrice} coins an episode, or VIP.`}
                </p>
                <button type='button' className='secondary' aria-pressed={inList} onClick={() => { later(toggle(inList)) }}>
                  {inList ? 'Remove from my list' : 'Add to my list'}
                </button>
                {error !== null && <p role='alert' className='error'>{error}</p>}
              </div>
            </div>
            <h2>Episodes</h2>
            <Loaded state={episodes} empty={(page) => page.data.length === 0}>
              {(page) => (
                <ul className='episodes'>
                  {page.data.map((e) => (
                    <li key={e.id}>
                      <Link href={`/watch/${e.id}`}>{e.number}. {e.title}</Link>
                      <span className='badge'>{ACCESS[e.access]}{e.access === 'locked' && e.coinPrice !== null ? `: ${e.coinPrice} coins` : ''}</span>
                    </li>))}
                </ul>)}
            </Loaded>
          </article>
        )
      }}
    </Loaded>
  )
}
