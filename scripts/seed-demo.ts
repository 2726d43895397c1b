// Demo content for frontend teams: a small catalogue of real, playable vertical episodes, made with ffmpeg (test
// patterns with a tone) and sent through the API as a creator's app would: presigned upload, save, the worker's
// media pipeline, series and episodes, an admin's approval. It needs the API and its worker running (npm run dev
// runs it on the dev stack's first start) and prints the demo accounts.
//
//   npm run seed:demo [-- --series 2 --episodes 3 --seconds 8]
//
// API_URL (default http://127.0.0.1:3000); the admin from DEMO_ADMIN_EMAIL / DEMO_ADMIN_PASSWORD, else the dev
// stack's (.stack/dev-admin.json). The demo accounts' passwords are kept in .stack/demo-accounts.json (or
// DEMO_ACCOUNTS_FILE). Running it
// again adds nothing once the demo creator has series.
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

const root = join(import.meta.dirname, '..')
const { values } = parseArgs({
  options: { series: { type: 'string', default: '2' }, episodes: { type: 'string', default: '3' }, seconds: { type: 'string', default: '8' } }
})
const counts = { series: Number(values.series), episodes: Number(values.episodes), seconds: Number(values.seconds) }
const api = process.env.API_URL ?? 'http://127.0.0.1:3000'
const ffmpeg = process.env.FFMPEG_PATH ?? 'ffmpeg'

interface Answer { status: number, body: any }
async function call (method: string, path: string, token?: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  return { status: res.status, body: res.status === 204 ? null : await res.json() }
}
async function ok (answer: Promise<Answer>, what: string): Promise<any> {
  const { status, body } = await answer
  if (status >= 300) throw new Error(`${what}: ${status} ${JSON.stringify(body)}`)
  return body?.data
}

/** Logs in, or registers the account first. */
async function account (email: string, password: string, role: 'creator' | 'viewer'): Promise<{ token: string, id: string }> {
  const login = await call('POST', '/auth/login', undefined, { email, password })
  const data = login.status === 200 ? login.body.data : await ok(call('POST', '/auth/register', undefined, { email, password, role }), `register ${email}`)
  return { token: data.token, id: data.user.id }
}

/**
 * Creators upload once their email is verified: the demo creator follows the link of the verification email, read
 * from the dev stack's Mailpit (MAILPIT_URL), as a person would from their inbox.
 */
