import fp from 'fastify-plugin'
import jwt from '@fastify/jwt'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Role } from '../src/schemas/common.js'

export interface TokenClaims {
  sub: string
  role: Role
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenClaims
    user: TokenClaims
  }
}

type Guard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>

declare module 'fastify' {
  interface FastifyInstance {
    /** Hook: the request must carry a valid bearer token (401 otherwise). */
    authenticate: Guard
    /** Hook: a valid bearer token whose role is one of `roles` (401 / 403 otherwise). */
    requireRole: (...roles: Role[]) => Guard
    signToken: (claims: TokenClaims) => string
  }
}

/**
 * Bearer-token auth: HS256 only, `exp`, issuer and audience required. Any token problem (missing,
 * malformed, tampered, expired, another algorithm, `alg: none`) is a 401 with the standard error body.
 */
export default fp(async (app) => {
  const { JWT_SECRET, JWT_EXPIRES_IN, JWT_ISSUER, JWT_AUDIENCE } = app.config
  await app.register(jwt, {
    secret: JWT_SECRET,
    sign: { algorithm: 'HS256', expiresIn: JWT_EXPIRES_IN, iss: JWT_ISSUER, aud: JWT_AUDIENCE },
    verify: { algorithms: ['HS256'], requiredClaims: ['exp', 'sub'], allowedIss: JWT_ISSUER, allowedAud: JWT_AUDIENCE }
  })

  const authenticate: Guard = async (request) => {
    if (request.headers.authorization === undefined) {
      throw app.httpErrors.createError(401, 'Missing bearer token in the Authorization header', { code: 'unauthorized' })
    }
    try {
      await request.jwtVerify()
    } catch (err) {
      const expired = (err as { code?: string }).code === 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED'
      throw app.httpErrors.createError(401, expired ? 'The token has expired; log in again' : 'The token is invalid',
        { code: expired ? 'token_expired' : 'unauthorized' })
    }
  }

  app.decorate('authenticate', authenticate)
  app.decorate('requireRole', (...roles: Role[]): Guard => async (request, reply) => {
    await authenticate(request, reply)
    if (!roles.includes(request.user.role)) {
      throw app.httpErrors.createError(403, `This needs the ${roles.join(' or ')} role`, { code: 'forbidden' })
    }
  })
  app.decorate('signToken', (claims: TokenClaims) => app.jwt.sign(claims))
}, { name: 'auth', dependencies: ['sensible'], decorators: { fastify: ['config'] } })
