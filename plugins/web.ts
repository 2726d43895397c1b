import { existsSync } from 'node:fs'
import { basename, join } from 'node:path'
import fp from 'fastify-plugin'
import fastifyStatic from '@fastify/static'
import type { FastifyReply } from 'fastify'

/**
 * The web app (web/: player, studio, console), built by `npm run build` into dist/web, served under /app/ with
 * its own strict CSP: scripts, styles and fonts from this origin only, media and images from the bucket too (the
 * origin of the URLs the storage signs). Hashed assets are cached for good, index.html never; any other path under
 * /app/ is the app's own route and gets index.html. Not part of the API's contract.
 */
export default fp(async (app) => {
  // dist/web, whether this runs built (dist/plugins/web.js) or from source (plugins/web.ts, web/ being the source).
  const built = basename(join(import.meta.dirname, '..')) === 'dist'
  const dir = join(import.meta.dirname, '..', ...(built ? [] : ['dist']), 'web')
  if (!existsSync(join(dir, 'index.html'))) {
    app.log.warn('the web app is not built (npm run build): /app/ is not served')
    return
  }
  const bucket = new URL(await app.storage.presignDownload('web-app-csp-probe', 60)).origin
  // media-src data: for the empty <track> hls.js adds to show subtitles natively (data:,WEBVTT).
  const csp = [
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "font-src 'self'",
    `img-src 'self' data: blob: ${bucket}`, `media-src 'self' data: blob: ${bucket}`, `connect-src 'self' ${bucket}`,
    "worker-src 'self' blob:", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"
  ].join('; ')

  await app.register(async (web) => {
    web.addHook('onRequest', async (_request, reply) => { reply.header('content-security-policy', csp) })
    await web.register(fastifyStatic, {
      root: dir,
      prefix: '/app/',
      wildcard: false,
      index: false,
      setHeaders: (reply, path) => {
        reply.header('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache')
      }
    })
    const index = async (_request: unknown, reply: FastifyReply) =>
      await reply.header('cache-control', 'no-cache').sendFile('index.html')
    web.get('/app/', { schema: { hide: true } }, index)
    web.get('/app/*', { schema: { hide: true } }, index)
  })
}, { name: 'web', dependencies: ['s3'] })
