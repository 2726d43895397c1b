import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { envelope, errors } from '../../../src/schemas/common.js'
import { JobSchema, QueueNameSchema, QueueSchema } from '../../../src/schemas/jobs.js'

/** The background jobs (src/jobs/, src/services/jobs.ts): admins only (routes/admin/autohooks.ts). */
const jobs: FastifyPluginAsyncTypebox = async (app) => {
  const { jobs } = app.services

  app.get('/', {
    schema: {
      operationId: 'listJobQueues',
      summary: 'The background job queues',
      description: 'Admins only. For each queue, the jobs in each state and the latest failed jobs with their error.',
      response: { 200: envelope(Type.Array(QueueSchema, { maxItems: 20 })) }
    }
  }, async () => ({ data: await jobs.overview() }))

  app.post('/:queue/:jobId/retry', {
    schema: {
      operationId: 'retryJob',
      summary: 'Retry a failed job',
      description: 'Admins only. Puts a failed job back in its queue with its attempts counted afresh. ' +
        'An unknown job is 404 `job_not_found`; one that is not failed, 409 `job_not_failed`.',
      params: Type.Object({
        queue: QueueNameSchema,
        jobId: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9:_-]+$', description: 'At most 100 characters, as every path segment' })
      }),
      response: { 200: envelope(JobSchema), ...errors('job_not_found', 'job_not_failed') }
    }
  }, async (request) => ({ data: await jobs.retry(request.params.queue, request.params.jobId) }))
}

export default jobs
