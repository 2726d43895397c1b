import { randomBytes } from 'node:crypto'
import type { Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { loadConfig, type Config } from '../src/config.js'
import { hashPassword } from '../src/lib/passwords.js'
import type { Role, User } from '../src/schemas/common.js'

export const TEST_JWT_SECRET = 'test-secret-that-is-at-least-32-characters-long'

/** A config for the real local stack (started by `npm test`), with a database of its own. */
export function testConfig (overrides: Record<string, string> = {}): Config {
  if (process.env.MONGODB_URI === undefined) {
    throw new Error('MONGODB_URI is not set: run the tests with `npm test`, which starts the local stack')
  }
  const uri = new URL(process.env.MONGODB_URI)
  uri.pathname = `/test_${randomBytes(6).toString('hex')}`
  return loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    JWT_SECRET: TEST_JWT_SECRET,
    BCRYPT_ROUNDS: '4',
    MONGODB_URI: uri.toString(),
    ...overrides
  })
}

/** Builds the real app against the local servers; its database is dropped and the app closed at teardown. */
export async function build (t: Test, overrides: Record<string, string> = {}): Promise<FastifyInstance> {
  const app = await buildApp({ config: testConfig(overrides), logger: false })
  t.teardown(async () => {
    await app.mongo.db!.dropDatabase().catch(() => {})
    await app.close()
  })
  await app.ready()
  return app
}

export interface Account {
  user: User
  token: string
  auth: { authorization: string }
}

let counter = 0
export const uniqueEmail = (role: string): string => `${role}-${process.pid}-${++counter}@example.com`

/** Registers a user through the API (admins are made directly, as the admin command does). */
export async function signUp (app: FastifyInstance, role: Role = 'viewer', email = uniqueEmail(role)): Promise<Account> {
  if (role === 'admin') {
    const { user } = await app.repos.users.upsertAdmin(email, await hashPassword('admin-password', 4))
    const token = app.signToken({ sub: user._id.toHexString(), role: 'admin' })
    const me = await app.inject({ url: '/auth/me', headers: { authorization: `Bearer ${token}` } })
    return { user: me.json().data, token, auth: { authorization: `Bearer ${token}` } }
  }
  const res = await app.inject({ method: 'POST', url: '/auth/register', payload: { email, password: 'password123', role } })
  if (res.statusCode !== 201) throw new Error(`sign-up failed: ${res.statusCode} ${res.body}`)
  const { token, user } = res.json().data
  return { user, token, auth: { authorization: `Bearer ${token}` } }
}
