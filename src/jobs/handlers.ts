import type { Job } from 'bullmq'
import { ObjectId } from 'mongodb'
import type { Services } from '../services/index.js'
import type { DubJob } from '../services/dubbing.js'

/** What each job of a queue runs, by job name. */
export type Handlers = Record<string, (job: Job) => Promise<unknown>>

/** The maintenance jobs: each runs one service function (the same the API would call). */
export const maintenanceHandlers = (services: Pick<Services, 'playback' | 'media' | 'uploads' | 'webhooks' | 'tokens' | 'analytics'>): Handlers => ({
  'flush-views': async () => await services.playback.flushViews(),
  'refresh-trending': async () => await services.playback.refreshTrending(),
  'enqueue-waiting': async () => ({
    videos: await services.media.enqueueWaiting(), deliveries: await services.webhooks.enqueueWaiting()
  }),
  'abort-abandoned-uploads': async () => await services.uploads.abortAbandoned(),
  'prune-expired-tokens': async () => await services.tokens.pruneExpired(),
  'refresh-stats': async () => await services.analytics.refresh()
})

/** The webhook jobs: one per delivery (and one per manual redelivery). */
export const webhooksHandlers = (services: Pick<Services, 'webhooks'>): Handlers => ({
  'deliver-webhook': async (job) => await services.webhooks.deliver(
    ObjectId.createFromHexString(String((job.data as { deliveryId?: unknown }).deliveryId)),
    { lastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) }
  )
})

/** The mail jobs: one per message (the link is made by the job, so no secret waits in Redis). */
export const mailHandlers = (services: Pick<Services, 'recovery'>): Handlers => ({
  'send-verification': async (job) => await services.recovery.sendVerification(
    ObjectId.createFromHexString(String((job.data as { userId?: unknown }).userId))),
  'send-password-reset': async (job) => await services.recovery.sendPasswordReset(String((job.data as { email?: unknown }).email))
})

/** The media jobs: one per uploaded video, one per upload of a dub. */
export const mediaHandlers = (services: Pick<Services, 'media' | 'dubbing'>): Handlers => ({
  'process-video': async (job) => await services.media.process(services.media.videoIdOf(job.data as { videoId?: unknown }), {
    lastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1)
  }),
  'process-audio': async (job) => await services.dubbing.process(job.data as DubJob, {
    lastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1)
  })
})
