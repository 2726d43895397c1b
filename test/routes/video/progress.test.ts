import t from 'tap'
import { build, createEpisode, MISSING_ID, publishedCatalogue, signUp } from '../../helper.js'

interface Entry {
  episodeId: string
  seriesId: string
  positionSec: number
  durationSec: number | null
  completed: boolean
  updatedAt: string
}

t.test('POST /video/progress', async (t) => {
  const app = await build(t)
  const { creator, viewer, video, series, episodes } = await publishedCatalogue(app, 6)
  const ep = (n: number) => episodes[n - 1]!.id
  const record = (payload: Record<string, unknown>, account = viewer) =>
    app.inject({ method: 'POST', url: '/video/progress', headers: account.auth, payload })
  const history = async (account = viewer) => (await app.inject({ url: '/video/history', headers: account.auth })).json() as { data: Entry[], meta: { total: number } }

  t.test('no token is 401', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/video/progress', payload: { episodeId: ep(1), positionSec: 1 } })
    t.equal(res.statusCode, 401)
    t.equal(res.json().error.code, 'unauthorized')
  })

  // Every episode here has the fixture video's duration, as the media pipeline read it: 120 s.
  t.test('saves the position and answers the entry, with the episode\'s duration', async (t) => {
    const res = await record({ episodeId: ep(1), positionSec: 12.5 })
    t.equal(res.statusCode, 200)
    t.match(res.json().data, {
      episodeId: ep(1), seriesId: series.id, positionSec: 12.5, durationSec: 120, completed: false
    })
    t.type(res.json().data.updatedAt, 'string')
  })

  t.test('a second call for the same episode updates the one entry', async (t) => {
    await record({ episodeId: ep(2), positionSec: 10 })
    const res = await record({ episodeId: ep(2), positionSec: 40 })
    t.equal(res.statusCode, 200)
    t.match(res.json().data, { positionSec: 40, durationSec: 120, completed: false })
    const entries = (await history()).data.filter((e) => e.episodeId === ep(2))
    t.equal(entries.length, 1)
    t.equal(entries[0]?.positionSec, 40)
  })

  t.test('a position past the duration is saved as the end of the episode, completed', async (t) => {
    const res = await record({ episodeId: ep(3), positionSec: 121 })
    t.equal(res.statusCode, 200)
    t.match(res.json().data, { positionSec: 120, durationSec: 120, completed: true })
  })

  t.test('a duration the client sends does not count: the episode\'s own does', async (t) => {
    const short = await record({ episodeId: ep(3), positionSec: 70, durationSec: 70 })
    t.equal(short.statusCode, 200)
    t.match(short.json().data, { positionSec: 70, durationSec: 120, completed: false }, 'not completed at 70 of 120 s')
    const long = await record({ episodeId: ep(3), positionSec: 500, durationSec: 600 })
    t.match(long.json().data, { positionSec: 120, completed: true }, 'bounded by the real duration')
  })

  t.test('completed defaults to true at 95 % of the duration, false below it', async (t) => {
    const below = await record({ episodeId: ep(4), positionSec: 113.9 })
    t.equal(below.json().data.completed, false)
    const at = await record({ episodeId: ep(4), positionSec: 114 })
    t.equal(at.json().data.completed, true)
  })

  t.test('an explicit completed wins', async (t) => {
    const explicit = await record({ episodeId: ep(5), positionSec: 10, completed: true })
    t.equal(explicit.json().data.completed, true)
    const notYet = await record({ episodeId: ep(6), positionSec: 119, completed: false })
    t.equal(notYet.json().data.completed, false)
  })

  t.test('an unpublished episode is 404 episode_not_found and saves nothing', async (t) => {
    const pending = await createEpisode(app, creator, series.id, video.id, 99)
    const res = await record({ episodeId: pending.id, positionSec: 1 })
    t.equal(res.statusCode, 404)
    t.same(res.json(), { error: { message: 'Episode not found', status: 404, code: 'episode_not_found' } })
    t.notOk((await history()).data.some((e) => e.episodeId === pending.id))
  })

  t.test('an unknown episode is 404 episode_not_found', async (t) => {
    const res = await record({ episodeId: MISSING_ID, positionSec: 1 })
    t.equal(res.statusCode, 404)
    t.equal(res.json().error.code, 'episode_not_found')
  })

  t.test('a negative position is 400', async (t) => {
    const res = await record({ episodeId: ep(1), positionSec: -1 })
    t.equal(res.statusCode, 400)
    t.equal(res.json().error.code, 'validation_failed')
    t.match(res.json().error.message, /positionSec/)
  })

  t.test('bad values are 400: zero or negative duration, strings, missing fields, bad ids', async (t) => {
    const bodies = [
      { episodeId: ep(1), positionSec: 0, durationSec: 0 },
      { episodeId: ep(1), positionSec: 0, durationSec: -5 },
      { episodeId: ep(1), positionSec: '10' },
      { episodeId: ep(1), positionSec: 10, completed: 'yes' },
      { episodeId: ep(1), positionSec: 86_401 },
      { episodeId: ep(1) },
      { positionSec: 1 },
      { episodeId: 'nope', positionSec: 1 }
    ]
    for (const payload of bodies) {
      const res = await record(payload)
      t.equal(res.statusCode, 400, JSON.stringify(payload))
      t.equal(res.json().error.code, 'validation_failed')
    }
  })

  t.test('unknown fields and operators are 400', async (t) => {
    const bodies = [
      { episodeId: ep(1), positionSec: 1, userId: viewer.user.id },
      { episodeId: ep(1), positionSec: 1, $set: { completed: true } },
      { episodeId: { $ne: null }, positionSec: 1 },
      { episodeId: ep(1), positionSec: { $gt: 0 } }
    ]
    for (const payload of bodies) {
      const res = await record(payload)
      t.equal(res.statusCode, 400, JSON.stringify(payload))
      t.equal(res.json().error.code, 'validation_failed')
    }
    t.equal((await history()).data.find((e) => e.episodeId === ep(1))?.positionSec, 12.5, 'nothing changed')
  })
})

