/**
 * The error catalogue: every machine-readable `code` the API can answer, once, with its HTTP status and
 * default message. Services throw `new ApiError(code)` (or with a message naming the case); the error
 * handler (plugins/errors.ts) answers `{ error: { message, status, code } }`; the contract's
 * ErrorResponse.code enum and each operation's documented codes come from here (src/schemas/common.ts).
 */
export const errorCatalogue = {
  // 400
  bad_request: { status: 400, message: 'The request is malformed' },
  validation_failed: { status: 400, message: 'The request does not match the schema' },
  invalid_cursor: { status: 400, message: 'The cursor is not valid here: pass meta.nextCursor from the previous page, with the same sort' },
  upload_too_large: { status: 400, message: 'sizeBytes is over the limit' },
  account_token_invalid: { status: 400, message: 'The link or code is not valid (wrong, or already used): ask for a new one' },
  account_token_expired: { status: 400, message: 'The link or code has expired: ask for a new one' },
  // 401
  unauthorized: { status: 401, message: 'Missing or invalid bearer token' },
  token_expired: { status: 401, message: 'The token has expired; log in again' },
  token_revoked: { status: 401, message: 'The token was revoked; log in again' },
  invalid_credentials: { status: 401, message: 'Wrong email or password' },
  refresh_token_invalid: { status: 401, message: 'The refresh token is not valid (unknown, expired or revoked): log in again' },
  refresh_token_reused: { status: 401, message: 'This refresh token was already used: every session of this sign-in is revoked; log in again' },
  mfa_challenge_invalid: { status: 401, message: 'The sign-in challenge is not valid (unknown, expired, used or tried too often): log in again' },
  mfa_code_invalid: { status: 401, message: 'The two-factor code is wrong, was used already, or is out of date' },
  // 403
  forbidden: { status: 403, message: 'Your role may not do this' },
  admin_signup_forbidden: { status: 403, message: 'Admin accounts cannot be self-registered' },
  forbidden_key: { status: 403, message: 'This key was not issued to you' },
  email_not_verified: { status: 403, message: 'Verify your email first: follow the link we sent, or POST /auth/email/verify-code' },
  mfa_enrollment_required: { status: 403, message: 'Admins need two-factor: enrol with POST /auth/mfa/setup, then sign in again' },
  video_not_yours: { status: 403, message: 'videoId is not one of your videos' },
  video_not_found: { status: 404, message: 'Video not found' },
  upload_not_found: { status: 404, message: 'Upload not found' },
  webhook_not_found: { status: 404, message: 'Webhook endpoint not found' },
  delivery_not_found: { status: 404, message: 'Delivery not found' },
  webhook_url_not_allowed: { status: 422, message: 'This URL cannot receive webhooks' },
  upload_not_open: { status: 409, message: 'This upload was already completed or aborted' },
  upload_parts_invalid: { status: 422, message: 'The parts do not make up the upload: send every part\'s number and ETag, as uploaded' },
  stream_not_found: { status: 404, message: 'No such stream' },
  playback_token_invalid: { status: 401, message: 'The playback token is not valid for this episode' },
  playback_token_expired: { status: 401, message: 'The playback token has expired: ask GET /video/play/{episodeId} for a new one' },
  subscription_required: { status: 403, message: 'This episode is locked: its series plays with a VIP subscription only' },
  episode_locked: {
    status: 403,
    message: 'This episode is locked: unlock it with coins (POST /content/episodes/{episodeId}/unlock) or subscribe to VIP'
  },
  // 402
  insufficient_coins: { status: 402, message: 'Not enough coins: buy a coin pack (GET /billing/offers)' },
  // 404
  not_found: { status: 404, message: 'Route not found' },
  series_not_found: { status: 404, message: 'Series not found' },
  episode_not_found: { status: 404, message: 'Episode not found' },
  user_not_found: { status: 404, message: 'User not found' },
  upload_missing: { status: 404, message: 'No uploaded file at this key' },
  no_next_episode: { status: 404, message: 'This is the last episode so far' },
  cover_not_found: { status: 404, message: 'No cover for this series' },
  job_not_found: { status: 404, message: 'No such job in this queue' },
  offer_not_found: { status: 404, message: 'No such offer on sale' },
  subtitle_not_found: { status: 404, message: 'This episode has no subtitles in this language' },
  translation_not_found: { status: 404, message: 'No translation in this language' },
  no_billing_account: { status: 404, message: 'You have not paid for anything yet: there is no billing account to manage' },
  // 405
  method_not_allowed: { status: 405, message: 'Method not allowed' },
  // 409
  email_taken: { status: 409, message: 'An account with this email already exists' },
  video_exists: { status: 409, message: 'This upload is already saved as a video' },
  video_not_ready: { status: 409, message: 'The video is not ready yet (still processing, or processing failed)' },
  episode_number_taken: { status: 409, message: 'This episode number already exists in this series' },
  episode_published: { status: 409, message: 'A published episode keeps its video; ask an admin to take it down first' },
  not_pending: { status: 409, message: 'It is not pending' },
  wrong_status: { status: 409, message: 'Not possible in its current status' },
  job_not_failed: { status: 409, message: 'Only a failed job can be retried' },
  email_already_verified: { status: 409, message: 'This email is already verified' },
  mfa_already_enabled: { status: 409, message: 'Two-factor is already on: disable it first to enrol again' },
  mfa_not_enabled: { status: 409, message: 'Two-factor is not on' },
  mfa_setup_required: { status: 409, message: 'Start with POST /auth/mfa/setup, then confirm with a code from the authenticator' },
  already_subscribed: { status: 409, message: 'You already have a VIP subscription: manage it with POST /billing/portal' },
  already_checked_in: { status: 409, message: 'Already checked in today (UTC): come back tomorrow' },
  episode_not_locked: { status: 409, message: 'This episode is not locked for you: nothing to unlock' },
  not_for_coins: { status: 409, message: 'This series is not sold for coins: subscribe to VIP to watch it' },
  price_taken: { status: 409, message: 'Another offer already sells this Stripe price' },
  idempotency_key_reused: { status: 422, message: 'This Idempotency-Key was used for another request: use a new key for each new request' },
  coin_price_out_of_bounds: { status: 422, message: 'coinPrice is outside the platform\'s bounds' },
  price_not_usable: { status: 422, message: 'The Stripe price does not fit this offer (unknown, not recurring for a plan, or recurring for a pack)' },
  track_not_found: { status: 422, message: 'The episode offers no subtitles or audio in this language' },
  language_not_supported: { status: 422, message: 'This language is not one the deployment offers' },
  language_is_original: { status: 422, message: 'This is its original language: edit its own title and description instead' },
  market_not_supported: { status: 422, message: 'This country is not one of the deployment\'s markets' },
  subtitle_invalid: { status: 422, message: 'The subtitles are not valid WebVTT or SRT' },
  balance_too_low: { status: 422, message: 'Revoking this many coins would take the balance below zero' },
  // 413, 415, 422, 429
  payload_too_large: { status: 413, message: 'The request body is too large' },
  unsupported_media_type: { status: 415, message: 'Send the body as application/json' },
  unsupported_upload: { status: 422, message: 'The uploaded file is not of an accepted type' },
  rate_limited: { status: 429, message: 'Too many requests' },
  webhook_signature_invalid: { status: 400, message: 'The Stripe-Signature header does not sign this body with our secret, or is too old' },
  store_signature_invalid: { status: 401, message: 'The notification is not signed by the store' },
  store_account_mismatch: { status: 403, message: 'This purchase was started for another account' },
  store_purchase_revoked: { status: 409, message: 'The store refunded or revoked this purchase' },
  store_purchase_pending: { status: 409, message: 'The store has not been paid for this purchase yet; send it again once it is' },
  product_taken: { status: 409, message: 'Another offer is sold by this store product' },
  store_transaction_invalid: { status: 422, message: 'The store did not sign this purchase for this app' },
  store_product_unknown: { status: 422, message: 'No offer is sold by this store product: recorded, nothing credited' },
  ad_signature_invalid: { status: 401, message: 'The reward callback is not signed by one of AdMob\'s keys' },
  ad_reward_duplicate: { status: 409, message: 'This reward\'s transaction was already credited' },
  ad_reward_invalid: { status: 422, message: 'The reward callback names no known user, a reward of no coins, or an unknown purpose' },
  ad_reward_limit: { status: 429, message: 'This viewer has had every rewarded ad allowed today' },
  // 5xx
  internal_error: { status: 500, message: 'Something went wrong on our side' },
  service_unavailable: { status: 503, message: 'The server is overloaded; try again shortly' },
  database_unavailable: { status: 503, message: 'The database is unavailable; try again shortly' },
  storage_unavailable: { status: 503, message: 'Video storage is unavailable; try again shortly' },
  payments_unavailable: { status: 503, message: 'The payment provider is unavailable; try again shortly' },
  provider_not_configured: { status: 503, message: 'This payment provider is not set up on this deployment' },
  not_ready: { status: 503, message: 'Not ready' }
} as const satisfies Record<string, { status: number, message: string }>

