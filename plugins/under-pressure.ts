import fp from 'fastify-plugin'
import { getHeapStatistics } from 'node:v8'
import { ApiError } from '../src/errors.js'

const SAMPLE_MS = 500

/**
 * Sheds load instead of timing everything out: while the event loop lags more than MAX_EVENT_LOOP_DELAY_MS
 * (or the heap passes MAX_HEAP_USED_BYTES, when set), requests get 503 with Retry-After and the standard
 * error body. 0 turns a check off.
 *
 * The lag is how late a timer set every SAMPLE_MS fires: two wake-ups a second. (@fastify/under-pressure
 * keeps a 10 ms event-loop histogram running, which cost an idle instance 5.5 ms of CPU every second,
 * measured: it was most of an idle server's CPU.)
 */
export default fp(async (app) => {
  const { MAX_EVENT_LOOP_DELAY_MS: maxDelay, MAX_HEAP_USED_BYTES: maxHeap } = app.config
  if (maxDelay === 0 && maxHeap === 0) return
  let underPressure = false
  let expected = performance.now() + SAMPLE_MS
  const timer = setInterval(() => {
    const now = performance.now()
    const lag = now - expected
    expected = now + SAMPLE_MS
    underPressure = (maxDelay > 0 && lag > maxDelay) || (maxHeap > 0 && getHeapStatistics().used_heap_size > maxHeap)
  }, SAMPLE_MS).unref()
  app.addHook('onClose', async () => { clearInterval(timer) })
  app.addHook('onRequest', async (_request, reply) => {
    if (!underPressure) return
    reply.header('retry-after', 5)
    throw new ApiError('service_unavailable')
  })
}, { name: 'under-pressure', decorators: { fastify: ['config'] } })
