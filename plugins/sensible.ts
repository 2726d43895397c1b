import fp from 'fastify-plugin'
import sensible from '@fastify/sensible'

/** `app.httpErrors` and `reply.*` helpers for HTTP errors, instead of hand-built Error objects. */
export default fp(async (app) => {
  await app.register(sensible)
}, { name: 'sensible' })
