// npm run bench [-- --scale N --duration S --rounds N --warmup S --connections N --only a,b --[no-]queries
//                  --db D --no-seed --skip-build]
//
// Builds the API, starts FerretDB (on a private PostgreSQL cluster, or on SQLite) and MinIO on free ports
// with fresh data, seeds the data set (at scale 1:
// 2,000 published series × 30 episodes with a video each, 10,000 users, 100,000 watch-history rows, 30,000
// my-list saves; --scale multiplies every count), starts the built API (`node dist/src/server.js`), the ceiling
// (bench/ceiling.ts) and the seed design (bench/seed-design/app.ts, and bare Express for GET /health) as child
// processes, and for each scenario warms up and measures each of them in turn, for the same fixed time with the
// same number of connections. Prints a markdown table and writes everything to bench/results/<timestamp>.json.
// Every process it started is stopped at the end, on error and on Ctrl-C.
//
//   --scale N        data set size multiplier (default 1)
//   --duration S     seconds of each measurement (default 6)
//   --rounds N       measurements per scenario and target (default 2), in changing order (API, ceiling, seed;
//                    then seed, ceiling, API; then rotated: see orderOf), so that none always runs on caches
//                    another just warmed
//   --warmup S       seconds of warm-up before each measurement (default 2; none for a scenario whose single
//                    request takes over a second: the check before it has warmed its code path)
//   --connections N  most concurrent connections (default 16); a scenario whose single request takes long
//                    gets fewer, so that a run completes several requests per connection (same for every target)
//   --only a,b       only these scenarios (names as in bench/scenarios.ts)
//   --[no-]queries   time each repository call alone and ask FerretDB for its plan (default: on at scale 1
//                    only; at scale 10 the slowest calls take up to the driver's 30 s timeout each)
//   --db D           postgresql (default: FerretDB on a PostgreSQL cluster of its own, which evaluates equality
//                    filters itself; Debian's postgresql is installed with apt-get when missing) or sqlite (the
//                    test and dev stack, where FerretDB decodes every document of a collection for such filters)
//   --no-lookup-indexes  leave out the GIN indexes the bench adds to PostgreSQL behind FerretDB for lookups
//                    by _id, series and user (bench/postgres-indexes.ts): then every such lookup scans its table
//   --no-miss-pass   with the lookup indexes, leave out the second pass: the scenarios whose uniform picks miss the
//                    cache (series episodes, episode detail, play URL, history, progress) measured again after the
//                    indexes are dropped, each lookup a scan, beside the seed design on the same tables
//   --no-two-instances  leave out the two-instance measure (two API processes against one, on the cached
//                    catalogue page; run when catalogue-page-1 is among the scenarios)
//   --no-seed        leave out the seed design (the original Express + Mongoose design, bench/seed-design/)
//   --skip-build     use the existing dist/ (for iterating on the bench itself)
//   --profile        write a V8 CPU profile of the API (bench/results/profiles/*.cpuprofile, for Chrome DevTools)
//
// The JSON file is rewritten after each step, so a run that fails or is stopped keeps what it measured.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { cpus, loadavg, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { MongoClient, ObjectId } from 'mongodb'
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import autocannon, { type Instance, type Result } from 'autocannon'
import { ensureBinaries, freePort, postgresBin, startFerretDB, startFerretDBOnPostgres, startMinIO, startPostgres, startRedis, startStripeMock, startMailpit, type LocalServer, stackEnv, S3_ACCESS_KEY, S3_BUCKET, S3_SECRET_KEY } from '../scripts/local-stack.js'
import { BENCH_PASSWORD, prng, seed, seedSize } from './seed.js'
import { addLookupIndexes, dropLookupIndexes } from './postgres-indexes.js'
import { measureQueries, type QueryCost } from './queries.js'
import { databaseCommands, redisCounter } from './commands.js'
import { differ, loadRequests, scenarios, toHttp, type Scenario, type ScenarioData, type Target, type Viewer } from './scenarios.js'
import { benchServerEnv, Cleanup, cpuMicros, peakRssBytes, resetPeakRss, rssBytes, runCommand, startNodeFlags, startNodeServer, waitUntilIdle, type NodeServer } from './processes.js'
import { combine, markdownTable, queryTable, type Measure, type ScenarioFailure, type ScenarioResult } from './report.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const started = performance.now()
const startedAt = new Date()
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s`
const log = (line: string) => console.error(`[bench ${elapsed()}] ${line}`)

const { values: flags } = parseArgs({
  allowNegative: true,
  options: {
    scale: { type: 'string', default: '1' },
    queries: { type: 'boolean' },
    duration: { type: 'string', default: '6' },
    rounds: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '16' },
    only: { type: 'string' },
    db: { type: 'string', default: 'postgresql' },
    seed: { type: 'boolean', default: true },
    'lookup-indexes': { type: 'boolean', default: true },
    'miss-pass': { type: 'boolean', default: true },
    'two-instances': { type: 'boolean', default: true },
    'skip-build': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false }
  }
})
const positive = (name: string, value: string | undefined): number => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, not ${value}`)
  return n
}
const scale = positive('scale', flags.scale)
const options = {
  scale,
  duration: positive('duration', flags.duration),
  rounds: positive('rounds', flags.rounds),
  warmup: Number(flags.warmup),
  connections: positive('connections', flags.connections),
  queries: flags.queries ?? scale === 1,
  only: flags.only?.split(',').map((s) => s.trim()).filter(Boolean),
  db: flags.db,
  seed: flags.seed,
  lookupIndexes: flags['lookup-indexes'] && flags.db === 'postgresql',
  missPass: flags['miss-pass']
}
if (options.db !== 'postgresql' && options.db !== 'sqlite') throw new Error(`--db must be postgresql or sqlite, not ${options.db}`)
const selected = options.only === undefined ? scenarios : scenarios.filter((s) => options.only!.includes(s.name))
if (selected.length === 0) throw new Error(`--only matches no scenario; they are: ${scenarios.map((s) => s.name).join(', ')}`)

