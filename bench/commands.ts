// What a request costs in round trips: the commands the database and Redis served during a run, read from the
// servers themselves (FerretDB's metrics, Redis's INFO commandstats), divided by the requests sent.
import { Redis } from 'ioredis'

/** Connection upkeep, not work: handshakes, heartbeats, session ends. */
const UPKEEP = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'endSessions', 'unknown', 'buildInfo', 'getParameter', 'saslStart'])

/** The commands FerretDB has served so far, upkeep left out. */
export async function databaseCommands (metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text()
  let total = 0
  for (const line of text.split('\n')) {
    const found = /^ferretdb_client_requests_total\{command="([^"]+)"[^}]*\} (\d+)/.exec(line)
    if (found !== null && !UPKEEP.has(found[1]!)) total += Number(found[2])
  }
  return total
}

/** Counts the commands a Redis server has served so far (its own INFO calls left out). */
export function redisCounter (url: string) {
  const client = new Redis(url, { maxRetriesPerRequest: 1 })
  return {
    async commands (): Promise<number> {
      const info = await client.info('commandstats')
      let total = 0
      for (const found of info.matchAll(/^cmdstat_([a-z|_-]+):calls=(\d+)/gm)) if (found[1] !== 'info') total += Number(found[2])
      return total
    },
    close: () => client.disconnect()
  }
}
