import fp from 'fastify-plugin'
import { createUsersRepository, type UsersRepository } from '../src/repositories/users.js'

export interface Repositories {
  users: UsersRepository
}

declare module 'fastify' {
  interface FastifyInstance {
    repos: Repositories
  }
}

/** Data access, one small repository per collection; their indexes are created at start-up. */
export default fp(async (app) => {
  const db = app.mongo.db!
  const repos: Repositories = {
    users: createUsersRepository(db)
  }
  for (const repo of Object.values(repos)) await repo.ensureIndexes()
  app.decorate('repos', repos)
}, { name: 'repositories', dependencies: ['mongodb'] })
