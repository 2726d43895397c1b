import type { FastifyInstance } from 'fastify'

/** Offers and checkout are for signed-in users (each route says so); Stripe's webhook is signed instead. */
export default async function (app: FastifyInstance): Promise<void> {
  app.area({ tag: 'billing' })
}