t.test('GET /video/history', async (t) => {
  const app = await build(t)
  const { viewer, episodes } = await publishedCatalogue(app, 3)
  const other = await signUp(app, 'viewer')
  const [one, two, three] = episodes.map((e) => e.id) as [string, string, string]
  const record = (episodeId: string, positionSec: number) =>
    app.inject({ method: 'POST', url: '/video/progress', headers: viewer.auth, payload: { episodeId, positionSec } })
  await record(one, 1)
  await record(two, 2)
  await record(three, 3)
  await record(one, 4) // now the most recently watched
  const list = (query = '', account = viewer) => app.inject({ url: `/video/history${query}`, headers: account.auth })

  t.test('no token is 401', async (t) => {
    const res = await app.inject({ url: '/video/history' })
    t.equal(res.statusCode, 401)
    t.equal(res.json().error.code, 'unauthorized')
  })

  t.test('lists the caller\'s entries most recently watched first', async (t) => {
    const res = await list()
    t.equal(res.statusCode, 200)
    t.same(res.json().data.map((e: Entry) => e.episodeId), [one, three, two])
    t.same(res.json().data.map((e: Entry) => e.positionSec), [4, 3, 2])
    t.same(res.json().meta, { total: 3, page: 1, limit: 20, totalPages: 1, nextCursor: null })
  })

  t.test('sort=updatedAt:asc lists oldest first', async (t) => {
    const res = await list('?sort=updatedAt:asc')
    t.same(res.json().data.map((e: Entry) => e.episodeId), [two, three, one])
  })

  t.test('pages through the history', async (t) => {
    const res = await list('?limit=2&page=2')
    t.same(res.json().data.map((e: Entry) => e.episodeId), [two])
    t.same(res.json().meta, { total: 3, page: 2, limit: 2, totalPages: 2, nextCursor: null })
  })

  t.test('another viewer sees none of it', async (t) => {
    const res = await list('', other)
    t.equal(res.statusCode, 200)
    t.same(res.json(), { data: [], meta: { total: 0, page: 1, limit: 20, totalPages: 0, nextCursor: null } })
  })

  t.test('an invalid sort, page or limit is 400', async (t) => {
    for (const query of ['?sort=positionSec:desc', '?sort=updatedAt', '?page=0', '?limit=101', '?userId=x']) {
      const res = await list(query)
      t.equal(res.statusCode, 400, query)
      t.equal(res.json().error.code, 'validation_failed')
    }
  })

  t.test('entries carry no user id, video id or storage key', async (t) => {
    const res = await list()
    t.notMatch(res.body, /userId|s3Key|videoId|ownerId|passwordHash/)
    t.notOk(res.body.includes(viewer.user.id))
  })
})
