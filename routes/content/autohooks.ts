import type { FastifyInstance } from 'fastify'

/** The published catalogue is for signed-in users of any role. */
export default async function (app: FastifyInstance): Promise<void> {
  app.area({ tag: 'content', roles: 'any' })
}
