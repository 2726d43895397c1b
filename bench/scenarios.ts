// The bench scenarios: what each request looks like, for the API and the seed design (bearer token) and for the
// ceiling (the caller's id in x-user-id), and what every target's answer must carry alike.
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
  /** Episodes whose video has an HLS ladder (playlists in the bucket), and their media playlists' paths. */
  hlsEpisodeIds: string[]
  playlistPaths: string[]
  rand: () => number
}

export interface Call {
  method: 'GET' | 'POST'
  path: string
  body?: unknown
  viewer?: Viewer
}

/**
 * The API; the ceiling (bench/ceiling.ts); the seed design (bench/seed-design/app.ts, or bare Express for the
 * GET /health baseline).
 */
export type Target = 'api' | 'ceiling' | 'seed'

type Json = any // answers are compared loosely: each target was checked by its own tests

export interface Scenario {
  name: string
  title: string
  /** The next request (random ids, random caller). */
  next: (data: ScenarioData) => Call
  /** What must be the same in every target's answer (ids, totals, access), read from `target`'s answer. */
  key: (answer: Json, target: Target) => unknown
  /**
   * The seed design's server for this scenario: its app (the default), bare Express (the baseline), or none
   * (what the seed design does not have).
   */
  seed?: 'app' | 'bare' | 'none'
  /**
   * A read, play or write whose uniform picks mostly miss the read cache: measured a second time, after the
   * others, without the lookup indexes (run.ts), where every lookup scans its table as on a FerretDB left as it is.
   */
  miss?: true
}

const pick = <T>(data: ScenarioData, list: readonly T[]): T => list[Math.floor(data.rand() * list.length)]!
/**
 * A popular item: viewers crowd onto a few hits (a new release, a trending series), so 90 % of the picks fall
 * on the first 20 items and the rest anywhere; this is what the read cache is for. `pick` is the uniform case.
 */
const popular = <T>(data: ScenarioData, list: readonly T[]): T =>
  data.rand() < 0.9 ? list[Math.floor(data.rand() * Math.min(20, list.length))]! : pick(data, list)
const viewer = (data: ScenarioData) => pick(data, data.viewers)
/** An item's id: `id` in the API's answers and the ceiling's, `_id` in the seed design's (Mongoose documents). */
const id = (item: Json): string => item.id ?? item._id
/** A page's ids and total: the API's, the ceiling's and the seed design's pages are all { data, meta }. */
const page = (idOf: (item: Json) => string) => (answer: Json) =>
  ({ ids: answer.data.map(idOf), total: answer.meta.total })
/** One item: the ceiling answers what the service returns, the API and the seed design wrap it in { data }. */
const item = (answer: Json, target: Target): Json => target === 'ceiling' ? answer : answer.data

/** Null when `other`'s answer carries the same data as the API's; otherwise what differs. */
export function differ (scenario: Scenario, api: Json, other: Json, target: Target): string | null {
  const [a, b] = [JSON.stringify(scenario.key(api, 'api')), JSON.stringify(scenario.key(other, target))]
  return a === b ? null : `${a} vs ${b}`
}

