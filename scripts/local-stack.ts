// The embedded local stack: a real MongoDB-wire server (FerretDB on SQLite), a real S3 server (MinIO), Redis
// (Debian's redis-server), Stripe's API mock (stripe-mock: answers from Stripe's OpenAPI spec and fixtures,
// keeps no state) and a mail catcher (Mailpit: an SMTP server that keeps every message it is sent and shows them
// over HTTP, delivering none), on loopback ports, with data under .stack/ (git-ignored). Never used in production.
// `startFerretDBOnPostgres` (the bench's default) puts FerretDB on a private PostgreSQL cluster instead:
// PostgreSQL evaluates equality filters itself, where FerretDB's SQLite backend decodes every document.
//
//   tsx scripts/local-stack.ts run [--fresh] -- <command...>   start them, run the command with the stack's
//                                                              environment, stop them when it ends or on Ctrl-C
//   tsx scripts/local-stack.ts up                               start them and print the environment (Ctrl-C stops)
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process'
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = join(root, '.stack', 'bin')

export const S3_ACCESS_KEY = 'microdrama-local'
export const S3_SECRET_KEY = 'microdrama-local-secret'
export const S3_BUCKET = 'microdrama-local'

export interface LocalServer {
  url: string
  port: number
  /** FerretDB's Prometheus metrics (the commands it served), when started with a debug port. */
  metricsUrl?: string
  /** Mailpit's SMTP server (its `url` is its web UI and HTTP API). */
  smtpUrl?: string
  process: ChildProcess
  stop: () => Promise<void>
}

/** Builds the binaries when they are missing (first run only). */
export function ensureBinaries (): void {
  execFileSync('bash', [join(root, 'scripts', 'build-stack.sh')], { stdio: 'inherit' })
}

export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

async function waitForPort (port: number, child: ChildProcess, name: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} before listening`)
    const open = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1')
      s.once('connect', () => { s.destroy(); resolve(true) })
      s.once('error', () => resolve(false))
    })
    if (open) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${name} did not listen on port ${port} within ${timeoutMs} ms`)
}

interface StartOptions {
  /** The signal that stops it promptly (PostgreSQL: SIGINT, its fast shutdown). */
  stopSignal?: NodeJS.Signals
  /** Run as this user (PostgreSQL refuses to run as root). */
  user?: { uid: number, gid: number }
}

function start (
  name: string, file: string, args: string[], env: NodeJS.ProcessEnv, port: number, options: StartOptions = {}
): Promise<LocalServer> {
  const child = spawn(file, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'], ...options.user })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000) })
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill(options.stopSignal ?? 'SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  }
  return waitForPort(port, child, name)
    .then(() => ({ url: '', port, process: child, stop }))
    .catch(async (err: Error) => {
      await stop()
      throw new Error(`${err.message}\n${stderr}`)
    })
}

/** Starts FerretDB with the given backend flags, on `port` or a free one; `metrics`: serve its metrics too. */
async function startFerretDBWith (backend: string[], port?: number, metrics = false): Promise<LocalServer> {
  const p = port ?? await freePort()
  const debugPort = metrics ? await freePort() : undefined
  const server = await start('FerretDB', join(bin, 'ferretdb'), [
    ...backend, `--listen-addr=127.0.0.1:${p}`, '--telemetry=disable', '--state-dir=-',
    `--debug-addr=${debugPort === undefined ? '-' : `127.0.0.1:${debugPort}`}`, '--log-level=error'
  ], {}, p)
  server.url = `mongodb://127.0.0.1:${p}/`
  if (debugPort !== undefined) server.metricsUrl = `http://127.0.0.1:${debugPort}/debug/metrics`
  return server
}

/** Starts FerretDB (SQLite backend) with its data in `dataDir`, on `port` or a free one. */
export async function startFerretDB (dataDir: string, port?: number, metrics = false): Promise<LocalServer> {
  mkdirSync(dataDir, { recursive: true })
  return await startFerretDBWith(['--handler=sqlite', `--sqlite-url=file:${dataDir}/`], port, metrics)
}

/** PostgreSQL's server programs from Debian's packages, installed with apt-get when missing (as root). */
export function postgresBin (): string {
  const find = () => {
    const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v)) : []
    const newest = versions.map(Number).sort((a, b) => b - a)[0]
    return newest === undefined ? undefined : `/usr/lib/postgresql/${newest}/bin`
  }
  const found = find()
  if (found !== undefined) return found
  if (process.getuid?.() !== 0) throw new Error('PostgreSQL is not installed: apt-get install postgresql (as root), then run this again')
  console.error('local stack: installing PostgreSQL from Debian\'s packages (apt-get install postgresql)')
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env })
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'postgresql'], { stdio: 'inherit', env })
  const installed = find()
  if (installed === undefined) throw new Error('apt-get installed postgresql but no /usr/lib/postgresql/<version>/bin was found')
  return installed
}

