import type { FastifyInstance } from 'fastify'

/** Cover images: public, so that an <img> tag loads them without a token. */
export default async function (app: FastifyInstance): Promise<void> {
  app.area({ tag: 'content' })
}
