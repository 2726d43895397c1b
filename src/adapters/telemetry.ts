import { register } from 'node:module'
import { FastifyOtelInstrumentation } from '@fastify/otel'
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http'
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb'
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis'
import { AwsInstrumentation } from '@opentelemetry/instrumentation-aws-sdk'
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino'
import { NodeSDK } from '@opentelemetry/sdk-node'
import type { SpanProcessor } from '@opentelemetry/sdk-trace'

import { markTracingStarted } from '../lib/tracing.js'

/*
 * Tracing with OpenTelemetry, configured by the standard OTEL_* variables (OTEL_EXPORTER_OTLP_ENDPOINT,
 * OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER...): on when an OTLP endpoint or a traces exporter is set, off otherwise.
 * One trace follows a request through Fastify, its MongoDB, Redis and S3 calls, into the BullMQ job it queues
 * (bullmq-otel carries the context) and the worker's steps; pino's log lines carry the trace and span ids.
 */

/**
 * Starts the SDK, before the modules it instruments are loaded (an --import of src/telemetry-register.ts).
 * `spanProcessors`: where spans go instead of the OTLP exporter (the tests' in-memory exporter).
 */
export function startTelemetry (
  { serviceName, spanProcessors }: { serviceName: string, spanProcessors?: SpanProcessor[] }
): NodeSDK {
  // ESM imports are seen only through import-in-the-middle's loader hook.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url)
  const sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME ?? serviceName,
    ...(spanProcessors === undefined ? {} : { spanProcessors }),
    instrumentations: [
      new HttpInstrumentation(),
      new FastifyOtelInstrumentation({ registerOnInitialization: true }),
      new MongoDBInstrumentation(),
      new IORedisInstrumentation(),
      new AwsInstrumentation(),
      new PinoInstrumentation()
    ]
  })
  sdk.start()
  markTracingStarted()
  return sdk
}
