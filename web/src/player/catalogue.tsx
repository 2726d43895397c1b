import { useState } from 'react'
import { Link } from 'wouter'
import type { Schemas } from '../../../clients/ts/index.ts'
import { Loaded, useLoad } from '../load.tsx'
import { useSession } from '../session.tsx'

export function SeriesCard ({ series }: { series: Schemas['Series'] }) {
  return (
    <article>
      <Link href={`/series/${series.id}`} aria-label={series.title}>
        {series.coverUrl === null ? <div className='cover' /> : <img src={series.coverUrl} alt='' loading='lazy' />}
      </Link>
      <Link href={`/series/${series.id}`}>{series.title}</Link>
    </article>
  )
}

export function Catalogue () {
  const { api, user } = useSession()
  const [q, setQ] = useState('')
  const [genre, setGenre] = useState('')
  const genres = useLoad(async () => await api.GET('/content/genres'), [api])
  const series = useLoad(async () => await api.GET('/content/series', {
    params: { query: { limit: 30, ...(q.trim() === '' ? {} : { q: q.trim() }), ...(genre === '' ? {} : { genre }) } }
  }), [api, q, genre])
  const watching = useLoad(async () => user === null ? { data: { data: [] } } : await api.GET('/me/continue-watching'), [api, user])

  return (
    <>
      {watching.data !== undefined && watching.data.data.length > 0 && (
        <section aria-labelledby='continue'>
          <h2 id='continue'>Continue watching</h2>
          <div className='grid-series'>
            {watching.data.data.map((w) => (
              <article key={w.episode.id}>
                <Link href={`/watch/${(w.completed && w.next !== undefined ? w.next : w.episode).id}`}>
                  {w.series.title}, episode {(w.completed && w.next !== undefined ? w.next : w.episode).number}
                </Link>
              </article>))}
          </div>
        </section>)}
      <section aria-labelledby='catalogue'>
        <h1 id='catalogue'>Series</h1>
        <form role='search' onSubmit={(e) => e.preventDefault()}>
          <fieldset role='group'>
            <input type='search' aria-label='Search series' placeholder='Search' value={q} onChange={(e) => setQ(e.target.value)} />
            <select aria-label='Genre' value={genre} onChange={(e) => setGenre(e.target.value)}>
              <option value=''>All genres</option>
              {genres.data?.data.map((g) => <option key={g.genre} value={g.genre}>{g.genre} ({g.count})</option>)}
            </select>
          </fieldset>
        </form>
        <Loaded state={series} empty={(page) => page.data.length === 0}>
          {(page) => <div className='grid-series'>{page.data.map((s) => <SeriesCard key={s.id} series={s} />)}</div>}
        </Loaded>
      </section>
    </>
  )
}
