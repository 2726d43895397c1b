import type { Db, ObjectId } from 'mongodb'
import type { Role, SubscriptionStatus } from '../schemas/common.js'
import { findPage, insertOrNull } from '../adapters/db.js'
import type { PageRequest } from '../schemas/params.js'
import type { Session, SessionCache } from '../adapters/sessions.js'

export interface UserDoc {
  _id: ObjectId
  email: string
  passwordHash: string
  role: Role
  /** In every token; bumped by logout, a password change or a role change, which revokes older tokens. */
  tokenVersion: number
  subscription: Subscription
  /** Set when the user followed a verification link or typed its code (or reset their password by email). */
  emailVerified?: boolean
  /** TOTP two-factor: the secret sealed (src/lib/secrets.ts), the recovery codes' hashes, each usable once. */
  mfa?: Mfa
  /**
   * Sign-ins ended before their access tokens expire (a reused refresh token): the sign-in's id (its refresh
   * family) → until when its access tokens could still be presented. Pruned as new ones are added.
   */
  revokedSignIns?: Record<string, Date>
  /** Until when a subscription bought in an app store plays (the latest of them); null or absent: none does. */
  storeEntitledUntil?: Date | null
  /** The user's customer at Stripe, made on their first checkout. */
  stripeCustomerId?: string | null
  createdAt: Date
  updatedAt: Date
}

/**
 * What the user's subscription is and who set it last: an admin (no end: an override until changed) or Stripe's
 * events (fields older documents may lack are optional).
 */
export interface Subscription {
  status: SubscriptionStatus
  updatedAt: Date | null
  /** Bumped by every change, each of which claims it in the audit log first (one change wins a race). */
  revision: number
  source?: 'admin' | 'stripe' | null
  /** The VIP plan (an offer) paid for. */
  offerId?: ObjectId | null
  currentPeriodEnd?: Date | null
  /** Until when it plays: the period's end (plus the grace period while past due); null: no end (an admin's). */
  entitledUntil?: Date | null
  stripeSubscriptionId?: string | null
  /** The `created` time (seconds) of the last Stripe event applied: an older one never overwrites it. */
  stripeEventAt?: number | null
  /** Deleted at Stripe: no later event about it revives it. */
  stripeEnded?: boolean
}

export interface Mfa {
  enabled: boolean
  /** Sealed; null until enrolment is confirmed with a code. */
  secret: string | null
  /** Sealed; set by an enrolment not yet confirmed. */
  pendingSecret: string | null
  recoveryCodeHashes: string[]
  enabledAt: Date | null
}

/**
 * `sessions`: where each caller's session is cached between requests (src/adapters/sessions.ts); every change to a user
 * goes through `change()`, which drops the user's cached session before the change is answered.
 */
