import { createPublicKey, verify, type KeyObject } from 'node:crypto'

/**
 * AdMob's server-side verification of rewarded ads: the callback's query string is signed by Google (ECDSA P-256,
 * SHA-256, DER, web-safe base64) with a key named by `key_id`, from the key file Google publishes
 * (https://www.gstatic.com/admob/reward/verifier-keys.json: `{ keys: [{ keyId, pem, base64 }] }`). What is signed
 * is the query string, percent-decoded, up to `&signature=`; `signature` and `key_id` are always its last two
 * parameters. Keys are cached for a day and fetched again when a callback names one not known (rotation), at most
 * once a minute.
 */
export interface AdMobVerifier {
  /** The callback's parameters when `rawQuery` (after `?`) is signed by one of Google's keys; null otherwise. */
  verify: (rawQuery: string) => Promise<URLSearchParams | null>
}

const KEEP_MS = 24 * 3600_000
const REFETCH_MS = 60_000

export function createAdMobVerifier (keysUrl: string): AdMobVerifier {
  let keys = new Map<string, KeyObject>()
  let fetchedAt = 0
  let fetching: Promise<void> | null = null

  async function refresh (): Promise<void> {
    const res = await fetch(keysUrl, { signal: AbortSignal.timeout(5000) })
    if (!res.ok) throw new Error(`AdMob's key file answered ${res.status}`)
    const body = await res.json() as { keys?: Array<{ keyId?: number | string, pem?: string }> }
    const next = new Map<string, KeyObject>()
    for (const { keyId, pem } of body.keys ?? []) {
      if (keyId !== undefined && typeof pem === 'string') next.set(String(keyId), createPublicKey(pem))
    }
    keys = next
    fetchedAt = Date.now()
  }

  async function keyFor (id: string): Promise<KeyObject | undefined> {
    const age = Date.now() - fetchedAt
    if (age > KEEP_MS || (!keys.has(id) && age > REFETCH_MS)) {
      fetching ??= refresh().finally(() => { fetching = null })
      await fetching
    }
    return keys.get(id)
  }

  return {
    async verify (rawQuery) {
      const at = rawQuery.indexOf('&signature=')
      if (at <= 0) return null
      const params = new URLSearchParams(rawQuery)
      const signature = params.get('signature')
      const keyId = params.get('key_id')
      if (signature === null || keyId === null || !/^\d{1,20}$/.test(keyId)) return null
      let content: string
      try {
        content = decodeURIComponent(rawQuery.slice(0, at))
      } catch {
        return null
      }
      const key = await keyFor(keyId)
      if (key === undefined) return null
      const valid = verify('sha256', Buffer.from(content), { key, dsaEncoding: 'der' }, Buffer.from(signature, 'base64url'))
      return valid ? params : null
    }
  }
}
