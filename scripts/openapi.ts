// Writes openapi.yaml from the routes' schemas. test/openapi.test.ts fails when the committed file differs.
//   npm run openapi
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'

export const OPENAPI_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', 'openapi.yaml')

export function renderOpenApi (app: FastifyInstance): string {
  return app.swagger({ yaml: true })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { buildApp } = await import('../src/app.js')
  const { loadConfig } = await import('../src/config.js')
  const app = await buildApp({
    config: loadConfig({ ...process.env, JWT_SECRET: 'openapi-export-only-secret-0123456789' }),
    logger: false
  })
  await app.ready()
  writeFileSync(OPENAPI_FILE, renderOpenApi(app))
  await app.close()
  console.log(`wrote ${OPENAPI_FILE}`)
}
