// npm run bench:media [-- --seconds S --rounds N --width W --height H]
//
// The media pipeline's speed on this machine: a source clip (default 1080×1920, 30 fps, 20 s, H.264 + AAC, made
// with ffmpeg's test sources) goes through the worker's whole job (src/services/media.ts: download from MinIO,
// ffprobe, the HLS ladder, the poster, the upload of every file), and through the bare ffmpeg command line doing the
// same ladder encode from a local file (the same arguments: hlsArgs in src/adapters/media.ts), in alternating
// rounds. Reports wall time as × real time, the CPU seconds of ffmpeg and ffprobe per minute of source, and the
// pipeline's time against the bare encode's. Starts FerretDB, MinIO and Redis on free ports with throwaway data,
// stops them at the end.
import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { MongoClient, ObjectId } from 'mongodb'
import { Redis } from 'ioredis'
import { ensureBinaries, startFerretDB, startMinIO, startRedis, startStripeMock, startMailpit, stackEnv, type LocalServer } from '../scripts/local-stack.js'
import { loadConfig } from '../src/config.js'
import { createEventBus } from '../src/events.js'
import { hlsArgs, ladderFor, probe } from '../src/adapters/media.js'
import { redisClientOptions } from '../src/adapters/redis.js'
import { createRepositories, ensureIndexes } from '../src/repositories/index.js'
import { createStripe } from '../src/adapters/stripe.js'
import { createServices } from '../src/services/index.js'
import { createStorage } from '../src/adapters/storage.js'

const root = join(import.meta.dirname, '..')
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '2' },
    width: { type: 'string', default: '1080' },
    height: { type: 'string', default: '1920' }
  }
})
const options = {
  seconds: Number(values.seconds),
  rounds: Number(values.rounds),
  width: Number(values.width),
  height: Number(values.height)
}
const log = (line: string) => console.error(`[bench:media] ${line}`)

/** CPU seconds of this process's children that have ended (ffmpeg, ffprobe): utime + stime, from /proc. */
function childrenCpuSeconds (): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[13]) + Number(fields[14])) / 100
}

interface Measure { wallSeconds: number, cpuSeconds: number }
async function timed (run: () => Promise<unknown> | unknown): Promise<Measure> {
  const [cpu, started] = [childrenCpuSeconds(), performance.now()]
  await run()
  return { wallSeconds: (performance.now() - started) / 1000, cpuSeconds: childrenCpuSeconds() - cpu }
}

