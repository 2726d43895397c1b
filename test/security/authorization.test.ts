// OWASP API1 (object level), API3 (property level) and API5 (function level) authorization, driven by
// openapi.yaml: every operation in the contract is exercised, so a route added later is covered at once.
import t, { type Test } from 'tap'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import {
  build, createEpisode, createSeries, pathIds, publishedCatalogue, setSubscription, signUp, uniqueEmail, uploadVideo,
  type Account
} from '../helper.js'
import { bodyExample as example, has, jsonBody, operations, paramsIn, url, type Op } from '../contract.js'

const pathParams = (o: Op): string[] => paramsIn(o, 'path')

async function call (app: FastifyInstance, o: Op, ids: Record<string, string>, who?: Account, body = example(o)) {
  // An operation that moves coins takes an Idempotency-Key: a fresh one, as a client sends.
  const key = paramsIn(o, 'header').includes('idempotency-key') ? { 'idempotency-key': `authz-${Math.random()}` } : {}
  const options: InjectOptions = { method: o.method as 'GET', url: url(o, ids), headers: { ...who?.auth, ...key } }
  if (body !== undefined) options.payload = body
  return await app.inject(options)
}

/** The status, and the standard error body `{ error: { message, status, code } }` and nothing else. */
function isError (t: Test, name: string, res: LightMyRequestResponse, status: number, code?: string): void {
  t.equal(res.statusCode, status, `${name} answers ${status} (got ${res.body})`)
  const body = res.json()
  t.same(Object.keys(body), ['error'], `${name} answers the standard error body`)
  t.match(body.error, { message: String, status, code: code ?? String }, `${name} error is { message, status, code${code === undefined ? '' : ` = ${code}`} }`)
}

