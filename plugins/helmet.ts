import fp from 'fastify-plugin'
import helmet from '@fastify/helmet'

/** Security headers on every response (HSTS, nosniff, frame denial, a strict CSP, ...). */
export default fp(async (app) => {
  await app.register(helmet, {
    // Swagger UI at /docs sets its own CSP for its pages (see swagger.ts: staticCSP).
    contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    // The API is called from other origins with CORS; resources may be read cross-origin.
    crossOriginResourcePolicy: { policy: 'cross-origin' }
  })
}, { name: 'helmet' })
