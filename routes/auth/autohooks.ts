import type { FastifyInstance } from 'fastify'

/** Sign-up and sign-in are public; the account routes say each that they need a token. */
export default async function (app: FastifyInstance): Promise<void> {
  app.area({ tag: 'auth' })
}