async function verifyEmail (email: string, token: string): Promise<void> {
  if ((await ok(call('GET', '/auth/me', token), 'me')).emailVerified === true) return
  const mailpit = process.env.MAILPIT_URL
  if (mailpit === undefined) throw new Error(`verify ${email} first (follow the emailed link), or run with MAILPIT_URL set`)
  for (let i = 0; i < 120; i++) {
    const query = encodeURIComponent(`to:"${email}"`)
    const found = await (await fetch(`${mailpit}/api/v1/search?query=${query}`)).json() as { messages: Array<{ ID: string }> }
    // Newest first; an older message (a dev stack whose database was wiped) holds a link that no longer works.
    for (const { ID } of found.messages) {
      const text = (await (await fetch(`${mailpit}/api/v1/message/${ID}`)).json() as { Text: string }).Text
      const token = /[?&]token=([A-Za-z0-9_-]+)/.exec(text)?.[1]
      if (token !== undefined && (await call('POST', '/auth/email/verify', undefined, { token })).status === 204) return
    }
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  throw new Error(`no verification email for ${email} within a minute: is the worker running?`)
}

/** A vertical clip: a moving test pattern in its own colours, and a tone. */
function clip (dir: string, n: number): Buffer {
  const file = join(dir, `episode-${n}.mp4`)
  execFileSync(ffmpeg, [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=720x1280:rate=30:duration=${counts.seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=${220 + 110 * (n % 6)}:duration=${counts.seconds}`,
    '-vf', `hue=h=${(n * 47) % 360}`, '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', file
  ])
  return readFileSync(file)
}

async function main (): Promise<void> {
  mkdirSync(join(root, '.stack'), { recursive: true })
  const adminFile = join(root, '.stack', 'dev-admin.json')
  const admin = process.env.DEMO_ADMIN_EMAIL !== undefined
    ? { email: process.env.DEMO_ADMIN_EMAIL, password: process.env.DEMO_ADMIN_PASSWORD ?? '' }
    : existsSync(adminFile) ? JSON.parse(readFileSync(adminFile, 'utf8')) as { email: string, password: string } : undefined
  if (admin === undefined) throw new Error('no admin: start the dev stack (npm run dev) or set DEMO_ADMIN_EMAIL and DEMO_ADMIN_PASSWORD')
  const adminToken = (await ok(call('POST', '/auth/login', undefined, admin), 'admin login')).token as string

  const accountsFile = process.env.DEMO_ACCOUNTS_FILE ?? join(root, '.stack', 'demo-accounts.json')
  const demo = existsSync(accountsFile)
    ? JSON.parse(readFileSync(accountsFile, 'utf8')) as { creator: string, viewer: string, password: string }
    : { creator: 'creator@example.com', viewer: 'viewer@example.com', password: randomBytes(9).toString('base64url') }
  writeFileSync(accountsFile, JSON.stringify(demo), { mode: 0o600 })
  const creator = await account(demo.creator, demo.password, 'creator')
  await verifyEmail(demo.creator, creator.token)
  const viewer = await account(demo.viewer, demo.password, 'viewer')
  await ok(call('POST', `/admin/users/${viewer.id}/subscription`, adminToken, { status: 'active' }), 'subscribe the viewer')

  if ((await ok(call('GET', '/creator/series', creator.token), 'list series')).length > 0) {
    console.log('demo content: already there')
  } else {
    const work = mkdtempSync(join(tmpdir(), 'microdrama-demo-'))
    try {
      for (let s = 1; s <= counts.series; s++) {
        const series = await ok(call('POST', '/creator/series', creator.token, {
          title: `Demo drama ${s}`, description: 'Test patterns with a tone, made by npm run seed:demo.', genres: ['demo', s % 2 === 0 ? 'romance' : 'revenge'], freeEpisodes: 1
        }), 'create a series')
        for (let e = 1; e <= counts.episodes; e++) {
          const bytes = clip(work, s * 10 + e)
          const upload = await ok(call('POST', '/uploads/presign', creator.token, { contentType: 'video/mp4', sizeBytes: bytes.length, fileName: `demo-${s}-${e}.mp4` }), 'presign')
          const put = await fetch(upload.uploadUrl, { method: 'PUT', headers: upload.headers, body: bytes })
          if (!put.ok) throw new Error(`upload: ${put.status}`)
          const video = await ok(call('POST', '/creator/videos', creator.token, { s3Key: upload.s3Key, title: `Demo ${s}.${e}` }), 'save the video')
          let state = video
          for (let i = 0; i < 1200 && (state.status === 'uploaded' || state.status === 'processing'); i++) {
            await new Promise((resolve) => setTimeout(resolve, 250))
            state = await ok(call('GET', `/creator/videos/${video.id}`, creator.token), 'video state')
          }
          if (state.status !== 'ready') throw new Error(`video ${video.id} is ${state.status}: ${JSON.stringify(state.failure)} (is the worker running?)`)
          const episode = await ok(call('POST', `/creator/series/${series.id}/episodes`, creator.token, { number: e, title: `Episode ${e}`, videoId: video.id }), 'add an episode')
          await ok(call('POST', `/admin/episodes/${episode.id}/approve`, adminToken), 'approve')
          console.log(`demo content: ${series.title}, episode ${e} (${state.renditions.map((r: { name: string }) => r.name).join(', ')})`)
        }
      }
    } finally {
      rmSync(work, { recursive: true, force: true })
    }
  }
  console.log([
    '',
    `  demo creator  ${demo.creator}  /  ${demo.password}`,
    `  demo viewer   ${demo.viewer}  /  ${demo.password}   (subscribed)`,
    `  admin         ${admin.email}`,
    ''
  ].join('\n'))
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})
