import { randomBytes } from 'node:crypto'
import { generateSecret, generateURI, verify } from 'otplib'
import { ApiError } from '../errors.js'
import { event } from '../events.js'
import { createSealer, hashToken, newToken } from '../lib/secrets.js'
import type { Mfa, UserDoc } from '../repositories/users.js'
import type { SignedIn, TokensService } from './tokens.js'
import type { Caller, ServiceDeps } from './types.js'

const CHALLENGE_TTL_MS = 5 * 60_000
const MAX_ATTEMPTS = 5
const RECOVERY_CODES = 10
/** A code of the step before or after the server's is accepted (clocks drift): 30 s each way. */
const TOLERANCE_SEC = 30

const OFF: Mfa = { enabled: false, secret: null, pendingSecret: null, recoveryCodeHashes: [], enabledAt: null }

/** A recovery code: 10 characters from an alphabet without look-alikes, shown as xxxxx-xxxxx. */
function newRecoveryCode (): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'
  const chars = [...randomBytes(10)].map((b) => alphabet[b % alphabet.length]).join('')
  return `${chars.slice(0, 5)}-${chars.slice(5)}`
}
const normaliseRecovery = (code: string) => code.toUpperCase().replace(/[^A-Z0-9]/g, '')

/** What a sign-in answers: the session, or (two-factor on) a challenge that POST /auth/mfa completes with a code. */
export type SignIn =
  | { mfaRequired: false, session: SignedIn }
  | { mfaRequired: true, challenge: string, expiresAt: string }

/**
 * TOTP two-factor (otplib): enrol (a secret, sealed at rest, and its otpauth URI), confirm with a code (ten
 * one-time recovery codes, stored hashed), disable with a code. A sign-in with two-factor on answers a challenge
 * (5 minutes, 5 tries, used once); a code is accepted once (a claim per time step), at ±1 step of clock skew.
 */
export function createMfaService ({ repos, config, events }: ServiceDeps, tokens: Pick<TokensService, 'issue'>) {
  const { users, accountTokens, claims } = repos
  const sealer = createSealer(config.JWT_SECRET, 'totp-secret')

  async function account (caller: Caller): Promise<UserDoc> {
    const user = await users.findById(caller._id)
    if (user === null) throw new ApiError('unauthorized', 'The account no longer exists')
    return user
  }

  /** Whether `code` is the TOTP of `secret` now (±1 step), never accepted twice for the same step. */
  async function totpMatches (user: UserDoc, sealedSecret: string, code: string): Promise<boolean> {
    if (!/^[0-9]{6}$/.test(code)) return false
    const result = await verify({ secret: sealer.open(sealedSecret), token: code, epochTolerance: TOLERANCE_SEC })
    if (!result.valid || !('epoch' in result)) return false
    // The step's start (the same for every code of that step): a code is accepted once.
    return await claims.claim(`totp:${user._id.toHexString()}:${result.epoch}`, new Date(Date.now() + 4 * TOLERANCE_SEC * 1000))
  }

  /** A TOTP code, or one of the user's recovery codes (used up). */
  async function secondFactor (user: UserDoc, code: string): Promise<boolean> {
    const mfa = user.mfa ?? OFF
    if (!mfa.enabled || mfa.secret === null) return false
    if (await totpMatches(user, mfa.secret, code)) return true
    const hash = hashToken(normaliseRecovery(code))
    if (!mfa.recoveryCodeHashes.includes(hash)) return false
    if (!await claims.claim(`recovery:${user._id.toHexString()}:${hash}`, new Date(Date.now() + 3650 * 86_400_000))) return false
    await users.setMfa(user._id, { ...mfa, recoveryCodeHashes: mfa.recoveryCodeHashes.filter((h) => h !== hash) })
    return true
  }

  async function changed (user: UserDoc, enabled: boolean) {
    await events.emit(event('user.mfa_changed', user._id, { type: 'user', id: user._id }, !enabled, enabled))
  }

  return {
    /** Starts enrolment: a new secret (replacing one not confirmed yet); 409 `mfa_already_enabled`. */
    async setup (caller: Caller) {
      const user = await account(caller)
      if (user.mfa?.enabled === true) throw new ApiError('mfa_already_enabled')
      const secret = generateSecret()
      await users.setMfa(user._id, { ...OFF, pendingSecret: sealer.seal(secret) })
      return { secret, otpauthUri: generateURI({ issuer: config.APP_NAME, label: user.email, secret }) }
    },

    /** Confirms enrolment with a code of the new secret: two-factor is on; the recovery codes are shown once. */
    async enable (caller: Caller, code: string) {
      const user = await account(caller)
      const mfa = user.mfa ?? OFF
      if (mfa.enabled) throw new ApiError('mfa_already_enabled')
      if (mfa.pendingSecret === null) throw new ApiError('mfa_setup_required')
      if (!await totpMatches(user, mfa.pendingSecret, code)) throw new ApiError('mfa_code_invalid')
      const recoveryCodes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode)
      await users.setMfa(user._id, {
        enabled: true,
        secret: mfa.pendingSecret,
        pendingSecret: null,
        recoveryCodeHashes: recoveryCodes.map((c) => hashToken(normaliseRecovery(c))),
        enabledAt: new Date()
      })
      await changed(user, true)
      return { recoveryCodes }
    },

    /** Turns two-factor off, with a current code or a recovery code (401 `mfa_code_invalid`). */
    async disable (caller: Caller, code: string): Promise<void> {
      const user = await account(caller)
      if (user.mfa?.enabled !== true) throw new ApiError('mfa_not_enabled')
      if (!await secondFactor(user, code)) throw new ApiError('mfa_code_invalid')
      await users.setMfa(user._id, OFF)
      await changed(user, false)
    },

    /** After the password matched: the session, or a challenge when two-factor is on. */
    async signIn (user: UserDoc): Promise<SignIn> {
      if (user.mfa?.enabled !== true) return { mfaRequired: false, session: await tokens.issue(user) }
      const challenge = newToken()
      const expiresAt = new Date(Date.now() + CHALLENGE_TTL_MS)
      await accountTokens.create({ userId: user._id, purpose: 'mfa_challenge', tokenHash: hashToken(challenge), codeHash: null, expiresAt })
      return { mfaRequired: true, challenge, expiresAt: expiresAt.toISOString() }
    },

    /**
     * Completes a sign-in: the challenge (401 `mfa_challenge_invalid` when unknown, expired, used or tried 5 times)
     * and a code (401 `mfa_code_invalid`).
     */
    async complete (challenge: string, code: string): Promise<SignedIn> {
      const found = await accountTokens.findByHash('mfa_challenge', hashToken(challenge))
      if (found === null || found.expiresAt.getTime() <= Date.now() || found.attempts >= MAX_ATTEMPTS) throw new ApiError('mfa_challenge_invalid')
      const user = await users.findById(found.userId)
      if (user === null) throw new ApiError('mfa_challenge_invalid')
      // The challenge is claimed before the code is checked, so a challenge refused (used, or being used by another
      // request at this moment) spends no TOTP step or recovery code; a wrong code gives the claim back.
      const claim = `token:${found._id.toHexString()}`
      if (!await claims.claim(claim, found.expiresAt)) throw new ApiError('mfa_challenge_invalid')
      if (!await secondFactor(user, code)) {
        await accountTokens.countAttempt(found._id)
        await claims.release(claim)
        throw new ApiError('mfa_code_invalid')
      }
      return await tokens.issue(user)
    }
  }
}

export type MfaService = ReturnType<typeof createMfaService>
