import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { Type, type Static, type TObject } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

const Bool = Type.Union([Type.Literal('true'), Type.Literal('false')], { default: 'false' })

/** Every environment variable the service reads. `.env.example` and the README's table list the same ones. */
export const ConfigSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('test'), Type.Literal('production')], { default: 'development' }),
  HOST: Type.String({ default: '127.0.0.1' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
  // Whether the API and the worker build the collections' indexes as they start (idempotent, quick once built).
  // false where a release runs `node dist/src/migrate.js` first (the Helm chart's hook Job).
  INDEXES_AT_STARTUP: Type.Union([Type.Literal('true'), Type.Literal('false')], { default: 'true' }),
  MONGODB_URI: Type.String({ pattern: '^mongodb(\\+srv)?://', description: 'must name the database, e.g. mongodb://host:27017/microdrama' }),
  // The longest a database operation may take before the request is answered 503 (a stalled database).
  DB_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 120_000, default: 2000 }),
  // Redis: rate limits, sessions, the read cache and the job queues, shared by every instance and worker.
  REDIS_URL: Type.String({ pattern: '^rediss?://', description: 'redis://[user:password@]host:port[/db], or rediss:// for TLS' }),
  // Every key this deployment writes starts with it (several deployments, or test runs, can share one Redis).
  REDIS_KEY_PREFIX: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,40}:$', default: 'microdrama:' }),
  JWT_SECRET: Type.String({ minLength: 32 }),
  // Access tokens are short-lived; a refresh token (POST /auth/refresh, rotated on every use) lasts REFRESH_TOKEN_DAYS.
  JWT_EXPIRES_IN: Type.String({ pattern: '^[1-9][0-9]*[smhd]$', default: '15m' }),
  REFRESH_TOKEN_DAYS: Type.Integer({ minimum: 1, maximum: 365, default: 30 }),
  // Admin routes refuse an admin without two-factor: in production only (the default), always, or never.
  ADMIN_MFA: Type.Union([Type.Literal('production'), Type.Literal('always'), Type.Literal('never')], { default: 'production' }),
  JWT_ISSUER: Type.String({ minLength: 1, default: 'microdrama-api' }),
  JWT_AUDIENCE: Type.String({ minLength: 1, default: 'microdrama-app' }),
  BCRYPT_ROUNDS: Type.Integer({ minimum: 4, maximum: 15, default: 12 }),
  CORS_ORIGINS: Type.String({ default: '*' }),
  AWS_REGION: Type.String({ minLength: 1 }),
  AWS_S3_BUCKET: Type.String({ minLength: 3 }),
  AWS_ACCESS_KEY_ID: Type.Optional(Type.String({ minLength: 1 })),
  AWS_SECRET_ACCESS_KEY: Type.Optional(Type.String({ minLength: 1 })),
  AWS_SESSION_TOKEN: Type.Optional(Type.String({ minLength: 1 })),
  S3_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://' })),
  S3_FORCE_PATH_STYLE: Type.Optional(Bool),
  // The S3 endpoint in presigned URLs, when clients reach the store by another address than the API (compose).
  S3_PUBLIC_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://' })),
  MAX_UPLOAD_BYTES: Type.Integer({ minimum: 1, default: 524_288_000 }),
  UPLOAD_URL_TTL: Type.Integer({ minimum: 60, maximum: 3600, default: 900 }),
  PLAYBACK_URL_TTL: Type.Integer({ minimum: 60, maximum: 3600, default: 600 }),
  TRUST_PROXY: Bool, // set when behind a load balancer, so client IPs come from X-Forwarded-For
  RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 300 }),
  AUTH_RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 10 }),
  MAX_EVENT_LOOP_DELAY_MS: Type.Integer({ minimum: 0, default: 1000 }),
  MAX_HEAP_USED_BYTES: Type.Integer({ minimum: 0, default: 0 }),
  // How long a caller's session (role, token version, subscription) is kept in Redis between requests. Changes
  // made through the API (logout, password, role, subscription) drop it at once on every instance; this bounds
  // only changes made to the database directly. 0: read the database on every request.
  SESSION_CACHE_MS: Type.Integer({ minimum: 0, maximum: 300_000, default: 5000 }),
  // How often the worker counts the plays buffered in Redis into the series' views and trending scores.
  VIEWS_FLUSH_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 5000 }),
  // How long the shared read cache keeps published content (catalogue pages and totals, genres, series, their
  // episodes). Changes through the API drop what they touch at once; this bounds view counts and trending order,
  // and changes made to the database directly. 0: no cache.
  READ_CACHE_MS: Type.Integer({ minimum: 0, maximum: 3_600_000, default: 30_000 }),
  // A job whose worker died (its lock not renewed for this long) is handed to another worker within about twice this.
  JOB_LOCK_MS: Type.Integer({ minimum: 500, maximum: 600_000, default: 30_000 }),
  // Outbound webhooks: targets on loopback or private networks are refused (SSRF) unless this is set, and never
  // in production; a delivery is tried WEBHOOK_ATTEMPTS times, the first retry after WEBHOOK_RETRY_BASE_MS and each
  // next one twice as long (12 attempts from 20 s: about a day).
  WEBHOOK_ALLOW_PRIVATE_TARGETS: Bool,
  WEBHOOK_RETRY_BASE_MS: Type.Integer({ minimum: 10, maximum: 600_000, default: 20_000 }),
  WEBHOOK_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 20, default: 12 }),
  // Email: the SMTP server (smtp:// or smtps://, with user:password@ when it needs them), the sender, and the
  // product name and the app's address used in messages (links to verify an email or reset a password).
  SMTP_URL: Type.String({ pattern: '^smtps?://', description: 'smtp://[user:password@]host:port, or smtps:// for TLS' }),
  MAIL_FROM: Type.String({ minLength: 3, default: 'Microdrama <no-reply@localhost>' }),
  APP_NAME: Type.String({ minLength: 1, maxLength: 60, default: 'Microdrama' }),
  APP_URL: Type.String({ pattern: '^https?://', default: 'http://localhost:3000/app' }),
  // Prometheus metrics on a port of their own (never the API's), each process (API, worker) its own; unset: none.
  // With METRICS_TOKEN a scrape must send it as a bearer token.
  METRICS_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  METRICS_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
  // Stripe (payments): the secret key and the webhook endpoint's signing secret from the Stripe dashboard.
  // STRIPE_API_URL only for a Stripe-compatible server other than api.stripe.com (the local stack's stripe-mock).
  STRIPE_SECRET_KEY: Type.String({ pattern: '^(sk|rk)_', description: 'sk_live_..., sk_test_... or a restricted rk_ key' }),
  STRIPE_WEBHOOK_SECRET: Type.String({ pattern: '^whsec_', description: 'the signing secret of POST /billing/webhook' }),
  STRIPE_API_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  // Where Stripe's hosted pages send the buyer back: the app's page (a universal link for a mobile app).
  BILLING_RETURN_URL: Type.String({ pattern: '^https?://', default: 'http://localhost:3000/billing/return' }),
  // Apple App Store (in-app purchases, App Store Server Notifications V2): the app's bundle id (unset: off), the
  // environment its transactions come from, its Apple id (required in Production), Apple's root certificates
  // (comma-separated paths of the .cer files from https://www.apple.com/certificateauthority/), and whether the
  // verifier checks certificate revocation online (OCSP, at Apple).
  APPLE_BUNDLE_ID: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  APPLE_ENVIRONMENT: Type.Union([Type.Literal('Production'), Type.Literal('Sandbox')], { default: 'Production' }),
  APPLE_APP_APPLE_ID: Type.Optional(Type.Integer({ minimum: 1 })),
  APPLE_ROOT_CERTIFICATES: Type.Optional(Type.String({ minLength: 1 })),
  APPLE_ONLINE_CHECKS: Type.Union([Type.Literal('true'), Type.Literal('false')], { default: 'true' }),
  // Google Play (in-app purchases, real-time developer notifications): the app's package name (unset: off), the
  // service account's JSON key file with access to the Play Developer API, and the Pub/Sub push subscription's
  // audience and service account (its OIDC tokens are verified). The URLs only for servers other than Google's.
  GOOGLE_PLAY_PACKAGE_NAME: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  GOOGLE_PLAY_CREDENTIALS: Type.Optional(Type.String({ minLength: 1 })),
  GOOGLE_PUBSUB_AUDIENCE: Type.Optional(Type.String({ minLength: 1 })),
  GOOGLE_PUBSUB_SERVICE_ACCOUNT: Type.Optional(Type.String({ minLength: 3 })),
  GOOGLE_PLAY_API_URL: Type.String({ pattern: '^https?://', default: 'https://androidpublisher.googleapis.com/' }),
  GOOGLE_OAUTH_TOKEN_URL: Type.String({ pattern: '^https?://', default: 'https://oauth2.googleapis.com/token' }),
  GOOGLE_OIDC_CERTS_URL: Type.String({ pattern: '^https?://', default: 'https://www.googleapis.com/oauth2/v1/certs' }),
  // Rewarded ads (AdMob server-side verification, GET /billing/ads/reward): the URL of Google's verifier keys
  // (https://www.gstatic.com/admob/reward/verifier-keys.json); unset: off. The rewards a viewer may have per UTC
  // day, and the most coins one reward may give (the ad unit's reward amount, signed by Google, above it is refused).
  ADMOB_KEYS_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  ADMOB_DAILY_REWARDS: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
  ADMOB_MAX_REWARD_COINS: Type.Integer({ minimum: 1, maximum: 10_000, default: 100 }),
  // How long an episode unlocked by a rewarded ad (custom_data `episode:<id>`) plays.
  ADMOB_UNLOCK_HOURS: Type.Integer({ minimum: 1, maximum: 720, default: 24 }),
  // How long a subscription whose renewal failed (past_due) still plays, after its period ended.
  SUBSCRIPTION_GRACE_HOURS: Type.Integer({ minimum: 0, maximum: 720, default: 72 }),
  // Coins a daily check-in gives, by day of the streak (the last one repeats): comma-separated.
  CHECK_IN_REWARDS: Type.String({ pattern: '^[0-9]{1,4}(,[0-9]{1,4}){0,29}$', default: '10,10,15,15,20,20,40' }),
  // What a series' episode may cost to unlock, in coins (its creator chooses within these bounds).
  COIN_PRICE_MIN: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
  COIN_PRICE_MAX: Type.Integer({ minimum: 1, maximum: 100_000, default: 500 }),
  COIN_PRICE_DEFAULT: Type.Integer({ minimum: 1, maximum: 100_000, default: 50 }),
  // The languages the catalogue is offered in (BCP 47, comma-separated, the first is a new series' original by
  // default): titles, descriptions and subtitles may be added in these; viewers are answered in one of them.
  LANGUAGES: Type.String({ pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*(,[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*){0,49}$', default: 'en' }),
  // The countries the deployment sells in (ISO 3166-1 alpha-2, comma-separated): a series may price its episodes
  // per market. The viewer's country is read from COUNTRY_HEADER, set by the CDN or load balancer in front (e.g.
  // cloudfront-viewer-country, cf-ipcountry); unset: every viewer pays the series' one price.
  MARKETS: Type.String({ pattern: '^([A-Z]{2}(,[A-Z]{2}){0,249})?$', default: '' }),
  COUNTRY_HEADER: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{1,64}$' })),
  // The media pipeline (the worker): Debian's ffmpeg package, or these paths.
  FFMPEG_PATH: Type.String({ minLength: 1, default: 'ffmpeg' }),
  FFPROBE_PATH: Type.String({ minLength: 1, default: 'ffprobe' }),
  // The longest video accepted, in seconds (micro-drama episodes last a few minutes).
  MAX_VIDEO_SECONDS: Type.Integer({ minimum: 1, maximum: 21_600, default: 900 }),
  // The length of an HLS segment: every rendition has a keyframe at each boundary.
  HLS_SEGMENT_SEC: Type.Integer({ minimum: 2, maximum: 6, default: 4 })
})

export type Config = Static<typeof ConfigSchema>

/**
 * Reads the configuration from an environment. Throws one error naming every missing or invalid
 * variable, so a misconfigured deployment fails at start-up with the whole list.
 */
export function loadConfig (env?: Record<string, string | undefined>): Config
export function loadConfig<T extends TObject> (env: Record<string, string | undefined>, schema: T): Static<T>
export function loadConfig (
  env: Record<string, string | undefined> = process.env, schema: TObject = ConfigSchema
): unknown {
  const known = Object.keys(schema.properties)
  const raw = Object.fromEntries(known.filter((k) => env[k] !== undefined && env[k] !== '').map((k) => [k, env[k]]))
  const value = Value.Convert(schema, Value.Default(schema, raw)) as Partial<Config>
  const problems = [...Value.Errors(schema, value)].map((e) => {
    const name = e.path.slice(1)
    return raw[name] === undefined ? `${name} is required` : `${name} ${e.message.toLowerCase()}`
  })
  if (value.NODE_ENV === 'production' && value.BCRYPT_ROUNDS !== undefined && value.BCRYPT_ROUNDS < 10) {
    problems.push('BCRYPT_ROUNDS must be at least 10 in production')
  }
  const { COIN_PRICE_MIN: min, COIN_PRICE_MAX: max, COIN_PRICE_DEFAULT: price } = value
  if (min !== undefined && max !== undefined && price !== undefined && !(min <= price && price <= max)) {
    problems.push('COIN_PRICE_DEFAULT must be between COIN_PRICE_MIN and COIN_PRICE_MAX')
  }
  const languages = value.LANGUAGES?.split(',') ?? []
  if (languages.some((tag) => { try { return Intl.getCanonicalLocales(tag)[0] !== tag } catch { return true } })) {
    problems.push('LANGUAGES must list canonical BCP 47 tags (e.g. en,es,pt-BR)')
  }
  if (problems.length > 0) {
    throw new Error(`Invalid configuration:\n  - ${[...new Set(problems)].join('\n  - ')}`)
  }
  return value
}

/** The configuration of a process that cannot start without it: on a problem, the list and exit code 1. */
export function loadConfigOrExit (): Config {
  try {
    return loadConfig()
  } catch (err) {
    console.error((err as Error).message)
    process.exit(1)
  }
}

/** The version in package.json: found from src/ when run with tsx, and from dist/src/ when built. */
export function packageVersion (from = import.meta.dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json')
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`)
  }
}
