import { readFileSync } from 'node:fs'
import t from 'tap'
import { CLIENT_SCHEMA_FILE, renderClientSchema } from '../scripts/client-ts.js'

t.test('clients/ts/schema.ts is exactly what openapi.yaml generates (run `npm run client:ts` after `npm run openapi`)', async (t) => {
  t.equal(readFileSync(CLIENT_SCHEMA_FILE, 'utf8'), await renderClientSchema())
})
