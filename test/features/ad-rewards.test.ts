// Rewarded ads: AdMob's server-side verification callback, signed as Google signs it (ECDSA P-256 over the
// percent-decoded query string, web-safe base64 DER), with a key made here and served as Google's key file is.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { balanceOf, build, isError, ledgerSum, lockedEpisode, signUp } from '../helper.js'

const KEY_ID = '3335741209'
const keyPair = () => generateKeyPairSync('ec', { namedCurve: 'P-256' })
const google = keyPair()

/** Google's key file, served locally: `{ keys: [{ keyId, pem, base64 }] }`; `down` makes it answer 500. */
async function keyServer (t: Test, keys: Array<{ id: string, key: KeyObject }>) {
  const state = { down: false, fetches: 0 }
  const server = createServer((req, res) => {
    state.fetches++
    if (state.down) { res.writeHead(500).end(); return }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
      keys: keys.map(({ id, key }) => ({
        keyId: Number(id),
        pem: key.export({ type: 'spki', format: 'pem' }),
        base64: key.export({ type: 'spki', format: 'der' }).toString('base64')
      }))
    }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.close() })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/verifier-keys.json`, state }
}

interface Reward {
  transactionId: string
  userId: string
  amount?: number
  purpose?: string
  keyId?: string
  key?: KeyObject
}

/** The callback's URL as AdMob sends it: its parameters in AdMob's order, then signature and key_id. */
function callback ({ transactionId, userId, amount = 10, purpose = 'coins', keyId = KEY_ID, key = google.privateKey }: Reward) {
  const query = new URLSearchParams({
    ad_network: '5450213213286189855',
    ad_unit: '1234567890',
    custom_data: purpose,
    reward_amount: String(amount),
    reward_item: 'Gold coins',
    timestamp: String(Date.now()),
    transaction_id: transactionId,
    user_id: userId
  }).toString().replaceAll('+', '%20')
  const signature = sign('sha256', Buffer.from(decodeURIComponent(query)), { key, dsaEncoding: 'der' }).toString('base64url')
  return `/billing/ads/reward?${query}&signature=${signature}&key_id=${keyId}`
}

t.test('a signed reward credits its coins once; forged, replayed or altered callbacks credit nothing', async (t) => {
  const keys = await keyServer(t, [{ id: KEY_ID, key: google.publicKey }])
  const app = await build(t, { ADMOB_KEYS_URL: keys.url })
  const viewer = await signUp(app)
  const userId = viewer.user.id

  const first = await app.inject({ url: callback({ transactionId: 'tx-1', userId }) })
  t.equal(first.statusCode, 200, first.body)
  t.match(first.json().data, { purpose: 'coins', coins: 10, balance: 10, episodeId: null })
  t.equal(await balanceOf(app, viewer), 10)

  isError(t, await app.inject({ url: callback({ transactionId: 'tx-1', userId }) }), 409, 'ad_reward_duplicate')

  const altered = callback({ transactionId: 'tx-2', userId }).replace('reward_amount=10', 'reward_amount=99')
  isError(t, await app.inject({ url: altered }), 401, 'ad_signature_invalid')
  const other = keyPair()
  isError(t, await app.inject({ url: callback({ transactionId: 'tx-3', userId, key: other.privateKey }) }), 401, 'ad_signature_invalid')
  isError(t, await app.inject({ url: callback({ transactionId: 'tx-4', userId, keyId: '42', key: other.privateKey }) }), 401, 'ad_signature_invalid')
  const unsigned = callback({ transactionId: 'tx-5', userId }).replace(/&signature=.*$/, '')
  isError(t, await app.inject({ url: unsigned }), 400, 'validation_failed')

  // Signed, but not a reward this API gives: no such user, too many coins, another purpose.
  isError(t, await app.inject({ url: callback({ transactionId: 'tx-6', userId: '0123456789abcdef01234567' }) }), 422, 'ad_reward_invalid')
  isError(t, await app.inject({ url: callback({ transactionId: 'tx-7', userId, amount: 101 }) }), 422, 'ad_reward_invalid')
  isError(t, await app.inject({ url: callback({ transactionId: 'tx-8', userId, purpose: 'episode:665f1c2b9d3e4a0012345678' }) }), 422, 'ad_reward_invalid')

  t.equal(await balanceOf(app, viewer), 10, 'only the first reward was credited')
  t.equal(await ledgerSum(app, viewer), 10, 'the ledger sums to the balance')
  t.equal(keys.state.fetches, 1, 'the key file is fetched once and cached (an unknown key id refetches it at most once a minute)')
})

t.test('fifty concurrent deliveries of one reward credit it once; the daily cap holds under concurrency', async (t) => {
  const keys = await keyServer(t, [{ id: KEY_ID, key: google.publicKey }])
  const app = await build(t, { ADMOB_KEYS_URL: keys.url, ADMOB_DAILY_REWARDS: '3' })
  const viewer = await signUp(app)
  const userId = viewer.user.id

  const url = callback({ transactionId: 'tx-burst', userId, amount: 7 })
  const answers = await Promise.all(Array.from({ length: 50 }, async () => await app.inject({ url })))
  t.same(answers.map((a) => a.statusCode).sort(), [200, ...Array(49).fill(409)], 'one credit, 49 duplicates')
  t.equal(await balanceOf(app, viewer), 7)

  const more = await Promise.all(['a', 'b', 'c', 'd'].map(async (id) => await app.inject({ url: callback({ transactionId: `tx-${id}`, userId }) })))
  t.same(more.map((a) => a.statusCode).sort(), [200, 200, 429, 429], 'three rewards a day: two left after the burst')
  isError(t, more.find((a) => a.statusCode === 429)!, 429, 'ad_reward_limit')
  t.equal(await balanceOf(app, viewer), 27)
  t.equal(await ledgerSum(app, viewer), 27, 'the ledger sums to the balance')
})

t.test('an ad watched for an episode unlocks it for a while, then it locks again', async (t) => {
  const keys = await keyServer(t, [{ id: KEY_ID, key: google.publicKey }])
  const app = await build(t, { ADMOB_KEYS_URL: keys.url, ADMOB_UNLOCK_HOURS: '6' })
  const [admin, viewer] = [await signUp(app, 'admin'), await signUp(app)]
  const { locked, access } = await lockedEpisode(app, admin, viewer)
  t.equal(await access(), 'locked')

  const before = Date.now()
  const res = await app.inject({ url: callback({ transactionId: 'tx-episode', userId: viewer.user.id, purpose: `episode:${locked.id}` }) })
  t.equal(res.statusCode, 200, res.body)
  const { purpose, coins, episodeId, unlockedUntil } = res.json().data
  t.match({ purpose, coins, episodeId }, { purpose: 'episode', coins: 0, episodeId: locked.id })
  t.ok(Math.abs(Date.parse(unlockedUntil) - (before + 6 * 3_600_000)) < 60_000, 'for ADMOB_UNLOCK_HOURS')
  t.equal(await access(), 'unlocked', 'the episode plays')
  t.equal((await app.inject({ url: `/video/play/${locked.id}`, headers: viewer.auth })).statusCode, 200)
  isError(t, await app.inject({ url: callback({ transactionId: 'tx-episode', userId: viewer.user.id, purpose: `episode:${locked.id}` }) }), 409, 'ad_reward_duplicate')
  t.equal(await balanceOf(app, viewer), 0, 'no coins for an episode reward')

  // Its time is up (moved back here rather than waited for): locked again.
  await app.mongo.db!.collection('episode_rentals').updateMany({}, { $set: { until: new Date(Date.now() - 1000) } })
  t.equal(await access(), 'locked', 'locked once the time is up')
})

t.test('without ADMOB_KEYS_URL the callback is off; with Google\'s key file down it asks to be retried', async (t) => {
  const off = await build(t)
  const viewer = await signUp(off)
  const unavailable = (res: { statusCode: number, json: () => any }, code: string) => {
    t.equal(res.statusCode, 503)
    t.match(res.json().error, { code, status: 503, requestId: String }, 'a 5xx names its request for support')
  }
  unavailable(await off.inject({ url: callback({ transactionId: 'tx-off', userId: viewer.user.id }) }), 'provider_not_configured')

  const keys = await keyServer(t, [{ id: KEY_ID, key: google.publicKey }])
  keys.state.down = true
  const app = await build(t, { ADMOB_KEYS_URL: keys.url })
  const someone = await signUp(app)
  unavailable(await app.inject({ url: callback({ transactionId: 'tx-down', userId: someone.user.id }) }), 'payments_unavailable')
  keys.state.down = false
  t.equal((await app.inject({ url: callback({ transactionId: 'tx-down', userId: someone.user.id }) })).statusCode, 200, 'then credited')
})
