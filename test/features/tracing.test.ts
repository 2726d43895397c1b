// OpenTelemetry: one trace from the HTTP request through its MongoDB, Redis and S3 calls into the BullMQ job it
// queued and the worker's steps; every log line written inside carries the trace id. Checked with an in-memory
// exporter, in a process of its own (test/fixtures/traced-flow.ts): tracing must start before the app loads.
import t from 'tap'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

interface Span {
  name: string
  traceId: string
  spanId: string
  parentSpanId: string | null
  kind: number
  attributes: Record<string, unknown>
}
interface Output { ready: boolean, saved: number, spans: Span[], logs: Array<Record<string, unknown>> }

t.test('a request that saves a video and the worker\'s processing of it are one trace', async (t) => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/fixtures/traced-flow.ts'], {
    env: { ...process.env, OTEL_SDK_DISABLED: 'false' }, maxBuffer: 64 * 1024 * 1024, timeout: 110_000
  })
  const { ready, saved, spans, logs } = JSON.parse(stdout) as Output
  t.equal(saved, 201)
  t.ok(ready, 'the video was processed')
  const server = spans.find((s) => s.kind === 1 && s.name === 'POST /creator/videos')
  t.ok(server, 'the request\'s server span')
  const trace = spans.filter((s) => s.traceId === server?.traceId)
  const names = trace.map((s) => s.name)
  const system = (s: Span) => s.attributes['db.system.name'] ?? s.attributes['db.system']
  t.ok(trace.some((s) => system(s) === 'mongodb' && s.name === 'insert videos'), `the request's MongoDB insert (${names.join(', ')})`)
  t.ok(trace.some((s) => system(s) === 'redis'), 'Redis calls')
  t.ok(names.includes('S3.HeadObject'), 'the request\'s S3 call (the upload is there)')
  t.ok(trace.some((s) => s.kind === 3 && s.name === 'add media.process-video'), 'the job queued (a producer span)')
  t.ok(trace.some((s) => s.kind === 4 && s.name === 'process media'), 'the worker\'s run of it (a consumer span)')
  t.ok(names.includes('S3.GetObject') && names.includes('S3.PutObject'), 'the worker\'s S3 calls')
  for (const step of ['media.download', 'media.probe', 'media.transcode', 'media.poster', 'media.upload']) {
    t.ok(names.includes(step), `the worker's ${step} in the same trace`)
  }
  const traced = logs.filter((l) => l.trace_id === server?.traceId)
  t.ok(traced.some((l) => l.msg === 'request completed'), 'the request\'s log lines carry its trace id')
  t.ok(traced.some((l) => l.msg === 'domain event'), 'and so do the lines written while handling it')
})
