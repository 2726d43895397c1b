// npm run bench:observability [-- --duration S --rounds N --connections N --series N --skip-build]
//
// Two questions, each answered as ratios measured in one run (never as timed assertions):
// 1. What metrics and tracing cost: the built API four times on the same data, plain (no METRICS_PORT, no
//    OTEL_*), with metrics served, and with metrics and tracing (every request sampled, or 1 in 10; spans sent
//    over OTLP to a local sink that drops them), on the cached catalogue page and on play, in changing order each
//    round. The target: at least 0.95 of plain's requests per second.
// 2. Whether the stats endpoints stay flat with the data: rollups for N series (30 episodes each) and for 10 × N
//    series in two databases, GET /creator/series/{id}/stats and GET /admin/stats (365 days) on each. The
//    target: p99 at 10 × within 1.5 × of 1 ×.
// FerretDB runs on a private PostgreSQL cluster with the bench's lookup indexes (bench/postgres-indexes.ts), as
// `npm run bench` does. Writes bench/results/observability-<timestamp>.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { MongoClient, ObjectId, type Db } from 'mongodb'
import autocannon, { type Request, type Result } from 'autocannon'
import {
  ensureBinaries, freePort, postgresBin, startFerretDBOnPostgres, startMailpit, startMinIO, startPostgres, startRedis,
  startStripeMock, stackEnv, type LocalServer
} from '../scripts/local-stack.js'
import { addLookupIndexes } from './postgres-indexes.js'
import { benchServerEnv, Cleanup, runCommand, startNodeFlags, startNodeServer } from './processes.js'
import { BENCH_PASSWORD, seed } from './seed.js'
import { hashPassword } from '../src/lib/passwords.js'

const root = join(import.meta.dirname, '..')
const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '6' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
    series: { type: 'string', default: '1000' },
    'skip-build': { type: 'boolean', default: false }
  }
})
const options = {
  duration: Number(flags.duration),
  rounds: Number(flags.rounds),
  connections: Number(flags.connections),
  series: Number(flags.series)
}
const log = (line: string) => console.error(`[bench:observability] ${line}`)
const cleanup = new Cleanup()
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => { cleanup.run().finally(() => process.exit(1)) })

async function load (url: string, requests: Request[], duration: number): Promise<Result> {
  return await autocannon({ url, connections: options.connections, duration, timeout: 30, requests })
}

/** Rollups for `count` series of 30 episodes, owned by one creator, and 365 platform days; answers ids to ask for. */
async function seedRollups (db: Db, count: number) {
  const creatorId = new ObjectId()
  const adminId = new ObjectId()
  const now = new Date()
  const passwordHash = await hashPassword(BENCH_PASSWORD, 10)
  const user = (id: ObjectId, email: string, role: string) => ({
    _id: id, email, role, passwordHash, tokenVersion: 0, emailVerified: true, subscription: { status: 'none', updatedAt: null, revision: 0 }, createdAt: now, updatedAt: now
  })
  await db.collection('users').insertMany([user(creatorId, 'creator@stats.example.com', 'creator'), user(adminId, 'admin@stats.example.com', 'admin')] as never[])
  const seriesIds: ObjectId[] = []
  for (let start = 0; start < count; start += 500) {
    const batch = Array.from({ length: Math.min(500, count - start) }, () => new ObjectId())
    seriesIds.push(...batch)
    await db.collection('series').insertMany(batch.map((id, i) => ({
      _id: id,
      ownerId: creatorId,
      title: `Series ${start + i}`,
      description: '',
      genres: ['drama'],
      freeEpisodes: 5,
      coinPrice: 50,
      status: 'published',
      views: 0,
      viewsByDay: {},
      trending: 0,
      revision: 1,
      coverKey: null,
      moderationNote: null,
      createdAt: now,
      updatedAt: now,
      publishedAt: now
    })) as never[])
    const episodes = batch.flatMap((seriesId) => Array.from({ length: 30 }, (_, n) => ({
      _id: new ObjectId(),
      seriesId,
      number: n + 1,
      plays: 100 - n,
      uniqueViewers: 80 - n,
      watchTimeSec: 4000,
      avgCompletion: 0.7,
      dropOff: [1, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5],
      updatedAt: now
    })))
    await db.collection('episode_stats').insertMany(episodes as never[])
    await db.collection('series_stats').insertMany(batch.map((id) => ({
      _id: id,
      funnel: episodes.filter((e) => e.seriesId === id)
        .map((e) => ({ episodeId: e._id, number: e.number, viewers: e.uniqueViewers })),
      firstLockedNumber: 6,
      reachedPaywall: 60,
      converted: 15,
      updatedAt: now
    })) as never[])
  }
  await db.collection('platform_days').insertMany(Array.from({ length: 365 }, (_, i) => ({
    _id: new Date(now.getTime() - i * 86_400_000).toISOString().slice(0, 10),
    signups: 50,
    activeViewers: 900,
    plays: 5000,
    coinsPurchased: 20_000,
    coinsSpent: 15_000,
    subscriptionsStarted: 12,
    subscriptionsEnded: 4,
    updatedAt: now
  })) as never[])
  return { seriesIds: seriesIds.map((id) => id.toHexString()) }
}

