import type { FastifyInstance } from 'fastify'

/** Playback and watch progress are for signed-in users of any role; play checks the subscription. */
export default async function (app: FastifyInstance): Promise<void> {
  app.area({ tag: 'playback', roles: 'any' })
}
