import { Loaded, useLoad } from '../load.tsx'
import { useSession } from '../session.tsx'
import { SeriesCard } from './catalogue.tsx'

export function MyList () {
  const { api } = useSession()
  const list = useLoad(async () => await api.GET('/me/list', { params: { query: { limit: 50 } } }), [api])
  return (
    <section aria-labelledby='my-list'>
      <h1 id='my-list'>My list</h1>
      <Loaded state={list} empty={(page) => page.data.length === 0}>
        {(page) => <div className='grid-series'>{page.data.map((s) => <SeriesCard key={s.id} series={s} />)}</div>}
      </Loaded>
    </section>
  )
}
