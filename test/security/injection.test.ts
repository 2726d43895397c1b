// NoSQL operator injection, driven by openapi.yaml: operators and arrays in JSON bodies, bracketed query
// keys and operator-looking path parameters are all refused with 400 before reaching the database.
import { ObjectId } from 'mongodb'
import t, { type Test } from 'tap'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { build, pathIds, publishedCatalogue, type Account } from '../helper.js'
import { bodyExample, has, jsonBody, operations, paramsIn, resolve, url, type Op } from '../contract.js'

/** The first request body example of the contract, with ids made real; an operation without one fails. */
function example (o: Op, ids: Record<string, string>): Record<string, unknown> {
  const body = bodyExample(o)
  if (body === undefined) throw new Error(`${o.name}: the contract has no request body example`)
  // Ids the example names (an episodeId) become real ones; other fields (a link's `token`) keep the example's value.
  for (const key of Object.keys(body)) if (key.endsWith('Id') && ids[key] !== undefined) body[key] = ids[key]
  return body
}

function isValidationError (t: Test, name: string, res: LightMyRequestResponse, part: RegExp): void {
  t.equal(res.statusCode, 400, `${name} answers 400 (got ${res.statusCode} ${res.body})`)
  const body = res.json()
  t.same(Object.keys(body), ['error'], `${name} answers the standard error body`)
  t.match(body.error, { status: 400, code: 'validation_failed', message: part }, `${name} is a validation_failed of the right part`)
}

t.test('injection, driven by openapi.yaml', async (t) => {
  const app = await build(t)
  const cat = await publishedCatalogue(app, 1)
  const { admin, creator, viewer, episodes, video } = cat
  const ids: Record<string, string> = {
    ...pathIds(cat),
    token: app.services.streaming.issue(new ObjectId(episodes[0]!.id), video.id).token,
    rendition: '360p'
  }
  /** An account whose role may call the operation. */
  const caller = (o: Op): Account => has(o, 'admin') ? admin : has(o, 'creator') || has(o, 'uploads') ? creator : viewer

  async function call (o: Op, path: string, body?: unknown) {
    // Headers an operation requires, so that only what is under test is refused: an Idempotency-Key, and a
    // Stripe-Signature (that does not verify: 400 webhook_signature_invalid, once the body passed validation).
    const required = paramsIn(o, 'header')
    const headers = {
      ...caller(o).auth,
      ...(required.includes('idempotency-key') ? { 'idempotency-key': `injection-${Math.random()}` } : {}),
      ...(required.includes('stripe-signature') ? { 'stripe-signature': 't=1,v1=00' } : {})
    }
    const options: InjectOptions = { method: o.method as 'GET', url: path, headers }
    if (body !== undefined) options.payload = body as Record<string, unknown>
    return await app.inject(options)
  }

  t.test('operators and arrays instead of strings in JSON bodies are 400', async (t) => {
    const withBody = operations.filter((o) => jsonBody(o) !== undefined)
    t.ok(withBody.length > 0, 'the contract has operations with a JSON body')
    for (const o of withBody) {
      const schema = resolve(jsonBody(o)?.schema)
      const strings = Object.entries(schema?.properties ?? {}).filter(([, s]) => resolve(s)?.type === 'string').map(([k]) => k)
      const baseline = await call(o, url(o, ids), example(o, ids))
      t.notOk(baseline.statusCode === 400 && baseline.json().error.code === 'validation_failed',
        `${o.name}: the contract's example passes validation (got ${baseline.statusCode} ${baseline.body})`)
      for (const property of strings) {
        for (const evil of [{ $ne: null }, { $gt: '' }, ['a']]) {
          const body = { ...example(o, ids), [property]: evil }
          isValidationError(t, `${o.name} with ${property}: ${JSON.stringify(evil)}`, await call(o, url(o, ids), body), /^body/)
        }
      }
    }
  })

  t.test('bracketed operator keys in query strings are 400', async (t) => {
    const withQuery = operations.filter((o) => paramsIn(o, 'query').length > 0)
    t.ok(withQuery.length > 0, 'the contract has operations with query parameters')
    for (const o of withQuery) {
      const keys = [...paramsIn(o, 'query').flatMap((p) => [`${p}[$ne]=x`, `${p}[$gt]=`, `${p}[$regex]=.*`]), 'genre[$regex]=.*']
      for (const key of keys) {
        const body = jsonBody(o) === undefined ? undefined : example(o, ids)
        isValidationError(t, `${o.name}?${key}`, await call(o, `${url(o, ids)}?${key}`, body), /^querystring/)
      }
    }
  })

  t.test('operator-looking and regex path parameters are 400', async (t) => {
    const withParams = operations.filter((o) => paramsIn(o, 'path').length > 0)
    t.ok(withParams.length > 0, 'the contract has operations with path parameters')
    const values = ['%24ne', '.*', '%5E.*%24', encodeURIComponent('{"$ne":null}'), encodeURIComponent('[$ne]'), '665f1c2b9d3e4a00123456%24']
    for (const o of withParams) {
      for (const param of paramsIn(o, 'path')) {
        for (const value of values) {
          const body = jsonBody(o) === undefined ? undefined : example(o, ids)
          const res = await call(o, url(o, { ...ids, [param]: value }), body)
          isValidationError(t, `${o.name} with ${param}=${value}`, res, new RegExp(`^params/${param}`))
        }
      }
    }
  })

  t.test('POST /auth/login with an operator as password is 400, not 401 or 200', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'a@b.co', password: { $ne: null } } })
    isValidationError(t, 'POST /auth/login with password {"$ne":null}', res, /^body\/password/)
  })
})