/**
 * A fresh, empty folder for a cluster that `user` runs: under the system's temporary folder, owned by that user.
 * The caller's own folders may be closed to it (a clone under `mktemp -d` or /root is 0700), and opening
 * them up (chmod) is not ours to do.
 */
function clusterFolderFor (user: { uid: number, gid: number }): string {
  // `test -x` as that user fails when any folder on the way is closed to it.
  const base = [...new Set([tmpdir(), '/tmp'])].find((dir) => spawnSync('test', ['-x', dir], user).status === 0)
  if (base === undefined) throw new Error(`the postgres user cannot reach ${tmpdir()} or /tmp for the cluster's data`)
  const folder = mkdtempSync(join(base, 'microdrama-postgres-'))
  chownSync(folder, user.uid, user.gid)
  return folder
}

/**
 * Starts a private PostgreSQL cluster (trust auth, loopback TCP only) with its data in `dataDir`. As root, the
 * cluster runs as Debian's `postgres` user (PostgreSQL refuses to run as root), which may not reach `dataDir`:
 * then the data goes in a fresh folder under the system's temporary folder, removed when the server stops.
 */
export async function startPostgres (dataDir: string, port?: number): Promise<LocalServer> {
  const pgBin = postgresBin()
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres']).toString())
  const user = process.getuid?.() === 0 ? { uid: id('-u'), gid: id('-g') } : undefined
  const folder = user === undefined ? dataDir : clusterFolderFor(user)
  const remove = (): void => { if (folder !== dataDir) rmSync(folder, { recursive: true, force: true }) }
  process.once('exit', remove) // also when the caller exits without stopping the server
  try {
    mkdirSync(folder, { recursive: true })
    const initdb = ['-D', folder, '-U', 'ferretdb', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']
    // Its stderr is kept for the error message.
    execFileSync(join(pgBin, 'initdb'), initdb, { stdio: ['ignore', 'ignore', 'pipe'], ...user })
    const p = port ?? await freePort()
    const server = await start('PostgreSQL', join(pgBin, 'postgres'), [
      '-D', folder, '-p', String(p), '-c', 'listen_addresses=127.0.0.1',
      // No Unix socket: FerretDB connects over TCP, and a socket under a deep folder can pass the 107-byte path limit.
      '-c', 'unix_socket_directories=',
      // Many small concurrent queries on a few cores: parallel workers per query only add processes.
      '-c', 'max_parallel_workers_per_gather=0',
      // Each statement planned for its parameters: FerretDB passes the field name of a filter as one, and the
      // bench's lookup indexes (bench/postgres-indexes.ts) are on the expression for a given field.
      '-c', 'plan_cache_mode=force_custom_plan'
    ], {}, p, { stopSignal: 'SIGINT', user })
    server.url = `postgres://ferretdb@127.0.0.1:${p}/postgres`
    const stop = server.stop
    server.stop = async () => { await stop(); remove() }
    return server
  } catch (err) {
    remove()
    throw err
  }
}

/** Starts FerretDB on the PostgreSQL server at `postgresUrl`, on `port` or a free one. */
export async function startFerretDBOnPostgres (postgresUrl: string, port?: number, metrics = false) {
  return await startFerretDBWith(['--handler=postgresql', `--postgresql-url=${postgresUrl}`], port, metrics)
}

/** A program from one of Debian's packages, installed with apt-get when missing (as root). */
function debianProgram (file: string, pkg: string): string {
  if (existsSync(file)) return file
  if (process.getuid?.() !== 0) throw new Error(`${file} is missing: apt-get install ${pkg} (as root), then run this again`)
  console.error(`local stack: installing ${pkg} from Debian's packages (apt-get install ${pkg})`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env })
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], { stdio: 'inherit', env })
  if (!existsSync(file)) throw new Error(`apt-get installed ${pkg} but ${file} is still missing`)
  return file
}

