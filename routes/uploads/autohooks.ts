import type { FastifyInstance } from 'fastify'

/** Presigned uploads: creators and admins. */
export default async function (app: FastifyInstance): Promise<void> {
  app.area({ tag: 'uploads', roles: ['creator', 'admin'] })
}
