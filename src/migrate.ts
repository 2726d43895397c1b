import { fileURLToPath } from 'node:url'
import { Type } from '@sinclair/typebox'
import { MongoClient } from 'mongodb'
import pino from 'pino'
import { mongoClientOptions } from './adapters/db.js'
import { loadConfig } from './config.js'
import { createRepositories, ensureIndexes } from './repositories/index.js'

/**
 * Builds every collection's indexes (idempotent), then exits: what a deployment runs once per release before the
 * new API and workers start (the Helm chart's pre-install and pre-upgrade Job), so that instances started with
 * INDEXES_AT_STARTUP=false never build an index while serving. Needs MONGODB_URI only.
 *   npm run migrate      (node dist/src/migrate.js in the image)
 */
export async function migrate (uri: string): Promise<string[]> {
  const mongo = await new MongoClient(uri, mongoClientOptions('microdrama-migrate')).connect()
  try {
    const repos = createRepositories(mongo.db())
    await ensureIndexes(repos)
    const collections = await mongo.db().listCollections({}, { nameOnly: true }).toArray()
    return collections.map((c) => c.name).sort()
  } finally {
    await mongo.close()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const log = pino({ name: 'migrate' })
  const { MONGODB_URI } = loadConfig(process.env, Type.Object({ MONGODB_URI: Type.String({ pattern: '^mongodb(\\+srv)?://' }) }))
  const started = Date.now()
  migrate(MONGODB_URI).then(
    (collections) => { log.info({ collections: collections.length, ms: Date.now() - started }, 'indexes are in place') },
    (err: unknown) => { log.error({ err }, 'the indexes could not be built'); process.exitCode = 1 }
  )
}
