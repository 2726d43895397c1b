import type { Job } from 'bullmq'
import { ApiError } from '../errors.js'
import type { QueueName, Queues } from '../jobs/queues.js'
import type { JobView, QueueView } from '../schemas/jobs.js'

const iso = (ms: number | undefined): string | null => ms === undefined ? null : new Date(ms).toISOString()

function toJob (job: Job): JobView {
  return {
    id: String(job.id),
    name: job.name,
    attemptsMade: job.attemptsMade,
    failedReason: job.failedReason ?? null,
    createdAt: new Date(job.timestamp).toISOString(),
    finishedAt: iso(job.finishedOn)
  }
}

/** What admins see of the background jobs, and the retry of a failed one. */
export function createJobsService ({ queues }: { queues?: Queues | undefined }) {
  const queue = (name: QueueName) => {
    if (queues === undefined) throw new Error('no job queues here')
    return queues[name]
  }

  return {
    /** Per queue: how many jobs are in each state, and the latest failed jobs with their error. */
    async overview (): Promise<QueueView[]> {
      return await Promise.all(Object.keys(queues ?? {}).map(async (name) => {
        const q = queue(name as QueueName)
        const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed')
        const failed = await q.getFailed(0, 19)
        return {
          name: name as QueueName,
          counts: {
            waiting: counts.waiting ?? 0,
            active: counts.active ?? 0,
            delayed: counts.delayed ?? 0,
            completed: counts.completed ?? 0,
            failed: counts.failed ?? 0
          },
          failed: failed.map((job) => toJob(job as Job))
        }
      }))
    },

    /** Puts a failed job back in the queue, its attempts counted afresh (404 unknown, 409 when not failed). */
    async retry (name: QueueName, jobId: string): Promise<JobView> {
      const job = await queue(name).getJob(jobId) as Job | undefined
      if (job === undefined) throw new ApiError('job_not_found')
      if (await job.getState() !== 'failed') throw new ApiError('job_not_failed')
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true })
      return toJob(job)
    }
  }
}

export type JobsService = ReturnType<typeof createJobsService>
