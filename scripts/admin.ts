// Creates an admin account, or promotes an existing account to admin with a new password.
// Admins cannot self-register through the API, so this is how the first one is made.
//
//   npm run admin:create -- --email admin@example.com --password '...'
//   node dist/scripts/admin.js --email admin@example.com        (password from ADMIN_PASSWORD)
//
// Needs MONGODB_URI (and reads BCRYPT_ROUNDS, NODE_ENV) like the server; in development it defaults to the dev
// stack's database (npm run dev).
import { parseArgs } from 'node:util'
import { MongoClient } from 'mongodb'
import { Type } from '@sinclair/typebox'
import { ConfigSchema, loadConfig } from '../src/config.js'
import { mongoClientOptions } from '../src/adapters/db.js'
import { createEventBus } from '../src/events.js'
import { createAuditRepository } from '../src/repositories/audit.js'
import { createUsersRepository } from '../src/repositories/users.js'
import { createAccountsService } from '../src/services/accounts.js'

const AdminConfigSchema = Type.Pick(ConfigSchema, ['NODE_ENV', 'MONGODB_URI', 'BCRYPT_ROUNDS'])

async function main (): Promise<void> {
  const { values } = parseArgs({ options: { email: { type: 'string' }, password: { type: 'string' } } })
  const email = values.email?.trim().toLowerCase()
  const password = values.password ?? process.env.ADMIN_PASSWORD
  if (email === undefined || !/^[^@\s]+@[^@\s]+$/.test(email)) throw new Error('--email is required and must be an email address')
  if (password === undefined || password.length < 8 || password.length > 72) {
    throw new Error('--password (or ADMIN_PASSWORD) is required: 8 to 72 characters')
  }
  // Without MONGODB_URI (outside production): the dev stack's database, as `npm run dev` runs it.
  const devDatabase = process.env.NODE_ENV === 'production' ? {} : { MONGODB_URI: 'mongodb://127.0.0.1:27018/microdrama' }
  const config = loadConfig({ ...devDatabase, ...process.env }, AdminConfigSchema)
  const client = await new MongoClient(config.MONGODB_URI, mongoClientOptions('microdrama-admin')).connect()
  try {
    const repos = { users: createUsersRepository(client.db()), audit: createAuditRepository(client.db()) }
    await repos.users.ensureIndexes()
    const events = createEventBus({ warn: (obj, msg) => console.warn(msg, obj) })
    const { user, created } = await createAccountsService({ repos, events, config }).ensureAdmin(email, password)
    console.log(`${created ? 'created' : 'promoted'} admin ${user.email} (${user._id.toHexString()})`)
  } finally {
    await client.close()
  }
}

main().catch((err: Error) => {
  console.error(`admin:create failed: ${err.message}`)
  process.exit(1)
})
