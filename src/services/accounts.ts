import type { ObjectId } from 'mongodb'
import { ApiError } from '../errors.js'
import { event } from '../events.js'
import { hashPassword, verifyPassword } from '../lib/passwords.js'
import type { UserDoc } from '../repositories/users.js'
import type { Role, SubscriptionStatus } from '../schemas/common.js'
import type { PageRequest } from '../schemas/params.js'
import type { Caller, ServiceDeps } from './types.js'
import { toUser } from './views.js'

export interface AccountsDeps {
  repos: Pick<ServiceDeps['repos'], 'users' | 'audit'>
  events: ServiceDeps['events']
  config: Pick<ServiceDeps['config'], 'BCRYPT_ROUNDS'>
}

/** Accounts: sign-up, sign-in, revoking sessions, and the changes admins make to a user (the admin command too). */
export function createAccountsService ({ repos, events, config }: AccountsDeps) {
  const { users, audit } = repos
  const hash = async (password: string) => await hashPassword(password, config.BCRYPT_ROUNDS)

  return {
    /** A viewer or creator account (admins are made by the admin command: 403); a taken email is 409. */
    async register ({ email, password, role = 'viewer' }: { email: string, password: string, role?: Role }): Promise<UserDoc> {
      if (role === 'admin') throw new ApiError('admin_signup_forbidden')
      const user = await users.create({ email, role, passwordHash: await hash(password) })
      if (user === null) throw new ApiError('email_taken')
      await events.emit(event('user.registered', user._id, { type: 'user', id: user._id }, null, user.role, user.createdAt))
      return user
    },

    /** The account, when the password matches; an unknown email takes as long and answers the same 401. */
    async login ({ email, password }: { email: string, password: string }): Promise<UserDoc> {
      const user = await users.findByEmail(email)
      if (!await verifyPassword(password, user?.passwordHash)) throw new ApiError('invalid_credentials')
      return user!
    },

    async me (caller: Caller): Promise<UserDoc> {
      const user = await users.findById(caller._id)
      if (user === null) throw new ApiError('unauthorized', 'The account no longer exists')
      return user
    },

    /** Signs out everywhere: every token issued so far is refused. */
    async logout (caller: Caller): Promise<void> {
      const user = await users.revokeTokens(caller._id)
      if (user !== null) await events.emit(event('user.sessions_revoked', caller._id, { type: 'user', id: user._id }, caller.tokenVersion, user.tokenVersion))
    },

    /** A new password, given the current one (401 otherwise); every older token is refused. */
    async changePassword (caller: Caller, passwords: { currentPassword: string, newPassword: string }) {
      const { currentPassword, newPassword } = passwords
      const current = await users.findById(caller._id)
      if (!await verifyPassword(currentPassword, current?.passwordHash)) throw new ApiError('invalid_credentials', 'The current password is wrong')
      const user = await users.revokeTokens(caller._id, { passwordHash: await hash(newPassword) })
      if (user === null) throw new ApiError('unauthorized', 'The account no longer exists')
      await events.emit(event('user.sessions_revoked', caller._id, { type: 'user', id: user._id }, caller.tokenVersion, user.tokenVersion))
      return user
    },

    /**
     * An admin sets a user's subscription (`status`, idempotent) or toggles it (active ↔ canceled, none → active):
     * an override with no end, until the next change (theirs or Stripe's). Each change claims the subscription's
     * revision in the audit log, so two admins at once apply in turn.
     */
    async setSubscription (admin: Caller, userId: ObjectId, status?: 'active' | 'canceled'): Promise<UserDoc> {
      let change: { from: SubscriptionStatus, to: SubscriptionStatus, at: Date } | undefined
      const user = await users.changeSubscription(userId, (current) => {
        const to = status ?? (current.status === 'active' ? 'canceled' : 'active')
        return { status: to, source: 'admin', entitledUntil: to === 'active' ? null : new Date(0) }
      }, async (from, to, revision) => {
        change = { from: from.status, to: to.status ?? from.status, at: new Date() }
        return await audit.claim({
          actorId: admin._id, action: 'user.subscription', targetType: 'user', targetId: userId, revision, before: change.from, after: change.to, reason: null, at: change.at
        })
      })
      if (user === null) throw new ApiError('user_not_found')
      if (change !== undefined) await events.emit(event('user.subscription_changed', admin._id, { type: 'user', id: userId }, change.from, change.to, change.at))
      return user
    },

    /** Accounts for the console, newest first; `email` (trimmed, lowercased) finds one. */
    async list (filter: { email?: string, role?: Role }, page: PageRequest) {
      const { items, meta } = await users.list({ ...filter, email: filter.email?.trim().toLowerCase() }, page)
      return { data: items.map(toUser), meta }
    },

    /** Creates an admin, or makes an existing user an admin with this password (the admin command). */
    async ensureAdmin (email: string, password: string): Promise<{ user: UserDoc, created: boolean }> {
      const before = await users.findByEmail(email)
      const result = await users.upsertAdmin(email, await hash(password))
      const { user } = result
      if (before?.role !== 'admin') {
        await events.emit(event(result.created ? 'user.registered' : 'user.role_changed', null, { type: 'user', id: user._id }, before?.role ?? null, 'admin'))
      }
      return result
    }
  }
}

export type AccountsService = ReturnType<typeof createAccountsService>