export type ErrorCode = keyof typeof errorCatalogue

export const ERROR_CODES = Object.keys(errorCatalogue) as ErrorCode[]

export interface ContractOperation {
  tags?: string[]
  security?: unknown[]
  parameters?: Array<{ name?: string, $ref?: string }>
  requestBody?: unknown
}

/** What decides an operation's shared codes, read off its entry in the contract. */
export function operationTraits (op: ContractOperation) {
  return {
    secured: (op.security?.length ?? 0) > 0,
    input: (op.parameters?.length ?? 0) > 0 || op.requestBody !== undefined,
    body: op.requestBody !== undefined,
    cursor: op.parameters?.some((p) => p.name === 'cursor' || p.$ref === '#/components/parameters/cursor') ?? false,
    admin: op.tags?.includes('admin') ?? false
  }
}

/**
 * Codes an operation answers for what it is rather than what it does, added to its route's own list in the
 * contract (plugins/swagger.ts): any operation (the global rate limit, load shedding, an outage of the
 * database or the bucket, a bug), one behind a bearer token (plugins/auth.ts), one that takes input (the
 * schema), one that takes a body (not JSON, too large, malformed), a list that takes a cursor (one it did not issue),
 * an admin operation (an admin without two-factor, where ADMIN_MFA requires it: routes/admin/autohooks.ts).
 */
