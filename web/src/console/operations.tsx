// Operations: the job queues (retry what failed), the webhook endpoints with their delivery log (redeliver),
// and the offers on sale.
import { useState, type FormEvent } from 'react'
import type { paths, Schemas } from '../../../clients/ts/index.ts'
import { Loaded, useAction, useLoad } from '../load.tsx'
import { useSession } from '../session.tsx'

export function Jobs () {
  const { api } = useSession()
  const queues = useLoad(async () => await api.GET('/admin/jobs'), [api])
  const { run, status } = useAction()
  return (
    <section aria-labelledby='jobs'>
      <h2 id='jobs'>Job queues</h2>
      <button type='button' className='secondary' onClick={() => queues.reload()}>Refresh</button>
      {status}
      <Loaded state={queues}>
        {({ data }) => data.map((q) => (
          <article key={q.name} aria-label={`Queue ${q.name}`}>
            <header><strong>{q.name}</strong></header>
            <p>
              {Object.entries(q.counts).map(([state, n]) => <span key={state} className='badge'>{state} {n}</span>)}
            </p>
            {q.failed.length > 0 && (
              <table>
                <thead><tr><th>Job</th><th>Attempts</th><th>Error</th><th /></tr></thead>
                <tbody>
                  {q.failed.map((j) => (
                    <tr key={j.id}>
                      <td>{j.name} <code>{j.id}</code></td>
                      <td>{j.attemptsMade}</td>
                      <td>{j.failedReason}</td>
                      <td>
                        <button
                          type='button' onClick={() => run(async () => await api.POST('/admin/jobs/{queue}/{jobId}/retry', {
                            params: { path: { queue: q.name, jobId: j.id } }
                          }), `Job ${j.id} is queued again.`, queues.reload)}
                        >Retry
                        </button>
                      </td>
                    </tr>))}
                </tbody>
              </table>)}
          </article>))}
      </Loaded>
    </section>
  )
}

type WebhookEvent = NonNullable<paths['/admin/webhooks']['post']['requestBody']>['content']['application/json']['events'][number]
type WebhookEndpoint = paths['/admin/webhooks']['get']['responses'][200]['content']['application/json']['data'][number]
/** Every event an endpoint may ask for (a new one in the contract fails this build until it is named here). */
const EVENTS: Record<WebhookEvent, string> = {
  'video.ready': 'A video is ready to publish',
  'video.failed': 'A video could not be processed',
  'episode.published': 'An episode is published',
  'episode.rejected': 'An episode is rejected',
  'episode.unpublished': 'An episode is taken down',
  'series.published': 'A series is published',
  'series.unpublished': 'A series is taken down'
}

export function Webhooks () {
  const { api } = useSession()
  const endpoints = useLoad(async () => await api.GET('/admin/webhooks', { params: { query: { limit: 50 } } }), [api])
  const { run, status } = useAction()
  const [secret, setSecret] = useState<string | null>(null)
  const create = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const form = new FormData(e.currentTarget)
    const body = {
      url: String(form.get('url')),
      events: form.getAll('events').map(String) as WebhookEvent[],
      description: String(form.get('description'))
    }
    run(async () => {
      const answer = await api.POST('/admin/webhooks', { body })
      setSecret(answer.data?.data.secret ?? null)
      return answer
    }, 'Endpoint added.', endpoints.reload)
  }
  return (
    <section aria-labelledby='webhooks'>
      <h2 id='webhooks'>Webhooks</h2>
      <Loaded state={endpoints} empty={(page) => page.data.length === 0}>
        {(page) => page.data.map((w) => <Endpoint key={w.id} endpoint={w} onChange={() => endpoints.reload()} />)}
      </Loaded>
      <details>
        <summary role='button' className='secondary'>New endpoint</summary>
        <form onSubmit={create}>
          <label>URL <input name='url' type='url' required maxLength={2000} placeholder='https://hooks.example.com/microdrama' /></label>
          <fieldset>
            <legend>Events</legend>
            {Object.entries(EVENTS).map(([event, what]) => (
              <label key={event}><input type='checkbox' name='events' value={event} /> {what} <code>{event}</code></label>))}
          </fieldset>
          <label>Description <input name='description' maxLength={500} /></label>
          <button type='submit'>Add the endpoint</button>
        </form>
      </details>
      {status}
      {secret !== null && <p role='note'>Its signing secret, shown only now: <code>{secret}</code></p>}
    </section>
  )
}