// Stopping: whatever happens (done, error, Ctrl-C, SIGTERM), the cleanup steps run once, newest first.
const cleanup = new Cleanup()
let activeRun: Instance | undefined
/** The commands the database and Redis have served so far (bench/commands.ts). */
let commandCounters: { db: () => Promise<number>, redis: () => Promise<number> } | undefined
let stopping = false
const stop = async (code: number, reason?: string) => {
  if (stopping) return
  stopping = true
  if (reason !== undefined) log(reason)
  activeRun?.stop()
  await cleanup.run()
  log(`stopped everything it started (${code === 0 ? 'done' : `exit code ${code}`})`)
  process.exit(code)
}
const stopFailed = (err: unknown) => { console.error(err); process.exit(1) }
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (stopping) { cleanup.killAll(); process.exit(130) } // a second Ctrl-C: no more waiting
    stop(130, `${signal}: stopping`).catch(stopFailed)
  })
}
process.on('uncaughtException', (err) => { stop(1, `error: ${err.stack ?? err.message}`).catch(stopFailed) })
process.on('unhandledRejection', (err) => { stop(1, `error: ${(err as Error).stack ?? String(err)}`).catch(stopFailed) })
process.on('exit', () => cleanup.killAll())

async function main (): Promise<void> {
  const size = seedSize(options.scale)
  log(`scale ${options.scale}: ${size.series} series × 30 episodes, ${size.users} users, ${size.history} watch-history rows; ` +
    `${selected.length} scenarios × ${options.rounds} rounds × ${options.duration} s (+${options.warmup} s warm-up) on the API, the ceiling` +
    `${options.seed ? ' and the seed design' : ''}`)

  if (!flags['skip-build']) {
    log('npm run build')
    const npm = process.env.npm_execpath
    await (npm === undefined ? runCommand('npm', ['run', 'build'], cleanup) : runCommand(process.execPath, [npm, 'run', 'build'], cleanup))
  }
  ensureBinaries()

  // The local stack, on free ports, with data that lives only as long as this run.
  mkdirSync(join(root, '.stack'), { recursive: true })
  const dataRoot = mkdtempSync(join(root, '.stack', 'bench-'))
  cleanup.add('remove the bench data', () => rmSync(dataRoot, { recursive: true, force: true }))
  let mongo: LocalServer
  let postgres: LocalServer | undefined
  if (options.db === 'postgresql') {
    postgres = await startPostgres(join(dataRoot, 'postgres'))
    cleanup.track(postgres.process)
    cleanup.add('stop PostgreSQL', postgres.stop)
    mongo = await startFerretDBOnPostgres(postgres.url, undefined, true)
  } else {
    mongo = await startFerretDB(join(dataRoot, 'ferretdb'), undefined, true)
  }
  cleanup.track(mongo.process)
  cleanup.add('stop FerretDB', mongo.stop)
  const s3 = await startMinIO(join(dataRoot, 'minio'))
  cleanup.track(s3.process)
  cleanup.add('stop MinIO', s3.stop)
  const redis = await startRedis(join(dataRoot, 'redis'))
  cleanup.track(redis.process)
  cleanup.add('stop Redis', redis.stop)
  const stripe = await startStripeMock()
  cleanup.track(stripe.process)
  cleanup.add('stop stripe-mock', stripe.stop)
  const mailpit = await startMailpit(join(dataRoot, 'mailpit'))
  cleanup.track(mailpit.process)
  cleanup.add('stop Mailpit', mailpit.stop)
  const env = stackEnv(mongo, s3, redis, stripe, mailpit)
  const redisStats = redisCounter(redis.url)
  cleanup.add('close the Redis counter', async () => redisStats.close())
  commandCounters = { db: async () => await databaseCommands(mongo.metricsUrl!), redis: redisStats.commands }
  // The database's processes: FerretDB, and PostgreSQL's postmaster with its per-connection children.
  const db = { pids: [mongo.process.pid!, ...(postgres === undefined ? [] : [postgres.process.pid!])] }
  log(`FerretDB on ${mongo.url}, MinIO on ${s3.url}, Redis on ${redis.url}`)

  // Seed, upload the one real video object, measure the queries one at a time.
  const seedStarted = performance.now()
  const client = await MongoClient.connect(env.MONGODB_URI!, { socketTimeoutMS: 30_000 })
  cleanup.add('close the seeding client', () => client.close(true))
  log('seeding (insertMany in batches of 1,000)')
  const seeded = await seed(client.db(), options.scale, (line) => log(line))
  const seedSeconds = Math.round((performance.now() - seedStarted) / 100) / 10
  log(`seeded in ${seedSeconds} s`)
  if (options.lookupIndexes && postgres !== undefined) {
    const made = addLookupIndexes(join(postgresBin(), 'psql'), postgres.url, 'microdrama')
    log(`lookup indexes in PostgreSQL (bench/postgres-indexes.ts): ${made.join(', ')}`)
  }
  const storage = new S3Client({ region: 'us-east-1', endpoint: s3.url, forcePathStyle: true, credentials: { accessKeyId: S3_ACCESS_KEY, secretAccessKey: S3_SECRET_KEY } })
  for (const videoId of seeded.videoIds.slice(20, 40)) {
    const prefix = `hls/${videoId.toHexString()}/`
    const master = '#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-STREAM-INF:BANDWIDTH=985600,RESOLUTION=360x640\n360p/index.m3u8\n'
    const media = ['#EXTM3U', '#EXT-X-VERSION:6', '#EXT-X-TARGETDURATION:4', '#EXT-X-PLAYLIST-TYPE:VOD',
      ...Array.from({ length: 30 }, (_, i) => `#EXTINF:4.000000,\nsegment_${String(i).padStart(3, '0')}.ts`), '#EXT-X-ENDLIST', ''].join('\n')
    await storage.send(new PutObjectCommand({ Bucket: S3_BUCKET, Key: `${prefix}master.m3u8`, Body: master, ContentType: 'application/vnd.apple.mpegurl' }))
    await storage.send(new PutObjectCommand({ Bucket: S3_BUCKET, Key: `${prefix}360p/index.m3u8`, Body: media, ContentType: 'application/vnd.apple.mpegurl' }))
    await client.db().collection('videos').updateOne({ _id: videoId }, { $set: { 'media.hlsMasterKey': `${prefix}master.m3u8` } })
    await client.db().collection('episodes').updateOne({ videoId }, { $set: { 'source.hlsMasterKey': `${prefix}master.m3u8` } })
  }
  const video = Buffer.alloc(64 * 1024)
  Buffer.from('000000186674797069736f6d0000020069736f6d69736f32', 'hex').copy(video) // an MP4 'ftyp' box
  await storage.send(new PutObjectCommand({ Bucket: S3_BUCKET, Key: seeded.realObject.s3Key, Body: video, ContentType: 'video/mp4' }))
  storage.destroy()

  const deepPage = Math.floor(size.series / 20)
  const results: Array<ScenarioResult | ScenarioFailure> = []
  const ferretdbVersion = execFileSync(join(root, '.stack', 'bin', 'ferretdb'), ['--version']).toString().split('\n')[0]?.replace(/^version:\s*/, '').trim()
  const report = {
    startedAt: startedAt.toISOString(),
    finished: false,
    totalSeconds: 0,
    options: { ...options, deepPage },
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      ferretdb: ferretdbVersion,
      database: options.db === 'postgresql' ? 'FerretDB v1 on PostgreSQL, MinIO' : 'FerretDB v1 on SQLite (the local stack), MinIO'
    },
    seed: { counts: seeded.counts, seconds: seeded.seconds, totalSeconds: seedSeconds },
    queries: [] as QueryCost[],
    apiRssAtStartBytes: 0,
    apiNodeFlags: [] as string[],
    realObject: '',
    scenarios: results,
    twoInstances: null as TwoInstances | null
  }
  const resultsDir = join(root, 'bench', 'results')
  mkdirSync(resultsDir, { recursive: true })
  const file = join(resultsDir, `${report.startedAt.replace(/[:.]/g, '-')}.json`)
  const save = () => {
    report.totalSeconds = Math.round((performance.now() - started) / 1000)
    writeFileSync(file, JSON.stringify(report, null, 2) + '\n')
  }
  save()

  const rand = prng(42)
  const sample = <T>(list: T[], n: number) => Array.from({ length: n }, () => list[Math.floor(rand() * list.length)]!)
  // As many callers as connections at most; logging each in costs a full scan of users on FerretDB.
  const viewerSample = [...new Map(sample(seeded.subscribedViewers, 100).map((v) => [v.id, v])).values()].slice(0, 16)
  if (options.queries) {
    log('measuring each repository call alone (no load)')
    report.queries = await measureQueries(client.db(), {
      seriesIds: seeded.seriesIds.map((id) => ObjectId.createFromHexString(id)),
      episodeIds: seeded.episodeIds,
      videoIds: seeded.videoIds,
      viewerIds: viewerSample.map((v) => ObjectId.createFromHexString(v.id)),
      viewerEmails: viewerSample.map((v) => v.email),
      deepPage
    })
    save()
  }
  await client.close()

  // The API as production runs it, and the ceiling, each in its own process.
  const serverEnv = benchServerEnv(env)
  const [apiPort, ceilingPort] = [await freePort(), await freePort()]
  const [seedPort, bareExpressPort] = [await freePort(), await freePort()]
  const nodeFlags = startNodeFlags(root)
  const profile = flags.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(root, 'bench', 'results', 'profiles')}`] : []
  const api = await startNodeServer('API', [...nodeFlags, ...profile, join(root, 'dist', 'src', 'server.js')], { ...serverEnv, PORT: String(apiPort) }, apiPort, '/health', cleanup)
  const ceiling = await startNodeServer('ceiling', [...nodeFlags, '--import', 'tsx', join(root, 'bench', 'ceiling.ts')], { ...serverEnv, PORT: String(ceilingPort) }, ceilingPort, '/health', cleanup)
  // The seed design, with the same environment and node flags; bare Express is its side of the GET /health row.
  const seedDesign = options.seed
    ? {
        app: await startNodeServer('seed design', [...nodeFlags, '--import', 'tsx', join(root, 'bench', 'seed-design', 'app.ts')], { ...serverEnv, PORT: String(seedPort) }, seedPort, '/health', cleanup),
        bare: await startNodeServer('bare Express', [...nodeFlags, '--import', 'tsx', join(root, 'bench', 'seed-design', 'bare-express.ts')], { PORT: String(bareExpressPort) }, bareExpressPort, '/health', cleanup)
      }
    : undefined
  /** The targets of a scenario, in their base order: the API, the ceiling, the seed design's server (if any). */
  const targetsOf = (scenario: Scenario): Array<[Target, NodeServer]> => {
    const seedServer = scenario.seed === 'none' ? undefined : seedDesign?.[scenario.seed === 'bare' ? 'bare' : 'app']
    return [['api', api], ['ceiling', ceiling], ...(seedServer === undefined ? [] : [['seed', seedServer] as [Target, NodeServer]])]
  }
  const serverPids = [api, ceiling, ...Object.values(seedDesign ?? {})].map((server) => server.pid)
  report.apiRssAtStartBytes = rssBytes(api.pid)
  report.apiNodeFlags = nodeFlags
  log(`API (pid ${api.pid}, ${Math.round(report.apiRssAtStartBytes / 1048576)} MB) on ${api.url}, ceiling (pid ${ceiling.pid}) on ${ceiling.url}` +
    (seedDesign === undefined ? '' : `, seed design (pid ${seedDesign.app.pid}) on ${seedDesign.app.url}, bare Express (pid ${seedDesign.bare.pid}) on ${seedDesign.bare.url}`))

  // Tokens the real way: POST /auth/login for a sample of subscribed viewers (also checks the seeded hashes),
  // one at a time, for up to 20 s: on FerretDB each login decodes the whole users collection.
  const viewers: Viewer[] = []
  const loginStarted = performance.now()
  for (const v of viewerSample) {
    if (viewers.length > 0 && performance.now() - loginStarted > 20_000) break
    const res = await fetch(`${api.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: v.email, password: BENCH_PASSWORD }) })
    if (!res.ok) throw new Error(`login of ${v.email} failed: ${res.status} ${await res.text()}`)
    viewers.push({ ...v, token: ((await res.json()) as { data: { token: string } }).data.token })
  }
  log(`${viewers.length} viewers logged in`)

  // The presigned URL really serves the uploaded object. (At a large scale the play request itself may
  // outlast the database timeout: the play scenario then reports that.)
  const play = await fetch(`${api.url}/video/play/${seeded.realObject.episodeId}`, { headers: { authorization: `Bearer ${viewers[0]!.token}` } })
  const playUrl = ((await play.json()) as { data?: { url?: string } }).data?.url
  report.realObject = `play answered ${play.status}`
  if (playUrl !== undefined) {
    const object = await fetch(playUrl)
    const objectBytes = object.ok ? (await object.arrayBuffer()).byteLength : -1
    if (objectBytes !== video.length) throw new Error(`the play URL did not serve the uploaded object (${object.status}, ${objectBytes} bytes)`)
    report.realObject = `the play URL served the uploaded object (${objectBytes} bytes)`
  }
  log(report.realObject)

  // The last page again, by cursor: the API's nextCursor from the page before it.
  const before = await fetch(`${api.url}/content/series?page=${deepPage - 1}`, { headers: { authorization: `Bearer ${viewers[0]!.token}` } })
  const deepCursor = ((await before.json()) as { meta?: { nextCursor?: string } }).meta?.nextCursor
  if (deepCursor === undefined) throw new Error(`no nextCursor on catalogue page ${deepPage - 1} (${before.status})`)

  // Twenty episodes played as HLS: their ladders' playlists (a 360p rendition of 30 segments of 4 s) in the bucket.
  const hlsEpisodeIds = seeded.episodeIds.slice(20, 40).map((id) => id.toHexString())
  const playlistPaths: string[] = []
  for (const episodeId of hlsEpisodeIds) {
    const res = await fetch(`${api.url}/video/play/${episodeId}`, { headers: { authorization: `Bearer ${viewers[0]!.token}` } })
    const { url } = ((await res.json()) as { data: { url: string, type: string } }).data
    playlistPaths.push(new URL(url).pathname.replace(/master\.m3u8$/, '360p/index.m3u8'))
  }
  const data: ScenarioData = {
    hlsEpisodeIds,
    playlistPaths,
    deepCursor,
    seriesIds: seeded.seriesIds,
    episodeIds: seeded.episodeIds.map((id) => id.toHexString()),
    viewers,
    loginEmails: seeded.subscribedViewers.map((v) => v.email),
    password: BENCH_PASSWORD,
    deepPage,
    rand
  }

  /** Measures one scenario on each of its targets, in rounds, and adds its row to the results. */
  async function runScenario (scenario: Scenario): Promise<void> {
    const loadAverage = Math.round(loadavg()[0]! * 100) / 100
    const targets = targetsOf(scenario)
    let aloneMs: Partial<Record<Target, number>>
    try {
      aloneMs = await check(scenario, data, targets)
    } catch (err) {
      // Reported, and the run goes on: at a large scale one slow scenario should not lose the others.
      const failed = (err as Error).message
      results.push({ name: scenario.name, title: scenario.title, failed })
      save()
      if (stopping) return
      log(`${scenario.name}: NOT MEASURED: ${failed}`)
      await waitUntilIdle([...serverPids, ...db.pids])
      return
    }
    // Enough connections to load the server, few enough that each completes a few requests in the run
    // (the same for every target). A slow scenario skips the warm-up: the check warmed its path.
    const slowest = Math.max(...Object.values(aloneMs))
    const connections = Math.max(1, Math.min(options.connections, Math.floor(options.duration * 1000 / (3 * slowest))))
    const warmup = slowest > 1000 ? 0 : options.warmup
    const rounds: Record<Target, Measure[]> = { api: [], ceiling: [], seed: [] }
    for (let round = 0; round < options.rounds; round++) {
      for (const [target, server] of orderOf(targets, round)) {
        if (stopping) return
        rounds[target].push(
          await measure(scenario, data, target, server, db.pids, connections, round === 0 ? warmup : 0)
        )
      }
    }
    const apiMeasure = combine(rounds.api)
    const ceilingMeasure = combine(rounds.ceiling)
    const seedServer = targets.find(([target]) => target === 'seed')?.[1]
    const seedMeasure = seedServer === undefined ? undefined : combine(rounds.seed)
    const result: ScenarioResult = {
      name: scenario.name,
      title: scenario.title,
      example: scenario.next(data).path,
      aloneMs,
      loadAverage,
      api: apiMeasure,
      ceiling: ceilingMeasure,
      ratio: apiMeasure.reqPerSec / ceilingMeasure.reqPerSec,
      roundRatios: rounds.api.map((m, i) => m.reqPerSec / rounds.ceiling[i]!.reqPerSec),
      ...(seedDesign === undefined
        ? {}
        : {
            seed: seedServer === undefined || seedMeasure === undefined
              ? null
              : {
                  server: seedServer.name,
                  measure: seedMeasure,
                  ratio: apiMeasure.reqPerSec / seedMeasure.reqPerSec,
                  roundRatios: rounds.api.map((m, i) => m.reqPerSec / rounds.seed[i]!.reqPerSec)
                }
          })
    }
    results.push(result)
    save()
    log(`${scenario.name}: ${result.api.reqPerSec.toFixed(1)} req/s vs ceiling ${result.ceiling.reqPerSec.toFixed(1)} ` +
      `(${result.ceiling.reqPerSec > 0 ? result.ratio.toFixed(2) : '–'})` +
      `${result.seed == null ? '' : `, ${result.seed.server} ${result.seed.measure.reqPerSec.toFixed(1)} (${result.seed.ratio.toFixed(2)})`}, ` +
      `p99 ${result.api.p99Ms} ms, non-2xx ${result.api.non2xx}, ${Math.round(result.api.cpuMicrosPerRequest)} µs CPU/req`)
  }

  for (const scenario of selected) {
    if (stopping) return
    await runScenario(scenario)
  }

  // The reads a uniform pick makes miss the cache, again without the lookup indexes: every lookup scans its table,
  // as on FerretDB left as it is; the seed design is measured beside them, on the same tables.
  const misses = selected.filter((s) => s.miss === true)
  if (options.missPass && options.lookupIndexes && postgres !== undefined && misses.length > 0 && !stopping) {
    const dropped = dropLookupIndexes(join(postgresBin(), 'psql'), postgres.url, 'microdrama')
    log(`dropped the ${dropped} lookup indexes: ${misses.map((s) => s.name).join(', ')} again, each lookup a scan`)
    for (const scenario of misses) {
      if (stopping) return
      await runScenario({ ...scenario, name: `${scenario.name}-no-lookup-indexes`, title: `${scenario.title}, no lookup indexes` })
    }
  }

  const cached = selected.find((s) => s.name === 'catalogue-page-1')
  if (flags['two-instances'] && cached !== undefined && !stopping) {
    const port = await freePort()
    const second = await startNodeServer('API 2', [...nodeFlags, join(root, 'dist', 'src', 'server.js')], { ...serverEnv, PORT: String(port) }, port, '/health', cleanup)
    report.twoInstances = await twoInstances(cached, data, [api, second])
    save()
    await second.stop()
    const { one, two, ratio } = report.twoInstances
    log(`two instances: ${two.reqPerSec.toFixed(0)} req/s against ${one.reqPerSec.toFixed(0)} for one (${ratio.toFixed(2)}×)`)
  }

  report.finished = true
  save()

  console.log(`\n## Scenarios (scale ${options.scale}, ${options.rounds} × ${options.duration} s each)\n\n${markdownTable(results)}\n`)
  if (report.twoInstances !== null) console.log(`## Two instances\n\n${twoInstancesTable(report.twoInstances)}\n`)
  if (report.queries.length > 0) console.log(`## Each repository call alone (no load)\n\n${queryTable(report.queries)}\n`)
  console.log(`${cpus().length} cores, Node ${process.version}, FerretDB ${ferretdbVersion}; seeded in ${seedSeconds} s; ` +
    `load average at the start of each scenario ${results.map((r) => 'loadAverage' in r ? r.loadAverage : '–').join(', ')}; whole run ${report.totalSeconds} s`)
  log(`wrote ${file}`)
  if (results.some((r) => 'failed' in r)) throw new Error('some scenarios could not be measured (see the table)')
}

