import type { FastifyInstance } from 'fastify'

/** The published catalogue is for signed-in users of any role. */
export default async function (app: FastifyInstance): Promise<void> {
  app.area({ tag: 'content', roles: 'any' })
  // Answers differ by the caller's language: a shared cache in between must keep them apart.
  app.addHook('onSend', async (_request, reply) => {
    const vary = reply.getHeader('vary')
    reply.header('vary', vary === undefined ? 'Accept-Language' : `${String(vary)}, Accept-Language`)
  })
}
