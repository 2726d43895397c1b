// Child processes the bench starts, stopping them all whatever happens, and what /proc says about them.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** Everything to undo, newest first; run once, on success, error or a stop signal. */
export class Cleanup {
  private readonly steps: Array<{ name: string, run: () => Promise<void> | void }> = []
  private readonly children = new Set<ChildProcess>()
  private running: Promise<void> | undefined

  add (name: string, run: () => Promise<void> | void): void {
    this.steps.push({ name, run })
  }

  /** A child to SIGKILL if the bench exits before its own stop step ran. */
  track (child: ChildProcess): void {
    this.children.add(child)
    child.once('exit', () => this.children.delete(child))
  }

  async run (): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.reverse()) {
        try {
          await step.run()
        } catch (err) {
          console.error(`bench: cleanup "${step.name}" failed: ${(err as Error).message}`)
        }
      }
    })()
    await this.running
  }

  /** Last resort, synchronous (process 'exit'): kill whatever is still running. */
  killAll (): void {
    for (const child of this.children) child.kill('SIGKILL')
  }
}

export interface NodeServer {
  name: string
  process: ChildProcess
  pid: number
  url: string
  /** The last lines it wrote, for error messages. */
  output: () => string
  stop: () => Promise<void>
}

/** Starts a Node HTTP server as a child process and waits until `readyPath` answers 200. */
export async function startNodeServer (
  name: string, args: string[], env: Record<string, string>, port: number, readyPath: string, cleanup: Cleanup
): Promise<NodeServer> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  cleanup.track(child)
  let output = ''
  const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-8000) }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    // The API drains in-flight requests for up to 10 s (close-with-grace) before it exits.
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    await exited
    clearTimeout(timer)
  }
  cleanup.add(`stop ${name}`, stop)
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output}`)
    }
    const ok = await fetch(`${url}${readyPath}`).then((res) => res.ok, () => false)
    if (ok) break
    if (Date.now() > deadline) throw new Error(`${name} was not ready within 60 s:\n${output}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return { name, process: child, pid: child.pid!, url, output: () => output, stop }
}

/** Runs a command to completion, output passed through; rejects on a non-zero exit. */
export async function runCommand (file: string, args: string[], cleanup: Cleanup): Promise<void> {
  const child = spawn(file, args, { stdio: ['ignore', 'inherit', 'inherit'] })
  cleanup.track(child)
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (c, signal) => resolve(signal === null ? c : 1))
  })
  if (code !== 0) throw new Error(`${file} ${args.join(' ')} failed with exit code ${code}`)
}

let ticksPerSecond: number | undefined

/** Fields 3 onwards of /proc/<pid>/stat, or undefined once the process is gone. */
function statFields (pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  } catch {
    return undefined
  }
}

/**
 * User + system CPU time of a process so far, in microseconds (from /proc/<pid>/stat). With `tree`, also its
 * children's, live and ended (PostgreSQL serves each connection in a child process of the postmaster).
 */
export function cpuMicros (pid: number, tree = false): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100
  const ticks = (fields: string[] | undefined, withEnded: boolean) => fields === undefined
    ? 0
    : Number(fields[11]) + Number(fields[12]) + (withEnded ? Number(fields[13]) + Number(fields[14]) : 0)
  let total = ticks(statFields(pid), tree)
  if (tree) {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue
      const fields = statFields(Number(entry))
      if (fields?.[1] === String(pid)) total += ticks(fields, true)
    }
  }
  return total / ticksPerSecond * 1e6
}

/** Peak resident set size of a process, in bytes (VmHWM in /proc/<pid>/status): since it started or the last reset. */
export function peakRssBytes (pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match === null ? 0 : Number(match[1]) * 1024
}

export function rssBytes (pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match === null ? 0 : Number(match[1]) * 1024
}

/** Resets the peak to the current RSS (Linux: "5" to /proc/<pid>/clear_refs), so a peak is one scenario's. */
export function resetPeakRss (pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}

/**
 * Waits until none of the processes uses more than a few percent of a core: requests still running on the
 * server when the load generator stopped (slow queries) finish before the next measurement starts.
 */
export async function waitUntilIdle (pids: number[], maxMs = 120_000): Promise<number> {
  const started = Date.now()
  const windowMs = 300
  const cpu = () => pids.map((pid) => cpuMicros(pid, true))
  let before = cpu()
  while (Date.now() - started < maxMs) {
    await new Promise((resolve) => setTimeout(resolve, windowMs))
    const after = cpu()
    const busiest = Math.max(...after.map((v, i) => v - before[i]!))
    before = after
    if (busiest < windowMs * 1000 * 0.05) break
  }
  return Date.now() - started
}

/**
 * The environment the bench runs the API in: production, with the local stack's servers, limits lifted (the
 * rate limit, the load shedder) and a database timeout long enough for FerretDB at scale 10, where it takes
 * seconds per catalogue query (MongoDB takes milliseconds): measure it, not 503s.
 */
export const benchServerEnv = (stack: Record<string, string>): Record<string, string> => ({
  ...stack,
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  HOST: '127.0.0.1',
  JWT_SECRET: 'bench-only-secret-0123456789-abcdefghijklmnop',
  BCRYPT_ROUNDS: '10',
  // The viewers log in once, at the start; a run with the miss pass lasts longer than the default 15 minutes.
  JWT_EXPIRES_IN: '12h',
  RATE_LIMIT_MAX: '1000000000',
  AUTH_RATE_LIMIT_MAX: '1000000000',
  MAX_EVENT_LOOP_DELAY_MS: '0',
  DB_TIMEOUT_MS: '60000'
})

/**
 * The node flags of `npm start` (V8's heap sizes; with `imports`, its `--import`s too, their paths made absolute),
 * so the API runs as production runs it.
 */
export function startNodeFlags (root: string, { imports = true } = {}): string[] {
  const start = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start
  const args = start.split(/\s+/)
  const flags: string[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === '--import') {
      if (imports) flags.push(arg, join(root, args[i + 1]!))
      i++
    } else if (arg.startsWith('--') && !arg.startsWith('--env-file')) {
      flags.push(arg)
    }
  }
  return flags
}
