// The bench's output: one markdown table (printed, and pasted into the README) and the full JSON.

export interface Measure {
  connections: number
  /** Seconds measured. */
  seconds: number
  /** Completed requests per second over the measured run. */
  reqPerSec: number
  /** Completed during the run / sent (the difference was still running when the run ended). */
  requests: number
  sent: number
  p50Ms: number
  p99Ms: number
  non2xx: number
  errors: number
  timeouts: number
  statusCodes: Record<string, number>
  /** The server process's user + system CPU from the run's start until it was idle again, per request sent. */
  cpuMicrosPerRequest: number
  /** The same for the database: FerretDB, and PostgreSQL's processes when FerretDB runs on it. */
  dbCpuMicrosPerRequest: number
  /** Commands the database served during the run (heartbeats left out), per request sent. */
  dbCommandsPerRequest: number
  /** Commands Redis served during the run, per request sent. */
  redisCommandsPerRequest: number
  /** VmHWM of the server process after the run (its peak since it started). */
  peakRssBytes: number
}

/** A scenario whose check failed (an error status, a timeout, or another target disagreeing with the API). */
export interface ScenarioFailure {
  name: string
  title: string
  failed: string
}

export interface ScenarioResult {
  name: string
  title: string
  example: string
  /** Milliseconds one request took with nothing else running (the API's, the ceiling's, the seed design's). */
  aloneMs: { api?: number, ceiling?: number, seed?: number }
  /** The machine's 1-minute load average when the scenario started (other work on it shows here). */
  loadAverage: number
  api: Measure
  ceiling: Measure
  /** API req/s ÷ ceiling req/s, over all rounds. */
  ratio: number
  /** The same for each round alone. */
  roundRatios: number[]
  /**
   * The seed design (bench/seed-design): its server ('seed design', or 'bare Express' for the GET /health
   * baseline), its measure, and API req/s ÷ its req/s over all rounds and in each. Null where the seed design
   * has no such request (a cursor); absent with --no-seed.
   */
  seed?: { server: string, measure: Measure, ratio: number, roundRatios: number[] } | null
}

/**
 * One measure from several rounds: requests, errors and CPU summed (rates over the summed time), the
 * highest p50 and p99 of the rounds, the highest peak RSS.
 */
