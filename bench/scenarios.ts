// The bench scenarios: what each request looks like, for the API (bearer token) and for the ceiling (the
// caller's id in x-user-id), and how to tell that both answered the same thing.
import type { Request } from 'autocannon'

export interface Viewer {
  id: string
  email: string
  token: string
}

export interface ScenarioData {
  seriesIds: string[]
  episodeIds: string[]
  /** Subscribed viewers with a token from POST /auth/login: the callers of every authenticated scenario. */
  viewers: Viewer[]
  /** Emails of subscribed viewers, for the login scenario. */
  loginEmails: string[]
  password: string
  deepPage: number
  /** The API's meta.nextCursor of the page before deepPage: the same last page, reached by cursor. */
  deepCursor: string
  rand: () => number
}

export interface Call {
  method: 'GET' | 'POST'
  path: string
  body?: unknown
  viewer?: Viewer
}

type Json = any // answers are compared loosely: both sides were checked by their own tests

export interface Scenario {
  name: string
  title: string
  /** The next request (random ids, random caller). */
  next: (data: ScenarioData) => Call
  /** Null when the API's answer and the ceiling's carry the same data; otherwise what differs. */
  compare: (api: Json, ceiling: Json) => string | null
}

const pick = <T>(data: ScenarioData, list: readonly T[]): T => list[Math.floor(data.rand() * list.length)]!
/**
 * A popular item: viewers crowd onto a few hits (a new release, a trending series), so 90 % of the picks fall
 * on the first 20 items and the rest anywhere; this is what the read cache is for. `pick` is the uniform case.
 */
const popular = <T>(data: ScenarioData, list: readonly T[]): T =>
  data.rand() < 0.9 ? list[Math.floor(data.rand() * Math.min(20, list.length))]! : pick(data, list)
const viewer = (data: ScenarioData) => pick(data, data.viewers)
const differ = (what: string, a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b) ? null : `${what}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`
// The ceiling answers what the service returns: a page as the API's, a single item without the { data } envelope.
const samePage = (idOf: (item: Json) => string) => (api: Json, ceiling: Json) =>
  differ('ids', api.data.map(idOf), ceiling.data.map(idOf)) ?? differ('total', api.meta.total, ceiling.meta.total)

export const scenarios: Scenario[] = [
  {
    name: 'catalogue-page-1',
    title: 'catalogue list, page 1',
    next: (data) => ({ method: 'GET', path: '/content/series?page=1', viewer: viewer(data) }),
    compare: samePage((s) => s.id)
  },
  {
    name: 'catalogue-deep-page',
    title: 'catalogue list, last page',
    next: (data) => ({ method: 'GET', path: `/content/series?page=${data.deepPage}`, viewer: viewer(data) }),
    compare: samePage((s) => s.id)
  },
  {
    name: 'catalogue-cursor',
    title: 'catalogue list, last page by cursor',
    next: (data) => ({ method: 'GET', path: `/content/series?cursor=${data.deepCursor}`, viewer: viewer(data) }),
    compare: samePage((s) => s.id)
  },
  {
    name: 'series-episodes',
    title: 'series episodes (page 1)',
    next: (data) => ({ method: 'GET', path: `/content/series/${pick(data, data.seriesIds)}/episodes`, viewer: viewer(data) }),
    // Also the access each episode shows, which checks that the ceiling's caller is the API's caller.
    compare: samePage((e) => `${e.id} ${e.access}`)
  },
  {
    name: 'episode-detail',
    title: 'episode detail',
    next: (data) => ({ method: 'GET', path: `/content/episodes/${pick(data, data.episodeIds)}`, viewer: viewer(data) }),
    compare: (api, ceiling) => differ('episode', [api.data.id, api.data.access], [ceiling.id, ceiling.access])
  },
  {
    name: 'episode-detail-popular',
    title: 'episode detail, popular episodes',
    next: (data) => ({ method: 'GET', path: `/content/episodes/${popular(data, data.episodeIds)}`, viewer: viewer(data) }),
    compare: (api, ceiling) => differ('episode', [api.data.id, api.data.access], [ceiling.id, ceiling.access])
  },
  {
    name: 'play-url-popular',
    title: 'play URL, popular episodes',
    next: (data) => ({ method: 'GET', path: `/video/play/${popular(data, data.episodeIds)}`, viewer: viewer(data) }),
    compare: (api, ceiling) => differ('object', api.data.url.split('?')[0], ceiling.url.split('?')[0])
  },
  {
    name: 'play-url',
    title: 'play URL (subscribed viewer)',
    next: (data) => ({ method: 'GET', path: `/video/play/${pick(data, data.episodeIds)}`, viewer: viewer(data) }),
    compare: (api, ceiling) => differ('object', api.data.url.split('?')[0], ceiling.url.split('?')[0])
  },
  {
    name: 'history',
    title: 'watch history (page 1)',
    next: (data) => ({ method: 'GET', path: '/video/history', viewer: viewer(data) }),
    compare: samePage((w) => w.episodeId)
  },
  {
    name: 'progress',
    title: 'progress upsert',
    next: (data) => {
      const durationSec = 60 + Math.floor(data.rand() * 120)
      return {
        method: 'POST',
        path: '/video/progress',
        body: {
          episodeId: pick(data, data.episodeIds),
          positionSec: Math.floor(data.rand() * durationSec),
          durationSec
        },
        viewer: viewer(data)
      }
    },
    compare: (api, ceiling) => differ('episode', api.data.episodeId, ceiling.episodeId)
  },
  {
    name: 'login',
    title: 'login (bcrypt, 10 rounds)',
    next: (data) => ({ method: 'POST', path: '/auth/login', body: { email: pick(data, data.loginEmails), password: data.password } }),
    compare: (api, ceiling) => differ('user', api.data.user.id, ceiling.id)
  },
  {
    // Not one of the scenarios: no database and no auth, so its ratio is the cost of the hooks
    // every request runs (request id, helmet, CORS, rate limit, under-pressure) and of the response schema.
    // Last, because its flood of requests grows the API's heap, which would show in the others' peak RSS.
    name: 'baseline-health',
    title: 'baseline: GET /health (no I/O)',
    next: () => ({ method: 'GET', path: '/health' }),
    compare: (api, ceiling) => differ('status', api.data.status === 'ok', ceiling.ok)
  }
]

export type Target = 'api' | 'ceiling'

/** Headers and body of one call, as the API or the ceiling takes it. */
export function toHttp (
  call: Call, target: Target
): { method: string, path: string, headers: Record<string, string>, body?: string } {
  const headers: Record<string, string> = {}
  if (call.viewer !== undefined) {
    if (target === 'api') headers.authorization = `Bearer ${call.viewer.token}`
    else headers['x-user-id'] = call.viewer.id
  }
  if (call.body === undefined) return { method: call.method, path: call.path, headers }
  headers['content-type'] = 'application/json'
  return { method: call.method, path: call.path, headers, body: JSON.stringify(call.body) }
}

/** The autocannon request list for a scenario: a new random call before every request. */
export function loadRequests (scenario: Scenario, data: ScenarioData, target: Target): Request[] {
  return [{
    setupRequest: (request) => {
      const http = toHttp(scenario.next(data), target)
      return { ...request, ...http }
    }
  }]
}
