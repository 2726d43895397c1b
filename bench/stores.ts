// npm run bench:stores [-- --iterations N]
//
// What verifying the stores' signed data costs, in µs of CPU per item (process.cpuUsage, user + system, over N
// items after a warm-up), through the same adapters the API uses and the stores' own libraries:
// - an App Store transaction (a StoreKit 2 JWS: Apple's SignedDataVerifier, the x5c chain to a root, ES256);
// - a Pub/Sub push's OIDC token (google-auth-library's verifyIdToken, RS256, its certificates cached);
// - an AdMob rewarded-ad callback (ECDSA P-256 over the query string, Google's key file cached).
// The chains and keys are the tests' (test/fixtures/): what is measured is the verification, not the network.
// Writes bench/results/stores-<timestamp>.json.
import { generateKeyPairSync, sign } from 'node:crypto'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { createAdMobVerifier } from '../src/adapters/admob.js'
import { createAppStore } from '../src/adapters/app-store.js'
import { createGooglePlay } from '../src/adapters/google-play.js'
import { BUNDLE_ID, makePki, signJws, transaction } from '../test/fixtures/app-store.js'
import { startGoogle } from '../test/fixtures/google-play.js'

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '2000' } } })
const iterations = Number(values.iterations)

/** µs of CPU per call of `run`, over `iterations` calls after a warm-up of a tenth as many. */
async function cpuPerCall (run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.max(10, iterations / 10); i++) await run()
  const before = process.cpuUsage()
  for (let i = 0; i < iterations; i++) await run()
  const used = process.cpuUsage(before)
  return Math.round((used.user + used.system) / iterations * 10) / 10
}

// Apple: a transaction signed by the test chain, its root given to the verifier as a file, as in production.
const pki = await makePki()
const root = join(mkdtempSync(join(tmpdir(), 'bench-apple-')), 'root.cer')
writeFileSync(root, pki.rootDer)
const apple = createAppStore({
  APPLE_BUNDLE_ID: BUNDLE_ID, APPLE_ENVIRONMENT: 'Sandbox', APPLE_ROOT_CERTIFICATES: root, APPLE_ONLINE_CHECKS: 'false', APPLE_APP_APPLE_ID: undefined
})!
const jws = signJws(transaction({ transactionId: '1', productId: 'coins', appAccountToken: '7f3c1c62-2a4c-4e51-9d84-0c6c3f8b2a10' }), pki)

// Google: a push token for the configured audience, its certificates served locally (fetched once, then cached).
const google = await startGoogle()
const play = createGooglePlay({ ...google.env, GOOGLE_PLAY_API_URL: google.env.GOOGLE_PLAY_API_URL })!
const bearer = google.pushToken()

// AdMob: a callback signed with a key served as Google's key file (fetched once, then cached).
const admobKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const keys = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ keys: [{ keyId: 1, pem: admobKey.publicKey.export({ type: 'spki', format: 'pem' }) }] }))
})
await new Promise<void>((resolve) => keys.listen(0, '127.0.0.1', resolve))
const admob = createAdMobVerifier(`http://127.0.0.1:${(keys.address() as AddressInfo).port}/keys.json`)
const query = 'ad_network=5450213213286189855&ad_unit=1234567890&custom_data=coins&reward_amount=10&reward_item=Gold%20coins' +
  '&timestamp=1733500000000&transaction_id=123456789&user_id=665f1c2b9d3e4a0012345678'
const callback = `${query}&signature=${sign('sha256', Buffer.from(decodeURIComponent(query)), { key: admobKey.privateKey, dsaEncoding: 'der' }).toString('base64url')}&key_id=1`

// Each verification must succeed before it is timed.
if ((await apple.transaction(jws)).transactionId !== '1') throw new Error('the Apple transaction does not verify')
if (!await play.isPush(bearer)) throw new Error('the push token does not verify')
if (await admob.verify(callback) === null) throw new Error('the AdMob callback does not verify')

const results = {
  at: new Date().toISOString(),
  iterations,
  appleTransactionUs: await cpuPerCall(async () => await apple.transaction(jws)),
  pubsubPushUs: await cpuPerCall(async () => await play.isPush(bearer)),
  adRewardUs: await cpuPerCall(async () => await admob.verify(callback))
}
google.close()
keys.close()
console.log(`CPU per verification over ${iterations}: App Store transaction ${results.appleTransactionUs} µs, ` +
  `Pub/Sub push ${results.pubsubPushUs} µs, AdMob reward ${results.adRewardUs} µs`)
const dir = join(import.meta.dirname, 'results')
mkdirSync(dir, { recursive: true })
writeFileSync(join(dir, `stores-${results.at.replace(/[:.]/g, '-')}.json`), JSON.stringify(results, null, 2))
