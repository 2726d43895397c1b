import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { bearer, errors } from '../../src/schemas/common.js'
import type { SignedIn } from '../../src/services/tokens.js'
import { toUser } from '../../src/services/views.js'
import {
  ChangePasswordBodySchema, CodeBodySchema, ForgotBodySchema, LoginBodySchema, MeSchema, MfaBodySchema,
  MfaChallengeSchema, MfaSetupSchema, RecoveryCodesSchema, RefreshBodySchema, RegisterBodySchema, ResetBodySchema,
  SessionSchema, VerifyCodeBodySchema, VerifyEmailBodySchema
} from './schemas.js'

/** Emails are compared trimmed and lowercased: normalise before validation so ' Ada@X.com' is valid. */
async function normaliseEmail (request: FastifyRequest): Promise<void> {
  const body = request.body as { email?: unknown } | undefined
  if (typeof body?.email === 'string') body.email = body.email.trim().toLowerCase()
}

/** Accounts and tokens (src/services/accounts.ts); the token itself is made here, by the auth plugin. */
const auth: FastifyPluginAsyncTypebox = async (app) => {
  const { accounts, tokens, mfa, recovery } = app.services
  // Login, register and password changes: AUTH_RATE_LIMIT_MAX a minute per route and client IP, and per
  // route and email (checked once the body is parsed), on top of the global limit.
  const max = app.config.AUTH_RATE_LIMIT_MAX
  const perIp = app.limitPerMinute(max, (request) => `${request.routeOptions.url}:ip:${request.ip}`)
  const perEmail = app.limitPerMinute(max, (request) => `${request.routeOptions.url}:email:${String((request.body as { email?: unknown } | undefined)?.email)}`)
  // Signed-in users' own account routes: the same limit per account.
  const perUser = app.limitPerMinute(max, (request) => `${request.routeOptions.url}:user:${request.account._id.toHexString()}`)
  const session = ({ user, ...pair }: SignedIn) => ({ data: { ...pair, user: toUser(user) } })
  const signedIn = [app.authenticate, perUser]

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
  }, async (request, reply) => reply.code(201).send(session(await tokens.issue(await accounts.register(request.body)))))

  app.post('/login', {
    links: { 200: { me: { operationId: 'getMe', description: 'Send data.token as Authorization: Bearer <token> on this and every protected call.' } } },
    onRequest: perIp,
    preValidation: normaliseEmail,
    preHandler: perEmail,
    schema: {
      operationId: 'login',
      summary: 'Exchange email and password for a token',
      description: 'Public. An unknown email and a wrong password give the same 401 `invalid_credentials`. With ' +
        'two-factor on, the password alone answers 202 with a challenge: POST /auth/mfa completes the sign-in.',
      body: LoginBodySchema,
      response: { 200: SessionSchema, 202: MfaChallengeSchema, ...errors('invalid_credentials', 'rate_limited') }
    }
  }, async (request, reply) => {
    const result = await mfa.signIn(await accounts.login(request.body))
    if (result.mfaRequired) return reply.code(202).send({ data: result })
    return session(result.session)
  })

  app.post('/mfa', {
    onRequest: perIp,
    schema: {
      operationId: 'completeMfa',
      summary: 'Complete a sign-in with a two-factor code',
      description: 'Public: the challenge from POST /auth/login and a code from the authenticator app (±30 s of ' +
        'clock skew; each code once) or a recovery code (each once). 401 `mfa_code_invalid` for a wrong code; ' +
        '`mfa_challenge_invalid` once the challenge expired (5 minutes), was used, or saw 5 wrong codes: a refused ' +
        'challenge spends nothing, so the code or recovery code sent with it still works with a new challenge.',
      body: MfaBodySchema,
      response: { 200: SessionSchema, ...errors('mfa_code_invalid', 'mfa_challenge_invalid', 'rate_limited') }
    }
  }, async (request) => session(await mfa.complete(request.body.challenge, request.body.code)))

  app.post('/refresh', {
    onRequest: perIp,
    schema: {
      operationId: 'refreshSession',
      summary: 'Renew the access token',
      description: 'Public: a refresh token answers a new pair, a new access token (never the same as an earlier one) ' +
        'and a new refresh token; the one sent is used up. Sending a used one again revokes every token of that ' +
        'sign-in, refresh and access tokens alike, on every instance at once (401 `refresh_token_reused`: it was ' +
        'copied; any route then refuses those access tokens with 401); the user\'s other sign-ins go on. An unknown, ' +
        'expired or revoked one (a logout or a password change since) is 401 `refresh_token_invalid`.',
      body: RefreshBodySchema,
      response: { 200: SessionSchema, ...errors('refresh_token_invalid', 'refresh_token_reused', 'rate_limited') }
    }
  }, async (request) => session(await tokens.refresh(request.body.refreshToken)))

  app.post('/mfa/setup', {
    onRequest: signedIn,
    schema: {
      operationId: 'setupMfa',
      summary: 'Start enrolling in two-factor',
      description: 'Any authenticated user: a new TOTP secret and its otpauth URI (show it as a QR code). Nothing ' +
        'changes until POST /auth/mfa/enable confirms it with a code. 409 `mfa_already_enabled`.',
      security: bearer,
      response: { 200: MfaSetupSchema, ...errors('mfa_already_enabled', 'rate_limited') }
    }
  }, async (request) => ({ data: await mfa.setup(request.account) }))

  app.post('/mfa/enable', {
    onRequest: signedIn,
    schema: {
      operationId: 'enableMfa',
      summary: 'Turn two-factor on',
      description: 'Any authenticated user, with a code of the secret from POST /auth/mfa/setup: two-factor is on from ' +
        'the next sign-in. Answers ten recovery codes, shown only now. 409 `mfa_setup_required` without a setup; ' +
        '401 `mfa_code_invalid` for a wrong code.',
      security: bearer,
      body: CodeBodySchema,
      response: { 200: RecoveryCodesSchema, ...errors('mfa_code_invalid', 'mfa_already_enabled', 'mfa_setup_required', 'rate_limited') }
    }
  }, async (request) => ({ data: await mfa.enable(request.account, request.body.code) }))

  app.post('/mfa/disable', {
    onRequest: signedIn,
    schema: {
      operationId: 'disableMfa',
      summary: 'Turn two-factor off',
      description: 'Any authenticated user with two-factor on (409 `mfa_not_enabled`), with a current code or a recovery ' +
        'code (401 `mfa_code_invalid`).',
      security: bearer,
      body: CodeBodySchema,
      response: { 204: Type.Null({ description: 'Two-factor is off' }), ...errors('mfa_code_invalid', 'mfa_not_enabled', 'rate_limited') }
    }
  }, async (request, reply) => {
    await mfa.disable(request.account, request.body.code)
    return reply.code(204).send(null)
  })

  app.post('/email/verification', {
    onRequest: signedIn,
    schema: {
      operationId: 'requestEmailVerification',
      summary: 'Send the verification email again',
      description: 'Any authenticated user whose email is not verified yet (409 `email_already_verified`): a new link and ' +
        'code are sent (the older ones still work until they expire).',
      security: bearer,
      response: { 202: Type.Null({ description: 'Queued for sending' }), ...errors('email_already_verified', 'rate_limited') }
    }
  }, async (request, reply) => {
    await recovery.requestVerification(request.account)
    return reply.code(202).send(null)
  })

  app.post('/email/verify', {
    onRequest: perIp,
    schema: {
      operationId: 'verifyEmail',
      summary: 'Verify an email with the link\'s token',
      description: 'Public: the token of the link in the verification email (valid 24 hours, once). 400 ' +
        '`account_token_invalid` (wrong or used) or `account_token_expired`.',
      body: VerifyEmailBodySchema,
      response: { 204: Type.Null({ description: 'Verified' }), ...errors('account_token_invalid', 'account_token_expired', 'rate_limited') }
    }
  }, async (request, reply) => {
    await recovery.verifyEmail(request.body.token)
    return reply.code(204).send(null)
  })

  app.post('/email/verify-code', {
    onRequest: signedIn,
    schema: {
      operationId: 'verifyEmailCode',
      summary: 'Verify my email with the code',
      description: 'Any authenticated user: the 6-digit code of their latest verification email (valid 24 hours, once; ' +
        'after 5 wrong codes ask for a new email). 400 `account_token_invalid` or `account_token_expired`.',
      security: bearer,
      body: VerifyCodeBodySchema,
      response: {
        204: Type.Null({ description: 'Verified' }),
        ...errors('account_token_invalid', 'account_token_expired', 'email_already_verified', 'rate_limited')
      }
    }
  }, async (request, reply) => {
    await recovery.verifyEmailCode(request.account, request.body.code)
    return reply.code(204).send(null)
  })

  app.post('/password/forgot', {
    onRequest: perIp,
    preValidation: normaliseEmail,
    preHandler: perEmail,
    schema: {
      operationId: 'forgotPassword',
      summary: 'Email me a link to reset my password',
      description: 'Public. Always 202, doing the same work whether or not an account has this email (no enumeration): ' +
        'if one does, it gets a link valid 30 minutes, once.',
      body: ForgotBodySchema,
      response: { 202: Type.Null({ description: 'If the account exists, the email is on its way' }), ...errors('rate_limited') }
    }
  }, async (request, reply) => {
    await recovery.forgotPassword(request.body.email)
    return reply.code(202).send(null)
  })

  app.post('/password/reset', {
    onRequest: perIp,
    schema: {
      operationId: 'resetPassword',
      summary: 'Choose a new password with the link\'s token',
      description: 'Public: the token of the reset link and the new password. Signs the account out everywhere (every ' +
        'access and refresh token is refused); log in with the new password. 400 `account_token_invalid` (wrong or ' +
        'used) or `account_token_expired` (after 30 minutes).',
      body: ResetBodySchema,
      response: { 204: Type.Null({ description: 'Changed' }), ...errors('account_token_invalid', 'account_token_expired', 'rate_limited') }
    }
  }, async (request, reply) => {
    await recovery.resetPassword(request.body.token, request.body.password)
    return reply.code(204).send(null)
  })

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
  }, async (request) => session(await tokens.issue(await accounts.changePassword(request.account, request.body))))
}

export default auth