export function sharedErrorCodes (traits: ReturnType<typeof operationTraits>): ErrorCode[] {
  const { secured, input, body, cursor, admin } = traits
  return [
    'rate_limited', 'internal_error', 'service_unavailable', 'database_unavailable', 'storage_unavailable',
    ...(secured ? ['unauthorized', 'token_expired', 'token_revoked'] as const : []),
    ...(input ? ['validation_failed'] as const : []),
    ...(body ? ['bad_request', 'payload_too_large', 'unsupported_media_type'] as const : []),
    ...(cursor ? ['invalid_cursor'] as const : []),
    ...(admin ? ['mfa_enrollment_required'] as const : [])
  ]
}

/** An error from the catalogue: its status and code, with the default message or one naming the case. */
export class ApiError extends Error {
  readonly statusCode: number
  readonly code: ErrorCode

  constructor (code: ErrorCode, message: string = errorCatalogue[code].message) {
    super(message)
    this.name = 'ApiError'
    this.code = code
    this.statusCode = errorCatalogue[code].status
  }
}

const GENERIC: Partial<Record<number, ErrorCode>> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'service_unavailable'
}

/** The code for an error that brings only a status (a framework error such as a body over the limit: 413). */
export function codeForStatus (status: number): ErrorCode {
  return GENERIC[status] ?? (status >= 500 ? 'internal_error' : 'bad_request')
}

export const isErrorCode = (code: unknown): code is ErrorCode => typeof code === 'string' && Object.hasOwn(errorCatalogue, code)
