import type { Db, ObjectId } from 'mongodb'
import type { Role, User } from '../schemas/common.js'
import { isDuplicateKeyError } from '../lib/ids.js'

export type SubscriptionStatus = 'none' | 'active' | 'canceled'

export interface UserDoc {
  _id: ObjectId
  email: string
  passwordHash: string
  role: Role
  subscription: { status: SubscriptionStatus, updatedAt: Date | null }
  createdAt: Date
  updatedAt: Date
}

export function toUser (doc: UserDoc): User {
  return {
    id: doc._id.toHexString(),
    email: doc.email,
    role: doc.role,
    subscription: { status: doc.subscription.status, updatedAt: doc.subscription.updatedAt?.toISOString() ?? null },
    createdAt: doc.createdAt.toISOString()
  }
}

export function createUsersRepository (db: Db) {
  const users = db.collection<UserDoc>('users')

  return {
    collection: users,

    async ensureIndexes (): Promise<void> {
      await users.createIndex({ email: 1 }, { unique: true, name: 'email_unique' })
    },

    /** Inserts a new user; null when the email is already taken. */
    async create (input: { email: string, passwordHash: string, role: Role }): Promise<UserDoc | null> {
      const now = new Date()
      const doc = { ...input, subscription: { status: 'none' as const, updatedAt: null }, createdAt: now, updatedAt: now }
      try {
        const { insertedId } = await users.insertOne(doc as UserDoc)
        return { ...doc, _id: insertedId }
      } catch (err) {
        if (isDuplicateKeyError(err)) return null
        throw err
      }
    },

    async findByEmail (email: string): Promise<UserDoc | null> {
      return await users.findOne({ email })
    },

    async findById (id: ObjectId): Promise<UserDoc | null> {
      return await users.findOne({ _id: id })
    },

    /** Sets the subscription status; null for an unknown user. */
    async setSubscription (id: ObjectId, status: SubscriptionStatus): Promise<UserDoc | null> {
      const now = new Date()
      return await users.findOneAndUpdate(
        { _id: id },
        { $set: { 'subscription.status': status, 'subscription.updatedAt': now, updatedAt: now } },
        { returnDocument: 'after' }
      )
    },

    /** active ↔ canceled (none → active), as a conditional update so two toggles at once cannot both apply. */
    async toggleSubscription (id: ObjectId): Promise<UserDoc | null> {
      for (;;) {
        const user = await users.findOne({ _id: id }, { projection: { subscription: 1 } })
        if (user === null) return null
        const current = user.subscription.status
        const now = new Date()
        const updated = await users.findOneAndUpdate(
          { _id: id, 'subscription.status': current },
          { $set: { 'subscription.status': current === 'active' ? 'canceled' : 'active', 'subscription.updatedAt': now, updatedAt: now } },
          { returnDocument: 'after' }
        )
        if (updated !== null) return updated
      }
    },

    /** Creates an admin, or makes an existing user an admin with the given password. */
    async upsertAdmin (email: string, passwordHash: string): Promise<{ user: UserDoc, created: boolean }> {
      const now = new Date()
      const existing = await users.findOneAndUpdate(
        { email },
        { $set: { role: 'admin', passwordHash, updatedAt: now } },
        { returnDocument: 'after' }
      )
      if (existing !== null) return { user: existing, created: false }
      const user = await this.create({ email, passwordHash, role: 'admin' })
      if (user === null) return await this.upsertAdmin(email, passwordHash) // created concurrently: promote it
      return { user, created: true }
    }
  }
}

export type UsersRepository = ReturnType<typeof createUsersRepository>