/**
 * Starts Redis (Debian's redis-server) on loopback with its data in `dataDir`: kept in an append-only file in
 * development (`persist`), in memory only for tests.
 */
export async function startRedis (dataDir: string, port?: number, persist = false): Promise<LocalServer> {
  const file = debianProgram('/usr/bin/redis-server', 'redis-server')
  mkdirSync(dataDir, { recursive: true })
  const p = port ?? await freePort()
  const server = await start('Redis', file, [
    '--port', String(p), '--bind', '127.0.0.1', '--dir', dataDir, '--save', '', '--appendonly', persist ? 'yes' : 'no',
    '--daemonize', 'no', '--loglevel', 'warning', '--logfile', ''
  ], {}, p)
  server.url = `redis://127.0.0.1:${p}`
  return server
}

/** Starts MinIO with its data in `dataDir` and creates the bucket. */
export async function startMinIO (dataDir: string, port?: number): Promise<LocalServer> {
  mkdirSync(dataDir, { recursive: true })
  const p = port ?? await freePort()
  const consolePort = await freePort()
  const server = await start('MinIO', join(bin, 'minio'), [
    'server', dataDir, '--quiet', '--address', `127.0.0.1:${p}`, '--console-address', `127.0.0.1:${consolePort}`
  ], {
    MINIO_ROOT_USER: S3_ACCESS_KEY,
    MINIO_ROOT_PASSWORD: S3_SECRET_KEY,
    MINIO_BROWSER: 'off',
    // The bucket's CORS: the origins the web app runs on (the API's CORS_ORIGINS, as a bucket on S3 is set up
    // in the README) read segments and posters and upload parts from the browser.
    MINIO_API_CORS_ALLOW_ORIGIN: process.env.CORS_ORIGINS ?? '*',
    MINIO_UPDATE: 'off'
  }, p)
  server.url = `http://127.0.0.1:${p}`
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: server.url,
    forcePathStyle: true,
    credentials: { accessKeyId: S3_ACCESS_KEY, secretAccessKey: S3_SECRET_KEY }
  })
  // MinIO accepts connections a moment before it serves requests: retry briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      await s3.send(new CreateBucketCommand({ Bucket: S3_BUCKET }))
      break
    } catch (err) {
      const name = (err as Error).name
      if (name === 'BucketAlreadyOwnedByYou' || name === 'BucketAlreadyExists') break
      if (attempt >= 50) { await server.stop(); throw err }
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
  s3.destroy()
  return server
}

/**
 * Starts stripe-mock, Stripe's API mock, serving HTTP on loopback on `port` or a free one. Given `-http-addr` it
 * serves HTTPS too, by default on 12112 on all interfaces (only `-http` and `-http-port` turn HTTPS off, and they
 * bind all interfaces): here HTTPS gets a loopback port the system chooses.
 */
export async function startStripeMock (port?: number): Promise<LocalServer> {
  const p = port ?? await freePort()
  const server = await start('stripe-mock', join(bin, 'stripe-mock'), [
    '-http-addr', `127.0.0.1:${p}`, '-https-addr', '127.0.0.1:0'
  ], {}, p)
  server.url = `http://127.0.0.1:${p}`
  return server
}

