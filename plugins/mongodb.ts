import fp from 'fastify-plugin'
import mongodb from '@fastify/mongodb'
import { mongoClientOptions } from '../src/adapters/db.js'

/** The MongoDB connection (native driver, no ODM): `app.mongo.db` is the database named in MONGODB_URI. */
export default fp(async (app) => {
  await app.register(mongodb, {
    url: app.config.MONGODB_URI,
    forceClose: true,
    ...mongoClientOptions('microdrama-api', app.config.DB_TIMEOUT_MS),
    // Every command's latency, when metrics are served; tests watch the commands to check every query has an index.
    monitorCommands: app.config.METRICS_PORT !== undefined || app.config.NODE_ENV === 'test'
  })
  if (app.mongo.db === undefined) throw new Error('MONGODB_URI must name a database, e.g. mongodb://host:27017/microdrama')
  app.metrics.instrumentMongo(app.mongo.client)
}, { name: 'mongodb', dependencies: ['metrics'], decorators: { fastify: ['config'] } })
