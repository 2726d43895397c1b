import { randomUUID } from 'node:crypto'
import fp from 'fastify-plugin'
import type { ObjectId } from 'mongodb'
import jwt from '@fastify/jwt'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { bearer, ROLES, withErrors, type Role } from '../src/schemas/common.js'
import type { Caller } from '../src/services/types.js'
import type { UserDoc } from '../src/repositories/users.js'
import { toObjectId } from '../src/lib/ids.js'
import { ApiError } from '../src/errors.js'
import { countryOf, listOf, preferredLanguage } from '../src/lib/locale.js'

export interface TokenClaims {
  sub: string
  role: Role
  /** The user's token version when the token was issued; see revokeTokens. */
  ver: number
  /** Unique per token: two tokens signed in the same second differ. */
  jti: string
  /** The sign-in (refresh-token family) it belongs to; a reused refresh token ends that sign-in's tokens. */
  sid?: string
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenClaims
    user: TokenClaims
  }
}

type Guard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's account as it is now (role, subscription), their language and market, set by `authenticate`. */
    account: Caller
  }
  interface FastifyInstance {
    /** Hook: the request must carry a valid bearer token (401 otherwise). */
    authenticate: Guard
    /** Hook: a valid bearer token whose role is one of `roles` (401 / 403 otherwise). */
    requireRole: (...roles: Role[]) => Guard
    signToken: (user: Pick<UserDoc, '_id' | 'role' | 'tokenVersion'>, signInId?: ObjectId) => string
    /**
     * States once, for every route of a folder of routes (from its autohooks.ts): its tag in the contract and
     * who may call it. `roles`: signed-in users of these roles (others 403 `forbidden`), or of any role
     * ('any'); leave it out for an area whose routes say it each.
     */
    area: (this: FastifyInstance, options: { tag: string, roles?: Role[] | 'any' }) => void
  }
}

/**
 * Bearer-token auth: HS256 only, `exp`, issuer and audience required. Any token problem (missing,
 * malformed, tampered, expired, another algorithm, `alg: none`) is a 401 with the standard error body.
 * Each request also reads the user's current role and token version (one lookup by _id, cached in Redis), so
 * logout, a password change, a role change, a deleted account or a sign-in ended by a reused refresh token take
 * effect at once.
 */
export default fp(async (app) => {
  const { JWT_SECRET, JWT_EXPIRES_IN, JWT_ISSUER, JWT_AUDIENCE, COUNTRY_HEADER } = app.config
  const [languages, markets] = [listOf(app.config.LANGUAGES), listOf(app.config.MARKETS)]
  await app.register(jwt, {
    secret: JWT_SECRET,
    sign: { algorithm: 'HS256', expiresIn: JWT_EXPIRES_IN, iss: JWT_ISSUER, aud: JWT_AUDIENCE },
    verify: { algorithms: ['HS256'], requiredClaims: ['exp', 'sub', 'ver'], allowedIss: JWT_ISSUER, allowedAud: JWT_AUDIENCE }
  })

  const authenticate: Guard = async (request) => {
    if (request.headers.authorization === undefined) throw new ApiError('unauthorized', 'Missing bearer token in the Authorization header')
    try {
      await request.jwtVerify()
    } catch (err) {
      const expired = (err as { code?: string }).code === 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED'
      throw expired ? new ApiError('token_expired') : new ApiError('unauthorized', 'The token is invalid')
    }
    const { sub, ver, sid } = request.user
    const session = /^[0-9a-f]{24}$/.test(sub) ? await app.repos.users.findSession(toObjectId(sub)) : null
    if (session === null || session.tokenVersion !== ver) throw new ApiError('token_revoked')
    if (sid !== undefined && session.revokedSignIns?.[sid] !== undefined) throw new ApiError('token_revoked')
    request.user.role = session.role
    const { lang } = request.query as { lang?: unknown }
    request.account = {
      ...session,
      language: preferredLanguage(languages, typeof lang === 'string' ? lang : undefined, request.headers['accept-language']),
      country: COUNTRY_HEADER === undefined ? null : countryOf(request.headers[COUNTRY_HEADER], markets)
    }
  }

  app.decorateRequest('account', null as unknown as Caller)
  app.decorate('authenticate', authenticate)
  const requireRole = (...roles: Role[]): Guard => async (request, reply) => {
    await authenticate(request, reply)
    if (!roles.includes(request.user.role)) throw new ApiError('forbidden', `This needs the ${roles.join(' or ')} role`)
  }
  app.decorate('requireRole', requireRole)
  app.decorate('area', function (this: FastifyInstance, { tag, roles }: { tag: string, roles?: Role[] | 'any' }) {
    const restricted = Array.isArray(roles) && ROLES.some((role) => !roles.includes(role))
    if (roles !== undefined) this.addHook('onRequest', roles === 'any' ? authenticate : requireRole(...roles))
    this.addHook('onRoute', (route) => {
      const schema = route.schema ?? {}
      route.schema = {
        ...schema,
        tags: schema.tags ?? [tag],
        ...(roles === undefined ? {} : { security: bearer }),
        ...(restricted ? { response: withErrors(schema.response as Record<string, unknown> | undefined, 'forbidden') } : {})
      }
    })
  })
  app.decorate('signToken', (user: Pick<UserDoc, '_id' | 'role' | 'tokenVersion'>, signInId?: ObjectId) => app.jwt.sign({
    sub: user._id.toHexString(),
    role: user.role,
    ver: user.tokenVersion,
    jti: randomUUID(),
    ...(signInId === undefined ? {} : { sid: signInId.toHexString() })
  }))
}, { name: 'auth', dependencies: ['repositories'], decorators: { fastify: ['config'] } })
