import { getHeapStatistics } from 'node:v8'
import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { loadConfigOrExit } from './config.js'

const config = loadConfigOrExit()

const app = await buildApp({ config })

// npm start caps V8's old space (package.json's start script): without a cap V8 sizes the heap by the machine's
// memory and lets garbage grow under load (an instance peaked at 321–338 MB). V8 takes the cap only on the command
// line (or NODE_OPTIONS), so a production start without one is told what to pass.
const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)]
if (config.NODE_ENV === 'production' && !flags.some((flag) => flag.startsWith('--max-old-space-size'))) {
  app.log.warn({ heapLimitMb: Math.round(getHeapStatistics().heap_size_limit / 2 ** 20) }, 'started without a heap cap: ' +
    'run with node --max-semi-space-size=8 --max-old-space-size=104 (as npm start does) to stay under 200 MB, or a ' +
    'larger cap where instances have more memory')
}

// SIGTERM / SIGINT: stop accepting connections, let in-flight requests finish, close MongoDB, exit.
closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  if (err !== undefined) app.log.error({ err }, 'shutting down after an error')
  else app.log.info({ signal }, 'shutting down')
  await app.close()
})

await app.listen({ host: config.HOST, port: config.PORT })
