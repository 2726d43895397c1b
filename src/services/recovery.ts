import type { ObjectId } from 'mongodb'
import { ApiError } from '../errors.js'
import { emails } from './emails.js'
import { event } from '../events.js'
import { hashPassword } from '../lib/passwords.js'
import { hashToken, newCode, newToken } from '../lib/secrets.js'
import type { AccountTokenDoc, AccountTokenPurpose } from '../repositories/account-tokens.js'
import type { Caller, ServiceDeps } from './types.js'

const VERIFY_TTL_MS = 24 * 3_600_000
const RESET_TTL_MS = 30 * 60_000
/** Wrong codes a verification accepts before it must be asked for again. */
const MAX_ATTEMPTS = 5

/** The hash of an email verification code: bound to its user (codes are short, so never looked up alone). */
const codeHash = (userId: ObjectId, code: string) => hashToken(`${userId.toHexString()}:${code}`)

/**
 * Email verification and password reset. Messages are sent by the worker (the `mail` queue): a request only
 * queues one, so `forgotPassword` does the same work whether or not the account exists. Links and codes are
 * random, stored as hashes, expire, and are used once (a claim).
 */
export function createRecoveryService ({ repos, config, queues, mailer, events, log }: ServiceDeps) {
  const { users, accountTokens, claims } = repos
  // Every account signed up gets the verification message (admins, made by the admin command, need none).
  events.on('user.registered', async (e) => {
    if (e.after !== 'admin') await welcome(e.target.id)
  })

  async function queue (name: 'send-verification' | 'send-password-reset', data: Record<string, string>): Promise<void> {
    if (queues === undefined) throw new Error('no job queues here')
    await queues.mail.add(name, data)
  }

  async function send (to: string, email: ReturnType<typeof emails[keyof typeof emails]>): Promise<void> {
    if (mailer === undefined) throw new Error('mail is sent by the worker')
    await mailer.send(to, email)
  }

  /** A token of `purpose` that may be used now: 400 `account_token_invalid` / `account_token_expired` otherwise. */
  function usable (found: AccountTokenDoc | null): AccountTokenDoc {
    if (found === null || found.attempts >= MAX_ATTEMPTS) throw new ApiError('account_token_invalid')
    if (found.expiresAt.getTime() <= Date.now()) throw new ApiError('account_token_expired')
    return found
  }

  /** Uses a token once (400 `account_token_invalid` for the second use). */
  async function use (found: AccountTokenDoc): Promise<void> {
    if (!await claims.claim(`token:${found._id.toHexString()}`, found.expiresAt)) throw new ApiError('account_token_invalid')
  }

  const byHash = async (purpose: AccountTokenPurpose, token: string) =>
    await accountTokens.findByHash(purpose, hashToken(token))

  /** After sign-up: the verification message is queued (a failure to queue is logged; the user may ask again). */
  async function welcome (userId: ObjectId): Promise<void> {
    await queue('send-verification', { userId: userId.toHexString() }).catch((err: unknown) =>
      log.warn({ err, userId: userId.toHexString() }, 'could not queue the verification email'))
  }

  async function verified (userId: ObjectId) {
    const user = await users.verifyEmail(userId)
    if (user !== null) await events.emit(event('user.email_verified', userId, { type: 'user', id: userId }, false, true))
  }

  return {
    /** Sends the verification message again (409 `email_already_verified` when there is nothing to verify). */
    async requestVerification (caller: Caller): Promise<void> {
      if (caller.emailVerified === true) throw new ApiError('email_already_verified')
      await queue('send-verification', { userId: caller._id.toHexString() })
    },

    /** The job: a new link and code, mailed (nothing for an account gone or verified since). */
    async sendVerification (userId: ObjectId): Promise<{ sent: boolean }> {
      const user = await users.findById(userId)
      if (user === null || user.emailVerified === true) return { sent: false }
      const [token, code] = [newToken(), newCode()]
      await accountTokens.create({
        userId, purpose: 'verify_email', tokenHash: hashToken(token), codeHash: codeHash(userId, code), expiresAt: new Date(Date.now() + VERIFY_TTL_MS)
      })
      await send(user.email, emails.verifyEmail(config, { token, code }))
      return { sent: true }
    },

    /** From the link: the token's account is verified. */
    async verifyEmail (token: string): Promise<void> {
      const found = usable(await byHash('verify_email', token))
      await use(found)
      await verified(found.userId)
    },

    /** From the app: the code of the caller's latest verification message. */
    async verifyEmailCode (caller: Caller, code: string): Promise<void> {
      if (caller.emailVerified === true) throw new ApiError('email_already_verified')
      const found = usable(await accountTokens.latest(caller._id, 'verify_email'))
      if (found.codeHash !== codeHash(caller._id, code)) {
        await accountTokens.countAttempt(found._id)
        throw new ApiError('account_token_invalid', 'The code is wrong, or was replaced by a newer one; after 5 wrong codes ask for a new one')
      }
      await use(found)
      await verified(caller._id)
    },

    /** Always the same work, whether or not an account has this email: one job queued. */
    async forgotPassword (email: string): Promise<void> {
      await queue('send-password-reset', { email })
    },

    /** The job: a reset link for the account with this email, if there is one. */
    async sendPasswordReset (email: string): Promise<{ sent: boolean }> {
      const user = await users.findByEmail(email)
      if (user === null) return { sent: false }
      const token = newToken()
      await accountTokens.create({
        userId: user._id, purpose: 'reset_password', tokenHash: hashToken(token), codeHash: null, expiresAt: new Date(Date.now() + RESET_TTL_MS)
      })
      await send(user.email, emails.resetPassword(config, { token }))
      return { sent: true }
    },

    /** A new password from a reset link: every session of the account is revoked; the email is proven too. */
    async resetPassword (token: string, password: string): Promise<void> {
      const found = usable(await byHash('reset_password', token))
      await use(found)
      const passwordHash = await hashPassword(password, config.BCRYPT_ROUNDS)
      const user = await users.revokeTokens(found.userId, { passwordHash, emailVerified: true })
      if (user !== null) {
        await events.emit(event('user.sessions_revoked', user._id, { type: 'user', id: user._id }, user.tokenVersion - 1, user.tokenVersion))
      }
    }
  }
}

export type RecoveryService = ReturnType<typeof createRecoveryService>
