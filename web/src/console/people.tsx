// People: finding an account to grant coins or VIP, and the audit log of every status change.
import { useRef, useState, type FormEvent } from 'react'
import type { Schemas } from '../../../clients/ts/index.ts'
import { Loaded, useAction, useLoad } from '../load.tsx'
import { useSession } from '../session.tsx'

export function Users () {
  const { api } = useSession()
  const [email, setEmail] = useState('')
  const users = useLoad(async () => await api.GET('/admin/users', {
    params: { query: { limit: 20, ...(email === '' ? {} : { email }) } }
  }), [api, email])
  const search = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    setEmail(String(new FormData(e.currentTarget).get('email')).trim())
  }
  return (
    <section aria-labelledby='users'>
      <h2 id='users'>Users</h2>
      <form onSubmit={search} role='search'>
        <fieldset role='group'>
          <input name='email' type='search' aria-label='Email of the account' placeholder='Email (empty: the newest accounts)' />
          <button type='submit'>Find</button>
        </fieldset>
      </form>
      <Loaded state={users} empty={(page) => page.data.length === 0}>
        {(page) => page.data.map((u) => <UserCard key={u.id} user={u} onChange={() => users.reload()} />)}
      </Loaded>
    </section>
  )
}

function UserCard ({ user, onChange }: { user: Schemas['User'], onChange: () => void }) {
  const { api } = useSession()
  const { run, status, busy } = useAction()
  // One key per grant typed: a double click or a retry of the same grant applies once; the next grant gets a new one.
  const key = useRef(crypto.randomUUID())
  const path = { userId: user.id }
  const grant = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const form = new FormData(e.currentTarget)
    const body = { amount: Number(form.get('amount')), reason: String(form.get('reason')) }
    run(async () => {
      const answer = await api.POST('/admin/users/{userId}/coins', { params: { path, header: { 'idempotency-key': key.current } }, body })
      if (answer.data !== undefined) key.current = crypto.randomUUID()
      return answer
    }, `${body.amount > 0 ? 'Granted' : 'Taken back'}: ${Math.abs(body.amount)} coins.`)
  }
  const vip = user.subscription.status === 'active'
  const toggle = () => run(async () => await api.POST('/admin/users/{userId}/subscription', {
    params: { path }, body: { status: vip ? 'canceled' : 'active' }
  }), vip ? 'VIP ended.' : 'VIP given.', onChange)
  return (
    <article aria-label={user.email}>
      <header>
        <strong>{user.email}</strong> <span className='badge'>{user.role}</span> <span className='badge'>VIP {user.subscription.status}</span>
        {user.mfaEnabled && <span className='badge'>two-factor</span>}
      </header>
      <form onSubmit={grant} aria-label={`Coins for ${user.email}`}>
        <div className='grid'>
          <label>Coins (negative takes back) <input name='amount' type='number' required min={-1_000_000} max={1_000_000} /></label>
          <label>Why <input name='reason' required maxLength={1000} /></label>
        </div>
        <button type='submit' disabled={busy}>Apply the coins</button>
      </form>
      <button type='button' className='secondary' onClick={toggle}>{vip ? 'End VIP' : 'Give VIP'}</button>
      {status}
    </article>
  )
}

export function AuditLog () {
  const { api } = useSession()
  const [page, setPage] = useState(1)
  const log = useLoad(async () => await api.GET('/admin/audit', { params: { query: { limit: 50, page } } }), [api, page])
  return (
    <section aria-labelledby='audit'>
      <h2 id='audit'>Audit log</h2>
      <Loaded state={log} empty={(p) => p.data.length === 0}>
        {({ data, meta }) => (
          <>
            <div className='overflow-auto'>
              <table>
                <thead><tr><th>When</th><th>Who</th><th>What</th><th>Target</th><th>Change</th><th>Why</th></tr></thead>
                <tbody>
                  {data.map((e) => (
                    <tr key={e.id}>
                      <td>{new Date(e.at).toLocaleString()}</td>
                      <td><code>{e.actorId ?? 'system'}</code></td>
                      <td>{e.action}</td>
                      <td>{e.targetType} <code>{e.targetId}</code></td>
                      <td>{e.before ?? '–'} → {e.after ?? '–'}</td>
                      <td>{e.reason ?? ''}</td>
                    </tr>))}
                </tbody>
              </table>
            </div>
            <Pager page={meta.page} pages={meta.totalPages} onPage={setPage} />
          </>)}
      </Loaded>
    </section>
  )
}

export function Pager ({ page, pages, onPage }: { page: number, pages: number, onPage: (page: number) => void }) {
  if (pages <= 1) return null
  return (
    <nav aria-label='Pages'>
      <ul>
        <li><button type='button' className='secondary' disabled={page <= 1} onClick={() => onPage(page - 1)}>Newer</button></li>
        <li>Page {page} of {pages}</li>
        <li><button type='button' className='secondary' disabled={page >= pages} onClick={() => onPage(page + 1)}>Older</button></li>
      </ul>
    </nav>
  )
}
