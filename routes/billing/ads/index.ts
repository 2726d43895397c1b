import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { envelope, errors, Nullable, StringEnum } from '../../../src/schemas/common.js'

// Bounded so that the whole query stays within an HTTP request line (AdMob's values are short).
const Param = (description: string, maxLength = 64) => Type.String({ maxLength, description })

const RewardQuerySchema = Type.Object({
  ad_network: Type.Optional(Param('The ad network that served the ad')),
  ad_unit: Type.Optional(Param('The ad unit')),
  custom_data: Type.Optional(Param('The purpose the app set: `coins` (or empty), or `episode:<episodeId>`')),
  reward_amount: Param('Coins, as set on the ad unit'),
  reward_item: Type.Optional(Param('The reward\'s name on the ad unit')),
  timestamp: Type.Optional(Param('When the ad was watched (ms)')),
  transaction_id: Param('AdMob\'s id of this reward: credited once', 128),
  user_id: Param('Our user id, as the app set it (ServerSideVerificationOptions)'),
  signature: Param('ECDSA over the query string before `&signature=`, web-safe base64', 256),
  key_id: Param('The verifier key that signed it')
}, { additionalProperties: false })

/** Rewarded ads (src/services/ads.ts): AdMob calls this, signed with Google's keys; no bearer token. */
const ads: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/reward', {
    schema: {
      operationId: 'receiveAdReward',
      summary: 'AdMob\'s server-side verification callback of a rewarded ad',
      description: 'Called by AdMob only, once a viewer watched a rewarded ad (set this URL as the ad unit\'s server-side ' +
        'verification callback). The query string must be signed by one of Google\'s verifier keys (ADMOB_KEYS_URL, ' +
        'fetched and cached for a day, fetched again for a key id it does not know): 401 `ad_signature_invalid` ' +
        'otherwise. For `custom_data` `coins` (or none), credits `reward_amount` coins (at most ADMOB_MAX_REWARD_COINS) to ' +
        '`user_id`: one ledger entry (`ad_reward`); for `episode:<episodeId>`, unlocks that published episode for ' +
        'ADMOB_UNLOCK_HOURS (its access reads `unlocked` meanwhile). Once per `transaction_id` (a replay is 409 ' +
        '`ad_reward_duplicate`), at most ADMOB_DAILY_REWARDS per viewer per UTC day (429 `ad_reward_limit`). 503 ' +
        '`provider_not_configured` without ADMOB_KEYS_URL.',
      querystring: RewardQuerySchema,
      response: {
        200: envelope(Type.Object({
          purpose: StringEnum(['coins', 'episode']),
          coins: Type.Integer({ minimum: 0, format: 'int64', description: 'Coins credited (0 for an episode)' }),
          balance: Nullable(Type.Integer({ minimum: 0, format: 'int64', description: 'Coins: the balance after them' })),
          episodeId: Nullable(Type.String({ pattern: '^[0-9a-fA-F]{24}$', description: 'An episode: the one unlocked' })),
          unlockedUntil: Nullable(Type.String({ format: 'date-time', description: 'An episode: until when it plays' }))
        }, { additionalProperties: false })),
        ...errors('ad_signature_invalid', 'ad_reward_duplicate', 'ad_reward_invalid', 'ad_reward_limit', 'payments_unavailable', 'provider_not_configured')
      }
    }
  }, async (request) => {
    const url = request.raw.url ?? ''
    const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : ''
    return { data: await app.services.ads.reward(query) }
  })
}

export default ads