t.test('authorization, driven by openapi.yaml', async (t) => {
  const app = await build(t)
  const cat = await publishedCatalogue(app, 2)
  const { admin, viewer } = cat
  const creatorA = cat.creator
  const creatorB = await signUp(app, 'creator')
  // A's series that is not published: one pending episode, never approved.
  const draft = await createSeries(app, creatorA, { title: 'Not out yet' })
  const pendingEpisode = await createEpisode(app, creatorA, draft.id, cat.video.id, 1)
  const videoB = await uploadVideo(app, creatorB)
  await createSeries(app, creatorB, { title: 'B series' })
  const ids = pathIds(cat)

  t.ok(operations.length > 0, 'the contract lists operations')

  t.test('function level (API5): roles are checked on every operation', async (t) => {
    for (const o of operations) {
      if (o.op.security !== undefined && o.op.security.length > 0) {
        isError(t, `${o.name} without a token`, await call(app, o, ids), 401, 'unauthorized')
      }
      if (has(o, 'admin')) {
        isError(t, `${o.name} as a viewer`, await call(app, o, ids, viewer), 403, 'forbidden')
        isError(t, `${o.name} as a creator`, await call(app, o, ids, creatorB), 403, 'forbidden')
      }
      if (has(o, 'creator') || has(o, 'uploads')) {
        isError(t, `${o.name} as a viewer`, await call(app, o, ids, viewer), 403, 'forbidden')
      }
    }
  })

  t.test('object level (API1): another creator\'s objects do not exist for creator B', async (t) => {
    const creatorOps = operations.filter((o) => o.path.startsWith('/creator/'))
    const targets = [
      { label: 'published series', ids: { ...ids, seriesId: cat.series.id, episodeId: cat.episodes[0]!.id, userId: creatorA.user.id } },
      { label: 'unpublished series', ids: { ...ids, seriesId: draft.id, episodeId: pendingEpisode.id, userId: creatorA.user.id } }
    ]
    // What A sees through every read under /creator/, before and after B's attempts.
    const snapshot = async (targetIds: Record<string, string>) => {
      const seen: Record<string, unknown> = {}
      for (const o of creatorOps.filter((o) => o.method === 'GET')) seen[o.name] = (await call(app, o, targetIds, creatorA)).json()
      return seen
    }
    for (const target of targets) {
      const before = await snapshot(target.ids)
      for (const o of creatorOps.filter((o) => pathParams(o).length > 0)) {
        const name = `${o.name} by creator B on A's ${target.label}`
        const body = example(o)
        if (body !== undefined && 'videoId' in body) body.videoId = videoB.id
        isError(t, name, await call(app, o, target.ids, creatorB, body), 404)
      }
      const after = await snapshot(target.ids)
      for (const [name, data] of Object.entries(before)) {
        t.same(after[name], data, `${name}: A's data (${target.label}) is unchanged after creator B's attempts`)
      }
    }
  })

  t.test('object level (API1): creator B\'s lists never include A\'s items', async (t) => {
    // Earnings are totals, not a list: test/features/billing.test.ts checks they count the caller's series only.
    const lists = operations.filter((o) => o.path.startsWith('/creator/') && o.method === 'GET' && pathParams(o).length === 0 &&
      o.op.operationId !== 'getCreatorEarnings')
    t.ok(lists.length > 0, 'the contract has list operations under /creator/')
    for (const o of lists) {
      const query = { ...o, path: `${o.path}?limit=100` }
      const mine = (await call(app, query, {}, creatorA)).json().data as Array<{ id: string }>
      const theirs = (await call(app, query, {}, creatorB)).json().data as Array<{ id: string, creatorId?: string }>
      t.ok(mine.length > 0, `${o.name}: A sees A's own items`)
      t.ok(theirs.length > 0, `${o.name}: B sees B's own items`)
      const aIds = new Set(mine.map((item) => item.id))
      t.same(theirs.filter((item) => aIds.has(item.id)), [], `${o.name}: B's list has none of A's items`)
      t.same(theirs.filter((item) => item.creatorId !== undefined && item.creatorId !== creatorB.user.id), [],
        `${o.name}: every item B sees is B's`)
    }
  })

  t.test('object level (API1): a viewer gets 404 for A\'s unpublished series and episode', async (t) => {
    const subscriber = await signUp(app, 'viewer')
    await setSubscription(app, admin, subscriber.user.id, 'active')
    const unpublished = { seriesId: draft.id, episodeId: pendingEpisode.id }
    const reads = operations.filter((o) => (o.path.startsWith('/content/') || o.path.startsWith('/video/')) &&
      pathParams(o).some((p) => p in unpublished))
    t.ok(reads.some((o) => pathParams(o).includes('seriesId')), 'the contract has /content routes with a seriesId')
    // A pending episode of A's published series is not out either.
    const pendingInPublished = {
      seriesId: cat.series.id,
      episodeId: (await createEpisode(app, creatorA, cat.series.id, cat.video.id, 3)).id
    }
    for (const o of reads) {
      for (const who of [subscriber, creatorB]) {
        const role = who === subscriber ? 'a subscribed viewer' : 'creator B'
        isError(t, `${o.name} by ${role} for A's unpublished series`, await call(app, o, unpublished, who), 404)
        if (!pathParams(o).includes('seriesId')) {
          isError(t, `${o.name} by ${role} for A's pending episode`, await call(app, o, pendingInPublished, who), 404)
        }
      }
    }
    const progress = await app.inject({ method: 'POST', url: '/video/progress', headers: subscriber.auth, payload: { episodeId: pendingEpisode.id, positionSec: 1 } })
    isError(t, 'POST /video/progress for A\'s pending episode', progress, 404)
  })

  t.test('object level (API1): GET /video/history shows only the caller\'s own entries', async (t) => {
    const other = await signUp(app, 'viewer')
    const watched = [[viewer, cat.episodes[0]!.id], [other, cat.episodes[1]!.id]] as const
    for (const [who, episodeId] of watched) {
      const res = await app.inject({ method: 'POST', url: '/video/progress', headers: who.auth, payload: { episodeId, positionSec: 5 } })
      t.equal(res.statusCode, 200, `POST /video/progress records ${who.user.email}'s progress`)
    }
    for (const [who, episodeId] of watched) {
      const res = await app.inject({ url: '/video/history?limit=100', headers: who.auth })
      t.equal(res.statusCode, 200, 'GET /video/history answers 200')
      t.same(res.json().data.map((e: { episodeId: string }) => e.episodeId), [episodeId], `GET /video/history shows ${who.user.email} only their own entry`)
      t.equal(res.json().meta.total, 1, 'GET /video/history counts only the caller\'s entries')
    }
  })

  t.test('property level (API3): register cannot make an admin', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/auth/register', payload: { email: uniqueEmail('admin'), password: 'password123', role: 'admin' } })
    isError(t, 'POST /auth/register with role admin', res, 403, 'admin_signup_forbidden')
  })

  t.test('property level (API3): bodies cannot set privileged fields', async (t) => {
    const smuggled: Record<string, unknown> = {
      role: 'admin',
      ownerId: creatorB.user.id,
      creatorId: creatorB.user.id,
      status: 'published',
      subscription: { status: 'active' },
      passwordHash: '$2b$04$abcdefghijklmnopqrstuv',
      tokenVersion: 0
    }
    const withBody = operations.filter((o) => jsonBody(o) !== undefined)
    t.ok(withBody.length > 0, 'the contract has operations with a body')
    for (const o of withBody) {
      const who = has(o, 'admin') ? admin : has(o, 'creator') || has(o, 'uploads') ? creatorA : viewer
      const declared = jsonBody(o)?.schema?.properties ?? {}
      for (const [field, value] of Object.entries(smuggled)) {
        if (field in declared) continue // not an unknown field here: its own validation applies
        const body = { ...example(o), [field]: value }
        isError(t, `${o.name} with ${field}`, await call(app, o, ids, who, body), 400, 'validation_failed')
      }
    }
  })

  t.test('property level (API3): viewer-facing responses never carry internal fields', async (t) => {
    // Not with an example body: unlocking (a subscriber has nothing to unlock), and what needs a secret the user got
    // elsewhere (a refresh token, a challenge, an emailed token or code, an authenticator's code). Their answers are
    // the same schemas as login's or empty; test/features/billing.test.ts and accounts.test.ts check them.
    const needSecrets = ['unlockEpisode', 'refreshSession', 'completeMfa', 'enableMfa', 'disableMfa', 'verifyEmail', 'verifyEmailCode', 'resetPassword']
    const viewerFacing = operations.filter((o) => ['/content', '/video/play', '/video/history', '/auth/'].some((p) => o.path.startsWith(p)) &&
      !needSecrets.includes(o.op.operationId ?? ''))
    for (const o of viewerFacing) {
      // A fresh subscriber for each operation: logout and a password change revoke its tokens.
      const email = uniqueEmail('leak')
      const who = await signUp(app, 'viewer', email)
      await setSubscription(app, admin, who.user.id, 'active')
      const body = example(o)
      if (body !== undefined) {
        const valid: Record<string, unknown> = {
          email: o.op.operationId === 'register' ? uniqueEmail('leak') : email,
          password: 'password123',
          currentPassword: 'password123',
          episodeId: ids.episodeId,
          seriesId: ids.seriesId
        }
        for (const key of Object.keys(body)) if (key in valid) body[key] = valid[key]
      }
      const res = await call(app, o, ids, who, body)
      t.ok(res.statusCode >= 200 && res.statusCode < 300, `${o.name} succeeds for a viewer (got ${res.statusCode})`)
      for (const secret of ['passwordHash', 'tokenVersion', 's3Key', 'ownerId']) {
        t.notOk(res.body.includes(secret), `${o.name} response does not contain ${secret}`)
      }
    }
  })
})
