// The second half of scripts/clients-smoke.sh, run inside the local stack: starts the API on a free port,
// seeds one published episode through it, then runs the Python and Go smoke flows (clients/smoke/) against
// it, each told API_URL and EPISODE_ID. Exits non-zero when either fails.
import { spawn } from 'node:child_process'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { publishedCatalogue } from '../test/helper.js'

function run (name: string, command: string, args: string[], env: NodeJS.ProcessEnv): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', env })
    child.once('error', (err) => { console.error(`${name} smoke: ${err.message}`); resolve(false) })
    child.once('exit', (code) => {
      if (code !== 0) console.error(`${name} smoke: FAILED (exit ${code})`)
      resolve(code === 0)
    })
  })
}

const app = await buildApp({
  config: loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    // A harness, not a load test: a busy CI machine lags, and a shed 503 would fail the smoke run, not the product.
    MAX_EVENT_LOOP_DELAY_MS: '0',
    MAX_HEAP_USED_BYTES: '0'
  }),
  logger: false
})
let passed = false
try {
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  const { episodes } = await publishedCatalogue(app)
  const env = { ...process.env, API_URL: url, EPISODE_ID: episodes[0]!.id }
  const python = await run('python', process.env.SMOKE_PYTHON ?? 'python3', ['clients/smoke/smoke.py'], env)
  const go = await run('go', process.env.SMOKE_GO ?? 'clients/generated/smoke-go', [], env)
  passed = python && go
} finally {
  await app.close()
}
console.log(passed ? 'client smoke flows (python, go): ok' : 'client smoke flows (python, go): FAILED')
process.exit(passed ? 0 : 1)
