// What `npm run dev` prints once everything runs: where each server is, and what an integrator needs from them.
import type { Config } from '../src/config.js'

export function devBanner (
  config: Config, admin: { email: string, password: string }, mailpitUrl = '', appUrl = `http://${config.HOST}:${config.PORT}/app/`
): string {
  const api = `http://${config.HOST}:${config.PORT}`
  return [
    '',
    `  API        ${api}   (docs: ${api}/docs)`,
    `  web app    ${appUrl}   (player, with hot reload; npm run build serves it at ${api}/app/)`,
    `  admin      ${admin.email}  /  ${admin.password}`,
    `  MongoDB    ${config.MONGODB_URI}   (FerretDB)`,
    `  S3         ${config.S3_ENDPOINT ?? 'AWS'}   bucket ${config.AWS_S3_BUCKET}   (MinIO)`,
    `  Redis      ${config.REDIS_URL}`,
    `  mail       ${config.SMTP_URL}   (Mailpit; the messages sent: ${mailpitUrl}/api/v1/messages)`,
    `  Stripe     ${config.STRIPE_API_URL ?? 'api.stripe.com'}   (stripe-mock; webhook signing secret ${config.STRIPE_WEBHOOK_SECRET})`,
    '  the worker runs beside the API; Ctrl-C stops both and the local servers',
    ''
  ].join('\n')
}
