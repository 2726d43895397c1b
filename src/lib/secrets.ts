import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, randomInt } from 'node:crypto'

/** A random token for a link or a refresh token: 32 bytes, base64url (43 characters). */
export const newToken = (): string => randomBytes(32).toString('base64url')

/** How a token is stored: its SHA-256 (a token is random, so no salt or slow hash is needed). */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex')

/** A short numeric code for people to type (6 digits by default). */
export const newCode = (digits = 6): string => String(randomInt(0, 10 ** digits)).padStart(digits, '0')

/**
 * Seals secrets the server must read back (a TOTP secret) with AES-256-GCM, under a key derived from
 * `masterSecret` (JWT_SECRET) for this purpose only: a copy of the database alone does not reveal them.
 * Changing the master secret makes sealed values unreadable (two-factor enrolments must then be redone).
 */
export function createSealer (masterSecret: string, purpose: string) {
  const key = Buffer.from(hkdfSync('sha256', masterSecret, 'microdrama', purpose, 32))
  return {
    seal (plain: string): string {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.')
    },
    open (sealed: string): string {
      const [iv = '', tag = '', body = ''] = sealed.split('.')
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
      decipher.setAuthTag(Buffer.from(tag, 'base64url'))
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')
    }
  }
}
