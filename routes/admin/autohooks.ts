import type { FastifyInstance } from 'fastify'
import { ApiError } from '../../src/errors.js'

/**
 * Everything under /admin is for admins only: others get 403. Where ADMIN_MFA requires it (production by
 * default), an admin without two-factor is refused too (403 `mfa_enrollment_required`).
 */
export default async function (app: FastifyInstance): Promise<void> {
  app.area({ tag: 'admin', roles: ['admin'] })
  const { ADMIN_MFA, NODE_ENV } = app.config
  if (ADMIN_MFA === 'always' || (ADMIN_MFA === 'production' && NODE_ENV === 'production')) {
    app.addHook('onRequest', async (request) => {
      if (request.account.mfa?.enabled !== true) throw new ApiError('mfa_enrollment_required')
    })
  }
}
