import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'

/**
 * The OpenAPI document, generated from the routes' schemas: JSON at /openapi.json, Swagger UI at /docs.
 * Shared schemas keep their $id as their name under components.schemas. openapi.yaml is this document,
 * committed and checked by a test.
 */
export default fp(async (app) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Micro-drama API',
        version: '1.0.0',
        description: 'REST API of a vertical micro-drama streaming app: creators upload episodic series, ' +
          'admins moderate them and subscribers watch. Errors always answer `{ "error": { "message", "status", "code" } }`.'
      },
      tags: [
        { name: 'health', description: 'Liveness and readiness probes' },
        { name: 'auth', description: 'Accounts and bearer tokens' },
        { name: 'uploads', description: 'Presigned uploads of video files (creators, admins)' },
        { name: 'creator', description: 'A creator\'s own videos, series and episodes (creators, admins)' },
        { name: 'admin', description: 'Moderation and subscriptions (admins)' },
        { name: 'content', description: 'The published catalogue (any signed-in user)' },
        { name: 'playback', description: 'Playback URLs, watch progress and history (any signed-in user)' }
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The token from POST /auth/login or /auth/register' }
        }
      }
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}`
    }
  })
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
}, { name: 'swagger', dependencies: ['schemas', 'helmet'] })
