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
  expiresIn: Type.String({ description: 'Lifetime of the token, e.g. 15m: renew it with POST /auth/refresh before or after it expires' }),
  refreshToken: Type.String({ description: 'Exchange it once for a new pair with POST /auth/refresh; keep it secret (secure storage)' }),
  refreshExpiresAt: Type.String({ format: 'date-time', description: 'When the refresh token stops working unless used' }),
  user: ref(UserSchema)
}, { additionalProperties: false }))

export const MfaChallengeSchema = envelope(Type.Object({
  mfaRequired: Type.Literal(true),
  challenge: Type.String({ description: 'Send it with a code from the authenticator (or a recovery code) to POST /auth/mfa' }),
  expiresAt: Type.String({ format: 'date-time' })
}, { additionalProperties: false, description: 'Two-factor is on: the password matched; a code completes the sign-in' }))

const Token = Type.String({ minLength: 16, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' })
const Code = Type.String({
  minLength: 6, maxLength: 20, pattern: '^[A-Za-z0-9 -]+$', description: 'A 6-digit code from the authenticator app, or a recovery code'
})

export const RefreshBodySchema = Type.Object({ refreshToken: Token }, { additionalProperties: false, examples: [{ refreshToken: 'kq3Jb0m2Zr8yX1vQw7TtL5nP4sD6fH9gA0cE2iK4mO8' }] })
export const MfaBodySchema = Type.Object({ challenge: Token, code: Code },
  { additionalProperties: false, examples: [{ challenge: 'Zr8yX1vQw7TtL5nP4sD6fH9gA0cE2iK4mO8kq3Jb0m2', code: '123456' }] })
export const CodeBodySchema = Type.Object({ code: Code }, { additionalProperties: false, examples: [{ code: '123456' }] })
export const VerifyEmailBodySchema = Type.Object({ token: Token },
  { additionalProperties: false, examples: [{ token: 'kq3Jb0m2Zr8yX1vQw7TtL5nP4sD6fH9gA0cE2iK4mO8' }] })
export const VerifyCodeBodySchema = Type.Object({ code: Type.String({ minLength: 6, maxLength: 6, pattern: '^[0-9]{6}$' }) },
  { additionalProperties: false, examples: [{ code: '042917' }] })
export const ForgotBodySchema = Type.Object({ email: Email }, { additionalProperties: false, examples: [{ email: 'ada@example.com' }] })
export const ResetBodySchema = Type.Object({ token: Token, password: NewPassword },
  { additionalProperties: false, examples: [{ token: 'kq3Jb0m2Zr8yX1vQw7TtL5nP4sD6fH9gA0cE2iK4mO8', password: 'staple battery horse correct' }] })
export const MfaSetupSchema = envelope(Type.Object({
  secret: Type.String({ description: 'Base32, for authenticators that cannot scan' }),
  otpauthUri: Type.String({ description: 'otpauth://totp/... : show it as a QR code' })
}, { additionalProperties: false }))
export const RecoveryCodesSchema = envelope(Type.Object({
  recoveryCodes: Type.Array(Type.String(), { description: 'Ten codes, each usable once instead of a TOTP code; shown only now' })
}, { additionalProperties: false }))

export const MeSchema = envelope(ref(UserSchema))
