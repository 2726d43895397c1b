import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { generate } from 'otplib'
import { chromium, type Page } from 'playwright-core'
import { ObjectId } from 'mongodb'
import {
  approve, build, createEpisode, createSeries, eventually, injectWithRetry, mailTo, mailWorker, makeClip, mediaWorker,
  processedVideo, signUp, uniqueEmail, uploadVideo
} from '../helper.js'

// The web player (web/, served at /app/) in a real browser: Debian's Chromium, driven by playwright-core.
const CHROMIUM = '/usr/bin/chromium'
const root = join(import.meta.dirname, '..', '..')
const SCREENS = join(root, 'test-artifacts', 'screens')
const PRICE = 5
const AXE = readFileSync(join(root, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8')

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

    const { page, failed, requests, problems, shoot, inaccessible } = await browse(t)

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

    // The first frame's delay from the click that opens the episode: measured, reported, not asserted.
    interface Clock {
      performance: { now: () => number, getEntriesByName: (name: string) => Array<{ startTime: number }> }
    }
    const clickedAt = await page.evaluate(() => (globalThis as unknown as Clock).performance.now())
    await page.getByRole('link', { name: '1. Episode 1' }).click()
    await playsFor(t, page, 1.5)
    const frameAt = await page.evaluate(() => (globalThis as unknown as Clock).performance.getEntriesByName('episode-first-frame')[0]?.startTime)
    t.ok(frameAt !== undefined, 'the player marked its first frame')
    const firstFrameMs = Math.round(frameAt! - clickedAt)
    t.comment(`first frame ${firstFrameMs} ms after the click`)
    writeFileSync(join(root, 'test-artifacts', 'web-first-frame.json'), JSON.stringify({ firstFrameMs, at: new Date() }))
    await shoot('player')

    await page.keyboard.press('ArrowDown') // the keyboard's swipe up: the next episode
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

    // Leaving the episode reports where the viewer stopped; the creator sees those plays and coins as charts
    // (once the jobs have counted them).
    await page.getByRole('link', { name: 'Micro-drama' }).click()
    const history = async () => (await injectWithRetry(app, { url: '/video/history', headers: viewer.auth })).json().data as unknown[]
    t.ok(await eventually(async () => (await history()).length === 2), 'both episodes are in the history')
    await app.services.playback.flushViews()
    await app.services.analytics.refresh()
    await page.getByRole('button', { name: 'Sign out everywhere' }).click()
    await page.getByRole('link', { name: 'Sign in' }).waitFor()
    await signIn(page, base, creator.user.email, 'password123')
    await page.goto(`${base}/app/studio/series/${series.id}`)
    const plays = page.locator('figure', { hasText: 'Plays per day' })
    await plays.locator('svg rect').first().waitFor()
    const counted = (await injectWithRetry(app, { url: `/creator/series/${series.id}/stats`, headers: creator.auth })).json().data.days
    t.ok(counted.at(-1).plays >= 2, 'the viewer\'s plays are counted')
    t.match(await plays.getByRole('img').getAttribute('aria-label'), `Plays per day: ${counted.at(-1).day} ${counted.at(-1).plays}`, 'drawn as the API counts them')
    t.match(await page.locator('figure', { hasText: 'Paywall at episode 2' }).getByRole('img').getAttribute('aria-label'), /Unlocked or subscribed 1/)
    await page.goto(`${base}/app/studio`)
    t.match(await page.locator('figure', { hasText: 'Coins per day' }).getByRole('img').getAttribute('aria-label'), new RegExp(`${PRICE} coins`), 'earnings')
    await page.goto(`${base}/app/studio/series/${series.id}`)
    await plays.locator('svg rect').first().waitFor()
    await shoot('studio-stats')
    t.same(inaccessible, [], 'no serious accessibility problem on any screen')
  })

  t.test('a creator signs up, verifies from the mail, uploads and builds a series in the studio; an admin watches and approves it', async (t) => {
    const port = await freePort()
    const base = `http://127.0.0.1:${port}`
    const app = await build(t, { APP_URL: `${base}/app` })
    await app.listen({ host: '127.0.0.1', port })
    mediaWorker(t, app)
    mailWorker(t, app)
    const admin = await signUp(app, 'admin')
    const email = uniqueEmail('studio')
    const { page, context, failed, problems, shoot, inaccessible } = await browse(t)

    await page.goto(`${base}/app/signup`)
    await page.getByLabel('Email').fill(email)
    await page.getByLabel(/^Password/).fill('password123')
    await page.getByLabel(/I publish series/).check()
    await page.getByRole('button', { name: 'Create the account' }).click()
    await page.getByRole('heading', { name: 'Confirm your email to upload' }).waitFor()
    const link = /https?:\/\/\S+\/verify-email\?token=[\w-]+/.exec((await mailTo(email)).Text)?.[0]
    t.ok(link?.startsWith(`${base}/app/verify-email`), `the mail links to the app: ${link}`)
    await page.goto(link!)
    await page.getByText('Your email is confirmed.').waitFor()
    await page.getByRole('link', { name: 'Go on' }).click()
    await page.getByRole('heading', { name: 'Videos' }).waitFor()
    t.equal(await page.getByRole('heading', { name: 'Confirm your email to upload' }).count(), 0, 'verified')

    const clip = join(mkdtempSync(join(tmpdir(), 'studio-')), 'first-kiss.mp4')
    writeFileSync(clip, makeClip({ width: 540, height: 960, seconds: 6 }))
    await page.locator('input[type=file]').setInputFiles(clip)
    await page.getByText('first-kiss.mp4: uploaded').waitFor()
    t.equal(await page.getByLabel('Upload of first-kiss.mp4').evaluate((p: unknown) => (p as { value: number }).value), 1, 'the bar reached 100 %')
    await page.getByTestId('video-status').filter({ hasText: 'ready' }).waitFor({ timeout: 120_000 })
    await shoot('studio')

    await page.getByText('New series').click()
    await page.getByLabel('Title').fill('Studio Hearts')
    await page.getByLabel('Genres, comma-separated').fill('romance, drama')
    await page.getByLabel('Free episodes').fill('1')
    await page.getByLabel(/Coin price/).fill('7')
    await page.getByRole('button', { name: 'Create the series' }).click()
    await page.getByRole('link', { name: 'Studio Hearts' }).click()
    await page.getByLabel('Title').first().fill('The first kiss')
    await page.getByRole('button', { name: 'Add the episode' }).click()
    await page.getByText('Episode 1 added, waiting for review.').waitFor()
    await shoot('studio-series')

    // The admin, in the same browser after the creator signs out: watches the episode, then approves it.
    await page.getByRole('button', { name: 'Sign out everywhere' }).click()
    await page.getByRole('link', { name: 'Sign in' }).waitFor()
    await signIn(page, base, admin.user.email, 'admin-password')
    await page.goto(`${base}/app/console`)
    const review = page.locator('article', { has: page.getByRole('heading', { name: '1. The first kiss' }) })
    await review.locator('video').waitFor()
    // The review player does not autoplay: start it once hls.js has attached the stream (a play() before that is
    // interrupted by the attach's load, and rejected), again until it starts.
    const started = async () => await review.locator('video').evaluate(async (v: unknown) => {
      const media = v as { currentSrc: string, play: () => Promise<void> }
      if (media.currentSrc === '') return false
      try {
        await media.play()
        return true
      } catch {
        return false
      }
    })
    t.ok(await eventually(started, 30), 'the review player starts')
    await playsFor(t, page, 2, review.locator('video'))
    await shoot('console')
    await review.getByRole('button', { name: 'Approve episode 1' }).click()
    await page.getByRole('heading', { name: 'Episodes waiting for review' }).waitFor()
    t.ok(await eventually(async () => await review.count() === 0), 'gone from the queue')
    const published = await injectWithRetry(app, { url: '/content/series?q=Studio%20Hearts', headers: admin.auth })
    t.match(published.json().data, [{ title: 'Studio Hearts', freeEpisodes: 1, coinPrice: 7, genres: ['romance', 'drama'] }], 'published')

    // The audit log has the decision; support finds a viewer by email and grants coins (a double click grants once).
    await page.getByRole('link', { name: 'Audit log' }).click()
    await page.getByRole('cell', { name: 'episode.approve' }).first().waitFor()
    const viewer = await signUp(app, 'viewer')
    await page.getByRole('link', { name: 'Users' }).click()
    await page.getByLabel('Email of the account').fill(viewer.user.email.toUpperCase())
    await page.getByRole('button', { name: 'Find' }).click()
    const card = page.getByRole('article', { name: viewer.user.email })
    await card.getByRole('spinbutton', { name: /^Coins/ }).fill('7')
    await card.getByLabel('Why').fill('Welcome')
    await card.getByRole('button', { name: 'Apply the coins' }).dblclick()
    await card.getByText('Granted: 7 coins.').waitFor()
    await shoot('console-users')
    t.equal((await injectWithRetry(app, { url: '/me/wallet', headers: viewer.auth })).json().data.balance, 7, 'granted once from the console')

    await page.getByRole('link', { name: 'Jobs' }).click()
    await page.getByRole('article', { name: 'Queue media' }).waitFor()
    await app.services.analytics.refresh()
    await page.getByRole('link', { name: 'Statistics' }).click()
    const signups = page.locator('figure', { hasText: 'Sign-ups' }).getByRole('img')
    t.match(await signups.getAttribute('aria-label'), new RegExp(`^Sign-ups: .*${new Date().toISOString().slice(0, 10)} [1-9]\\d*$`), 'today\'s sign-ups charted')
    await shoot('console-stats')

    // Two-factor from the console: the QR code of the otpauth URI, a code from it, the recovery codes once.
    await page.getByRole('button', { name: 'Set up two-factor' }).click()
    const qr = page.getByRole('img', { name: 'QR code of the authenticator setup' })
    const uri = await qr.getAttribute('data-otpauth')
    const secret = new URL(uri!).searchParams.get('secret')!
    t.ok(await qr.evaluate((c: unknown) => (c as { toDataURL: () => string }).toDataURL().length > 1000), 'the QR code is drawn')
    await page.getByLabel('Code from the app').fill(await generate({ secret }))
    await page.getByRole('button', { name: 'Confirm' }).click()
    t.equal((await page.getByTestId('recovery-codes').innerText()).split('\n').length, 10, 'ten recovery codes, shown once')
    t.equal((await injectWithRetry(app, { url: '/auth/me', headers: admin.auth })).json().data.mfaEnabled, true, 'two-factor is on')
    await context.close()
    t.same(inaccessible, [], 'no serious accessibility problem on any screen')
    t.same(failed, [], 'no request failed')
    t.same(problems.filter((p) => /CORS|Content Security Policy/i.test(p)), [], 'nothing refused by CORS or the CSP')
  })
  t.test('a large upload goes in parts and, cut off and chosen again after a reload, sends only the parts it lacks', async (t) => {
    const app = await build(t)
    const base = await app.listen({ host: '127.0.0.1', port: 0 })
    const creator = await signUp(app, 'creator')
    // A real clip with 17 MB after it: over the 16 MB from which the studio uploads in parts.
    const file = join(mkdtempSync(join(tmpdir(), 'studio-')), 'long-take.mp4')
    writeFileSync(file, Buffer.concat([makeClip({ width: 540, height: 960, seconds: 2 }), randomBytes(17 * 2 ** 20)]))
    const { page, failed, requests } = await browse(t)
    await signIn(page, base, creator.user.email, 'password123')
    await page.goto(`${base}/app/studio`)

    // The network drops while the second part goes up.
    await page.route(/partNumber=2&/, async (route) => await route.abort('connectionreset'))
    await page.locator('input[type=file]').setInputFiles(file)
    await page.getByText(/long-take\.mp4: The upload failed/).waitFor()
    const sentBefore = requests.filter((u) => u.includes('partNumber=1&')).length
    t.equal(sentBefore, 1, 'part 1 went up before the cut')

    await page.unroute(/partNumber=2&/)
    await page.reload()
    await page.locator('input[type=file]').setInputFiles(file)
    await page.getByText('long-take.mp4: uploaded').waitFor({ timeout: 60_000 })
    t.equal(requests.filter((u) => u.includes('partNumber=1&')).length, 1, 'part 1 was not sent again')
    t.ok(requests.some((u) => u.includes('partNumber=2&')), 'the rest was')
    const videos = (await injectWithRetry(app, { url: '/creator/videos', headers: creator.auth })).json().data
    t.match(videos, [{ title: 'long-take', sizeBytes: statSync(file).size }], 'saved whole, as one video')
    t.same(failed.filter((f) => !f.includes('partNumber=2&')), [], 'nothing else failed')
  })

  t.test('a Spanish-speaking viewer reads the catalogue in Spanish and turns on Spanish subtitles', async (t) => {
    const app = await build(t, { LANGUAGES: 'en,es,pt-BR' })
    const base = await app.listen({ host: '127.0.0.1', port: 0 })
    const [creator, admin, viewer] = [await signUp(app, 'creator'), await signUp(app, 'admin'), await signUp(app, 'viewer')]
    const series = await createSeries(app, creator, { title: 'Moonlit Vows', language: 'en', freeEpisodes: 1 })
    const translated = await injectWithRetry(app, {
      method: 'PUT', url: `/creator/series/${series.id}/translations/es`, headers: creator.auth, payload: { title: 'Votos a la luz de la luna' }
    })
    t.equal(translated.statusCode, 200)
    mediaWorker(t, app)
    const clip = await uploadVideo(app, creator, makeClip({ width: 360, height: 640, seconds: 6 }), 'video/mp4', { ready: false })
    t.equal((await processedVideo(app, creator, clip.id, 120)).status, 'ready')
    const episode = await createEpisode(app, creator, series.id, clip.id, 1)
    for (const [language, text] of [['es', 'Te quiero, mi amor'], ['pt-BR', 'Eu te amo']]) {
      const added = await injectWithRetry(app, {
        method: 'PUT',
        url: `/creator/episodes/${episode.id}/subtitles/${language}`,
        headers: { ...creator.auth, 'content-type': 'text/vtt' },
        payload: `WEBVTT\n\n00:00:00.000 --> 00:00:05.900\n${text}\n`
      })
      t.equal(added.statusCode, 200, added.body)
    }
    await approve(app, admin, episode.id)

    const { page, problems, failed, requests, inaccessible, shoot } = await browse(t, { locale: 'es-ES' })
    await signIn(page, base, viewer.user.email, 'password123')
    await page.getByRole('link', { name: 'Votos a la luz de la luna' }).first().click()
    t.pass('the catalogue shows the Spanish title (the browser asks for es-ES)')
    await page.getByRole('link', { name: '1. Episode 1' }).click()
    await playsFor(t, page, 0.5)
    const subtitles = page.getByLabel('Subtitles')
    const offered = await subtitles.locator('option').allInnerTexts()
    t.same(offered, ['Off', 'español', 'português (Brasil)'], 'the stream\'s languages are offered')
    await subtitles.selectOption({ label: 'español' })
    // The browser shows the cue of the Spanish track at the video's time: hls.js placed it with X-TIMESTAMP-MAP.
    interface Track { language: string, mode: string, activeCues: ArrayLike<{ text: string }> | null }
    interface Cues { textTracks: ArrayLike<Track> }
    const showing = async () => await page.locator('video').evaluate((element: unknown) => {
      const tracks = Array.from((element as Cues).textTracks).filter((track) => track.mode === 'showing')
      // No named function in here: tsx would wrap it in a helper the page lacks.
      return tracks.map((track) => ({
        language: track.language, cues: Array.from(track.activeCues ?? [], (cue) => cue.text)
      }))
    })
    t.ok(await eventually(async () => (await showing())[0]?.cues[0] === 'Te quiero, mi amor', 20),
      `the Spanish cue is on screen: ${JSON.stringify(await showing())}`)
    t.same((await showing()).map((s) => s.language), ['es'], 'one track showing, the Spanish one')
    await shoot('player-subtitles')
    t.ok(requests.some((u) => /\/stream\/[0-9a-f]{24}\/[^/]+\/subtitles\/es\/index\.m3u8$/.test(u)), 'through the tokenized playlist')
    const file = /\/hls\/[0-9a-f]{24}\/subtitles\/es-[^/]+\.vtt\?.*X-Amz-Signature=/
    t.ok(requests.some((u) => file.test(u)), 'the file from the bucket, signed')
    // The progress the player reports names the language, for the creator's figures per language.
    await page.locator('video').evaluate((element: unknown) => { (element as { pause: () => void }).pause() })
    const entry = async () => await app.mongo.db!.collection('watch_history').findOne({ episodeId: new ObjectId(episode.id) })
    t.ok(await eventually(async () => (await entry())?.subtitleLanguage === 'es'), 'the progress call reported Spanish subtitles')
    t.same(failed, [], 'no request failed')
    t.same(problems.filter((p) => /CORS|Content Security Policy/i.test(p)), [], 'nothing refused by CORS or the CSP')
    t.same(inaccessible, [], 'no serious accessibility problem')
  })
}

