import { ObjectId } from 'mongodb'
import { ApiError } from '../errors.js'
import { hashToken, newToken } from '../lib/secrets.js'
import type { UserDoc } from '../repositories/users.js'
import type { ServiceDeps } from './types.js'

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const
/** A lifetime as configured ('15m', '1h', ...) in milliseconds. */
const durationMs = (text: string): number => Number.parseInt(text, 10) * UNIT_MS[text.slice(-1) as keyof typeof UNIT_MS]

/** What a sign-in answers: a short-lived access token, the refresh token that renews it, and the user. */
export interface SignedIn {
  token: string
  expiresIn: string
  refreshToken: string
  refreshExpiresAt: string
  user: UserDoc
}

/**
 * Sessions: an access token (a JWT for JWT_EXPIRES_IN) and a refresh token (REFRESH_TOKEN_DAYS), stored hashed.
 * A refresh token is used once: each use answers a new pair of the same family. A used one coming back means a
 * copy is in other hands: the whole family is revoked (the thief's and the user's, refresh and access tokens alike),
 * and the user signs in again; the user's other sign-ins go on.
 * A logout, a password change or reset (the user's token version moves on) refuses every refresh token before it.
 */
export function createTokensService ({ repos, config, signToken, log }: ServiceDeps) {
  const { accountTokens, claims, users } = repos

  async function issue (user: UserDoc, familyId = new ObjectId()): Promise<SignedIn> {
    if (signToken === undefined) throw new Error('tokens are signed by the API only')
    const refreshToken = newToken()
    const expiresAt = new Date(Date.now() + config.REFRESH_TOKEN_DAYS * 86_400_000)
    const { tokenVersion } = user
    const tokenHash = hashToken(refreshToken)
    await accountTokens.createRefresh({ userId: user._id, familyId, tokenHash, tokenVersion, expiresAt })
    const refreshExpiresAt = expiresAt.toISOString()
    return { token: signToken(user, familyId), expiresIn: config.JWT_EXPIRES_IN, refreshToken, refreshExpiresAt, user }
  }

  return {
    issue,

    /** Forgets expired links, challenges, refresh tokens and the claims that guarded them (a job, hourly). */
    async pruneExpired (): Promise<{ removed: number }> {
      return { removed: await accountTokens.prune() + await claims.prune() }
    },

    /**
     * A new pair for a refresh token (401 `refresh_token_invalid` when unknown, expired, revoked or from before a
     * sign-out; 401 `refresh_token_reused` when it was used already: its family is revoked).
     */
    async refresh (refreshToken: string): Promise<SignedIn> {
      const found = await accountTokens.findRefresh(hashToken(refreshToken))
      if (found === null || found.revokedAt !== null || found.expiresAt.getTime() <= Date.now()) throw new ApiError('refresh_token_invalid')
      const user = await users.findById(found.userId)
      if (user === null || user.tokenVersion !== found.tokenVersion) throw new ApiError('refresh_token_invalid', 'Signed out since: log in again')
      if (!await claims.claim(`refresh:${found._id.toHexString()}`, found.expiresAt)) {
        await accountTokens.revokeFamily(found.familyId)
        // The sign-in's access tokens too: the last of them expires at most JWT_EXPIRES_IN from now.
        await users.revokeSignIn(user._id, found.familyId, new Date(Date.now() + durationMs(config.JWT_EXPIRES_IN)))
        log.warn({ userId: user._id.toHexString(), familyId: found.familyId.toHexString() }, 'a used refresh token came back: its family is revoked')
        throw new ApiError('refresh_token_reused')
      }
      return await issue(user, found.familyId)
    }
  }
}

export type TokensService = ReturnType<typeof createTokensService>