/**
 * Starts Mailpit, the mail catcher: SMTP on `smtpPort` and its web UI and HTTP API (`url`) on `httpPort`, free
 * ones when not given, both on loopback. It takes mail in plain SMTP from anyone who can reach it, without TLS and
 * with any credentials or none (a client that sends user:password@ is accepted too), and delivers nothing; its
 * messages are kept in `dataDir`. Nothing goes out to the internet: no check for a newer release and no reverse
 * DNS of SMTP clients (its link and HTML checks reach out only when asked to through its API or UI).
 */
export async function startMailpit (dataDir: string, smtpPort?: number, httpPort?: number): Promise<LocalServer> {
  mkdirSync(dataDir, { recursive: true })
  const smtp = smtpPort ?? await freePort()
  const http = httpPort ?? await freePort()
  const server = await start('Mailpit', join(bin, 'mailpit'), [
    '--listen', `127.0.0.1:${http}`, '--smtp', `127.0.0.1:${smtp}`, '--database', join(dataDir, 'mailpit.db'),
    '--smtp-auth-accept-any', '--smtp-auth-allow-insecure', '--smtp-disable-rdns', '--disable-version-check',
    // Errors only, on stderr (it logs to stdout otherwise), where a failure to start is reported from.
    '--quiet', '--log-file', '/dev/stderr'
  ], {}, http)
  try {
    await waitForPort(smtp, server.process, 'Mailpit (SMTP)')
  } catch (err) {
    await server.stop()
    throw err
  }
  server.url = `http://127.0.0.1:${http}`
  server.smtpUrl = `smtp://127.0.0.1:${smtp}`
  return server
}

/**
 * ffmpeg and ffprobe for the media pipeline: Debian's `ffmpeg` package, installed with apt-get when missing
 * (FFMPEG_PATH and FFPROBE_PATH, when set, name other binaries and nothing is installed).
 */
export function ensureFfmpeg (): { FFMPEG_PATH: string, FFPROBE_PATH: string } {
  const { FFMPEG_PATH, FFPROBE_PATH } = process.env
  if (FFMPEG_PATH !== undefined && FFPROBE_PATH !== undefined) return { FFMPEG_PATH, FFPROBE_PATH }
  return { FFMPEG_PATH: debianProgram('/usr/bin/ffmpeg', 'ffmpeg'), FFPROBE_PATH: debianProgram('/usr/bin/ffprobe', 'ffmpeg') }
}

/** The environment the API needs to run on the local stack. */
export function stackEnv (
  mongo: LocalServer, s3: LocalServer, redis: LocalServer, stripe: LocalServer, mailpit: LocalServer
): Record<string, string> {
  if (mailpit.smtpUrl === undefined) throw new Error('stackEnv: the mail server has no SMTP URL (start it with startMailpit)')
  return {
    ...ensureFfmpeg(),
    MONGODB_URI: `${mongo.url}microdrama`,
    REDIS_URL: redis.url,
    S3_ENDPOINT: s3.url,
    S3_FORCE_PATH_STYLE: 'true',
    AWS_REGION: 'us-east-1',
    AWS_S3_BUCKET: S3_BUCKET,
    AWS_ACCESS_KEY_ID: S3_ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: S3_SECRET_KEY,
    // Local development only: production must set its own secret (the server refuses none or a short one).
    JWT_SECRET: process.env.JWT_SECRET ?? 'local-development-only-secret-never-use-in-production',
    BCRYPT_ROUNDS: process.env.BCRYPT_ROUNDS ?? '10',
    // Webhook receivers in development and tests run on this machine (never allowed in production).
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    // Local development and tests only: production sets its real ones. stripe-mock takes any key of the form
    // sk_test_<one part without an underscore> and refuses others (sk_test_local_development_only included).
    STRIPE_API_URL: stripe.url,
    STRIPE_SECRET_KEY: process.env.STRIPE_SECRET_KEY ?? 'sk_test_localDevelopmentOnly',
    STRIPE_WEBHOOK_SECRET: process.env.STRIPE_WEBHOOK_SECRET ?? 'whsec_local_development_only',
    // Mail goes to Mailpit, which keeps it and delivers nothing.
    SMTP_URL: mailpit.smtpUrl,
    // Not the API's: for development tools and tests, to read what was sent (Mailpit's HTTP API and web UI).
    MAILPIT_URL: mailpit.url
  }
}

