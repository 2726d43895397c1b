import { Type } from '@sinclair/typebox'
import { envelope, ref, ROLES, StringEnum, UserSchema } from '../../src/schemas/common.js'

// Email is trimmed and lowercased before use; the pattern only rejects what cannot be an address.
const Email = Type.String({ format: 'email', maxLength: 254, examples: ['ada@example.com'] })

const NewPassword = Type.String({ minLength: 8, maxLength: 72, description: 'At least 8 characters (bcrypt reads at most 72 bytes)' })

export const RegisterBodySchema = Type.Object({
  email: Email,
  password: NewPassword,
  role: Type.Optional(StringEnum(ROLES, {
    default: 'viewer',
    description: 'viewer or creator; admin cannot be self-registered (403)'
  }))
}, { additionalProperties: false, examples: [{ email: 'ada@example.com', password: 'correct horse battery', role: 'creator' }] })

export const LoginBodySchema = Type.Object({
  email: Email,
  password: Type.String({ minLength: 1, maxLength: 72 })
}, { additionalProperties: false, examples: [{ email: 'ada@example.com', password: 'correct horse battery' }] })

export const ChangePasswordBodySchema = Type.Object({
  currentPassword: Type.String({ minLength: 1, maxLength: 72 }),
  newPassword: NewPassword
}, { additionalProperties: false, examples: [{ currentPassword: 'correct horse battery', newPassword: 'staple battery horse correct' }] })

export const SessionSchema = envelope(Type.Object({
  token: Type.String({ description: 'Bearer token for the Authorization header' }),
  expiresIn: Type.String({ description: 'Lifetime of the token, e.g. 1h' }),
  user: ref(UserSchema)
}, { additionalProperties: false }))

export const MeSchema = envelope(ref(UserSchema))
