import type { FastifyInstance } from 'fastify'

/** Everything under /admin is for admins only: others get 403. */
export default async function (app: FastifyInstance): Promise<void> {
  app.area({ tag: 'admin', roles: ['admin'] })
}
