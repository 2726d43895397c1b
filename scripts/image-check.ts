// npm run image:check   (runs the local stack itself; as root, on Debian 12)
//
// The container images built and run without a Docker daemon, as far as this machine allows:
// 1. A Node base standing in for node:24-bookworm-slim (no registry is reachable here): Debian 12 minbase made by
//    debootstrap, plus the Node 24 binary npm brought (node_modules/node) and npm, and this machine's CA bundle.
// 2. The Dockerfile's `api` and `worker` targets built from it by Debian's buildah (vfs storage, chroot isolation).
// 3. Both run by Debian's podman (runc) as the images say (entrypoint tini, user node, workdir, command), with a
//    read-only root filesystem and a tmpfs /tmp, on the host's network against the local stack: the API answers
//    /health/ready, the worker processes one real clip uploaded through the API, and SIGTERM stops both with 0.
// Prints the images' sizes and the API's cold start (container start to ready). Needs root (apt-get, debootstrap).
import { execFileSync, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { copyFileSync, cpSync, mkdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { MongoClient } from 'mongodb'
import { freePort } from './local-stack.js'
import { makeClip } from '../test/helper.js'

const root = join(import.meta.dirname, '..')
const work = join(root, '.stack', 'image')
const storage = ['--root', join(work, 'storage'), '--runroot', join(work, 'run'), '--storage-driver', 'vfs']
const BASE = 'localhost/microdrama-node-base:24-bookworm'
const env = { ...process.env, STORAGE_DRIVER: 'vfs', BUILDAH_ISOLATION: 'chroot', DEBIAN_FRONTEND: 'noninteractive' }

const sh = (file: string, args: string[], options: { quiet?: boolean } = {}) =>
  execFileSync(file, args, { env, encoding: 'utf8', stdio: options.quiet === true ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'pipe', 'inherit'] })
const buildah = (...args: string[]) => sh('buildah', [...storage, ...args]).trim()
const podman = (...args: string[]) => sh('podman', ['--runtime', 'runc', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', ...storage, ...args]).trim()
const ms = (since: bigint) => Number((process.hrtime.bigint() - since) / 1_000_000n)

// Debian's tools, installed when missing.
const missing = ['buildah', 'podman', 'runc', 'debootstrap'].filter((p) => spawnSync('sh', ['-c', `command -v ${p}`]).status !== 0)
if (missing.length > 0) {
  console.error(`image check: installing ${missing.join(', ')} from Debian's packages`)
  sh('apt-get', ['update', '-qq'])
  sh('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing])
}

// 1. The base.
mkdirSync(work, { recursive: true })
if (spawnSync('buildah', [...storage, 'inspect', BASE], { env }).status !== 0) {
  const rootfs = join(work, 'rootfs')
  rmSync(rootfs, { recursive: true, force: true })
  console.error('image check: debootstrap bookworm (minbase)...')
  sh('debootstrap', ['--variant=minbase', 'bookworm', rootfs, 'http://deb.debian.org/debian'], { quiet: true })
  rmSync(join(rootfs, 'var', 'lib', 'apt', 'lists'), { recursive: true, force: true })
  mkdirSync(join(rootfs, 'var', 'lib', 'apt', 'lists', 'partial'), { recursive: true })
  copyFileSync(join(root, 'node_modules', 'node', 'bin', 'node'), join(rootfs, 'usr', 'local', 'bin', 'node'))
  const npm = realpathSync(join(dirname(realpathSync(execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim())), '..'))
  mkdirSync(join(rootfs, 'usr', 'local', 'lib', 'node_modules'), { recursive: true })
  cpSync(npm, join(rootfs, 'usr', 'local', 'lib', 'node_modules', 'npm'), { recursive: true })
  symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(rootfs, 'usr', 'local', 'bin', 'npm'))
  mkdirSync(join(rootfs, 'etc', 'ssl', 'certs'), { recursive: true }) // minbase has no CA bundle: the machine's
  copyFileSync('/etc/ssl/certs/ca-certificates.crt', join(rootfs, 'etc', 'ssl', 'certs', 'ca-certificates.crt'))
  sh('chroot', [rootfs, 'groupadd', '--gid', '1000', 'node'])
  sh('chroot', [rootfs, 'useradd', '--uid', '1000', '--gid', 'node', '--create-home', 'node'])
  const c = buildah('from', 'scratch')
  buildah('copy', c, `${rootfs}/`, '/')
  buildah('config', '--env', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    '--env', 'NPM_CONFIG_CAFILE=/etc/ssl/certs/ca-certificates.crt', '--env', 'NPM_CONFIG_UPDATE_NOTIFIER=false', '--env', 'NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt', c)
  buildah('commit', '--rm', c, BASE)
  rmSync(rootfs, { recursive: true, force: true })
}

// 2. The images.
const revision = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim()
const built: Record<string, { seconds: number, size: string }> = {}
for (const target of ['api', 'worker']) {
  const started = process.hrtime.bigint()
  console.error(`image check: building the ${target} image...`)
  sh('buildah', [...storage, 'build', '--isolation', 'chroot', '--format', 'docker', '--quiet', '--build-arg', `NODE_IMAGE=${BASE}`,
    '--build-arg', `REVISION=${revision}`, '--target', target, '-t', `localhost/microdrama-${target}:check`, root])
  const images = JSON.parse(buildah('images', '--json')) as Array<{ names: string[] | null, size: string }>
  const size = images.find((i) => i.names?.includes(`localhost/microdrama-${target}:check`))?.size ?? '?'
  built[target] = { seconds: Math.round(ms(started) / 1000), size }
}

// 3. Run them as containers against the local stack.
const port = await freePort()
const names = ['check-api', 'check-worker']
for (const name of names) spawnSync('podman', ['--runtime', 'runc', ...storage, 'rm', '-f', name], { env })
const passed = ['MONGODB_URI', 'REDIS_URL', 'AWS_REGION', 'AWS_S3_BUCKET', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'S3_ENDPOINT',
  'S3_FORCE_PATH_STYLE', 'SMTP_URL', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_API_URL']
const container = (name: string, image: string, extra: string[]) => podman('create', '--name', name, '--read-only', '--tmpfs', '/tmp',
  '--network', 'host', '--ulimit', 'nofile=20000:20000', '--ulimit', 'nproc=4096:4096', '--no-healthcheck', ...passed.flatMap((v) => ['-e', v]),
  '-e', `PORT=${port}`, '-e', 'HOST=127.0.0.1', '-e', 'LOG_LEVEL=warn', '-e', `JWT_SECRET=${randomBytes(32).toString('base64')}`,
  ...extra, image)
container('check-api', 'localhost/microdrama-api:check', [])
container('check-worker', 'localhost/microdrama-worker:check', [])
const base = `http://127.0.0.1:${port}`
const failures: string[] = []
const check = (ok: boolean, what: string) => { console.log(`${ok ? 'ok' : 'NOT OK'}: ${what}`); if (!ok) failures.push(what) }
let coldStartMs = -1
try {
  const started = process.hrtime.bigint()
  podman('start', 'check-api')
  for (let i = 0; i < 300 && coldStartMs < 0; i++) {
    if ((await fetch(`${base}/health/ready`).catch(() => null))?.ok === true) coldStartMs = ms(started)
    else await new Promise((resolve) => setTimeout(resolve, 100))
  }
  check(coldStartMs >= 0, `the API container answers /health/ready (${coldStartMs} ms from start)`)
  if (coldStartMs < 0) console.log(spawnSync('podman', [...storage, 'logs', 'check-api'], { env, encoding: 'utf8' }).stderr)
  check(podman('exec', 'check-api', 'id', '-u') === '1000', 'it runs as the unprivileged node user')
  check(spawnSync('podman', ['--runtime', 'runc', ...storage, 'exec', 'check-api', 'touch', '/app/x'], { env }).status !== 0, 'its root filesystem is read-only')
  check(podman('exec', 'check-api', 'cat', '/proc/1/cmdline').startsWith('/usr/bin/tini'), 'tini is PID 1')
  podman('start', 'check-worker')

  // A creator uploads a real clip through the containerized API; the containerized worker processes it.
  const email = `image-check-${Date.now()}@example.com`
  const register = await (await fetch(`${base}/auth/register`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'image-check-password', role: 'creator' })
  })).json() as { data: { token: string } }
  const mongo = await new MongoClient(process.env.MONGODB_URI!).connect()
  await mongo.db().collection('users').updateOne({ email }, { $set: { emailVerified: true } }) // as the emailed link would
  await mongo.close()
  const auth = { authorization: `Bearer ${register.data.token}`, 'content-type': 'application/json' }
  const clip = makeClip({ width: 360, height: 640, seconds: 2 })
  const presigned = await (await fetch(`${base}/uploads/presign`, {
    method: 'POST', headers: auth, body: JSON.stringify({ contentType: 'video/mp4', sizeBytes: clip.length, fileName: 'check.mp4' })
  })).json() as { data: { uploadUrl: string, s3Key: string, headers: Record<string, string> } }
  check((await fetch(presigned.data.uploadUrl, { method: 'PUT', headers: presigned.data.headers, body: clip })).ok, 'the clip is uploaded')
  const video = await (await fetch(`${base}/creator/videos`, { method: 'POST', headers: auth, body: JSON.stringify({ s3Key: presigned.data.s3Key }) })).json() as { data: { id: string } }
  let status = ''
  for (let i = 0; i < 240 && status !== 'ready' && status !== 'failed'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 500))
    status = ((await (await fetch(`${base}/creator/videos/${video.data.id}`, { headers: auth })).json()) as { data: { status: string } }).data.status
  }
  check(status === 'ready', `the worker container processed the clip with its ffmpeg (${status})`)
} finally {
  for (const name of names) {
    spawnSync('podman', ['--runtime', 'runc', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', ...storage, 'stop', '-t', '30', name], { env })
    const code = spawnSync('podman', ['--runtime', 'runc', ...storage, 'inspect', name, '--format', '{{.State.ExitCode}}'], { env, encoding: 'utf8' }).stdout.trim()
    check(code === '0', `${name} stops on SIGTERM with exit code 0 (${code})`)
    spawnSync('podman', ['--runtime', 'runc', ...storage, 'rm', '-f', name], { env })
  }
}
// The built images go (vfs storage keeps a full copy of every layer): the base stays for the next run.
for (const target of ['api', 'worker']) spawnSync('buildah', [...storage, 'rmi', '-f', `localhost/microdrama-${target}:check`], { env })
spawnSync('buildah', [...storage, 'rmi', '--prune'], { env })
console.log(`images: api ${built.api!.size} (built in ${built.api!.seconds} s), worker ${built.worker!.size} (${built.worker!.seconds} s); ` +
  `the API's cold start ${coldStartMs} ms`)
process.exit(failures.length === 0 ? 0 : 1)
