import type { FastifyInstance } from 'fastify'

/** Everything under /creator is for creators and admins, each working on their own content. */
export default async function (app: FastifyInstance): Promise<void> {
  app.area({ tag: 'creator', roles: ['creator', 'admin'] })
}