export function createUsersRepository (db: Db, sessions?: SessionCache) {
  const users = db.collection<UserDoc>('users')
  /** Runs a change to the user `id` (or to the one it returns) and drops that user's cached session. */
  const change = async <T extends { _id: ObjectId } | null>(
    id: ObjectId | undefined, write: () => Promise<T>
  ): Promise<T> => {
    let result: T | null = null
    try {
      result = await write()
      return result
    } finally {
      for (const changedId of new Set([id, result?._id])) if (changedId != null) await sessions?.drop(changedId)
    }
  }

  return {
    collection: users,

    async ensureIndexes (): Promise<void> {
      await users.createIndex({ email: 1 }, { unique: true, name: 'email_unique' })
      await users.createIndex({ stripeCustomerId: 1 }, { name: 'stripe_customer' })
      await users.createIndex({ createdAt: 1 }, { name: 'createdAt' })
    },

    /** Inserts a new user; null when the email is already taken. */
    async create (input: { email: string, passwordHash: string, role: Role }): Promise<UserDoc | null> {
      const now = new Date()
      return await insertOrNull(users, {
        ...input, tokenVersion: 0, subscription: { status: 'none', updatedAt: null, revision: 0 }, createdAt: now, updatedAt: now
      } as UserDoc)
    },

    async findByEmail (email: string): Promise<UserDoc | null> {
      return await users.findOne({ email })
    },

    /** The admins' list of accounts, newest first; `email` finds one exactly (emails are stored lowercased). */
    async list (filter: { email?: string, role?: Role }, page: PageRequest) {
      return await findPage(users, {
        ...(filter.email === undefined ? {} : { email: filter.email }),
        ...(filter.role === undefined ? {} : { role: filter.role })
      }, page)
    },

    async findById (id: ObjectId): Promise<UserDoc | null> {
      return await users.findOne({ _id: id })
    },

    /** What each authenticated request checks: the current role and token version, by _id. */
    async findSession (id: ObjectId): Promise<Session | null> {
      const cached = await sessions?.read(id)
      if (cached?.session != null) return cached.session
      const session = await users.findOne<Session>({ _id: id }, {
        projection: {
          role: 1,
          tokenVersion: 1,
          'subscription.status': 1,
          'subscription.entitledUntil': 1,
          storeEntitledUntil: 1,
          emailVerified: 1,
          'mfa.enabled': 1,
          revokedSignIns: 1
        }
      })
      if (session !== null && cached !== undefined) sessions?.write(id, session, cached.seen)
      return session
    },

    /** Marks the email verified (idempotent); null for an unknown user. */
    async verifyEmail (id: ObjectId): Promise<UserDoc | null> {
      return await change(id, () => users.findOneAndUpdate(
        { _id: id }, { $set: { emailVerified: true, updatedAt: new Date() } }, { returnDocument: 'after' }))
    },

    /** Sets the user's two-factor state (whole); null for an unknown user. */
    async setMfa (id: ObjectId, mfa: Mfa): Promise<UserDoc | null> {
      return await change(id, () => users.findOneAndUpdate({ _id: id }, { $set: { mfa, updatedAt: new Date() } }, { returnDocument: 'after' }))
    },

    /** Revokes every token issued so far; returns the user with the new version. */
    async revokeTokens (id: ObjectId, set: Partial<Pick<UserDoc, 'passwordHash' | 'emailVerified'>> = {}): Promise<UserDoc | null> {
      return await change(id, () => users.findOneAndUpdate(
        { _id: id },
        { $set: { ...set, updatedAt: new Date() }, $inc: { tokenVersion: 1 } },
        { returnDocument: 'after' }
      ))
    },

    /**
     * Ends one sign-in's access tokens (`signInId`: its refresh family) on every instance at once; `until`: when
     * the last of them expires. Ended sign-ins whose tokens have all expired are forgotten.
     */
    async revokeSignIn (id: ObjectId, signInId: ObjectId, until: Date): Promise<void> {
      const user = await users.findOne({ _id: id }, { projection: { revokedSignIns: 1 } })
      if (user === null) return
      const now = Date.now()
      const expired = Object.entries(user.revokedSignIns ?? {}).filter(([, at]) => at.getTime() <= now).map(([k]) => k)
      await change(id, () => users.findOneAndUpdate({ _id: id }, {
        // A field of its own per sign-in: two revocations at once cannot overwrite each other.
        $set: { [`revokedSignIns.${signInId.toHexString()}`]: until },
        ...(expired.length === 0 ? {} : { $unset: Object.fromEntries(expired.map((k) => [`revokedSignIns.${k}`, ''])) })
      }))
    },

    /** Accounts made from `from` (inclusive) to `to` (exclusive): sign-ups per day. */
    async countCreated (from: Date, to: Date): Promise<number> {
      return await users.countDocuments({ createdAt: { $gte: from, $lt: to } })
    },

    async findByStripeCustomer (customerId: string): Promise<UserDoc | null> {
      return await users.findOne({ stripeCustomerId: customerId })
    },

    /** Sets until when the user's app store subscriptions play (their sessions see it at once). */
    async setStoreEntitledUntil (id: ObjectId, until: Date | null): Promise<void> {
      const set = { storeEntitledUntil: until, updatedAt: new Date() }
      await change(id, () => users.findOneAndUpdate({ _id: id }, { $set: set }))
    },

    /** Remembers the user's Stripe customer (the same one every time: it is made with an idempotency key). */
    async setStripeCustomer (id: ObjectId, customerId: string): Promise<void> {
      await users.updateOne({ _id: id }, { $set: { stripeCustomerId: customerId } })
    },

    /**
     * Changes the subscription to `next(current)` (null: no change): `claim` must win the user's current
     * revision first (see the audit repository), so two changes at once (two admins, two Stripe events) apply
     * one after the other, each on the state the other left. Null for an unknown user.
     */
    async changeSubscription (
      id: ObjectId,
      next: (current: Subscription) => Partial<Subscription> | null,
      claim: (from: Subscription, to: Partial<Subscription>, revision: number) => Promise<boolean>
    ): Promise<UserDoc | null> {
      for (;;) {
        const user = await users.findOne({ _id: id })
        if (user === null) return null
        const { revision } = user.subscription
        const to = next(user.subscription)
        if (to === null) return user
        if (!await claim(user.subscription, to, revision)) continue
        const now = new Date()
        const set = Object.fromEntries(Object.entries(to).map(([k, v]) => [`subscription.${k}`, v]))
        const updated = await change(id, () => users.findOneAndUpdate(
          { _id: id, 'subscription.revision': revision },
          { $set: { ...set, 'subscription.updatedAt': now, 'subscription.revision': revision + 1, updatedAt: now } },
          { returnDocument: 'after' }
        ))
        if (updated !== null) return updated
      }
    },

    /** Creates an admin, or makes an existing user an admin with the given password. */
    async upsertAdmin (email: string, passwordHash: string): Promise<{ user: UserDoc, created: boolean }> {
      const now = new Date()
      const existing = await change(undefined, () => users.findOneAndUpdate(
        { email },
        { $set: { role: 'admin', passwordHash, updatedAt: now }, $inc: { tokenVersion: 1 } },
        { returnDocument: 'after' }
      ))
      if (existing !== null) return { user: existing, created: false }
      const user = await this.create({ email, passwordHash, role: 'admin' })
      if (user === null) return await this.upsertAdmin(email, passwordHash) // created concurrently: promote it
      return { user, created: true }
    }
  }
}

export type UsersRepository = ReturnType<typeof createUsersRepository>
