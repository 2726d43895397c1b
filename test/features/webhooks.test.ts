import t, { type Test } from 'tap'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ObjectId } from 'mongodb'
import { Webhook } from 'standardwebhooks'
import { webhooksHandlers } from '../../src/jobs/handlers.js'
import { approve, build, createEpisode, createSeries, eventually, isError, queueWorker, signUp, uploadVideo, type Account } from '../helper.js'

// Outbound webhooks for real: a receiver listening on this machine, the deliveries made by the worker's job.

interface Received { headers: IncomingHttpHeaders, body: string }

/** A webhook receiver: keeps every request; answers the statuses of `answers` in turn, then 200. */
async function receiver (t: Test) {
  const received: Received[] = []
  const answers: number[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => { body += chunk.toString() })
    req.on('end', () => {
      received.push({ headers: req.headers, body })
      res.statusCode = answers.shift() ?? 200
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.close() })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, received, answers }
}

t.test('webhooks', async (t) => {
  const app = await build(t, { WEBHOOK_RETRY_BASE_MS: '50', WEBHOOK_ATTEMPTS: '3' })
  const [admin, creator, viewer] = [await signUp(app, 'admin'), await signUp(app, 'creator'), await signUp(app, 'viewer')]
  const video = await uploadVideo(app, creator)
  queueWorker(t, app, 'webhooks', webhooksHandlers(app.services))
  const hook = await receiver(t)
  const register = async (payload: object, account: Account = admin) =>
    await app.inject({ method: 'POST', url: '/admin/webhooks', headers: account.auth, payload })
  const created = await register({ url: hook.url, events: ['episode.published', 'series.published'], description: 'Catalogue sync' })
  t.equal(created.statusCode, 201)
  const endpoint = created.json().data
  let secret: string = endpoint.secret
  const publishEpisode = async (number: number) => {
    const series = await createSeries(app, creator)
    const episode = await createEpisode(app, creator, series.id, video.id, number)
    await approve(app, admin, episode.id)
    return { series, episode }
  }
  const deliveries = async () =>
    (await app.inject({ url: `/admin/webhooks/${endpoint.id}/deliveries`, headers: admin.auth })).json().data

  t.test('an admin registers an endpoint and gets its secret once', async (t) => {
    t.match(endpoint, { url: hook.url, events: ['episode.published', 'series.published'], enabled: true, disabledReason: null })
    t.match(secret, /^whsec_[A-Za-z0-9+/=]+$/)
    const listed = (await app.inject({ url: '/admin/webhooks', headers: admin.auth })).json().data
    t.same(listed.map((e: { id: string }) => e.id), [endpoint.id])
    t.notOk('secret' in listed[0], 'never listed')
    isError(t, await register({ url: hook.url, events: ['episode.published'] }, viewer), 403, 'forbidden')
    isError(t, await register({ url: 'ftp://example.com/x', events: ['episode.published'] }), 422, 'webhook_url_not_allowed')
  })

  t.test('a publication is delivered once, signed per Standard Webhooks, and logged', async (t) => {
    const { series, episode } = await publishEpisode(1)
    t.ok(await eventually(() => hook.received.length >= 2), 'both events arrived')
    type Event = { type: string, data: { id: string, status: string } }
    const verify = ({ headers, body }: Received) =>
      new Webhook(secret).verify(body, headers as Record<string, string>) as Event
    const events = hook.received.map(verify)
    t.same(events.map((e) => [e.type, e.data.id, e.data.status]).sort(),
      [['episode.published', episode.id, 'published'], ['series.published', series.id, 'published']].sort())
    t.throws(() => new Webhook(`whsec_${Buffer.from('another secret, 24 bytes').toString('base64')}`)
      .verify(hook.received[0]!.body, hook.received[0]!.headers as Record<string, string>), 'another secret does not verify')
    t.throws(() => new Webhook(secret).verify(hook.received[0]!.body.replace('published', 'rejected'),
      hook.received[0]!.headers as Record<string, string>), 'a changed body does not verify')
    const log = await deliveries()
    t.equal(log.length, 2)
    t.match(log[0], { status: 'delivered', attempts: 1, lastStatusCode: 200, lastError: null })
  })

  t.test('a 500 is retried with the same webhook-id until it is accepted', async (t) => {
    hook.received.length = 0
    hook.answers.push(500, 503)
    await app.inject({ method: 'PATCH', url: `/admin/webhooks/${endpoint.id}`, headers: admin.auth, payload: { events: ['episode.published'] } })
    const { episode } = await publishEpisode(1)
    t.ok(await eventually(() => hook.received.length >= 3), 'three attempts')
    const ids = new Set(hook.received.map((r) => r.headers['webhook-id']))
    t.equal(ids.size, 1, 'one message, tried three times')
    const delivery = (await deliveries()).find((d: { id: string }) => d.id === [...ids][0])
    t.match(delivery, { eventType: 'episode.published', status: 'delivered', attempts: 3, lastStatusCode: 200 })
    t.match(JSON.parse(hook.received[2]!.body), { data: { id: episode.id } })
  })

  t.test('an admin redelivers a delivery by hand, and a rotated secret signs from then on', async (t) => {
    const [last] = await deliveries()
    const rotated = await app.inject({ method: 'POST', url: `/admin/webhooks/${endpoint.id}/rotate-secret`, headers: admin.auth })
    t.equal(rotated.statusCode, 200)
    t.not(rotated.json().data.secret, secret)
    const old = secret
    secret = rotated.json().data.secret
    hook.received.length = 0
    const again = await app.inject({ method: 'POST', url: `/admin/webhooks/${endpoint.id}/deliveries/${last.id}/redeliver`, headers: admin.auth })
    t.equal(again.statusCode, 202)
    t.ok(await eventually(() => hook.received.length === 1))
    const { headers, body } = hook.received[0]!
    t.equal(headers['webhook-id'], last.id, 'the same message')
    t.ok(new Webhook(secret).verify(body, headers as Record<string, string>), 'signed with the new secret')
    t.throws(() => new Webhook(old).verify(body, headers as Record<string, string>), 'not with the old one')
  })

  t.test('an endpoint whose deliveries keep failing is disabled; an admin enables it again', async (t) => {
    hook.answers.push(...Array.from({ length: 15 }, () => 500))
    for (let n = 0; n < 5; n++) await publishEpisode(1)
    const state = async () => (await app.inject({ url: '/admin/webhooks', headers: admin.auth })).json().data[0]
    t.ok(await eventually(async () => (await state()).enabled === false, 30), 'disabled')
    t.match((await state()).disabledReason, /5 deliveries in a row failed; the last: answered 500/)
    t.ok((await deliveries()).filter((d: { status: string }) => d.status === 'failed').length >= 5)
    const enabled = await app.inject({ method: 'PATCH', url: `/admin/webhooks/${endpoint.id}`, headers: admin.auth, payload: { enabled: true } })
    t.match(enabled.json().data, { enabled: true, disabledReason: null })
  })

  t.test('unknown endpoints and deliveries are 404; a deleted endpoint gets nothing more', async (t) => {
    const missing = new ObjectId().toHexString()
    isError(t, await app.inject({ method: 'PATCH', url: `/admin/webhooks/${missing}`, headers: admin.auth, payload: { enabled: true } }), 404, 'webhook_not_found')
    isError(t, await app.inject({ method: 'POST', url: `/admin/webhooks/${missing}/rotate-secret`, headers: admin.auth }), 404, 'webhook_not_found')
    isError(t, await app.inject({ url: `/admin/webhooks/${missing}/deliveries`, headers: admin.auth }), 404, 'webhook_not_found')
    isError(t, await app.inject({ method: 'POST', url: `/admin/webhooks/${missing}/deliveries/${missing}/redeliver`, headers: admin.auth }), 404, 'webhook_not_found')
    isError(t, await app.inject({ method: 'POST', url: `/admin/webhooks/${endpoint.id}/deliveries/${missing}/redeliver`, headers: admin.auth }), 404, 'delivery_not_found')
    t.equal((await app.inject({ method: 'DELETE', url: `/admin/webhooks/${endpoint.id}`, headers: admin.auth })).statusCode, 204)
    isError(t, await app.inject({ method: 'DELETE', url: `/admin/webhooks/${endpoint.id}`, headers: admin.auth }), 404, 'webhook_not_found')
    hook.received.length = 0
    await publishEpisode(1)
    await new Promise((resolve) => setTimeout(resolve, 500))
    t.equal(hook.received.length, 0)
  })
})

t.test('in production, targets on loopback or private networks are refused', async (t) => {
  const app = await build(t, { NODE_ENV: 'production', BCRYPT_ROUNDS: '10', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', ADMIN_MFA: 'never' })
  const admin = await signUp(app, 'admin')
  for (const url of ['http://127.0.0.1:8080/hooks', 'http://localhost/hooks', 'http://10.1.2.3/x', 'http://192.168.0.10/x',
    'http://169.254.169.254/latest/meta-data', 'http://[::1]/x', 'https://user:pass@example.com/x']) {
    const res = await app.inject({ method: 'POST', url: '/admin/webhooks', headers: admin.auth, payload: { url, events: ['video.ready'] } })
    isError(t, res, 422, 'webhook_url_not_allowed')
  }
})
