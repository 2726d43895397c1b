import { Type, type Static } from '@sinclair/typebox'
import { QUEUE_NAMES } from '../jobs/queues.js'
import { Nullable, StringEnum } from './common.js'

export const QueueNameSchema = StringEnum(QUEUE_NAMES, { description: 'A job queue' })

export const JobSchema = Type.Object({
  id: Type.String({ description: 'The job id, unique in its queue' }),
  name: Type.String({ description: 'What it does, e.g. flush-views, refresh-trending' }),
  attemptsMade: Type.Integer({ minimum: 0, format: 'int32' }),
  failedReason: Nullable(Type.String({ description: 'The error of its last failed attempt' })),
  createdAt: Type.String({ format: 'date-time' }),
  finishedAt: Nullable(Type.String({ format: 'date-time' }))
}, { additionalProperties: false, description: 'A background job' })

const Count = Type.Integer({ minimum: 0, format: 'int64' })

export const QueueSchema = Type.Object({
  name: QueueNameSchema,
  counts: Type.Object({
    waiting: Count, active: Count, delayed: Count, completed: Count, failed: Count
  }, { additionalProperties: false, description: 'Jobs in each state (completed and failed ones are kept for a while)' }),
  failed: Type.Array(JobSchema, {
    maxItems: 20, description: 'The latest failed jobs, newest first'
  })
}, { additionalProperties: false })

export type JobView = Static<typeof JobSchema>
export type QueueView = Static<typeof QueueSchema>