function Endpoint ({ endpoint, onChange }: { endpoint: WebhookEndpoint, onChange: () => void }) {
  const { api } = useSession()
  const { run, status } = useAction()
  const [open, setOpen] = useState(false)
  const path = { webhookId: endpoint.id }
  const toggle = () => run(async () => await api.PATCH('/admin/webhooks/{webhookId}', {
    params: { path }, body: { enabled: !endpoint.enabled }
  }), endpoint.enabled ? 'Disabled.' : 'Enabled again.', onChange)
  return (
    <article aria-label={endpoint.url}>
      <header>
        <strong>{endpoint.url}</strong> <span className='badge'>{endpoint.enabled ? 'enabled' : 'disabled'}</span>
        {endpoint.disabledReason !== null && <small> {endpoint.disabledReason}</small>}
      </header>
      <p>{endpoint.description} <small>{endpoint.events.join(', ')}</small></p>
      <div role='group'>
        <button type='button' className='secondary' onClick={toggle}>{endpoint.enabled ? 'Disable' : 'Enable'}</button>
        <button type='button' className='secondary' aria-expanded={open} onClick={() => setOpen(!open)}>Deliveries</button>
      </div>
      {status}
      {open && <Deliveries webhookId={endpoint.id} />}
    </article>
  )
}

function Deliveries ({ webhookId }: { webhookId: string }) {
  const { api } = useSession()
  const path = { webhookId }
  const deliveries = useLoad(async () => await api.GET('/admin/webhooks/{webhookId}/deliveries', {
    params: { path, query: { limit: 20 } }
  }), [api, webhookId])
  const { run, status } = useAction()
  return (
    <Loaded state={deliveries} empty={(page) => page.data.length === 0}>
      {(page) => (
        <>
          {status}
          <table>
            <thead><tr><th>Event</th><th>State</th><th>Attempts</th><th>Last answer</th><th /></tr></thead>
            <tbody>
              {page.data.map((d) => (
                <tr key={d.id}>
                  <td>{d.eventType} <small>{new Date(d.createdAt).toLocaleString()}</small></td>
                  <td>{d.status}</td>
                  <td>{d.attempts}</td>
                  <td>{d.lastStatusCode ?? ''} {d.lastError ?? ''}</td>
                  <td>
                    <button
                      type='button' className='secondary' onClick={() => run(async () =>
                        await api.POST('/admin/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver', {
                          params: { path: { webhookId, deliveryId: d.id } }
                        }), 'Sent again.', deliveries.reload)}
                    >Redeliver
                    </button>
                  </td>
                </tr>))}
            </tbody>
          </table>
        </>)}
    </Loaded>
  )
}

const price = (o: Schemas['Offer']) => new Intl.NumberFormat(undefined, { style: 'currency', currency: o.currency }).format(o.amount / 100)

export function Offers () {
  const { api } = useSession()
  const offers = useLoad(async () => await api.GET('/admin/offers'), [api])
  const { run, status } = useAction()
  const create = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const form = new FormData(e.currentTarget)
    const body = {
      kind: form.get('kind') === 'vip' ? 'vip' as const : 'coins' as const,
      name: String(form.get('name')),
      stripePriceId: String(form.get('stripePriceId')),
      coins: Number(form.get('coins') ?? 0),
      bonusCoins: Number(form.get('bonusCoins') ?? 0)
    }
    run(async () => await api.POST('/admin/offers', { body }), 'On sale.', offers.reload)
  }
  const setActive = (o: Schemas['Offer']) => run(async () => await api.PATCH('/admin/offers/{offerId}', {
    params: { path: { offerId: o.id } }, body: { active: !o.active }
  }), o.active ? `${o.name} retired.` : `${o.name} on sale again.`, offers.reload)
  return (
    <section aria-labelledby='offers'>
      <h2 id='offers'>Offers</h2>
      {status}
      <Loaded state={offers} empty={({ data }) => data.length === 0}>
        {({ data }) => (
          <table>
            <thead><tr><th>Offer</th><th>Price</th><th>Gives</th><th>Stripe price</th><th /></tr></thead>
            <tbody>
              {data.map((o) => (
                <tr key={o.id}>
                  <td>{o.name} <span className='badge'>{o.active ? 'on sale' : 'retired'}</span></td>
                  <td>{price(o)}{o.period !== null && ` per ${o.period}`}</td>
                  <td>{o.kind === 'vip' ? 'VIP' : `${o.coins} + ${o.bonusCoins} coins`}</td>
                  <td><code>{o.stripePriceId}</code></td>
                  <td><button type='button' className='secondary' onClick={() => setActive(o)}>{o.active ? 'Retire' : 'Sell again'}</button></td>
                </tr>))}
            </tbody>
          </table>)}
      </Loaded>
      <details>
        <summary role='button' className='secondary'>New offer</summary>
        <form onSubmit={create}>
          <div className='grid'>
            <label>Kind <select name='kind'><option value='coins'>Coin pack</option><option value='vip'>VIP plan</option></select></label>
            <label>Name <input name='name' required maxLength={100} /></label>
            <label>Stripe price id <input name='stripePriceId' required pattern='[A-Za-z0-9_]{3,255}' placeholder='price_…' /></label>
          </div>
          <div className='grid'>
            <label>Coins (a pack) <input name='coins' type='number' min={0} defaultValue={0} /></label>
            <label>Bonus coins <input name='bonusCoins' type='number' min={0} defaultValue={0} /></label>
          </div>
          <button type='submit'>Put it on sale</button>
        </form>
      </details>
    </section>
  )
}
