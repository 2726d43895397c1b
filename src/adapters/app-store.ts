import { readFileSync } from 'node:fs'
import {
  Environment, SignedDataVerifier, VerificationException, VerificationStatus,
  type JWSRenewalInfoDecodedPayload, type JWSTransactionDecodedPayload, type ResponseBodyV2DecodedPayload
} from '@apple/app-store-server-library'
import type { Config } from '../config.js'

export type AppleTransaction = JWSTransactionDecodedPayload
export type AppleNotification = ResponseBodyV2DecodedPayload
export type AppleRenewal = JWSRenewalInfoDecodedPayload

/** Why Apple's signed data was refused; `retry` when Apple could not be asked (online checks), not the data's fault. */
export class AppleVerificationError extends Error {
  constructor (readonly status: VerificationStatus, readonly retry: boolean) {
    super(`Apple's signed data was refused (${VerificationStatus[status] ?? status})`)
  }
}

export interface AppStore {
  transaction: (jws: string) => Promise<AppleTransaction>
  notification: (jws: string) => Promise<AppleNotification>
  renewal: (jws: string) => Promise<AppleRenewal>
}

type AppleConfig = Pick<Config, 'APPLE_BUNDLE_ID' | 'APPLE_ENVIRONMENT' | 'APPLE_APP_APPLE_ID' | 'APPLE_ROOT_CERTIFICATES' | 'APPLE_ONLINE_CHECKS'>

/**
 * Apple's signed data (StoreKit 2 transactions, App Store Server Notifications V2) verified with Apple's own
 * library: the x5c chain up to one of Apple's root certificates given here (with Apple's extension OIDs on the
 * intermediate and the leaf), the ES256 signature, then the bundle id, the environment and, in Production, the
 * app's Apple id. Null when APPLE_BUNDLE_ID is unset.
 */
export function createAppStore (config: AppleConfig): AppStore | null {
  const { APPLE_BUNDLE_ID: bundleId, APPLE_ROOT_CERTIFICATES: roots } = config
  if (bundleId === undefined) return null
  if (roots === undefined) throw new Error('APPLE_BUNDLE_ID is set: set APPLE_ROOT_CERTIFICATES to Apple\'s root certificate files')
  const certificates = roots.split(',').map((path) => readFileSync(path.trim()))
  const environment = config.APPLE_ENVIRONMENT === 'Sandbox' ? Environment.SANDBOX : Environment.PRODUCTION
  const verifier = new SignedDataVerifier(certificates, config.APPLE_ONLINE_CHECKS === 'true', environment, bundleId, config.APPLE_APP_APPLE_ID)

  const verified = async <T>(verify: () => Promise<T>): Promise<T> => {
    try {
      return await verify()
    } catch (err) {
      if (err instanceof VerificationException) {
        throw new AppleVerificationError(err.status, err.status === VerificationStatus.RETRYABLE_VERIFICATION_FAILURE)
      }
      throw new AppleVerificationError(VerificationStatus.FAILURE, false)
    }
  }
  return {
    transaction: async (jws) => await verified(async () => await verifier.verifyAndDecodeTransaction(jws)),
    notification: async (jws) => await verified(async () => await verifier.verifyAndDecodeNotification(jws)),
    renewal: async (jws) => await verified(async () => await verifier.verifyAndDecodeRenewalInfo(jws))
  }
}
