import { useState, type FormEvent } from 'react'
import { Link, useLocation, useSearchParams } from 'wouter'
import { isSignedIn, type MfaChallenge } from '../../../clients/ts/index.ts'
import { useSession } from '../session.tsx'
import { useAction } from '../load.tsx'

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
  const { run, status, busy } = useAction()
  const [challenge, setChallenge] = useState<MfaChallenge | null>(null)

  function submit (event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    run(async () => {
      if (challenge === null) {
        const answer = await api.POST('/auth/login', { body: { email: String(form.get('email')), password: String(form.get('password')) } })
        if (answer.data === undefined) return answer
        if (!isSignedIn(answer.data.data)) { setChallenge(answer.data.data); return {} }
        signIn(answer.data.data)
      } else {
        const answer = await api.POST('/auth/mfa', { body: { challenge: challenge.challenge, code: String(form.get('code')) } })
        if (answer.data === undefined) return answer
        signIn(answer.data.data)
      }
      navigate(next)
      return {}
    })
  }

  return (
    <article>
      <h1>Sign in</h1>
      <form onSubmit={submit}>
        {challenge === null
          ? (
            <>
              <label>Email <input name='email' type='email' autoComplete='email' required /></label>
              <label>Password <input name='password' type='password' autoComplete='current-password' required minLength={8} /></label>
            </>)
          : <label>Code from your authenticator app, or a recovery code <input name='code' autoComplete='one-time-code' required /></label>}
        {status}
        <button type='submit' aria-busy={busy} disabled={busy}>{challenge === null ? 'Sign in' : 'Confirm'}</button>
      </form>
      <p>No account? <Link href='/signup'>Sign up</Link></p>
    </article>
  )
}

export function SignUp () {
  const { api, signIn } = useSession()
  const [, navigate] = useLocation()
  const { run, status, busy } = useAction()

  function submit (event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const role = form.get('creator') === 'on' ? 'creator' : 'viewer'
    run(async () => {
      const answer = await api.POST('/auth/register', {
        body: { email: String(form.get('email')), password: String(form.get('password')), role }
      })
      if (answer.data === undefined) return answer
      signIn(answer.data.data)
      navigate(role === 'creator' ? '/studio' : '/')
      return {}
    })
  }

  return (
    <article>
      <h1>Sign up</h1>
      <form onSubmit={submit}>
        <label>Email <input name='email' type='email' autoComplete='email' required /></label>
        <label>Password (at least 8 characters) <input name='password' type='password' autoComplete='new-password' required minLength={8} maxLength={72} /></label>
        <label><input name='creator' type='checkbox' role='switch' /> I publish series (a creator account)</label>
        {status}
        <button type='submit' aria-busy={busy} disabled={busy}>Create the account</button>
      </form>
      <p>Have an account? <Link href='/signin'>Sign in</Link></p>
    </article>
  )
}