export const scenarios: Scenario[] = [
  {
    name: 'catalogue-page-1',
    title: 'catalogue list, page 1',
    next: (data) => ({ method: 'GET', path: '/content/series?page=1', viewer: viewer(data) }),
    key: page(id)
  },
  {
    name: 'catalogue-deep-page',
    title: 'catalogue list, last page',
    next: (data) => ({ method: 'GET', path: `/content/series?page=${data.deepPage}`, viewer: viewer(data) }),
    key: page(id)
  },
  {
    name: 'catalogue-cursor',
    title: 'catalogue list, last page by cursor',
    next: (data) => ({ method: 'GET', path: `/content/series?cursor=${data.deepCursor}`, viewer: viewer(data) }),
    key: page(id),
    seed: 'none' // no cursors in the seed design: it would answer page 1
  },
  {
    name: 'series-episodes',
    title: 'series episodes (page 1)',
    next: (data) => ({ method: 'GET', path: `/content/series/${pick(data, data.seriesIds)}/episodes`, viewer: viewer(data) }),
    // Also the access each episode shows, which checks that the other target's caller is the API's caller.
    key: page((e) => `${id(e)} ${e.access}`),
    miss: true
  },
  {
    name: 'episode-detail',
    title: 'episode detail',
    next: (data) => ({ method: 'GET', path: `/content/episodes/${pick(data, data.episodeIds)}`, viewer: viewer(data) }),
    key: (answer, target) => [id(item(answer, target)), item(answer, target).access],
    miss: true
  },
  {
    name: 'episode-detail-popular',
    title: 'episode detail, popular episodes',
    next: (data) => ({ method: 'GET', path: `/content/episodes/${popular(data, data.episodeIds)}`, viewer: viewer(data) }),
    key: (answer, target) => [id(item(answer, target)), item(answer, target).access]
  },
  {
    name: 'play-url-popular',
    title: 'play URL, popular episodes',
    next: (data) => ({ method: 'GET', path: `/video/play/${popular(data, data.episodeIds)}`, viewer: viewer(data) }),
    key: (answer, target) => item(answer, target).url.split('?')[0]
  },
  {
    // A play of a processed episode: a playback token and the master playlist's URL, no presigning.
    name: 'play-hls',
    title: 'play, HLS (token)',
    next: (data) => ({ method: 'GET', path: `/video/play/${pick(data, data.hlsEpisodeIds)}`, viewer: viewer(data) }),
    key: (answer, target) => new URL(item(answer, target).url).pathname.split('/').slice(0, 3).join('/'),
    seed: 'none'
  },
  {
    // What a player fetches next: a media playlist, every segment line a presigned URL (rewritten once per window).
    name: 'playlist',
    title: 'HLS media playlist',
    next: (data) => ({ method: 'GET', path: pick(data, data.playlistPaths) }),
    key: (answer: string) => answer.split('\n').filter((line) => line.startsWith('http')).length,
    seed: 'none'
  },
  {
    name: 'play-url',
    title: 'play URL (subscribed viewer)',
    next: (data) => ({ method: 'GET', path: `/video/play/${pick(data, data.episodeIds)}`, viewer: viewer(data) }),
    key: (answer, target) => item(answer, target).url.split('?')[0],
    miss: true
  },
  {
    name: 'history',
    title: 'watch history (page 1)',
    next: (data) => ({ method: 'GET', path: '/video/history', viewer: viewer(data) }),
    // The seed design's history is one list of every row (no pagination): its first 20 are the API's page 1. Their
    // times, not their ids: rows the progress scenario wrote in the same millisecond may tie in another order.
    key: (answer) => ({
      at: answer.data.slice(0, 20).map((w: Json) => new Date(w.updatedAt).getTime()), total: answer.meta.total
    }),
    miss: true
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
    key: (answer, target) => String(item(answer, target).episodeId),
    miss: true
  },
  {
    name: 'login',
    title: 'login (bcrypt, 10 rounds)',
    next: (data) => ({ method: 'POST', path: '/auth/login', body: { email: pick(data, data.loginEmails), password: data.password } }),
    key: (answer, target) => target === 'ceiling' ? answer.id : answer.data.user.id
  },
  {
    // Not one of the scenarios: no database and no auth, so its ratio is the cost of the hooks
    // every request runs (request id, helmet, CORS, rate limit, under-pressure) and of the response schema.
    // Last, because its flood of requests grows the API's heap, which would show in the others' peak RSS.
    name: 'baseline-health',
    title: 'baseline: GET /health (no I/O)',
    next: () => ({ method: 'GET', path: '/health' }),
    // The API: { data: { status } }; the ceiling: { ok }; bare Express: { status }.
    key: (answer, target) => target === 'ceiling' ? answer.ok : (answer.data ?? answer).status === 'ok',
    seed: 'bare'
  }
]

/** Headers and body of one call, as the target takes it. */
export function toHttp (
  call: Call, target: Target
): { method: string, path: string, headers: Record<string, string>, body?: string } {
  const headers: Record<string, string> = {}
  if (call.viewer !== undefined) {
    if (target === 'ceiling') headers['x-user-id'] = call.viewer.id
    else headers.authorization = `Bearer ${call.viewer.token}`
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