interface InstancesMeasure { reqPerSec: number, p99Ms: number, non2xx: number, cpuMicrosPerRequest: number }
interface TwoInstances {
  scenario: string
  connections: number
  one: InstancesMeasure
  two: InstancesMeasure
  ratio: number
  roundRatios: number[]
}

/**
 * Two API instances on one stack against one instance, on a cached read: the same connections in both cases,
 * split evenly between the instances, from one load generator (autocannon in this process, one thread, on the
 * same two cores as both instances, Redis and the database). Rounds alternate: one then two, two then one.
 */
async function twoInstances (
  scenario: Scenario, data: ScenarioData, servers: [NodeServer, NodeServer]
): Promise<TwoInstances> {
  const connections = options.connections
  const run = async (targets: NodeServer[], duration: number): Promise<InstancesMeasure> => {
    const cpuBefore = targets.map((s) => cpuMicros(s.pid))
    const results = await Promise.all(targets.map(async (server) => await autocannon({
      url: server.url,
      connections: Math.max(1, Math.floor(connections / targets.length)),
      duration,
      requests: loadRequests(scenario, data, 'api')
    })))
    await waitUntilIdle(targets.map((s) => s.pid))
    const requests = results.reduce((sum, r) => sum + r.requests.total, 0)
    const cpu = targets.reduce((sum, s, i) => sum + cpuMicros(s.pid) - cpuBefore[i]!, 0)
    return {
      reqPerSec: requests / duration,
      p99Ms: Math.max(...results.map((r) => r.latency.p99)),
      non2xx: results.reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0),
      cpuMicrosPerRequest: cpu / Math.max(1, requests)
    }
  }
  // Both instances warm (the second has just started: its code is cold and it checked its indexes).
  await run(servers, Math.max(5, options.warmup))
  const rounds: Record<'one' | 'two', InstancesMeasure[]> = { one: [], two: [] }
  for (let round = 0; round < Math.max(4, options.rounds); round++) {
    for (const which of round % 2 === 0 ? ['one', 'two'] as const : ['two', 'one'] as const) {
      rounds[which].push(await run(which === 'one' ? [servers[0]] : servers, options.duration))
    }
  }
  const mean = (list: InstancesMeasure[]): InstancesMeasure => ({
    reqPerSec: list.reduce((s, m) => s + m.reqPerSec, 0) / list.length,
    p99Ms: Math.max(...list.map((m) => m.p99Ms)),
    non2xx: list.reduce((s, m) => s + m.non2xx, 0),
    cpuMicrosPerRequest: list.reduce((s, m) => s + m.cpuMicrosPerRequest, 0) / list.length
  })
  const [one, two] = [mean(rounds.one), mean(rounds.two)]
  return {
    scenario: scenario.name,
    connections,
    one,
    two,
    ratio: two.reqPerSec / one.reqPerSec,
    roundRatios: rounds.two.map((m, i) => m.reqPerSec / rounds.one[i]!.reqPerSec)
  }
}

