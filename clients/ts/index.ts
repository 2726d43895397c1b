// The typed TypeScript client of the API: openapi-fetch over the types generated from openapi.yaml
// (schema.ts, rebuilt by `npm run client:ts`). Paths, parameters, bodies and responses are all checked
// by TypeScript against the contract.
//
//   const api = createClient('http://127.0.0.1:3000')
//   const { data } = await api.POST('/auth/login', { body: { email, password } })
//   if (!isSignedIn(data!.data)) { /* two-factor on: POST /auth/mfa { challenge, code } */ }
//   const me = createSessionClient('http://127.0.0.1:3000', data!.data, (tokens) => save(tokens))
//   const { data: page, error } = await me.GET('/content/series', { params: { query: { limit: 10 } } })
// A session client renews its 15-minute access token with the refresh token by itself (createSessionClient).
import createFetchClient from 'openapi-fetch'
import type { components, operations, paths } from './schema.js'

export type { components, operations, paths }
export type Schemas = components['schemas']

/** A client for the API at `baseUrl`; with `token`, every request carries `Authorization: Bearer <token>`. */
export function createClient (baseUrl: string, token?: string) {
  return createFetchClient<paths>({ baseUrl, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } })
}

export type Client = ReturnType<typeof createClient>

type LoginData<S extends 200 | 202> = operations['login']['responses'][S]['content']['application/json']['data']
/** A sign-in's answer: the tokens and the user (login, register, refresh, POST /auth/mfa). */
export type SignedIn = LoginData<200>
/** A login with two-factor on: complete it with POST /auth/mfa { challenge, code }. */
export type MfaChallenge = LoginData<202>
export const isSignedIn = (data: SignedIn | MfaChallenge): data is SignedIn => 'token' in data

export interface Tokens { token: string, refreshToken: string }

/**
 * A client that keeps a session alive: every request carries the current access token; one answered 401
 * `token_expired` renews the pair with POST /auth/refresh (once for all requests waiting at that moment: a refresh
 * token works once) and is sent again. `onRefresh` gets each new pair, to store it (securely); a refresh that fails
 * (signed out, or the refresh token expired) leaves the 401 for the app to send the user to sign in.
 */
export function createSessionClient (baseUrl: string, tokens: Tokens, onRefresh?: (tokens: Tokens) => void) {
  const client = createFetchClient<paths>({ baseUrl })
  const plain = createFetchClient<paths>({ baseUrl })
  let current = tokens
  let refreshing: Promise<boolean> | null = null
  const retries = new WeakMap<Request, Request>()

  async function refresh (): Promise<boolean> {
    const { data } = await plain.POST('/auth/refresh', { body: { refreshToken: current.refreshToken } })
    if (data === undefined) return false
    current = { token: data.data.token, refreshToken: data.data.refreshToken }
    onRefresh?.(current)
    return true
  }

  client.use({
    onRequest ({ request }) {
      request.headers.set('authorization', `Bearer ${current.token}`)
      retries.set(request, request.clone())
      return request
    },
    async onResponse ({ request, response }) {
      if (response.status !== 401) return response
      const body = await response.clone().json().catch(() => null) as { error?: { code?: string } } | null
      if (body?.error?.code !== 'token_expired') return response
      const sentWith = request.headers.get('authorization')
      // Another request may have renewed the pair meanwhile: then just send this one again.
      const renewed = sentWith !== `Bearer ${current.token}` || await (refreshing ??= refresh().finally(() => { refreshing = null }))
      const retry = retries.get(request)
      if (!renewed || retry === undefined) return response
      retry.headers.set('authorization', `Bearer ${current.token}`)
      return await fetch(retry)
    }
  })
  return client
}
