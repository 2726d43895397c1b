// The pages an email's link opens (APP_URL + /verify-email or /reset-password, with ?token=): public.
import { useEffect, useState, type FormEvent } from 'react'
import { Link, useSearchParams } from 'wouter'
import { later } from '../load.tsx'
import { errorMessage, useSession } from '../session.tsx'

export function VerifyEmailLink () {
  const { api, user, refreshUser } = useSession()
  const [params] = useSearchParams()
  const [state, setState] = useState<{ done: boolean, error?: string }>({ done: false })
  useEffect(() => {
    later(api.POST('/auth/email/verify', { body: { token: params.get('token') ?? '' } }).then(async ({ error }) => {
      if (error !== undefined) { setState({ done: true, error: errorMessage(error) }); return }
      setState({ done: true })
      if (user !== null) await refreshUser()
    }))
  }, []) // once: the link's token works once
  if (!state.done) return <p aria-busy='true'>Confirming your email…</p>
  if (state.error !== undefined) return <p role='alert' className='error'>{state.error}</p>
  return <p role='status'>Your email is confirmed. <Link href={user?.role === 'viewer' ? '/' : '/studio'}>Go on</Link></p>
}

export function ResetPasswordLink () {
  const { api } = useSession()
  const [params] = useSearchParams()
  const [state, setState] = useState<{ done: boolean, error?: string }>({ done: false })
  async function submit (event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const password = String(new FormData(event.currentTarget).get('password'))
    const { error } = await api.POST('/auth/password/reset', { body: { token: params.get('token') ?? '', password } })
    setState(error === undefined ? { done: true } : { done: false, error: errorMessage(error) })
  }
  if (state.done) return <p role='status'>Your password is changed, and every device signed out. <Link href='/signin'>Sign in</Link></p>
  return (
    <article>
      <h1>Choose a new password</h1>
      <form onSubmit={(e) => later(submit(e))}>
        <label>New password (at least 8 characters)
          <input name='password' type='password' autoComplete='new-password' required minLength={8} maxLength={72} />
        </label>
        {state.error !== undefined && <p role='alert' className='error'>{state.error}</p>}
        <button type='submit'>Save it</button>
      </form>
    </article>
  )
}
