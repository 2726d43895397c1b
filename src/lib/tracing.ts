/*
 * Whether tracing is on: src/adapters/telemetry.ts decides from the standard OTEL_* variables (tracingWanted) and
 * marks it started; the rest asks tracingStarted() (e.g. BullMQ carries trace context only then). Apart from
 * src/adapters/telemetry.ts so that asking does not load the SDK.
 */
let started = false

/** An OTLP endpoint, or a traces exporter other than `none`, is configured (and OTEL_SDK_DISABLED is not true). */
export function tracingWanted (env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED === 'true') return false
  const exporter = env.OTEL_TRACES_EXPORTER
  if (exporter !== undefined && exporter !== '') return exporter !== 'none'
  return (env.OTEL_EXPORTER_OTLP_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? '') !== ''
}

export const markTracingStarted = (): void => { started = true }
export const tracingStarted = (): boolean => started
