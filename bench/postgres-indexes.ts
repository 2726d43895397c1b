// Indexes FerretDB v1 cannot make, added behind its back in the bench's own PostgreSQL cluster.
//
// FerretDB v1 pushes an equality filter down to PostgreSQL as `_jsonb -> 'field' @> value`, which the btree
// indexes it creates for createIndex cannot serve: every lookup by _id, by series or by user scans its table, so
// the bench measured FerretDB's scans growing with the data, not the API (MongoDB reads each from an index). A
// GIN index on the same expression serves `@>`; PostgreSQL plans each statement for its actual field name
// (`plan_cache_mode=force_custom_plan`, set by startPostgres) and so uses it. These are the lookups the API's read
// and play paths make; the catalogue's sort over every published series stays in FerretDB (and in the cache).
import { execFileSync } from 'node:child_process'

/** Runs one SQL statement with psql as the URL's user; answers its rows, fields split by `|`. */
const sqlRunner = (psql: string, postgresUrl: string) => (sql: string): string =>
  execFileSync(psql, [postgresUrl, '-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-c', sql]).toString()

/** Per collection, the fields the API looks documents up by with an equality filter. */
export const LOOKUPS: Record<string, string[]> = {
  users: ['_id', 'email'],
  series: ['_id'],
  episodes: ['_id', 'seriesId'],
  videos: ['_id'],
  watch_history: ['userId'],
  my_list: ['userId']
}

/** Drops the indexes addLookupIndexes made (their names are PostgreSQL's, found by their expression). */
export function dropLookupIndexes (psql: string, postgresUrl: string, database: string): number {
  const run = sqlRunner(psql, postgresUrl)
  const names = run(`SELECT indexname FROM pg_indexes WHERE schemaname = '${database}' AND indexdef LIKE '%USING gin%jsonb_path_ops%'`)
    .trim().split('\n').filter(Boolean)
  for (const name of names) run(`DROP INDEX "${database}"."${name}"`)
  return names.length
}

/** Creates the GIN indexes of LOOKUPS on the tables behind the collections of `database` (psql as `ferretdb`). */
export function addLookupIndexes (psql: string, postgresUrl: string, database: string, lookups = LOOKUPS): string[] {
  const run = sqlRunner(psql, postgresUrl)
  const tables = new Map(run(`SELECT _jsonb->>'_id', _jsonb->>'table' FROM "${database}"._ferretdb_database_metadata`)
    .trim().split('\n').map((line) => line.split('|') as [string, string]))
  const made: string[] = []
  for (const [collection, fields] of Object.entries(lookups)) {
    const table = tables.get(collection)
    if (table === undefined) throw new Error(`no table for the collection ${collection} in ${database}`)
    for (const field of fields) {
      run(`CREATE INDEX ON "${database}"."${table}" USING gin ((_jsonb -> '${field}') jsonb_path_ops)`)
      made.push(`${collection}.${field}`)
    }
    run(`ANALYZE "${database}"."${table}"`)
  }
  return made
}
