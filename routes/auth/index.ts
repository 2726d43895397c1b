import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { bearer, errors } from '../../src/schemas/common.js'
import type { UserDoc } from '../../src/repositories/users.js'
import { toUser } from '../../src/services/views.js'
import { ChangePasswordBodySchema, LoginBodySchema, MeSchema, RegisterBodySchema, SessionSchema } from './schemas.js'

/** Emails are compared trimmed and lowercased: normalise before validation so ' Ada@X.com' is valid. */
async function normaliseEmail (request: FastifyRequest): Promise<void> {
  const body = request.body as { email?: unknown } | undefined
  if (typeof body?.email === 'string') body.email = body.email.trim().toLowerCase()
}

/** Accounts and tokens (src/services/accounts.ts); the token itself is made here, by the auth plugin. */
const auth: FastifyPluginAsyncTypebox = async (app) => {
  const { accounts } = app.services
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
      operationId: 'register',
      summary: 'Create an account',
      description: 'Public. Creates a viewer (default) or creator account and returns a token. ' +
        'Admins cannot self-register (403). A taken email is 409 `email_taken`.',
      body: RegisterBodySchema,
      response: { 201: SessionSchema, ...errors('admin_signup_forbidden', 'email_taken', 'rate_limited') }
    }
  }, async (request, reply) => reply.code(201).send(session(await accounts.register(request.body))))

  app.post('/login', {
    links: { 200: { me: { operationId: 'getMe', description: 'Send data.token as Authorization: Bearer <token> on this and every protected call.' } } },
    onRequest: perIp,
    preValidation: normaliseEmail,
    preHandler: perEmail,
    schema: {
      operationId: 'login',
      summary: 'Exchange email and password for a token',
      description: 'Public. An unknown email and a wrong password give the same 401 `invalid_credentials`.',
      body: LoginBodySchema,
      response: { 200: SessionSchema, ...errors('invalid_credentials', 'rate_limited') }
    }
  }, async (request) => session(await accounts.login(request.body)))

  app.get('/me', {
    onRequest: app.authenticate,
    schema: {
      operationId: 'getMe',
      summary: 'The caller\'s account',
      description: 'Any authenticated user.',
      security: bearer,
      response: { 200: MeSchema }
    }
  }, async (request) => ({ data: toUser(await accounts.me(request.account)) }))

  app.post('/logout', {
    onRequest: app.authenticate,
    schema: {
      operationId: 'logout',
      summary: 'Sign out everywhere',
      description: 'Any authenticated user. Revokes every token of the account issued so far (all devices).',
      security: bearer,
      response: { 204: Type.Null({ description: 'Signed out' }) }
    }
  }, async (request, reply) => {
    await accounts.logout(request.account)
    return reply.code(204).send(null)
  })

  app.post('/password', {
    links: { 200: { me: { operationId: 'getMe', description: 'Send data.token as Authorization: Bearer <token> on this and every protected call.' } } },
    onRequest: [app.authenticate, perIp],
    schema: {
      operationId: 'changePassword',
      summary: 'Change my password',
      description: 'Any authenticated user, with the current password (401 `invalid_credentials` otherwise). ' +
        'Revokes every older token and returns a new one.',
      security: bearer,
      body: ChangePasswordBodySchema,
      response: { 200: SessionSchema, ...errors('invalid_credentials', 'rate_limited') }
    }
  }, async (request) => session(await accounts.changePassword(request.account, request.body)))
}

export default auth