export function combine (rounds: Measure[]): Measure {
  const sum = (f: (m: Measure) => number) => rounds.reduce((total, m) => total + f(m), 0)
  const max = (f: (m: Measure) => number) => Math.max(...rounds.map(f))
  const sent = sum((m) => m.sent)
  const statusCodes: Record<string, number> = {}
  for (const m of rounds) {
    for (const [code, n] of Object.entries(m.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n
  }
  return {
    connections: rounds[0]!.connections,
    seconds: sum((m) => m.seconds),
    reqPerSec: sum((m) => m.requests) / sum((m) => m.seconds),
    requests: sum((m) => m.requests),
    sent,
    p50Ms: max((m) => m.p50Ms),
    p99Ms: max((m) => m.p99Ms),
    non2xx: sum((m) => m.non2xx),
    errors: sum((m) => m.errors),
    timeouts: sum((m) => m.timeouts),
    statusCodes,
    cpuMicrosPerRequest: sum((m) => m.cpuMicrosPerRequest * Math.max(1, m.sent)) / Math.max(1, sent),
    dbCpuMicrosPerRequest: sum((m) => m.dbCpuMicrosPerRequest * Math.max(1, m.sent)) / Math.max(1, sent),
    dbCommandsPerRequest: sum((m) => m.dbCommandsPerRequest * Math.max(1, m.sent)) / Math.max(1, sent),
    redisCommandsPerRequest: sum((m) => m.redisCommandsPerRequest * Math.max(1, m.sent)) / Math.max(1, sent),
    peakRssBytes: max((m) => m.peakRssBytes)
  }
}

const fixed = (value: number, digits: number) => Number.isFinite(value) ? value.toFixed(digits) : '–'
const rate = (value: number) => value >= 100 ? fixed(value, 0) : value >= 10 ? fixed(value, 1) : fixed(value, 2)
const ms = (value: number) => value >= 100 ? fixed(value, 0) : fixed(value, 1)
const micros = (value: number) => Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–'
const failures = (m: Measure) => `${m.non2xx}${m.errors + m.timeouts > 0 ? ` (+${m.errors} errors, ${m.timeouts} timeouts)` : ''}`
/** The API's failures, and the other targets' where they had any. */
const allFailures = (api: Measure, others: Array<[string, Measure | undefined]>) =>
  [failures(api), ...others.flatMap(([name, m]) => m === undefined || failures(m) === '0' ? [] : [`${name}: ${failures(m)}`])].join('; ')

/** A ratio (2 decimals below 10), and each round's in brackets when there were several. */
const ratio = (overall: number, rounds: number[]) => {
  const one = (x: number) => x >= 10 ? rate(x) : fixed(x, 2)
  return `${one(overall)}${rounds.length > 1 ? ` (${rounds.map(one).join(', ')})` : ''}`
}

/**
 * The table: the API, the ceiling and, unless the run left it out (--no-seed), the seed design: its req/s (bare
 * Express on the GET /health row), API ÷ seed ("vs seed"), its CPU and its database commands per request.
 */
export function markdownTable (results: Array<ScenarioResult | ScenarioFailure>): string {
  const withSeed = results.some((r) => 'seed' in r)
  const columns = ['scenario', 'conns', 'req/s', 'ceiling req/s', 'ratio', ...(withSeed ? ['seed req/s', 'vs seed'] : []),
    'p50 ms', 'p99 ms', 'alone ms', 'requests', 'non-2xx', 'API CPU µs/req', 'ceiling CPU µs/req',
    ...(withSeed ? ['seed CPU µs/req'] : []), 'DB CPU µs/req', 'DB cmds/req', ...(withSeed ? ['seed DB cmds/req'] : []),
    'Redis cmds/req', 'peak RSS MB']
  const rows = [`| ${columns.join(' | ')} |`, `| --- |${' ---: |'.repeat(columns.length - 1)}`]
  for (const r of results) {
    if ('failed' in r) {
      rows.push(`| ${r.title} | not measured: ${r.failed.split('\n')[0]!.slice(0, 160).replaceAll('|', '/')} |${'|'.repeat(columns.length - 2)}`)
      continue
    }
    // No request completed within the run: there are no latencies and no ratio to show.
    const none = r.api.requests === 0
    const seed = r.seed ?? undefined
    /** The seed design's cells: none without it, `absent` where it has no such request. */
    const seedCells = (cells: (s: NonNullable<typeof seed>) => string[], absent: string[]) =>
      !withSeed ? [] : seed === undefined ? absent : cells(seed)
    rows.push(`| ${[
      r.title, r.api.connections, rate(r.api.reqPerSec), rate(r.ceiling.reqPerSec),
      r.ceiling.reqPerSec > 0 ? ratio(r.ratio, r.roundRatios) : '–',
      ...seedCells((s) => [
        `${rate(s.measure.reqPerSec)}${s.server === 'seed design' ? '' : ` (${s.server})`}`,
        s.measure.reqPerSec > 0 ? ratio(s.ratio, s.roundRatios) : '–'
      ], ['not in the seed design', '–']),
      none ? '–' : ms(r.api.p50Ms), none ? '–' : ms(r.api.p99Ms), ms(r.aloneMs.api ?? NaN), r.api.requests,
      allFailures(r.api, [['ceiling', r.ceiling], ['seed', seed?.measure]]),
      micros(r.api.cpuMicrosPerRequest), micros(r.ceiling.cpuMicrosPerRequest),
      ...seedCells((s) => [micros(s.measure.cpuMicrosPerRequest)], ['–']),
      micros(r.api.dbCpuMicrosPerRequest), fixed(r.api.dbCommandsPerRequest, 2),
      ...seedCells((s) => [fixed(s.measure.dbCommandsPerRequest, 2)], ['–']),
      fixed(r.api.redisCommandsPerRequest, 2), fixed(r.api.peakRssBytes / 1048576, 0)
    ].join(' | ')} |`)
  }
  return rows.join('\n')
}

export interface QueryRow {
  call: string
  usedBy: string
  medianMs: number | null
  runs: number
  plan: string
  error?: string
}

export function queryTable (rows: QueryRow[]): string {
  return [
    '| repository call | used by | median ms | runs | plan |',
    '| --- | --- | ---: | ---: | --- |',
    ...rows.map((q) => `| ${q.call} | ${q.usedBy} | ${q.medianMs === null ? '–' : ms(q.medianMs)}${q.error === undefined ? '' : ` (${q.error})`} | ${q.runs} | ${q.plan} |`)
  ].join('\n')
}
