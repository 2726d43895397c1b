import t from 'tap'
import type { FastifyInstance } from 'fastify'
import type { DomainEvent } from '../../src/events.js'
import { api, approve, build, createEpisode, createSeries, setSubscription, signUp, uploadVideo } from '../helper.js'

/** Every event the app emits from now on, in order, as plain data a subscriber would read. */
function record (app: FastifyInstance) {
  const seen: Array<Record<string, unknown>> = []
  app.events.on('*', (e: DomainEvent) => {
    seen.push({
      type: e.type,
      actorId: e.actorId?.toHexString() ?? null,
      target: { type: e.target.type, id: e.target.id.toHexString(), seriesId: e.target.seriesId?.toHexString() },
      before: e.before,
      after: e.after,
      at: e.at instanceof Date
    })
  })
  // Listeners run after the change is answered: wait for the ones queued so far.
  return async () => { await new Promise((resolve) => setImmediate(resolve)); return seen.splice(0) }
}

t.test('each committed change emits one typed event, after the write, with actor, target, before and after', async (t) => {
  const app = await build(t)
  const next = record(app)
  const [creator, admin, viewer] = [await signUp(app, 'creator'), await signUp(app, 'admin'), await signUp(app, 'viewer')]
  await next()
  const video = await uploadVideo(app, creator)
  const series = await createSeries(app, creator)
  const episode = await createEpisode(app, creator, series.id, video.id)

  t.same(await next(), [
    { type: 'video.saved', actorId: creator.user.id, target: { type: 'video', id: video.id }, before: null, after: 'uploaded', at: true },
    { type: 'series.created', actorId: creator.user.id, target: { type: 'series', id: series.id }, before: null, after: 'pending', at: true },
    {
      type: 'episode.created',
      actorId: creator.user.id,
      target: { type: 'episode', id: episode.id, seriesId: series.id },
      before: null,
      after: 'pending',
      at: true
    }
  ], 'the creator\'s steps')

  t.test('approving the first episode publishes it and, as a step of its own, its series', async (t) => {
    await approve(app, admin, episode.id)
    t.same(await next(), [
      {
        type: 'episode.published',
        actorId: admin.user.id,
        target: { type: 'episode', id: episode.id, seriesId: series.id },
        before: 'pending',
        after: 'published',
        at: true
      },
      { type: 'series.published', actorId: admin.user.id, target: { type: 'series', id: series.id }, before: 'pending', after: 'published', at: true }
    ])
  })

  t.test('a refused step emits nothing', async (t) => {
    const res = await api(app).approveEpisode(admin, episode.id)
    t.equal(res.statusCode, 409)
    t.same(await next(), [])
  })

  t.test('a takedown and a resubmission, each with its event', async (t) => {
    t.equal((await api(app).unpublishEpisode(admin, episode.id, { reason: 'Audio missing' })).statusCode, 200)
    t.equal((await api(app).submitEpisode(creator, episode.id)).statusCode, 200)
    t.match(await next(), [
      { type: 'episode.unpublished', actorId: admin.user.id, before: 'published', after: 'unpublished' },
      { type: 'episode.resubmitted', actorId: creator.user.id, before: 'unpublished', after: 'pending' }
    ])
  })

  t.test('an admin changing a subscription', async (t) => {
    await setSubscription(app, admin, viewer.user.id, 'active')
    t.same(await next(), [
      { type: 'user.subscription_changed', actorId: admin.user.id, target: { type: 'user', id: viewer.user.id }, before: 'none', after: 'active', at: true }
    ])
  })

  t.test('a listener that throws is logged and changes nothing for the caller or the other listeners', async (t) => {
    app.events.on('series.rejected', () => { throw new Error('a broken subscriber') })
    const other = await createSeries(app, creator)
    await next()
    const res = await api(app).rejectSeries(admin, other.id, { reason: 'Not for us' })
    t.equal(res.statusCode, 200)
    t.match(await next(), [{ type: 'series.rejected', before: 'pending', after: 'rejected' }])
  })
})