function twoInstancesTable (m: TwoInstances): string {
  const row = (name: string, x: InstancesMeasure) =>
    `| ${name} | ${x.reqPerSec.toFixed(0)} | ${x.p99Ms} | ${x.non2xx} | ${Math.round(x.cpuMicrosPerRequest)} |`
  return [
    `${m.scenario}, ${m.connections} connections in all: two instances serve ${m.ratio.toFixed(2)}× one ` +
      `(rounds ${m.roundRatios.map((r) => r.toFixed(2)).join(', ')})`,
    '',
    '| instances | req/s | p99 ms | non-2xx | API CPU µs/req |',
    '| --- | ---: | ---: | ---: | ---: |',
    row('one', m.one),
    row('two', m.two)
  ].join('\n')
}

/**
 * The order of the targets in a round: the base order rotated by one every two rounds, and reversed in odd
 * rounds, so that over the rounds each target runs first, in the middle and last alike (with 2 rounds, the API
 * and the seed design run first once and last once).
 */
function orderOf<T> (targets: T[], round: number): T[] {
  const shift = Math.floor(round / 2) % targets.length
  const rotated = [...targets.slice(shift), ...targets.slice(0, shift)]
  return round % 2 === 0 ? rotated : rotated.reverse()
}

/**
 * One request to each target: each must answer 2xx with the same data as the API. A second one is timed (the
 * first may pay for cold caches) unless the first was already slow. Returns the timed milliseconds.
 */
