import t from 'tap'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { build, mailWorker, mediaWorker, signUp } from '../helper.js'

const run = promisify(execFile)

t.test('npm run seed:demo makes a playable catalogue through the API and the media pipeline, once', async (t) => {
  const app = await build(t)
  const base = await app.listen({ host: '127.0.0.1', port: 0 })
  mediaWorker(t, app)
  mailWorker(t, app) // the demo creator follows the link of the verification email
  const admin = await signUp(app, 'admin')
  const dir = mkdtempSync(join(tmpdir(), 'microdrama-demo-test-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const env = {
    ...process.env, API_URL: base, DEMO_ADMIN_EMAIL: admin.user.email, DEMO_ADMIN_PASSWORD: 'admin-password', DEMO_ACCOUNTS_FILE: join(dir, 'accounts.json')
  }
  const seed = async () => await run(process.execPath, ['--import', 'tsx', 'scripts/seed-demo.ts', '--series', '1', '--episodes', '2', '--seconds', '2'], { env })
  const first = await seed()
  t.match(first.stdout, /demo content: Demo drama 1, episode 2 \(360p, 540p, 720p\)/)
  const { viewer, password } = JSON.parse(readFileSync(join(dir, 'accounts.json'), 'utf8')) as { viewer: string, password: string }
  t.match(first.stdout, new RegExp(`demo viewer +${viewer} +/ +${password}`), 'the accounts are printed')

  const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { email: viewer, password } })
  const auth = { authorization: `Bearer ${login.json().data.token}` }
  const catalogue = (await app.inject({ url: '/content/series', headers: auth })).json().data
  t.same(catalogue.map((s: { title: string }) => s.title), ['Demo drama 1'])
  const episodes = (await app.inject({ url: `/content/series/${catalogue[0].id}/episodes`, headers: auth })).json().data
  t.same(episodes.map((e: { number: number, access: string }) => [e.number, e.access]), [[1, 'free'], [2, 'subscription']])
  const play = (await app.inject({ url: `/video/play/${episodes[1].id}`, headers: auth })).json().data
  t.equal(play.type, 'hls', 'the subscribed demo viewer plays it as HLS')

  const again = await seed()
  t.match(again.stdout, /demo content: already there/)
  t.equal((await app.inject({ url: '/content/series', headers: auth })).json().data.length, 1, 'nothing added')
})
