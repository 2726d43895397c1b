import fp from 'fastify-plugin'
import underPressure from '@fastify/under-pressure'

/**
 * Sheds load instead of timing everything out: while the event loop lags more than
 * MAX_EVENT_LOOP_DELAY_MS (or the heap passes MAX_HEAP_USED_BYTES, when set), requests get 503 with
 * Retry-After and the standard error body. 0 turns a check off.
 */
export default fp(async (app) => {
  await app.register(underPressure, {
    maxEventLoopDelay: app.config.MAX_EVENT_LOOP_DELAY_MS,
    maxHeapUsedBytes: app.config.MAX_HEAP_USED_BYTES,
    retryAfter: 5,
    message: 'The server is overloaded; try again shortly'
  })
}, { name: 'under-pressure', decorators: { fastify: ['config'] } })
