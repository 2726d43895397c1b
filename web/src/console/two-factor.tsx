// Two-factor enrolment from the console: the otpauth URI as a QR code to scan, a code to confirm, the recovery
// codes shown once. Deployments with ADMIN_MFA refuse the admin API (403 mfa_enrollment_required) until it is on.
import { useEffect, useRef, useState, type FormEvent } from 'react'
import { toCanvas } from 'qrcode'
import { later, useAction } from '../load.tsx'
import { useSession } from '../session.tsx'

export function TwoFactor () {
  const { api, refreshUser } = useSession()
  const { run, status } = useAction()
  const [setup, setSetup] = useState<{ secret: string, otpauthUri: string } | null>(null)
  const [codes, setCodes] = useState<string[] | null>(null)
  const canvas = useRef<HTMLCanvasElement>(null)
  useEffect(() => {
    if (setup === null || canvas.current === null) return
    later(toCanvas(canvas.current, setup.otpauthUri, { margin: 1, width: 200 }))
  }, [setup])

  const start = () => run(async () => {
    const answer = await api.POST('/auth/mfa/setup')
    if (answer.data !== undefined) setSetup(answer.data.data)
    return answer
  })
  const confirm = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const code = String(new FormData(e.currentTarget).get('code'))
    run(async () => {
      const answer = await api.POST('/auth/mfa/enable', { body: { code } })
      if (answer.data !== undefined) setCodes(answer.data.data.recoveryCodes)
      return answer
    }, 'Two-factor is on from your next sign-in.')
  }

  return (
    <article aria-labelledby='two-factor'>
      <h2 id='two-factor'>Turn on two-factor</h2>
      {codes !== null
        ? (
          <>
            <p>
              Keep these recovery codes somewhere safe: each signs you in once without your phone.
              They are shown only now.
            </p>
            <pre data-testid='recovery-codes'>{codes.join('\n')}</pre>
            <button type='button' onClick={() => later(refreshUser())}>I have kept them</button>
          </>)
        : setup === null
          ? (
            <>
              <p>
                Admins sign in with a code from an authenticator app too
                (deployments may require it before the console works).
              </p>
              <button type='button' onClick={start}>Set up two-factor</button>
            </>)
          : (
            <>
              <p>Scan this with your authenticator app, or type the key <code>{setup.secret}</code>.</p>
              <canvas ref={canvas} className='qr' role='img' aria-label='QR code of the authenticator setup' data-otpauth={setup.otpauthUri} />
              <form onSubmit={confirm}>
                <fieldset role='group'>
                  <input name='code' aria-label='Code from the app' inputMode='numeric' pattern='[0-9]{6}' required autoComplete='one-time-code' />
                  <button type='submit'>Confirm</button>
                </fieldset>
              </form>
            </>)}
      {status}
    </article>
  )
}
