// Development, inside the local stack (`npm run dev`): the API and the worker in watch mode, an admin made on
// the first start (its password kept in .stack/dev-admin.json, git-ignored), and where everything is.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { MongoClient } from 'mongodb'
import { loadConfig } from '../src/config.js'
import { mongoClientOptions } from '../src/adapters/db.js'
import { createEventBus } from '../src/events.js'
import { createAuditRepository } from '../src/repositories/audit.js'
import { createUsersRepository } from '../src/repositories/users.js'
import { createAccountsService } from '../src/services/accounts.js'
import { devBanner } from './dev-banner.js'

const root = join(import.meta.dirname, '..')
const config = loadConfig()

// The development admin: made once, its password kept beside the stack's data.
const file = join(root, '.stack', 'dev-admin.json')
const firstStart = !existsSync(file)
const admin = existsSync(file)
  ? JSON.parse(readFileSync(file, 'utf8')) as { email: string, password: string }
  : { email: 'admin@example.com', password: randomBytes(12).toString('base64url') }
const client = await new MongoClient(config.MONGODB_URI, mongoClientOptions('microdrama-dev')).connect()
const repos = { users: createUsersRepository(client.db()), audit: createAuditRepository(client.db()) }
await repos.users.ensureIndexes()
if (!existsSync(file) || await repos.users.findByEmail(admin.email) === null) {
  const accounts = createAccountsService({ repos, events: createEventBus(console), config })
  await accounts.ensureAdmin(admin.email, admin.password)
  writeFileSync(file, JSON.stringify(admin), { mode: 0o600 })
}
await client.close()

const api = `http://${config.HOST}:${config.PORT}`
const webPort = Number(process.env.WEB_DEV_PORT ?? config.PORT + 2173)
const webApp = `http://${config.HOST}:${webPort}/app/`
// The emails' links open the app with hot reload, unless APP_URL says otherwise.
const env = { ...process.env, APP_URL: process.env.APP_URL ?? webApp.replace(/\/$/, '') }
const children = [
  ...['src/server.ts', 'src/worker.ts'].map((entry) =>
    // Tracing first when the OTEL_* variables ask for it (src/telemetry-register.ts), as npm start does.
    spawn('tsx', ['watch', '--clear-screen=false', '--import', './src/telemetry-register.ts', entry], { stdio: 'inherit', env })),
  // The web app with hot reload (Vite's dev server, the API behind its proxy: same origin, as in production).
  spawn('vite', ['--config', 'web/vite.config.ts', '--host', config.HOST, '--port', String(webPort), '--strictPort'],
    { stdio: 'inherit', env: { ...env, API_URL: api } })
]
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => { for (const child of children) child.kill(signal) })
let running = children.length
for (const child of children) child.on('exit', () => { if (--running === 0) process.exit(0) })

// On the first start, once the API answers: the demo catalogue (scripts/seed-demo.ts), made by the worker's pipeline.
if (firstStart) {
  for (let i = 0; i < 600 && !await fetch(`${api}/health`).then((res) => res.ok, () => false); i++) {
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  spawn('tsx', ['scripts/seed-demo.ts'], { stdio: 'inherit', env: { ...env, API_URL: api } })
}
console.log(devBanner(config, admin, process.env.MAILPIT_URL, webApp))
