// The platform per day, as charts: the last 30 days by default.
import { BarChart } from '../chart.tsx'
import { Loaded, useLoad } from '../load.tsx'
import { useSession } from '../session.tsx'

const FIGURES = [
  ['signups', 'Sign-ups'], ['activeViewers', 'Active viewers'], ['plays', 'Plays'], ['coinsPurchased', 'Coins bought'],
  ['coinsSpent', 'Coins spent'], ['subscriptionsStarted', 'VIP started'], ['subscriptionsEnded', 'VIP ended']
] as const

export function PlatformStats () {
  const { api } = useSession()
  const stats = useLoad(async () => await api.GET('/admin/stats'), [api])
  return (
    <section aria-labelledby='platform'>
      <h2 id='platform'>The platform per day</h2>
      <Loaded state={stats}>
        {({ data }) => (
          <>
            <p><small>From {data.from} to {data.to} (UTC), computed about every minute.</small></p>
            <div className='charts'>
              {FIGURES.map(([field, title]) => (
                <BarChart key={field} title={title} bars={data.days.map((d) => ({ label: d.day, value: d[field] }))} />
              ))}
            </div>
          </>)}
      </Loaded>
    </section>
  )
}
