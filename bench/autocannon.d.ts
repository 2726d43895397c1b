// The part of autocannon 9's programmatic API the bench uses (the package ships no types).
declare module 'autocannon' {
  export interface Request {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string | Buffer
    /** Called before each request is sent: returns the request to send (a new path, body, headers). */
    setupRequest?: (request: Request, context: Record<string, unknown>) => Request
  }

  export interface Options {
    url: string
    connections?: number
    /** Seconds. */
    duration?: number
    /** Seconds a request may take before it counts as a timeout. */
    timeout?: number
    pipelining?: number
    requests?: Request[]
  }

  export interface Stats {
    average: number
    mean: number
    stddev: number
    min: number
    max: number
    total: number
    p50: number
    p90: number
    p99: number
    [percentile: string]: number
  }

  export interface Result {
    duration: number
    errors: number
    timeouts: number
    non2xx: number
    resets: number
    '1xx': number
    '2xx': number
    '3xx': number
    '4xx': number
    '5xx': number
    statusCodeStats: Record<string, { count: number }>
    latency: Stats
    /** Per-second samples; `total` is the number of completed requests, `sent` the number sent. */
    requests: Stats & { sent: number }
    throughput: Stats
  }

  export interface Instance extends PromiseLike<Result> {
    stop: () => void
    catch: Promise<Result>['catch']
  }

  export default function autocannon (options: Options): Instance
}
