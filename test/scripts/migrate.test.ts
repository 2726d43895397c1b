// The release's migration (src/migrate.ts): indexes built once by a Job, so instances started with
// INDEXES_AT_STARTUP=false serve without building any.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import t from 'tap'
import { build, signUp } from '../helper.js'

const run = promisify(execFile)

t.test('migrate builds every index once; an instance told not to builds none', async (t) => {
  const app = await build(t, { INDEXES_AT_STARTUP: 'false' })
  const db = app.mongo.db!
  const indexesOf = async (collection: string) =>
    (await db.collection(collection).indexes().catch(() => [])).map((i) => i.name).sort()
  await signUp(app)
  t.same(await indexesOf('users'), ['_id_'], 'the API started without building the users\' indexes')

  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/migrate.ts'], {
    env: { PATH: process.env.PATH, MONGODB_URI: app.config.MONGODB_URI }
  })
  t.match(stdout, /"msg":"indexes are in place"/)
  t.ok((await indexesOf('users')).includes('email_unique'), 'users: email_unique')
  t.ok((await indexesOf('coin_ledger')).includes('user_key_unique'), 'coin_ledger: user_key_unique')
  t.ok((await indexesOf('entitlements')).includes('userId'), 'entitlements: userId')

  // Run again (the next release): nothing changes, no error.
  const before = await indexesOf('coin_ledger')
  await run(process.execPath, ['--import', 'tsx', 'src/migrate.ts'], { env: { PATH: process.env.PATH, MONGODB_URI: app.config.MONGODB_URI } })
  t.same(await indexesOf('coin_ledger'), before, 'idempotent')

  const failed = await run(process.execPath, ['--import', 'tsx', 'src/migrate.ts'], { env: { PATH: process.env.PATH } }).catch((err: { code: number, stderr: string }) => err)
  t.equal((failed as { code: number }).code, 1, 'without MONGODB_URI it exits 1')
})
