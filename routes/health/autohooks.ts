import type { FastifyInstance } from 'fastify'

/** Probes for orchestrators and load balancers: public. */
export default async function (app: FastifyInstance): Promise<void> {
  app.area({ tag: 'health' })
}
