// Contract fuzzing with Schemathesis against the live local stack: every operation, as a viewer, a
// creator and an admin in turn, with the stateful phase on. Run it with `npm run fuzz`, which starts
// the stack; Schemathesis (pinned in tools/schemathesis/requirements.txt) is installed into a venv
// under .stack/. Reports go to test-artifacts/schemathesis/ (git-ignored).
import { execFileSync, spawn } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { hashPassword } from '../src/lib/passwords.js'
import { publishedCatalogue } from '../test/helper.js'
import { BUNDLE_ID, makePki } from '../test/fixtures/app-store.js'
import { startGoogle } from '../test/fixtures/google-play.js'

const root = join(import.meta.dirname, '..')
const venv = join(root, '.stack', 'venv-schemathesis')
const st = join(venv, 'bin', 'schemathesis')
const requirements = join(root, 'tools', 'schemathesis', 'requirements.txt')
const examples = process.env.FUZZ_MAX_EXAMPLES ?? '25'

if (!existsSync(st)) {
  execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' })
  execFileSync(join(venv, 'bin', 'pip'), ['install', '--quiet', '-r', requirements], { stdio: 'inherit' })
}

// AdMob's verifier key file, served here (a key made for the run): rewarded-ad callbacks are then checked as in
// production, and the fuzzer's unsigned ones rightly refused (401 ad_signature_invalid).
const admobKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' })
const admobKeys = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [{ keyId: 1, pem: admobKey }] }))
})
await new Promise<void>((resolve) => admobKeys.listen(0, '127.0.0.1', resolve))

// The App Store's root certificate, made for the run (test/fixtures/app-store.ts): transactions and notifications
// are checked as in production, and the fuzzer's unsigned ones rightly refused (422 / 401).
const apple = await makePki()
const appleRoot = join(mkdtempSync(join(tmpdir(), 'fuzz-apple-')), 'root.cer')
writeFileSync(appleRoot, apple.rootDer)

// Google Play's API, token endpoint and OIDC certificates, played by the tests' local server: purchase tokens
// the fuzzer makes up are unknown to it (422), its pushes carry no Google token (401).
const google = await startGoogle()

const config = loadConfig({
  ...process.env,
  ...google.env,
  APPLE_BUNDLE_ID: BUNDLE_ID,
  APPLE_ENVIRONMENT: 'Sandbox',
  APPLE_ROOT_CERTIFICATES: appleRoot,
  APPLE_ONLINE_CHECKS: 'false',
  ADMOB_KEYS_URL: `http://127.0.0.1:${(admobKeys.address() as AddressInfo).port}/verifier-keys.json`,
  NODE_ENV: 'test',
  LOG_LEVEL: 'warn',
  BCRYPT_ROUNDS: '4',
  RATE_LIMIT_MAX: '1000000',
  AUTH_RATE_LIMIT_MAX: '1000000',
  // A harness, not a load test: a busy CI machine lags, and a shed 503 would fail the run, not the product.
  MAX_EVENT_LOOP_DELAY_MS: '0',
  MAX_HEAP_USED_BYTES: '0',
  MONGODB_URI: process.env.MONGODB_URI?.replace(/\/[^/]*$/, '/fuzz')
})
const app = await buildApp({ config })
const base = await app.listen({ host: '127.0.0.1', port: 0 })

// Accounts for each role, and one published episode so that ids in links and examples lead somewhere.
const hash = await hashPassword('fuzz-password', 4)
const accounts = Object.fromEntries(await Promise.all((['viewer', 'creator', 'admin'] as const).map(async (role) => {
  const email = `fuzz-${role}@example.com`
  const user = role === 'admin'
    ? (await app.repos.users.upsertAdmin(email, hash)).user
    : (await app.repos.users.create({ email, passwordHash: hash, role }))!
  await app.repos.users.verifyEmail(user._id) // as following the emailed link would: a creator uploads
  return [role, { token: app.signToken(user), id: user._id }]
})))
await app.repos.users.changeSubscription(accounts.viewer!.id, () => ({ status: 'active', source: 'admin', entitledUntil: null }), async () => true)
await publishedCatalogue(app, 3) // real uploads, series and episodes, so that links and lists lead somewhere

// A list's `cursor` is opaque: every string matches its schema, and only one the API issued is accepted (any
// other is 400 invalid_cursor, as the contract says). So on the operations that take one, a 400 is a right
// answer to schema-valid data; everything else about them is checked as everywhere.
type Parameter = { name?: string, $ref?: string }
type Operation = { operationId?: string, parameters?: Parameter[] }
const document = app.swagger() as { paths: Record<string, Record<string, Operation>> }
const withCursor = Object.values(document.paths).flatMap((operations) => Object.values(operations))
  .filter((operation) => operation.parameters?.some((p) => p.name === 'cursor' || p.$ref === '#/components/parameters/cursor'))
  .map((operation) => operation.operationId!)
