import { existsSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { chromium } from 'playwright-core'
import { build, publishedCatalogue } from '../helper.js'

// /docs (Swagger UI) in a real browser: Debian's Chromium, driven by playwright-core. .ci/run installs it.
const CHROMIUM = '/usr/bin/chromium'
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-artifacts')

if (!existsSync(CHROMIUM)) {
  const reason = `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium), as .ci/run does`
  if (process.env.CI === 'true') t.fail(reason)
  else t.plan(0, reason)
} else {
  t.test('a viewer authorizes in /docs and runs "list published series" from the page: 200', async (t) => {
    const app = await build(t)
    const base = await app.listen({ host: '127.0.0.1', port: 0 })
    const { viewer, series } = await publishedCatalogue(app)

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync']
    })
    t.teardown(() => browser.close())
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } })
    page.setDefaultTimeout(15_000)
    await page.goto(`${base}/docs`)

    // Authorize: the bearerAuth scheme takes the token itself (Swagger UI adds "Bearer ").
    await page.locator('.auth-wrapper .authorize').click()
    await page.locator('.modal-ux input[type=text]').fill(viewer.token)
    await page.locator('.modal-ux .auth-btn-wrapper .authorize').click()
    await page.locator('.modal-ux .btn-done').click()

    // Expand the operation, Try it out, Execute.
    const operation = page.locator('#operations-content-listPublishedSeries')
    await operation.locator('.opblock-summary').click()
    await operation.locator('.try-out__btn').click()
    await operation.locator('.execute').click()

    const live = operation.locator('.live-responses-table .response')
    await live.locator('.response-col_status').first().waitFor()
    t.equal((await live.locator('.response-col_status').first().innerText()).trim(), '200')
    t.match(await live.locator('.response-col_description').first().innerText(), series.title, 'the published series is in the body')

    mkdirSync(ARTIFACTS, { recursive: true })
    await operation.screenshot({ path: join(ARTIFACTS, 'docs-list-published-series.png') })
  })
}