/** A page in Chromium at phone size, with what went wrong on it, and screenshots at phone and desktop sizes. */
async function browse (t: Test, { locale = 'en-US' } = {}) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required']
  })
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale })
  const page = await context.newPage()
  // A failed test leaves the page as it was, to look at.
  t.teardown(async () => {
    if (!t.passing() && !page.isClosed()) await page.screenshot({ path: join(SCREENS, `failed-${process.pid}.png`), fullPage: true })
    await browser.close()
  })
  page.setDefaultTimeout(30_000)
  const failed: string[] = []
  const requests: string[] = []
  const problems: string[] = []
  page.on('requestfailed', (r) => { if (r.failure()?.errorText !== 'net::ERR_ABORTED') failed.push(`${r.url()} ${r.failure()?.errorText}`) })
  page.on('request', (r) => requests.push(r.url()))
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()) })
  page.on('pageerror', (e) => problems.push(e.message))
  mkdirSync(SCREENS, { recursive: true })
  // Each screen shot is checked with axe-core (the accessibility engine browsers' tools use) at both sizes: what
  // it finds serious or critical (unlabelled controls, contrast, landmarks, names) fails the test.
  const inaccessible: string[] = []
  const audit = async (name: string) => {
    interface Violation { id: string, impact: string, nodes: Array<{ target: string[] }> }
    interface Axe { run: (context: unknown, options: unknown) => Promise<{ violations: Violation[] }> }
    if (!await page.evaluate(() => 'axe' in globalThis)) await page.evaluate(AXE) // through DevTools: the CSP allows no inline script
    const { violations } = await page.evaluate(async () => await (globalThis as unknown as { axe: Axe }).axe.run(
      (globalThis as unknown as { document: unknown }).document, { resultTypes: ['violations'] }))
    for (const v of violations) {
      const where = v.nodes.map((n) => n.target.join(' ')).join(', ')
      if (v.impact === 'serious' || v.impact === 'critical') inaccessible.push(`${name}: ${v.id} at ${where}`)
    }
  }
  const shoot = async (name: string) => {
    await audit(`${name} (phone)`)
    await page.screenshot({ path: join(SCREENS, `${name}-phone.png`), fullPage: true })
    await page.setViewportSize({ width: 1280, height: 900 })
    await audit(`${name} (desktop)`)
    await page.screenshot({ path: join(SCREENS, `${name}-desktop.png`), fullPage: true })
    await page.setViewportSize({ width: 390, height: 844 })
  }
  return { page, context, failed, requests, problems, shoot, inaccessible }
}

async function signIn (page: Page, base: string, email: string, password: string) {
  await page.goto(`${base}/app/signin`)
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  // Signed in once the app has left the sign-in page (a button of the previous session proves nothing).
  await page.waitForURL((url) => !url.pathname.endsWith('/signin'))
  await page.getByRole('button', { name: 'Sign out everywhere' }).waitFor()
}

/** The page's <video> plays: its time advances past `seconds`, frames were decoded, no error. */
async function playsFor (t: Test, page: Page, seconds: number, video = page.locator('video')) {
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

/** A port free now, to build the app knowing its own URL (the emails' links point at it). */
async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}
