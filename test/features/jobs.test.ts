import t, { type Test } from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import { jobsConnection, scheduleMaintenance } from '../../src/jobs/queues.js'
import { maintenanceHandlers, type Handlers } from '../../src/jobs/handlers.js'
import { startWorker, workerTiming } from '../../src/jobs/workers.js'
import { build, eventually, isError, publishedCatalogue, queueWorker, setSubscription, signUp } from '../helper.js'

const log = { info: () => {}, warn: () => {} }

/** A worker on the app's maintenance queue, stopped at teardown. */
const worker = (t: Test, app: FastifyInstance, handlers: Handlers, timing = workerTiming) =>
  queueWorker(t, app, 'maintenance', handlers, timing)

t.test('the worker counts buffered plays on its schedule: every play once, across two API instances', async (t) => {
  const a = await build(t)
  const b = await build(t, { MONGODB_URI: a.config.MONGODB_URI })
  const { admin, viewer, series, episodes } = await publishedCatalogue(a, 1)
  await setSubscription(a, admin, viewer.user.id, 'active')
  worker(t, a, maintenanceHandlers(a.services))
  await scheduleMaintenance(a.queues, { viewsFlushMs: 200 })

  const plays = await Promise.all(Array.from({ length: 20 }, async (_, i) =>
    (await (i % 2 === 0 ? a : b).inject({ url: `/video/play/${episodes[0]!.id}`, headers: viewer.auth })).statusCode))
  t.same([...new Set(plays)], [200])
  const views = async () => (await a.inject({ url: `/content/series/${series.id}`, headers: viewer.auth })).json().data.views as number
  t.ok(await eventually(async () => await views() === 20), 'all 20 plays counted')
  await sleep(600) // a few more flushes: nothing counted twice
  t.equal(await views(), 20)
})

t.test('each schedule exists once, however many workers start', async (t) => {
  const app = await build(t)
  await scheduleMaintenance(app.queues, { viewsFlushMs: 60_000 })
  await scheduleMaintenance(app.queues, { viewsFlushMs: 60_000 })
  const schedulers = await app.queues.maintenance.getJobSchedulers()
  t.same(schedulers.map((s) => s.name).sort(), ['abort-abandoned-uploads', 'enqueue-waiting', 'flush-views', 'prune-expired-tokens', 'refresh-stats', 'refresh-trending'])
})

t.test('jobs are retried with backoff, and a failed one is kept for admins to see and retry', async (t) => {
  const app = await build(t)
  const [admin, viewer] = [await signUp(app, 'admin'), await signUp(app, 'viewer')]
  let calls = 0
  let brokenRuns = 0
  worker(t, app, {
    flaky: async () => { if (++calls < 2) throw new Error('the database blinked'); return 'done' },
    broken: async () => { brokenRuns++; throw new Error('always broken') }
  })
  const flaky = await app.queues.maintenance.add('flaky', {}, { backoff: { type: 'fixed', delay: 50 } })
  t.match(flaky.opts, { attempts: 5 }, 'the queue\'s default: 5 attempts')
  t.ok(await eventually(async () => await flaky.getState() === 'completed' || (await app.queues.maintenance.getJob(flaky.id!))?.finishedOn !== undefined))
  t.equal(calls, 2, 'failed once, then succeeded on its retry')

  const broken = await app.queues.maintenance.add('broken', {}, { attempts: 2, backoff: { type: 'fixed', delay: 50 } })
  t.ok(await eventually(async () => await (await app.queues.maintenance.getJob(broken.id!))?.getState() === 'failed'))
  const overview = await app.inject({ url: '/admin/jobs', headers: admin.auth })
  t.equal(overview.statusCode, 200)
  const maintenance = overview.json().data.find((q: { name: string }) => q.name === 'maintenance')
  t.ok(maintenance.counts.failed >= 1, 'counted as failed')
  t.match(maintenance.failed, [{ id: broken.id, name: 'broken', attemptsMade: 2, failedReason: 'always broken' }])

  isError(t, await app.inject({ url: '/admin/jobs', headers: viewer.auth }), 403, 'forbidden')
  const retry = (id: string) => app.inject({ method: 'POST', url: `/admin/jobs/maintenance/${id}/retry`, headers: admin.auth })
  const retried = await retry(broken.id!)
  t.equal(retried.statusCode, 200)
  t.match(retried.json().data, { id: broken.id, name: 'broken' })
  t.ok(await eventually(async () => (await app.queues.maintenance.getJob(broken.id!))?.attemptsMade === 2 &&
    await (await app.queues.maintenance.getJob(broken.id!))?.getState() === 'failed'), 'ran again, and failed again')
  t.equal(brokenRuns, 4, 'the retry had its two attempts afresh')
  isError(t, await retry(flaky.id!), 409, 'job_not_failed')
  isError(t, await retry('no-such-job'), 404, 'job_not_found')
  isError(t, await app.inject({ method: 'POST', url: `/admin/jobs/elsewhere/${broken.id}/retry`, headers: admin.auth }), 400, 'validation_failed')
})

t.test('a worker told to stop finishes the job in hand first', async (t) => {
  const app = await build(t)
  let finished = false
  const running = worker(t, app, { slow: async () => { await sleep(500); finished = true } })
  const job = await app.queues.maintenance.add('slow', {})
  t.ok(await eventually(async () => await job.getState() === 'active'))
  await running.close()
  t.ok(finished, 'the job ran to its end')
  t.equal(await job.getState(), 'completed')
})

t.test('a job whose worker died mid-way runs again on another worker', async (t) => {
  const app = await build(t)
  const quick = { lockDurationMs: 1000, stalledIntervalMs: 500 }
  // The first worker takes the job and then loses Redis for good, as a killed process would: its lock lapses.
  const connection = jobsConnection(app.config.REDIS_URL)
  const dying = startWorker('maintenance', connection, app.config.REDIS_KEY_PREFIX,
    { transcode: async () => await new Promise(() => {}) }, log, quick)
  const job = await app.queues.maintenance.add('transcode', { videoId: 'v1' })
  t.ok(await eventually(async () => await job.getState() === 'active'), 'the first worker took it')
  connection.disconnect()
  t.teardown(async () => { await dying.close(true).catch(() => {}) })

  const ran: unknown[] = []
  worker(t, app, { transcode: async (again) => { ran.push(again.data); return 'done' } }, quick)
  t.ok(await eventually(async () => await job.getState() === 'completed'), 'completed by the second worker')
  t.same(ran, [{ videoId: 'v1' }], 'with the same payload, once')
})
