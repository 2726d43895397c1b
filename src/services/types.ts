import type { ObjectId } from 'mongodb'
import type { Redis } from 'ioredis'
import type Stripe from 'stripe'
import type { Config } from '../config.js'
import type { Queues } from '../jobs/queues.js'
import type { EventBus } from '../events.js'
import type { Repositories } from '../repositories/index.js'
import type { Session } from '../adapters/sessions.js'
import type { UserDoc } from '../repositories/users.js'
import type { Mailer } from '../adapters/mail.js'
import type { Metrics } from '../adapters/metrics.js'
import type { PageMeta } from '../schemas/common.js'
import type { Storage } from '../adapters/storage.js'

/** What every service is built from: the same in the API, the worker and the bench. */
export interface ServiceDeps {
  repos: Repositories
  storage: Storage
  /** Redis with the deployment's key prefix (REDIS_KEY_PREFIX): commands fail at once while it is down. */
  redis: Redis
  /** The job queues (src/jobs/), for what admins see of them (the bench's ceiling has none). */
  queues?: Queues
  events: EventBus
  /** Signs an access token (the API's auth plugin); absent in the worker, which signs nobody in. */
  signToken?: (user: Pick<UserDoc, '_id' | 'role' | 'tokenVersion'>, signInId?: ObjectId) => string
  /** The process's Prometheus metrics (src/adapters/metrics.ts), where the services record what they do. */
  metrics?: Metrics
  /** Sends email (the worker's; the API queues messages instead). */
  mailer?: Mailer
  /** Stripe's API (src/adapters/stripe.ts): api.stripe.com, or the local stack's stripe-mock. */
  stripe: Stripe
  config: Pick<Config, 'PLAYBACK_URL_TTL' | 'UPLOAD_URL_TTL' | 'MAX_UPLOAD_BYTES' | 'BCRYPT_ROUNDS' | 'READ_CACHE_MS' |
    'FFMPEG_PATH' | 'FFPROBE_PATH' | 'MAX_VIDEO_SECONDS' | 'HLS_SEGMENT_SEC' | 'JWT_SECRET' | 'NODE_ENV' |
    'WEBHOOK_ALLOW_PRIVATE_TARGETS' | 'COIN_PRICE_MIN' | 'COIN_PRICE_MAX' | 'COIN_PRICE_DEFAULT' | 'CHECK_IN_REWARDS' |
    'SUBSCRIPTION_GRACE_HOURS' | 'LANGUAGES' | 'MARKETS' | 'STRIPE_SECRET_KEY' | 'STRIPE_WEBHOOK_SECRET' | 'STRIPE_API_URL' | 'BILLING_RETURN_URL' |
    'JWT_EXPIRES_IN' | 'REFRESH_TOKEN_DAYS' | 'APP_NAME' | 'APP_URL' | 'ADMOB_KEYS_URL' | 'ADMOB_DAILY_REWARDS' |
    'ADMOB_MAX_REWARD_COINS' | 'ADMOB_UNLOCK_HOURS' | 'APPLE_BUNDLE_ID' | 'APPLE_ENVIRONMENT' | 'APPLE_APP_APPLE_ID' | 'APPLE_ROOT_CERTIFICATES' |
    'APPLE_ONLINE_CHECKS' | 'GOOGLE_PLAY_PACKAGE_NAME' | 'GOOGLE_PLAY_CREDENTIALS' | 'GOOGLE_PUBSUB_AUDIENCE' |
    'GOOGLE_PUBSUB_SERVICE_ACCOUNT' | 'GOOGLE_PLAY_API_URL' | 'GOOGLE_OAUTH_TOKEN_URL' | 'GOOGLE_OIDC_CERTS_URL'>
  log: { warn: (obj: object, msg: string) => void }
}

/**
 * Who is calling, as authentication found them (role, subscription): what the rules are decided on; and, from the
 * request, the deployment's language they asked for and the market the CDN placed them in (src/lib/locale.ts).
 */
export type Caller = Session & { language?: string | null, country?: string | null }

/** A page of a list, as the API answers it. */
export interface Page<T> {
  data: T[]
  meta: PageMeta
}
