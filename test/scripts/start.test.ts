import { execFile, spawn } from 'node:child_process'
import { pathToFileURL } from 'node:url'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { promisify } from 'node:util'
import t from 'tap'
import { testConfig } from '../helper.js'

const run = promisify(execFile)
const root = join(import.meta.dirname, '..', '..')

// What `npm run build && npm start` runs in production: the compiled JavaScript, not the TypeScript sources.
t.test('the built server and worker start, the server serves the contract with the package\'s version, both stop on SIGTERM', async (t) => {
  const outDir = join(root, '.tap', `dist-${process.pid}`)
  t.teardown(() => rmSync(outDir, { recursive: true, force: true }))
  await run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: root })

  const config = testConfig({ NODE_ENV: 'production', BCRYPT_ROUNDS: '10', LOG_LEVEL: 'info', PORT: '0' })
  // As npm start: tracing's register first (a no-op here, without OTEL_* variables).
  const register = ['--import', pathToFileURL(join(outDir, 'src', 'telemetry-register.js')).href]
  const child = spawn(process.execPath, [...register, join(outDir, 'src', 'server.js')], {
    cwd: root,
    env: { PATH: process.env.PATH, ...Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v)])) },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stderr = ''
  child.stderr.on('data', (chunk) => { stderr += chunk })
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  const lines: string[] = []
  const base = await Promise.race([
    new Promise<string>((resolve) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        lines.push(line)
        const url = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1]
        if (url !== undefined) resolve(url)
      })
    }),
    exited.then((code) => { throw new Error(`the built server exited (${code}) before listening: ${stderr}`) })
  ])

  t.equal((await fetch(`${base}/health/ready`)).status, 200, 'ready: database and bucket answer')
  t.ok(lines.some((line) => /started without a heap cap: run with node .*--max-old-space-size=104/.test(line)),
    'started without npm start\'s flags, it says which to pass')
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }
  t.equal(((await (await fetch(`${base}/openapi.json`)).json()) as { info: { version: string } }).info.version, version)
  child.kill('SIGTERM')
  t.equal(await exited, 0, 'exits 0 on SIGTERM')

  // The worker, as `npm run worker` runs it: starts, takes its schedules, stops on SIGTERM.
  const worker = spawn(process.execPath, [...register, join(outDir, 'src', 'worker.js')], {
    cwd: root,
    env: { PATH: process.env.PATH, ...Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v)])) },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const workerExited = new Promise<number | null>((resolve) => worker.once('exit', resolve))
  const started = await Promise.race([
    new Promise<boolean>((resolve) => {
      createInterface({ input: worker.stdout }).on('line', (line) => { if (line.includes('worker started')) resolve(true) })
    }),
    workerExited.then(() => false)
  ])
  t.ok(started, 'the worker starts')
  worker.kill('SIGTERM')
  t.equal(await workerExited, 0, 'and exits 0 on SIGTERM')
})
