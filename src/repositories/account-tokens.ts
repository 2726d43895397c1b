import type { Db, ObjectId } from 'mongodb'
import { ObjectId as Id } from 'mongodb'

export type AccountTokenPurpose = 'verify_email' | 'reset_password' | 'mfa_challenge'

/** A link or a challenge sent to a user: only its SHA-256 is stored; single use (see the claims repository). */
export interface AccountTokenDoc {
  _id: ObjectId
  userId: ObjectId
  purpose: AccountTokenPurpose
  tokenHash: string
  /** Email verification: the hash of the short code for apps (typed in, not clicked). */
  codeHash: string | null
  /** Wrong codes tried against it: refused after a few. */
  attempts: number
  expiresAt: Date
  createdAt: Date
}

/** A refresh token: rotated on every use; the tokens of one sign-in form a family, revoked together. */
export interface RefreshTokenDoc {
  _id: ObjectId
  userId: ObjectId
  familyId: ObjectId
  tokenHash: string
  /** The user's token version when issued: a logout, a password change or reset refuses it. */
  tokenVersion: number
  expiresAt: Date
  createdAt: Date
  revokedAt: Date | null
}

/** Links, challenges and refresh tokens, stored hashed. */
export function createAccountTokensRepository (db: Db) {
  const tokens = db.collection<AccountTokenDoc>('account_tokens')
  const refresh = db.collection<RefreshTokenDoc>('refresh_tokens')

  return {
    collections: { tokens, refresh },

    async ensureIndexes (): Promise<void> {
      await tokens.createIndex({ tokenHash: 1 }, { unique: true, name: 'tokenHash_unique' })
      await tokens.createIndex({ userId: 1, purpose: 1, createdAt: -1 }, { name: 'user_purpose_createdAt' })
      await tokens.createIndex({ expiresAt: 1 }, { name: 'expiresAt' })
      await refresh.createIndex({ tokenHash: 1 }, { unique: true, name: 'tokenHash_unique' })
      await refresh.createIndex({ familyId: 1 }, { name: 'familyId' })
      await refresh.createIndex({ expiresAt: 1 }, { name: 'expiresAt' })
    },

    async create (input: Pick<AccountTokenDoc, 'userId' | 'purpose' | 'tokenHash' | 'codeHash' | 'expiresAt'>): Promise<AccountTokenDoc> {
      const doc: AccountTokenDoc = { _id: new Id(), ...input, attempts: 0, createdAt: new Date() }
      await tokens.insertOne(doc)
      return doc
    },

    async findByHash (purpose: AccountTokenPurpose, tokenHash: string): Promise<AccountTokenDoc | null> {
      return await tokens.findOne({ tokenHash, purpose })
    },

    /** The user's latest token for this purpose (an email verification code is checked against it). */
    async latest (userId: ObjectId, purpose: AccountTokenPurpose): Promise<AccountTokenDoc | null> {
      return await tokens.findOne({ userId, purpose }, { sort: { createdAt: -1 } })
    },

    /** Counts a wrong code against the token (a bound, not a lock: concurrent wrong codes may count once). */
    async countAttempt (id: ObjectId): Promise<void> {
      await tokens.updateOne({ _id: id }, { $inc: { attempts: 1 } })
    },

    async createRefresh (input: Pick<RefreshTokenDoc, 'userId' | 'familyId' | 'tokenHash' | 'tokenVersion' | 'expiresAt'>) {
      await refresh.insertOne({ _id: new Id(), ...input, createdAt: new Date(), revokedAt: null })
    },

    async findRefresh (tokenHash: string): Promise<RefreshTokenDoc | null> {
      return await refresh.findOne({ tokenHash })
    },

    async revokeFamily (familyId: ObjectId): Promise<void> {
      await refresh.updateMany({ familyId }, { $set: { revokedAt: new Date() } })
    },

    /** Forgets what expired (a job, hourly): links, challenges and refresh tokens past their end. */
    async prune (now = new Date()): Promise<number> {
      const expired = { expiresAt: { $lt: now } }
      const [a, b] = await Promise.all([tokens.deleteMany(expired), refresh.deleteMany(expired)])
      return a.deletedCount + b.deletedCount
    }
  }
}

export type AccountTokensRepository = ReturnType<typeof createAccountTokensRepository>
