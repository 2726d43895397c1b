import fp from 'fastify-plugin'
import mongodb from '@fastify/mongodb'

/**
 * The MongoDB connection (native driver, no ODM): `app.mongo.db` is the database named in MONGODB_URI.
 * Short server-selection and connect timeouts turn an unreachable database into a quick 503
 * instead of a hung request.
 */
export default fp(async (app) => {
  await app.register(mongodb, {
    url: app.config.MONGODB_URI,
    forceClose: true,
    serverSelectionTimeoutMS: 3000,
    connectTimeoutMS: 3000,
    socketTimeoutMS: 30_000,
    maxPoolSize: 50,
    appName: 'microdrama-api',
    // Tests watch the commands sent to check that every query is served by an index.
    monitorCommands: app.config.NODE_ENV === 'test'
  })
  if (app.mongo.db === undefined) throw new Error('MONGODB_URI must name a database, e.g. mongodb://host:27017/microdrama')
}, { name: 'mongodb', decorators: { fastify: ['config'] } })
