import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import t from 'tap'
import { build, signUp, uniqueEmail } from '../helper.js'

const run = promisify(execFile)

async function adminCreate (
  mongoUri: string, args: string[]
): Promise<{ code: number, stdout: string, stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', ...args], {
      env: { PATH: process.env.PATH, MONGODB_URI: mongoUri, BCRYPT_ROUNDS: '4' }
    })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number, stdout: string, stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

t.test('admin:create', async (t) => {
  const app = await build(t)
  const uri = app.config.MONGODB_URI

  t.test('creates an admin who can log in and is an admin', async (t) => {
    const email = uniqueEmail('boss')
    const out = await adminCreate(uri, ['--email', email, '--password', 'boss-password-1'])
    t.equal(out.code, 0, out.stderr)
    t.match(out.stdout, `created admin ${email}`)
    const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { email, password: 'boss-password-1' } })
    t.equal(login.statusCode, 200)
    t.equal(login.json().data.user.role, 'admin')
  })

  t.test('promotes an existing account and resets its password', async (t) => {
    const viewer = await signUp(app, 'viewer')
    const out = await adminCreate(uri, ['--email', viewer.user.email, '--password', 'new-admin-password'])
    t.equal(out.code, 0, out.stderr)
    t.match(out.stdout, 'promoted admin')
    const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { email: viewer.user.email, password: 'new-admin-password' } })
    t.equal(login.json().data.user.role, 'admin')
    t.equal(login.json().data.user.id, viewer.user.id, 'same account')
  })

  t.test('refuses a missing email or a short password', async (t) => {
    const noEmail = await adminCreate(uri, ['--password', 'long-enough-password'])
    t.equal(noEmail.code, 1)
    t.match(noEmail.stderr, /--email is required/)
    const short = await adminCreate(uri, ['--email', uniqueEmail('x'), '--password', 'short'])
    t.equal(short.code, 1)
    t.match(short.stderr, /8 to 72 characters/)
  })
})
