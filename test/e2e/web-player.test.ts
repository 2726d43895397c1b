import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { chromium, type Page } from 'playwright-core'
import {
  approve, build, createEpisode, createSeries, eventually, injectWithRetry, makeClip, mediaWorker, processedVideo,
  signUp, uploadVideo
} from '../helper.js'

// The web player (web/, served at /app/) in a real browser: Debian's Chromium, driven by playwright-core.
const CHROMIUM = '/usr/bin/chromium'
const root = join(import.meta.dirname, '..', '..')
const SCREENS = join(root, 'test-artifacts', 'screens')
const PRICE = 5

if (!existsSync(CHROMIUM)) {
  const reason = `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium), as .ci/run does`
  if (process.env.CI === 'true') t.fail(reason)
  else t.plan(0, reason)
} else {
  // The app as it is now (this file is the only one that builds it).
  execFileSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'error'], { cwd: root })

  t.test('a viewer signs in, watches a free episode, meets the paywall, unlocks with one charge however often clicked', async (t) => {
    const app = await build(t)
    const base = await app.listen({ host: '127.0.0.1', port: 0 })
    const [creator, admin, viewer] = [await signUp(app, 'creator'), await signUp(app, 'admin'), await signUp(app, 'viewer')]
    const series = await createSeries(app, creator, { title: 'Moonlit Vows', freeEpisodes: 1, coinPrice: PRICE })
    mediaWorker(t, app)
    const clip = await uploadVideo(app, creator, makeClip({ width: 540, height: 960, seconds: 6 }), 'video/mp4', { ready: false })
    t.equal((await processedVideo(app, creator, clip.id, 120)).status, 'ready')
    for (const n of [1, 2]) await approve(app, admin, (await createEpisode(app, creator, series.id, clip.id, n)).id)
    const grant = await injectWithRetry(app, {
      method: 'POST',
      url: `/admin/users/${viewer.user.id}/coins`,
      headers: { ...admin.auth, 'idempotency-key': 'web-player-grant' },
      payload: { amount: PRICE, reason: 'Welcome coins' }
    })
    t.equal(grant.statusCode, 201, grant.body)

    const index = await fetch(`${base}/app/`)
    t.equal(index.status, 200)
    t.match(index.headers.get('content-security-policy'), /script-src 'self';/, 'its own strict CSP')
    t.equal(index.headers.get('cache-control'), 'no-cache', 'index.html is never cached')
    const asset = /src="(\/app\/assets\/[^"]+\.js)"/.exec(await index.text())?.[1]
    t.equal((await fetch(`${base}${asset}`)).headers.get('cache-control'), 'public, max-age=31536000, immutable', 'hashed assets are')
    t.equal((await fetch(`${base}/app/watch/anything`)).status, 200, 'the app\'s own routes get index.html')

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required']
    })
    t.teardown(() => browser.close())
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } })
    const page = await context.newPage()
    page.setDefaultTimeout(30_000)
    const failed: string[] = []
    const requests: string[] = []
    const problems: string[] = []
    page.on('requestfailed', (r) => { if (r.failure()?.errorText !== 'net::ERR_ABORTED') failed.push(`${r.url()} ${r.failure()?.errorText}`) })
    page.on('request', (r) => requests.push(r.url()))
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()) })
    page.on('pageerror', (e) => problems.push(e.message))
    mkdirSync(SCREENS, { recursive: true })
    const shoot = async (name: string) => {
      await page.screenshot({ path: join(SCREENS, `${name}-phone.png`), fullPage: true })
      await page.setViewportSize({ width: 1280, height: 900 })
      await page.screenshot({ path: join(SCREENS, `${name}-desktop.png`), fullPage: true })
      await page.setViewportSize({ width: 390, height: 844 })
    }

    await page.goto(`${base}/app/`)
    await page.getByLabel('Email').fill(viewer.user.email)
    await page.getByLabel('Password').fill('password123')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('link', { name: 'Moonlit Vows' }).first().waitFor()
    await shoot('catalogue')
    await page.reload()
    await page.getByRole('link', { name: 'Wallet' }).waitFor()
    t.pass('the session survives a reload')

    await page.getByRole('link', { name: 'Moonlit Vows' }).first().click()
    await page.getByRole('link', { name: '1. Episode 1' }).waitFor()
    t.match(await page.locator('.episodes').innerText(), new RegExp(`Locked: ${PRICE} coins`), 'episode 2 shows its price')
    await shoot('series')

    await page.getByRole('link', { name: '1. Episode 1' }).click()
    await playsFor(t, page, 1.5)
    await shoot('player')

    await page.getByRole('button', { name: 'Next episode' }).click()
    const unlock = page.getByRole('button', { name: `Unlock for ${PRICE} coins` })
    await unlock.waitFor()
    t.equal(await page.getByTestId('balance').innerText(), `${PRICE} coins`, 'the paywall shows the wallet')
    await shoot('paywall')
    await unlock.dblclick()
    await playsFor(t, page, 1)

    const ledger = await injectWithRetry(app, { url: '/me/wallet/ledger', headers: viewer.auth })
    const entries = ledger.json().data as Array<{ kind: string, amount: number }>
    t.equal(entries.filter((e) => e.kind === 'unlock').length, 1, 'a double click charges once')
    t.equal((await injectWithRetry(app, { url: '/me/wallet', headers: viewer.auth })).json().data.balance, 0)

    // Every segment the player fetched came from the bucket, signed, named by a playlist the API served under a token.
    const bucket = new URL(await app.storage.presignDownload('x', 60)).origin
    const segments = requests.filter((u) => /segment_\d+/.test(u))
    t.ok(segments.length >= 2, `segments fetched: ${segments.length}`)
    t.ok(segments.every((u) => u.startsWith(bucket) && u.includes('X-Amz-Signature=')), 'signed bucket URLs')
    t.ok(requests.some((u) => /\/stream\/[0-9a-f]{24}\/[^/]+\/\d+p\/index\.m3u8$/.test(u)), 'tokenized media playlists')
    t.same(failed, [], 'no request failed')
    t.same(problems.filter((p) => /CORS|Content Security Policy/i.test(p)), [], 'nothing refused by CORS or the CSP')
  })
}

/** The page's <video> plays: its time advances past `seconds`, frames were decoded, no error. */
async function playsFor (t: Test, page: Page, seconds: number) {
  const video = page.locator('video')
  await video.waitFor()
  // In the page (functions, not strings: the app's CSP allows no eval), typed by hand: no DOM types here.
  interface Played {
    currentTime: number
    error: { message: string } | null
    getVideoPlaybackQuality: () => { totalVideoFrames: number }
  }
  const read = async () => await video.evaluate((element: unknown) => {
    const v = element as Played
    const frames = v.getVideoPlaybackQuality().totalVideoFrames
    return { time: v.currentTime, error: v.error?.message ?? null, frames }
  })
  t.ok(await eventually(async () => (await read()).time > seconds, 30), `played past ${seconds} s`)
  const state = await read()
  t.equal(state.error, null, 'no media error')
  t.ok(state.frames > 0, `frames decoded: ${state.frames}`)
}
