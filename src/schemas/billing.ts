import { Type, type Static } from '@sinclair/typebox'
import { LEDGER_KINDS } from '../repositories/coins.js'
import { Nullable, ObjectIdSchema, ref, StringEnum } from './common.js'

const DateTime = Type.String({ format: 'date-time' })
const Coins = (description: string) => Type.Integer({ format: 'int64', description })
const Id = (description: string) => Nullable(Type.String({ pattern: '^[0-9a-fA-F]{24}$', description }))

export const OfferSchema = Type.Object({
  id: ref(ObjectIdSchema),
  kind: StringEnum(['vip', 'coins'], { description: 'vip: a subscription plan; coins: a coin pack, paid once' }),
  name: Type.String(),
  amount: Type.Integer({ minimum: 0, format: 'int64', description: 'The price in the currency\'s smallest unit (cents), from Stripe' }),
  currency: Type.String({ description: 'ISO 4217, lowercase, from Stripe' }),
  period: Type.Unsafe<'week' | 'month' | 'year' | null>({
    type: 'string', enum: ['week', 'month', 'year', null], nullable: true, description: 'A plan: how often it renews; null for a pack'
  }),
  coins: Type.Integer({ minimum: 0, format: 'int32', description: 'A pack: the coins it gives (0 for a plan)' }),
  bonusCoins: Type.Integer({ minimum: 0, format: 'int32', description: 'A pack: coins given on top' }),
  active: Type.Boolean({ description: 'On sale; a retired offer is kept for the subscriptions to it' }),
  stripePriceId: Type.String({ description: 'The Stripe Price that Checkout charges' }),
  appleProductId: Nullable(Type.String({ description: 'The App Store product that sells it (StoreKit), if any' })),
  googleProductId: Nullable(Type.String({ description: 'The Google Play product or subscription that sells it, if any' }))
}, {
  $id: 'Offer',
  additionalProperties: false,
  description: 'Something for sale: a VIP plan or a coin pack',
  examples: [{
    id: '665f1c2b9d3e4a0012345678',
    kind: 'coins',
    name: '500 coins + 50 bonus',
    amount: 499,
    currency: 'usd',
    period: null,
    coins: 500,
    bonusCoins: 50,
    active: true,
    stripePriceId: 'price_1PackOf500',
    appleProductId: 'com.example.microdrama.coins500',
    googleProductId: 'coins_500'
  }]
})

export const LedgerEntrySchema = Type.Object({
  id: ref(ObjectIdSchema),
  kind: StringEnum(LEDGER_KINDS, { description: 'What moved the coins' }),
  delta: Coins('Coins in (positive) or out (negative)'),
  balance: Coins('The balance after this entry: the sum of every entry up to it'),
  episodeId: Id('An unlock: the episode'),
  seriesId: Id('An unlock: its series'),
  offerId: Id('A purchase or refund: the coin pack'),
  shortfall: Type.Integer({ minimum: 0, format: 'int64', description: 'A refund: coins it could not take back (already spent)' }),
  reason: Nullable(Type.String({ description: 'An admin\'s grant or revocation: why' })),
  country: Nullable(Type.String({ pattern: '^[A-Z]{2}$', description: 'An unlock: the market whose price it charged; null: the series\' one price' })),
  at: DateTime
}, {
  $id: 'LedgerEntry',
  additionalProperties: false,
  description: 'One movement of coins; entries are never changed or removed',
  examples: [{
    id: '665f1c2b9d3e4a0012345679',
    kind: 'unlock',
    delta: -50,
    balance: 500,
    episodeId: '665f1c2b9d3e4a0012345670',
    seriesId: '665f1c2b9d3e4a0012345671',
    offerId: null,
    shortfall: 0,
    reason: null,
    country: null,
    at: '2026-11-26T10:00:00.000Z'
  }]
})

export const UnlockSchema = Type.Object({
  episodeId: ref(ObjectIdSchema),
  seriesId: ref(ObjectIdSchema),
  coins: Type.Integer({ minimum: 1, format: 'int32', description: 'What it cost' }),
  unlockedAt: DateTime
}, { $id: 'Unlock', additionalProperties: false, description: 'An episode unlocked with coins: it plays for good' })

export type Offer = Static<typeof OfferSchema>

export const StorePurchaseResultSchema = Type.Object({
  purchaseId: Type.String({ description: '`apple:<transactionId>` or `google:<orderId>`: the store payment, applied once' }),
  productId: Type.String({ description: 'The store product bought' }),
  offerId: Type.String({ pattern: '^[0-9a-fA-F]{24}$', description: 'The offer it sells' }),
  kind: StringEnum(['coins', 'vip']),
  coins: Type.Integer({ minimum: 0, format: 'int64', description: 'Coins this purchase credited (0 for a plan or a refunded pack)' }),
  vipUntil: Nullable(Type.String({ format: 'date-time', description: 'Until when VIP from the stores plays now; null: it does not' }))
}, {
  $id: 'StorePurchaseResult',
  additionalProperties: false,
  description: 'What a store purchase came to',
  examples: [{ purchaseId: 'apple:2000000123456789', productId: 'com.example.microdrama.coins500', offerId: '665f1c2b9d3e4a0012345678', kind: 'coins', coins: 550, vipUntil: null }]
})
