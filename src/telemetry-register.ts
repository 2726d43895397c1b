// `node --import ./dist/src/telemetry-register.js` (npm start, npm run worker), or tsx's --import in development:
// starts tracing first, when the OTEL_* variables ask for it (src/adapters/telemetry.ts); loads nothing otherwise.
import { tracingWanted } from './lib/tracing.js'

if (tracingWanted()) {
  const { startTelemetry } = await import('./adapters/telemetry.js')
  const sdk = startTelemetry({ serviceName: process.argv[1]?.includes('worker') === true ? 'microdrama-worker' : 'microdrama-api' })
  // Flushes the spans still buffered when the process is told to stop.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => { sdk.shutdown().catch(() => {}) })
}