if (withCursor.length === 0) throw new Error('no operation takes a cursor: the fuzz configuration needs updating')
const configFile = join(root, 'test-artifacts', 'schemathesis', 'schemathesis.toml')
mkdirSync(join(root, 'test-artifacts', 'schemathesis'), { recursive: true })
writeFileSync(configFile, [
  // Stateful sequences follow the contract's own links (and Location headers). Schemathesis's dependency analysis
  // also links any `fooId` field of any response to any `{fooId}` path parameter, nullable ones included: a ledger
  // entry's `seriesId` is null for a purchase, and it sent DELETE /me/list/None (400, rightly) as "valid data".
  '[phases.stateful.inference]',
  'algorithms = ["location-headers"]',
  '',
  '[[operations]]',
  `include-operation-id = ${JSON.stringify(withCursor)}`,
  'checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]',
  '',
  // The same for a part's ETag: any string matches its schema, only those the bucket gave are accepted, so
  // completing a multipart upload with schema-valid ETags may rightly be 422 upload_parts_invalid. And for a
  // Stripe price id: whether the price renews is Stripe's to say (stripe-mock answers every id with its one
  // monthly price), so a coin pack for it is rightly 422 price_not_usable; and for an App Store transaction: only
  // a JWS Apple's chain signs verifies (422 store_transaction_invalid).
  '[[operations]]',
  'include-operation-id = ["completeMultipartUpload", "createOffer", "submitAppleTransaction", "submitGooglePurchase"]',
  'checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]',
  '',
  // A Stripe-Signature is an HMAC of the body with a secret: any string matches its schema, and only Stripe's
  // verify (400 webhook_signature_invalid otherwise); an AdMob reward's and an App Store
  // notification's signatures likewise (401). The same for an
  // emailed link's token or code (400 account_token_invalid). Earnings and platform stats: two valid days can be in
  // the wrong order (400).
  '[[operations]]',
  'include-operation-id = ["receiveStripeWebhook", "receiveAdReward", "receiveAppleNotification", ' +
    '"receiveGoogleNotification", "getCreatorEarnings", "getPlatformStats", "verifyEmail", "verifyEmailCode", ' +
    '"resetPassword"]',
  'checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409", "429", "5xx"]',
  '',
  // Moving coins: schema-valid requests are rightly refused for the wallet's state: not enough coins (402), a
  // revocation below zero or an Idempotency-Key already used for another request (422). A series' coinPrice must
  // also be within the deployment's bounds (COIN_PRICE_MIN..MAX), narrower than the schema's (422).
  '[[operations]]',
  'include-operation-id = ["unlockEpisode", "adjustUserCoins", "createSeries", "updateSeries"]',
  'checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "402", "403", "404", "409", "422", "429", "5xx"]',
  '',
  // Languages: any BCP 47 tag matches the schema, only the deployment's LANGUAGES (not a series' original, for a
  // translation or a dub) are taken (422); a progress report's subtitle or audio language must be one the episode
  // offers (422 track_not_found); a subtitle file must be valid WebVTT or SRT within the episode (422).
  '[[operations]]',
  'include-operation-id = ["recordProgress", "putSeriesTranslation", "deleteSeriesTranslation", "putEpisodeTranslation", ' +
    '"deleteEpisodeTranslation", "putEpisodeSubtitles", "deleteEpisodeSubtitles", "putEpisodeAudio", "deleteEpisodeAudio"]',
  'checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429", "5xx"]',
  ''
].join('\n'))

let failed = false
for (const role of ['viewer', 'creator', 'admin']) {
  const reportDir = join(root, 'test-artifacts', 'schemathesis', role)
  mkdirSync(reportDir, { recursive: true })
  console.log(`\n=== Schemathesis as ${role} ===`)
  // Asynchronously: this process is also the server under test.
  const child = spawn(st, [
    '--config-file', configFile,
    'run', `${base}/openapi.json`,
    '--url', base,
    '--header', `Authorization: Bearer ${accounts[role]!.token}`,
    '--checks', 'all',
    '--phases', 'examples,coverage,fuzzing,stateful',
    '--max-examples', examples,
    '--request-timeout', '10',
    '--report', 'junit', '--report-dir', reportDir,
    // Signing out or changing the password would revoke the token the rest of the run uses;
    // the tests in test/security/sessions.test.ts cover those two operations.
    '--exclude-operation-id', 'logout',
    '--exclude-operation-id', 'changePassword',
    '--no-color'
  ], { stdio: 'inherit' })
  const status = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  if (status !== 0) failed = true
}

await app.mongo.db!.dropDatabase()
await app.close()
admobKeys.close()
google.close()
process.exit(failed ? 1 : 0)
