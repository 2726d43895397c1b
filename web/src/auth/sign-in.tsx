import { useState, type FormEvent } from 'react'
import { Link, useLocation, useSearchParams } from 'wouter'
import { isSignedIn, type MfaChallenge } from '../../../clients/ts/index.ts'
import { errorMessage, useSession } from '../session.tsx'
import { later } from '../load.tsx'

/** Where to go after signing in: the page that sent the user here (`?next=`), within the app only. */
function useNext (): string {
  const [params] = useSearchParams()
  const [location] = useLocation()
  const next = params.get('next') ?? (location === '/signin' ? '/' : location)
  return next.startsWith('/') && !next.startsWith('//') ? next : '/'
}

export function SignIn () {
  const { api, signIn } = useSession()
  const [, navigate] = useLocation()
  const next = useNext()
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [challenge, setChallenge] = useState<MfaChallenge | null>(null)

  async function submit (event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    setBusy(true)
    setError(null)
    try {
      if (challenge === null) {
        const { data, error } = await api.POST('/auth/login', { body: { email: String(form.get('email')), password: String(form.get('password')) } })
        if (data === undefined) throw error
        if (!isSignedIn(data.data)) { setChallenge(data.data); return }
        signIn(data.data)
      } else {
        const { data, error } = await api.POST('/auth/mfa', { body: { challenge: challenge.challenge, code: String(form.get('code')) } })
        if (data === undefined) throw error
        signIn(data.data)
      }
      navigate(next)
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <article>
      <h1>Sign in</h1>
      <form onSubmit={(e) => { later(submit(e)) }}>
        {challenge === null
          ? (
            <>
              <label>Email <input name='email' type='email' autoComplete='email' required /></label>
              <label>Password <input name='password' type='password' autoComplete='current-password' required minLength={8} /></label>
            </>)
          : <label>Code from your authenticator app, or a recovery code <input name='code' autoComplete='one-time-code' required /></label>}
        {error !== null && <p role='alert' className='error'>{error}</p>}
        <button type='submit' aria-busy={busy} disabled={busy}>{challenge === null ? 'Sign in' : 'Confirm'}</button>
      </form>
      <p>No account? <Link href='/signup'>Sign up</Link></p>
    </article>
  )
}

export function SignUp () {
  const { api, signIn } = useSession()
  const [, navigate] = useLocation()
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  async function submit (event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    setBusy(true)
    setError(null)
    try {
      const role = form.get('creator') === 'on' ? 'creator' : 'viewer'
      const { data, error } = await api.POST('/auth/register', {
        body: { email: String(form.get('email')), password: String(form.get('password')), role }
      })
      if (data === undefined) throw error
      signIn(data.data)
      navigate(role === 'creator' ? '/studio' : '/')
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <article>
      <h1>Sign up</h1>
      <form onSubmit={(e) => { later(submit(e)) }}>
        <label>Email <input name='email' type='email' autoComplete='email' required /></label>
        <label>Password (at least 8 characters) <input name='password' type='password' autoComplete='new-password' required minLength={8} maxLength={72} /></label>
        <label><input name='creator' type='checkbox' role='switch' /> I publish series (a creator account)</label>
        {error !== null && <p role='alert' className='error'>{error}</p>}
        <button type='submit' aria-busy={busy} disabled={busy}>Create the account</button>
      </form>
      <p>Have an account? <Link href='/signin'>Sign in</Link></p>
    </article>
  )
}
