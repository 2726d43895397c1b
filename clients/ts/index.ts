// The typed TypeScript client of the API: openapi-fetch over the types generated from openapi.yaml
// (schema.ts, rebuilt by `npm run client:ts`). Paths, parameters, bodies and responses are all checked
// by TypeScript against the contract.
//
//   const api = createClient('http://127.0.0.1:3000')
//   const { data } = await api.POST('/auth/login', { body: { email, password } })
//   const me = createClient('http://127.0.0.1:3000', data!.data.token)
//   const { data: page, error } = await me.GET('/content/series', { params: { query: { limit: 10 } } })
import createFetchClient from 'openapi-fetch'
import type { components, operations, paths } from './schema.js'

export type { components, operations, paths }
export type Schemas = components['schemas']

/** A client for the API at `baseUrl`; with `token`, every request carries `Authorization: Bearer <token>`. */
export function createClient (baseUrl: string, token?: string) {
  return createFetchClient<paths>({ baseUrl, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } })
}

export type Client = ReturnType<typeof createClient>