async function token (base: string, email: string): Promise<string> {
  const res = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: BENCH_PASSWORD }) })
  if (!res.ok) throw new Error(`login ${email}: ${res.status} ${await res.text()}`)
  return (await res.json() as { data: { token: string } }).data.token
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function main (): Promise<void> {
  if (!flags['skip-build']) await runCommand('npm', ['run', 'build'], cleanup)
  ensureBinaries()
  mkdirSync(join(root, '.stack'), { recursive: true })
  const data = mkdtempSync(join(root, '.stack', 'bench-observability-'))
  cleanup.add('remove the bench data', () => rmSync(data, { recursive: true, force: true }))
  const started = async (server: Promise<LocalServer>, name: string) => {
    const s = await server
    cleanup.track(s.process)
    cleanup.add(`stop ${name}`, s.stop)
    return s
  }
  const postgres = await started(startPostgres(join(data, 'postgres')), 'PostgreSQL')
  const mongo = await started(startFerretDBOnPostgres(postgres.url), 'FerretDB')
  const s3 = await started(startMinIO(join(data, 'minio')), 'MinIO')
  const redis = await started(startRedis(join(data, 'redis')), 'Redis')
  const stripe = await started(startStripeMock(), 'stripe-mock')
  const mailpit = await started(startMailpit(join(data, 'mailpit')), 'Mailpit')
  const env = stackEnv(mongo, s3, redis, stripe, mailpit)
  const dbUri = (name: string) => env.MONGODB_URI!.replace(/\/[^/]*$/, `/${name}`)

  // The data: the bench's seed at a tenth of scale 1 for catalogue and play; rollups at 1 × and 10 × for stats.
  const client = await MongoClient.connect(env.MONGODB_URI!)
  cleanup.add('close the seeding client', () => client.close(true))
  log('seeding the catalogue (a tenth of scale 1)')
  const seeded = await seed(client.db('microdrama'), 0.1, log)
  log(`seeding rollups for ${options.series} and ${options.series * 10} series`)
  const one = await seedRollups(client.db('stats1'), options.series)
  const ten = await seedRollups(client.db('stats10'), options.series * 10)
  const lookups = { users: ['_id', 'email'], series: ['_id'], episodes: ['_id', 'seriesId'], videos: ['_id'], episode_stats: ['seriesId'], series_stats: ['_id'] }
  for (const database of ['microdrama', 'stats1', 'stats10']) {
    const wanted = Object.fromEntries(Object.entries(lookups).filter(([c]) => database === 'microdrama' ? !c.endsWith('_stats') : ['users', 'series', 'episode_stats', 'series_stats'].includes(c)))
    addLookupIndexes(join(postgresBin(), 'psql'), postgres.url, database, wanted)
  }
  await client.close()

  // An OTLP endpoint that accepts and drops spans.
  const sinkPort = await freePort()
  const sink = createServer((req, res) => { req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}')) })
  await new Promise<void>((resolve) => sink.listen(sinkPort, '127.0.0.1', resolve))
  cleanup.add('close the OTLP sink', () => { sink.close() })

  // Plain: without npm start's tracing register (a no-op without OTEL_* anyway); the tracing variants add it.
  const nodeFlags = startNodeFlags(root, { imports: false })
  const register = ['--import', join(root, 'dist', 'src', 'telemetry-register.js')]
  const base = { ...benchServerEnv(env), ADMIN_MFA: 'never' }
  const server = async (name: string, extraEnv: Record<string, string>, extraFlags: string[] = []) => {
    const port = await freePort()
    return await startNodeServer(name, [...nodeFlags, ...extraFlags, join(root, 'dist', 'src', 'server.js')], { ...base, ...extraEnv, PORT: String(port) }, port, '/health', cleanup)
  }
  const variants = {
    plain: await server('API, plain', {}),
    metrics: await server('API, metrics', { METRICS_PORT: String(await freePort()) }),
    tracing: await server('API, metrics and tracing (every request)', {
      METRICS_PORT: String(await freePort()), OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}`, OTEL_TRACES_SAMPLER: 'always_on', OTEL_SERVICE_NAME: 'bench'
    }, register),
    sampled: await server('API, metrics and tracing (1 request in 10)', {
      METRICS_PORT: String(await freePort()),
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}`,
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.1',
      OTEL_SERVICE_NAME: 'bench'
    }, register)
  }
  const viewer = seeded.subscribedViewers[0]!
  const viewerToken = await token(variants.plain.url, viewer.email)
  const auth = { authorization: `Bearer ${viewerToken}` }
  const scenarios: Record<string, Request[]> = {
    'catalogue page 1': [{ method: 'GET', path: '/content/series?limit=20', headers: auth }],
    play: seeded.episodeIds.slice(0, 200).map((id) => ({ method: 'GET', path: `/video/play/${id.toHexString()}`, headers: auth }))
  }

  const overhead: Record<string, Record<string, number[]>> = {}
  for (const [scenario, requests] of Object.entries(scenarios)) {
    overhead[scenario] = { plain: [], metrics: [], tracing: [], sampled: [] }
    for (let round = 0; round < options.rounds; round++) {
      const order = Object.entries(variants)
      if (round % 2 === 1) order.reverse()
      for (const [name, target] of order) {
        await load(target.url, requests, 2) // warm-up
        const result = await load(target.url, requests, options.duration)
        if (result.non2xx > 0) throw new Error(`${scenario} on ${name}: ${result.non2xx} answers not 2xx`)
        overhead[scenario]![name]!.push(result.requests.total / result.duration)
        log(`${scenario}, round ${round + 1}, ${name}: ${Math.round(result.requests.total / result.duration)} req/s`)
      }
    }
  }

  // The stats endpoints on 1 × and 10 × rollups (plain API processes on each database).
  const stats: Record<string, Record<string, number[]>> = {}
  const scales = {
    '1x': { server: await server('API on 1 × rollups', { MONGODB_URI: dbUri('stats1') }), ids: one.seriesIds },
    '10x': { server: await server('API on 10 × rollups', { MONGODB_URI: dbUri('stats10') }), ids: ten.seriesIds }
  }
  for (const [scale, { server: target, ids }] of Object.entries(scales)) {
    const creator = { authorization: `Bearer ${await token(target.url, 'creator@stats.example.com')}` }
    const admin = { authorization: `Bearer ${await token(target.url, 'admin@stats.example.com')}` }
    const to = new Date().toISOString().slice(0, 10)
    const from = new Date(Date.now() - 364 * 86_400_000).toISOString().slice(0, 10)
    const sample = Array.from({ length: 500 }, (_, i) => ids[Math.floor((i * 7919) % ids.length)]!)
    const requests: Record<string, Request[]> = {
      'series stats': sample.map((id) => ({ method: 'GET', path: `/creator/series/${id}/stats`, headers: creator })),
      'platform stats': [{ method: 'GET', path: `/admin/stats?from=${from}&to=${to}`, headers: admin }]
    }
    for (const [name, reqs] of Object.entries(requests)) {
      stats[name] ??= {}
      stats[name][scale] = []
      for (let round = 0; round < options.rounds; round++) {
        await load(target.url, reqs, 2)
        const result = await load(target.url, reqs, options.duration)
        if (result.non2xx > 0) throw new Error(`${name} at ${scale}: ${result.non2xx} answers not 2xx`)
        stats[name][scale].push(result.latency.p99)
        log(`${name} at ${scale}, round ${round + 1}: p99 ${result.latency.p99} ms, ${Math.round(result.requests.total / result.duration)} req/s`)
      }
    }
  }

  const rows = Object.entries(overhead).map(([scenario, byVariant]) => {
    const plain = median(byVariant.plain!)
    const ratio = (variant: string) => (median(byVariant[variant]!) / plain).toFixed(2)
    return `| ${scenario} | ${Math.round(plain)} | ${ratio('metrics')} | ${ratio('tracing')} | ${ratio('sampled')} |`
  })
  const statRows = Object.entries(stats).map(([name, byScale]) =>
    `| ${name} | ${median(byScale['1x']!)} | ${median(byScale['10x']!)} | ${(median(byScale['10x']!) / Math.max(1, median(byScale['1x']!))).toFixed(2)} |`)
  const report = [
    '| scenario | plain req/s | metrics ÷ plain | + tracing, every request ÷ plain | + tracing, 1 in 10 ÷ plain |',
    '| --- | ---: | ---: | ---: | ---: |', ...rows, '',
    `| stats endpoint (${options.series} and ${options.series * 10} series) | p99 ms at 1 × | p99 ms at 10 × | 10 × ÷ 1 × |`, '| --- | ---: | ---: | ---: |', ...statRows
  ].join('\n')
  console.log(report)
  const resultsDir = join(root, 'bench', 'results')
  mkdirSync(resultsDir, { recursive: true })
  writeFileSync(join(resultsDir, `observability-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify({ options, overhead, stats }, null, 2) + '\n')
}

main().then(() => cleanup.run().then(() => process.exit(0)), (err: Error) => {
  console.error(err.stack ?? err.message)
  cleanup.run().finally(() => process.exit(1))
})
