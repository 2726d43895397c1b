// What viewers did with a series, and what the creator earned: the studio's charts.
import { useState } from 'react'
import { BarChart, percent } from '../chart.tsx'
import { Loaded, useLoad } from '../load.tsx'
import { useSession } from '../session.tsx'

export function SeriesStats ({ id }: { id: string }) {
  const { api } = useSession()
  const stats = useLoad(async () => await api.GET('/creator/series/{seriesId}/stats', { params: { path: { seriesId: id } } }), [api, id])
  const [picked, setPicked] = useState<number | null>(null)
  return (
    <section aria-labelledby='stats'>
      <h2 id='stats'>Statistics</h2>
      <Loaded state={stats}>
        {({ data }) => {
          const episode = data.episodes.find((e) => e.number === picked) ?? data.episodes[0]
          const { reached, converted, firstLockedNumber, conversionRate } = data.paywall
          return (
            <>
              <p><small>{data.updatedAt === null ? 'Not computed yet: figures appear a minute after the first plays.' : `As of ${new Date(data.updatedAt).toLocaleString()}.`}</small></p>
              <div className='charts'>
                <BarChart title='Plays per day' bars={data.days.map((d) => ({ label: d.day, value: d.plays }))} />
                <BarChart
                  title='Completion per episode' max={1} format={percent}
                  bars={data.episodes.map((e) => ({ label: `Ep. ${e.number}`, value: e.avgCompletion }))}
                />
                <BarChart title='Viewers per episode (the funnel)' bars={data.funnel.map((f) => ({ label: `Ep. ${f.number}`, value: f.viewers }))} />
                <BarChart
                  title={`Paywall at episode ${firstLockedNumber}: ${percent(conversionRate)} went on`}
                  bars={[{ label: 'Reached it', value: reached }, { label: 'Unlocked or subscribed', value: converted }]}
                />
              </div>
              {episode !== undefined && (
                <>
                  <label>Drop-off of episode
                    <select value={episode.number} onChange={(e) => setPicked(Number(e.target.value))}>
                      {data.episodes.map((e) => <option key={e.number} value={e.number}>{e.number}</option>)}
                    </select>
                  </label>
                  <BarChart
                    title={`Viewers still watching episode ${episode.number}, per tenth`} max={1} format={percent}
                    bars={episode.dropOff.map((share, i) => ({ label: `${i * 10} %`, value: share }))}
                  />
                </>)}
            </>
          )
        }}
      </Loaded>
    </section>
  )
}

export function Earnings () {
  const { api } = useSession()
  const earnings = useLoad(async () => await api.GET('/creator/earnings'), [api])
  return (
    <section aria-labelledby='earnings'>
      <h2 id='earnings'>Earnings</h2>
      <Loaded state={earnings}>
        {({ data }) => {
          const perDay = new Map<string, number>()
          for (const d of data.days) perDay.set(d.day, (perDay.get(d.day) ?? 0) + d.coins)
          return (
            <>
              <p>{data.coins} coins spent on your episodes from {data.from} to {data.to}.</p>
              <BarChart title='Coins per day' format={(n) => `${n} coins`} bars={[...perDay].map(([day, coins]) => ({ label: day, value: coins }))} />
            </>
          )
        }}
      </Loaded>
    </section>
  )
}