async function main (argv: string[]): Promise<void> {
  const [command, ...rest] = argv
  if (command !== 'run' && command !== 'up') {
    console.error('usage: local-stack.ts run [--fresh] -- <command...> | local-stack.ts up [--fresh]')
    process.exit(2)
  }
  const sep = rest.indexOf('--')
  const flags = sep === -1 ? rest : rest.slice(0, sep)
  const cmd = sep === -1 ? [] : rest.slice(sep + 1)
  if (command === 'run' && cmd.length === 0) throw new Error('run needs a command after --')

  ensureBinaries()
  // --fresh: throwaway data (tests); otherwise data persists in .stack/data between runs (dev).
  mkdirSync(join(root, '.stack'), { recursive: true })
  const dataRoot = flags.includes('--fresh')
    ? mkdtempSync(join(root, '.stack', 'run-'))
    : join(root, '.stack', 'data')
  // Tests take free ports; development uses fixed ones so that tools can find the stack.
  const fresh = flags.includes('--fresh')
  const mongoPort = fresh ? undefined : Number(process.env.LOCAL_MONGO_PORT ?? 27018)
  const s3Port = fresh ? undefined : Number(process.env.LOCAL_S3_PORT ?? 9010)
  const redisPort = fresh ? undefined : Number(process.env.LOCAL_REDIS_PORT ?? 6380)
  const stripePort = fresh ? undefined : Number(process.env.LOCAL_STRIPE_PORT ?? 12111)
  const smtpPort = fresh ? undefined : Number(process.env.LOCAL_SMTP_PORT ?? 1025)
  const mailpitPort = fresh ? undefined : Number(process.env.LOCAL_MAILPIT_PORT ?? 8025)
  const servers: LocalServer[] = []
  const stopStarted = async () => { await Promise.all(servers.map((server) => server.stop())) }
  try {
    servers.push(await startFerretDB(join(dataRoot, 'ferretdb'), mongoPort))
    servers.push(await startMinIO(join(dataRoot, 'minio'), s3Port))
    servers.push(await startRedis(join(dataRoot, 'redis'), redisPort, !fresh))
    servers.push(await startStripeMock(stripePort))
    servers.push(await startMailpit(join(dataRoot, 'mailpit'), smtpPort, mailpitPort))
  } catch (err) {
    await stopStarted()
    throw err
  }
  const [mongo, s3, redis, stripe, mailpit] =
    servers as [LocalServer, LocalServer, LocalServer, LocalServer, LocalServer]
  const env = stackEnv(mongo, s3, redis, stripe, mailpit)

  let stopping = false
  const stopAll = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true
      await stopStarted()
      if (fresh) rmSync(dataRoot, { recursive: true, force: true })
    }
    process.exit(code)
  }
  const stopFailed = (err: unknown) => { console.error(err); process.exit(1) }

  if (command === 'up') {
    for (const [k, v] of Object.entries(env)) console.log(`${k}=${v}`)
    console.error('local stack is up; Ctrl-C stops it')
    process.on('SIGINT', () => { stopAll(0).catch(stopFailed) })
    process.on('SIGTERM', () => { stopAll(0).catch(stopFailed) })
    return
  }

  const [file, ...args] = cmd as [string, ...string[]]
  const child = spawn(file, args, { stdio: 'inherit', env: { ...process.env, ...env } })
  // Forward stop signals (a terminal's Ctrl-C reaches the child anyway) and stop the stack once it has ended.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal))
  child.on('exit', (code, signal) => { stopAll(code ?? (signal ? 1 : 0)).catch(stopFailed) })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(err instanceof Error ? err.message : err)
    process.exit(1)
  })
}