async function check (
  scenario: Scenario, data: ScenarioData, targets: Array<[Target, NodeServer]>
): Promise<Partial<Record<Target, number>>> {
  const timed: Partial<Record<Target, number>> = {}
  for (let attempt = 0; attempt < 2; attempt++) {
    const call = scenario.next(data)
    const answers: Partial<Record<Target, unknown>> = {}
    for (const [target, server] of targets) {
      const { method, path, headers, body } = toHttp(call, target)
      const t = performance.now()
      const res = await fetch(`${server.url}${path}`, { method, headers, body }).catch((err: Error) => {
        // e.g. the API's 30 s request timeout closing the connection on a very slow query
        const cause = (err.cause as Error | undefined)?.message
        throw new Error(`${target}: ${method} ${path} failed after ${Math.round(performance.now() - t)} ms: ${err.message}${cause === undefined ? '' : ` (${cause})`}`)
      })
      const text = await res.text()
      timed[target] = Math.round((performance.now() - t) * 10) / 10
      if (!res.ok) throw new Error(`${scenario.name}: ${target} answered ${method} ${path} with ${res.status}: ${text.slice(0, 300)}\n${server.output()}`)
      answers[target] = res.headers.get('content-type')?.includes('json') === true ? JSON.parse(text) : text
    }
    for (const [target, server] of targets.slice(1)) {
      const difference = differ(scenario, answers.api, answers[target], target)
      if (difference !== null) throw new Error(`${scenario.name}: the API and the ${server.name} disagree on ${call.method} ${call.path}: ${difference}`)
    }
    if (Math.max(...Object.values(timed)) > 1000) break
  }
  return timed
}

