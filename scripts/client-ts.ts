// Writes clients/ts/schema.ts, the TypeScript types of openapi.yaml (openapi-typescript), which
// clients/ts/index.ts feeds to openapi-fetch. test/client-ts.test.ts fails when the committed file is stale.
//   npm run client:ts        (after `npm run openapi`)
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript'
import { OPENAPI_FILE } from './openapi.js'

export const CLIENT_SCHEMA_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', 'clients', 'ts', 'schema.ts')

export async function renderClientSchema (): Promise<string> {
  return COMMENT_HEADER + astToString(await openapiTS(pathToFileURL(OPENAPI_FILE), { silent: true }))
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(CLIENT_SCHEMA_FILE, await renderClientSchema())
  console.log(`wrote ${CLIENT_SCHEMA_FILE}`)
}
