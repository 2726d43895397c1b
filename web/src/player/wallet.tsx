import { useState } from 'react'
import { Loaded, useLoad, later } from '../load.tsx'
import { errorMessage, useSession } from '../session.tsx'

const price = (amount: number, currency: string) =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(amount / 100)

export function WalletPage () {
  const { api, user } = useSession()
  const wallet = useLoad(async () => await api.GET('/me/wallet'), [api])
  const offers = useLoad(async () => await api.GET('/billing/offers'), [api])
  const [message, setMessage] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)

  async function checkIn () {
    setError(null)
    const { data, error } = await api.POST('/me/check-in')
    if (data === undefined) { setError(errorMessage(error)); return }
    setMessage(`+${data.data.coins} coins, day ${data.data.streak} in a row. Tomorrow: ${data.data.nextReward}.`)
    wallet.reload()
  }

  async function buy (offerId: string) {
    setError(null)
    const { data, error } = await api.POST('/billing/checkout', { body: { offerId } })
    if (data === undefined) { setError(errorMessage(error)); return }
    window.location.assign(data.data.url)
  }

  return (
    <>
      <section aria-labelledby='wallet'>
        <h1 id='wallet'>Wallet</h1>
        <Loaded state={wallet}>{({ data }) => <p>Balance: <strong data-testid='balance'>{data.balance}</strong> coins</p>}</Loaded>
        {user !== null && <p>VIP: {user.subscription.status}</p>}
        <button type='button' onClick={() => { later(checkIn()) }}>Daily check-in</button>
        {message !== null && <p role='status'>{message}</p>}
        {error !== null && <p role='alert' className='error'>{error}</p>}
      </section>
      <section aria-labelledby='offers'>
        <h2 id='offers'>Coins and VIP</h2>
        <Loaded state={offers} empty={({ data }) => data.length === 0}>
          {({ data }) => (
            <div className='grid'>
              {data.map((o) => (
                <article key={o.id}>
                  <h3>{o.name}</h3>
                  <p>{o.kind === 'coins' ? `${(o.coins ?? 0) + (o.bonusCoins ?? 0)} coins` : `VIP, every ${o.period}`}: {price(o.amount, o.currency)}</p>
                  <button type='button' onClick={() => { later(buy(o.id)) }}>Buy</button>
                </article>))}
            </div>)}
        </Loaded>
      </section>
    </>
  )
}