async function measure (
  scenario: Scenario, data: ScenarioData, target: Target, server: NodeServer,
  dbPids: number[], connections: number, warmup: number
): Promise<Measure> {
  const run = async (duration: number): Promise<Result> => {
    activeRun = autocannon({
      url: server.url,
      connections,
      duration,
      timeout: Math.max(10, options.duration * 3),
      requests: loadRequests(scenario, data, target)
    })
    try {
      return await activeRun
    } finally {
      activeRun = undefined
    }
  }
  const pids = [server.pid, ...dbPids]
  const dbCpu = () => dbPids.reduce((sum, pid) => sum + cpuMicros(pid, true), 0)
  resetPeakRss(server.pid)
  if (warmup > 0) {
    await run(warmup)
    await waitUntilIdle(pids)
  }
  const commands = async () => ({ db: await commandCounters?.db() ?? 0, redis: await commandCounters?.redis() ?? 0 })
  const commandsBefore = await commands()
  const cpuBefore = cpuMicros(server.pid)
  const dbBefore = dbCpu()
  const result = await run(options.duration)
  // Requests still running on the server when the run stopped are served anyway: count their CPU too.
  await waitUntilIdle(pids)
  const cpu = cpuMicros(server.pid) - cpuBefore
  const dbUsed = dbCpu() - dbBefore
  const commandsAfter = await commands()
  const served = Math.max(1, result.requests.sent)
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count]))
  return {
    connections,
    seconds: result.duration,
    reqPerSec: result.requests.total / result.duration,
    requests: result.requests.total,
    sent: result.requests.sent,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    cpuMicrosPerRequest: cpu / served,
    dbCpuMicrosPerRequest: dbUsed / served,
    dbCommandsPerRequest: (commandsAfter.db - commandsBefore.db) / served,
    redisCommandsPerRequest: (commandsAfter.redis - commandsBefore.redis) / served,
    peakRssBytes: peakRssBytes(server.pid)
  }
}

main().then(() => stop(0), (err: Error) => stop(1, `error: ${err.stack ?? err.message}`))
