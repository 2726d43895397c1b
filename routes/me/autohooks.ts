import type { FastifyInstance } from 'fastify'

/** A signed-in user's own lists: any role. */
export default async function (app: FastifyInstance): Promise<void> {
  app.area({ tag: 'me', roles: 'any' })
}
