import Stripe from 'stripe'
import type { Config } from '../config.js'
import { ApiError } from '../errors.js'

/**
 * The Stripe API version every call is made with, and the one the webhook reads events in: the `stripe` SDK's own
 * (it moves only with the SDK). A webhook endpoint at Stripe must be created with this version (README).
 */
export const STRIPE_API_VERSION = Stripe.API_VERSION

/**
 * Stripe's API client: api.stripe.com, or the Stripe-compatible server at STRIPE_API_URL (the local stack's
 * stripe-mock). Requests time out after 10 s and are retried twice by the SDK (with Stripe's idempotency keys).
 */
export function createStripe (config: Pick<Config, 'STRIPE_SECRET_KEY' | 'STRIPE_API_URL'>): Stripe {
  const url = config.STRIPE_API_URL === undefined ? undefined : new URL(config.STRIPE_API_URL)
  return new Stripe(config.STRIPE_SECRET_KEY, {
    apiVersion: STRIPE_API_VERSION,
    maxNetworkRetries: 2,
    timeout: 10_000,
    appInfo: { name: 'microdrama-api' },
    ...(url === undefined
      ? {}
      : { host: url.hostname, port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)), protocol: url.protocol === 'https:' ? 'https' : 'http' })
  })
}

/**
 * What a failed call to Stripe means for our caller: Stripe unreachable or failing is 503 `payments_unavailable`
 * (try again); a request Stripe refuses (an unknown price) is `refused` when given, else the same 503.
 */
export function stripeFailure (err: unknown, refused?: ApiError): ApiError | unknown {
  if (!(err instanceof Stripe.errors.StripeError)) return err
  if (refused !== undefined && err.type === 'StripeInvalidRequestError') return refused
  return new ApiError('payments_unavailable')
}
