import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { bearer, errors } from '../../src/schemas/common.js'
import { hashPassword, verifyPassword } from '../../src/lib/passwords.js'
import { toObjectId } from '../../src/lib/ids.js'
import { toUser, type UserDoc } from '../../src/repositories/users.js'
import { ChangePasswordBodySchema, LoginBodySchema, MeSchema, RegisterBodySchema, SessionSchema } from './schemas.js'

/** Emails are compared trimmed and lowercased: normalise before validation so ' Ada@X.com' is valid. */
async function normaliseEmail (request: FastifyRequest): Promise<void> {
  const body = request.body as { email?: unknown } | undefined
  if (typeof body?.email === 'string') body.email = body.email.trim().toLowerCase()
}

const auth: FastifyPluginAsyncTypebox = async (app) => {
  const { users } = app.repos
  // Login, register and password changes: AUTH_RATE_LIMIT_MAX a minute per route and client IP, and per
  // route and email (checked once the body is parsed), on top of the global limit.
  const max = app.config.AUTH_RATE_LIMIT_MAX
  const perIp = app.limitPerMinute(max, (request) => `${request.routeOptions.url}:ip:${request.ip}`)
  const perEmail = app.limitPerMinute(max, (request) => `${request.routeOptions.url}:email:${String((request.body as { email?: unknown } | undefined)?.email)}`)
  const session = (user: UserDoc) => ({
    data: { token: app.signToken(user), expiresIn: app.config.JWT_EXPIRES_IN, user: toUser(user) }
  })

  app.post('/register', {
    links: { 201: { me: { operationId: 'getMe', description: 'Send data.token as Authorization: Bearer <token> on this and every protected call.' } } },
    onRequest: perIp,
    preValidation: normaliseEmail,
    preHandler: perEmail,
    schema: {
      tags: ['auth'],
      operationId: 'register',
      summary: 'Create an account',
      description: 'Public. Creates a viewer (default) or creator account and returns a token. ' +
        'Admins cannot self-register (403). A taken email is 409 `email_taken`.',
      body: RegisterBodySchema,
      response: { 201: SessionSchema, ...errors(400, 403, 409, 429) }
    }
  }, async (request, reply) => {
    const { password, role = 'viewer' } = request.body
    if (role === 'admin') {
      throw app.httpErrors.createError(403, 'Admin accounts cannot be self-registered', { code: 'admin_signup_forbidden' })
    }
    const user = await users.create({ email: request.body.email, role, passwordHash: await hashPassword(password, app.config.BCRYPT_ROUNDS) })
    if (user === null) throw app.httpErrors.createError(409, 'An account with this email already exists', { code: 'email_taken' })
    return reply.code(201).send(session(user))
  })

  app.post('/login', {
    links: { 200: { me: { operationId: 'getMe', description: 'Send data.token as Authorization: Bearer <token> on this and every protected call.' } } },
    onRequest: perIp,
    preValidation: normaliseEmail,
    preHandler: perEmail,
    schema: {
      tags: ['auth'],
      operationId: 'login',
      summary: 'Exchange email and password for a token',
      description: 'Public. An unknown email and a wrong password give the same 401 `invalid_credentials`.',
      body: LoginBodySchema,
      response: { 200: SessionSchema, ...errors(400, 401, 429) }
    }
  }, async (request) => {
    const user = await users.findByEmail(request.body.email)
    if (!await verifyPassword(request.body.password, user?.passwordHash)) {
      throw app.httpErrors.createError(401, 'Wrong email or password', { code: 'invalid_credentials' })
    }
    return session(user!)
  })

  app.get('/me', {
    onRequest: app.authenticate,
    schema: {
      tags: ['auth'],
      operationId: 'getMe',
      summary: 'The caller\'s account',
      description: 'Any authenticated user.',
      security: bearer,
      response: { 200: MeSchema, ...errors(401) }
    }
  }, async (request) => {
    const user = await users.findById(toObjectId(request.user.sub))
    if (user === null) throw app.httpErrors.createError(401, 'The account no longer exists', { code: 'unauthorized' })
    return { data: toUser(user) }
  })

  app.post('/logout', {
    onRequest: app.authenticate,
    schema: {
      tags: ['auth'],
      operationId: 'logout',
      summary: 'Sign out everywhere',
      description: 'Any authenticated user. Revokes every token of the account issued so far (all devices).',
      security: bearer,
      response: { 204: Type.Null({ description: 'Signed out' }), ...errors(401) }
    }
  }, async (request, reply) => {
    await users.revokeTokens(toObjectId(request.user.sub))
    return reply.code(204).send(null)
  })

  app.post('/password', {
    links: { 200: { me: { operationId: 'getMe', description: 'Send data.token as Authorization: Bearer <token> on this and every protected call.' } } },
    onRequest: [app.authenticate, perIp],
    schema: {
      tags: ['auth'],
      operationId: 'changePassword',
      summary: 'Change my password',
      description: 'Any authenticated user, with the current password (401 `invalid_credentials` otherwise). ' +
        'Revokes every older token and returns a new one.',
      security: bearer,
      body: ChangePasswordBodySchema,
      response: { 200: SessionSchema, ...errors(400, 401, 429) }
    }
  }, async (request) => {
    const id = toObjectId(request.user.sub)
    const current = await users.findById(id)
    if (!await verifyPassword(request.body.currentPassword, current?.passwordHash)) {
      throw app.httpErrors.createError(401, 'The current password is wrong', { code: 'invalid_credentials' })
    }
    const user = await users.revokeTokens(id, { passwordHash: await hashPassword(request.body.newPassword, app.config.BCRYPT_ROUNDS) })
    return session(user!)
  })
}

export default auth
