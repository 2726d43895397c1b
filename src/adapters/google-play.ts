import { readFileSync } from 'node:fs'
import { androidpublisher, type androidpublisher_v3 as v3 } from '@googleapis/androidpublisher'
import { JWT, OAuth2Client } from 'google-auth-library'
import type { Config } from '../config.js'

export type PlayProduct = v3.Schema$ProductPurchase
export type PlaySubscription = v3.Schema$SubscriptionPurchaseV2

/** A failure of Google's API (network, 5xx, its 4xx for an unknown token): `status` when Google answered. */
export class PlayApiError extends Error {
  constructor (readonly status: number | undefined, message: string) { super(message) }
}

export interface GooglePlay {
  packageName: string
  product: (productId: string, token: string) => Promise<PlayProduct>
  subscription: (token: string) => Promise<PlaySubscription>
  consume: (productId: string, token: string) => Promise<void>
  acknowledgeSubscription: (subscriptionId: string, token: string) => Promise<void>
  /** Whether a Pub/Sub push's bearer token is an OIDC token Google signed for our audience and service account. */
  isPush: (bearer: string) => Promise<boolean>
}

type PlayConfig = Pick<Config, 'GOOGLE_PLAY_PACKAGE_NAME' | 'GOOGLE_PLAY_CREDENTIALS' | 'GOOGLE_PUBSUB_AUDIENCE' |
  'GOOGLE_PUBSUB_SERVICE_ACCOUNT' | 'GOOGLE_PLAY_API_URL' | 'GOOGLE_OAUTH_TOKEN_URL' | 'GOOGLE_OIDC_CERTS_URL'>

const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token'

/**
 * Google Play's side, through Google's own libraries: the Play Developer API (`@googleapis/androidpublisher`) as
 * the service account of GOOGLE_PLAY_CREDENTIALS (a JWT exchanged for an access token), and the Pub/Sub push's
 * OIDC token verified with `google-auth-library` against Google's published certificates. Null when
 * GOOGLE_PLAY_PACKAGE_NAME is unset.
 */
export function createGooglePlay (config: PlayConfig): GooglePlay | null {
  const packageName = config.GOOGLE_PLAY_PACKAGE_NAME
  if (packageName === undefined) return null
  const keyFile = config.GOOGLE_PLAY_CREDENTIALS
  const audience = config.GOOGLE_PUBSUB_AUDIENCE
  const pushAccount = config.GOOGLE_PUBSUB_SERVICE_ACCOUNT
  if (keyFile === undefined || audience === undefined || pushAccount === undefined) {
    throw new Error('GOOGLE_PLAY_PACKAGE_NAME is set: set GOOGLE_PLAY_CREDENTIALS, GOOGLE_PUBSUB_AUDIENCE and ' +
      'GOOGLE_PUBSUB_SERVICE_ACCOUNT too')
  }
  const key = JSON.parse(readFileSync(keyFile, 'utf8')) as { client_email: string, private_key: string }
  const scopes = ['https://www.googleapis.com/auth/androidpublisher']
  const auth = new JWT({ email: key.client_email, key: key.private_key, scopes })
  // The token exchange goes to Google's endpoint, unless configured elsewhere (the library names no other).
  if (config.GOOGLE_OAUTH_TOKEN_URL !== GOOGLE_TOKEN_URL) {
    auth.transporter.interceptors.request.add({
      resolved: async (request) => {
        if (String(request.url) === GOOGLE_TOKEN_URL) request.url = new URL(config.GOOGLE_OAUTH_TOKEN_URL)
        return request
      }
    })
  }
  const play = androidpublisher({ version: 'v3', auth, rootUrl: config.GOOGLE_PLAY_API_URL, retry: false })
  const oidc = new OAuth2Client({ endpoints: { oauth2FederatedSignonPemCertsUrl: config.GOOGLE_OIDC_CERTS_URL } })

  const call = async <T>(request: () => Promise<{ data: T }>): Promise<T> => {
    try {
      return (await request()).data
    } catch (err) {
      const status = (err as { status?: number, response?: { status?: number } }).response?.status
      throw new PlayApiError(status, `Google Play's API failed: ${(err as Error).message}`)
    }
  }
  return {
    packageName,
    product: async (productId, token) =>
      await call(async () => await play.purchases.products.get({ packageName, productId, token })),
    subscription: async (token) =>
      await call(async () => await play.purchases.subscriptionsv2.get({ packageName, token })),
    consume: async (productId, token) => {
      await call(async () => await play.purchases.products.consume({ packageName, productId, token }))
    },
    acknowledgeSubscription: async (subscriptionId, token) => {
      await call(async () => await play.purchases.subscriptions.acknowledge({ packageName, subscriptionId, token }))
    },
    async isPush (bearer) {
      try {
        const ticket = await oidc.verifyIdToken({ idToken: bearer, audience })
        const claims = ticket.getPayload()
        return claims?.email === pushAccount && claims.email_verified === true
      } catch {
        return false
      }
    }
  }
}