async function main (): Promise<void> {
  ensureBinaries()
  mkdirSync(join(root, '.stack'), { recursive: true })
  const data = mkdtempSync(join(root, '.stack', 'bench-media-'))
  const servers: LocalServer[] = []
  const work = mkdtempSync(join(tmpdir(), 'microdrama-bench-media-'))
  try {
    servers.push(await startFerretDB(join(data, 'ferretdb')), await startMinIO(join(data, 'minio')), await startRedis(join(data, 'redis')))
    servers.push(await startStripeMock())
    servers.push(await startMailpit(join(data, 'mailpit')))
    const [mongoServer, s3, redisServer, stripe, mailpit] =
      servers as [LocalServer, LocalServer, LocalServer, LocalServer, LocalServer]
    const secret = 'bench-only-secret-0123456789-abcdefghijklmnop'
    const config = loadConfig({ ...stackEnv(mongoServer, s3, redisServer, stripe, mailpit), NODE_ENV: 'production', JWT_SECRET: secret })
    const mongo = await MongoClient.connect(config.MONGODB_URI)
    const redis = new Redis(config.REDIS_URL, redisClientOptions(config.REDIS_KEY_PREFIX))
    const repos = createRepositories(mongo.db())
    await ensureIndexes(repos)
    const storage = createStorage(config)
    const quiet = { warn: () => {} }
    const services = createServices({
      repos, storage, redis, events: createEventBus(quiet), config, log: quiet, stripe: createStripe(config)
    })

    const source = join(work, 'source.mp4')
    log(`making the source: ${options.width}×${options.height}, 30 fps, ${options.seconds} s`)
    execFileSync(config.FFMPEG_PATH, ['-v', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc2=size=${options.width}x${options.height}:rate=30:duration=${options.seconds}`,
      '-f', 'lavfi', '-i', `sine=frequency=440:duration=${options.seconds}`,
      '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', source])
    const probed = await probe(config.FFPROBE_PATH, source, config.MAX_VIDEO_SECONDS)
    const renditions = ladderFor(probed)
    const ownerId = new ObjectId()

    const rounds: Record<'bare' | 'pipeline', Measure[]> = { bare: [], pipeline: [] }
    for (let round = 0; round < options.rounds; round++) {
      for (const which of round % 2 === 0 ? ['bare', 'pipeline'] as const : ['pipeline', 'bare'] as const) {
        if (which === 'bare') {
          const out = mkdtempSync(join(work, 'bare-'))
          rounds.bare.push(await timed(() => execFileSync(config.FFMPEG_PATH, ['-hide_banner', '-nostdin', '-v', 'error', '-y',
            ...hlsArgs(source, out, probed, renditions, config.HLS_SEGMENT_SEC)])))
          rmSync(out, { recursive: true, force: true })
        } else {
          const s3Key = `videos/${ownerId.toHexString()}/${randomUUID()}.mp4`
          await storage.upload(s3Key, source, 'video/mp4')
          const video = await repos.videos.create({ ownerId, s3Key, title: 'bench', contentType: 'video/mp4', sizeBytes: 1, posterTimeSec: null })
          const measure = await timed(async () => await services.media.process(video!._id, { lastAttempt: true }))
          const done = await repos.videos.findById(video!._id)
          if (done?.status !== 'ready') throw new Error(`the pipeline left the video ${done?.status}: ${JSON.stringify(done?.failure)}`)
          rounds.pipeline.push(measure)
        }
        log(`round ${round + 1}: ${which} ${rounds[which].at(-1)!.wallSeconds.toFixed(1)} s`)
      }
    }
    redis.disconnect()
    await mongo.close()

    const mean = (list: Measure[]) => ({
      wallSeconds: list.reduce((s, m) => s + m.wallSeconds, 0) / list.length,
      cpuSeconds: list.reduce((s, m) => s + m.cpuSeconds, 0) / list.length
    })
    const [bare, pipeline] = [mean(rounds.bare), mean(rounds.pipeline)]
    const row = (name: string, m: Measure) => `| ${name} | ${m.wallSeconds.toFixed(1)} | ${(options.seconds / m.wallSeconds).toFixed(2)}× | ` +
      `${(m.cpuSeconds / (options.seconds / 60)).toFixed(0)} |`
    const report = {
      at: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, ffmpeg: execFileSync(config.FFMPEG_PATH, ['-version']).toString().split('\n')[0] },
      options,
      renditions: renditions.map((r) => r.name),
      rounds,
      bare,
      pipeline,
      pipelineOverBare: pipeline.wallSeconds / bare.wallSeconds
    }
    const dir = join(root, 'bench', 'results')
    mkdirSync(dir, { recursive: true })
    const file = join(dir, `media-${report.at.replace(/[:.]/g, '-')}.json`)
    writeFileSync(file, JSON.stringify(report, null, 2) + '\n')
    console.log([
      `## The media pipeline (${options.width}×${options.height} source, ${options.seconds} s; ladder ${report.renditions.join(', ')}; ` +
        `${options.rounds} rounds each)`,
      '',
      '| run | wall s | × real time | CPU s per minute of source |',
      '| --- | ---: | ---: | ---: |',
      row('bare ffmpeg (the same encode, local file)', bare),
      row('the pipeline\'s job (download, probe, encode, poster, upload)', pipeline),
      '',
      `The pipeline took ${report.pipelineOverBare.toFixed(2)}× the bare encode's time (rounds: ` +
        `${rounds.pipeline.map((m, i) => (m.wallSeconds / rounds.bare[i]!.wallSeconds).toFixed(2)).join(', ')}). ${report.machine.ffmpeg}; ` +
        `${report.machine.cpus} cores.`
    ].join('\n'))
    log(`wrote ${file}`)
  } finally {
    await Promise.all(servers.map(async (server) => await server.stop()))
    rmSync(data, { recursive: true, force: true })
    rmSync(work, { recursive: true, force: true })
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
