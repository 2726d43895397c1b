// After the test suite: every error code an operation documents in openapi.yaml was answered by that operation
// somewhere in the suite, and every code the suite saw an operation answer is documented on it. The tests
// record what their apps answer (test/helper.ts buildTestApp) under .tap/error-codes/. Codes an operation
// answers for what it is rather than for what it does (src/errors.ts sharedErrorCodes: the rate limit,
// outages, token refusals, bad input) need not be seen on each operation: their own tests cover them once.
//
//   tsx scripts/check-error-codes.ts            run by `npm test` after tap; skipped when tap ran some files only
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { operationTraits, sharedErrorCodes } from '../src/errors.js'
import { OPENAPI_FILE } from './openapi.js'
import { ERROR_CODES_DIR } from '../test/helper.js'

type Operation = Parameters<typeof operationTraits>[0] & { operationId: string, responses: Record<string, { 'x-error-codes'?: string[] }> }

if (process.argv.length > 2) {
  console.log('error codes: not checked (the suite ran some test files only)')
  process.exit(0)
}

const doc = parse(readFileSync(OPENAPI_FILE, 'utf8')) as { paths: Record<string, Record<string, Operation>> }
const answered = new Map<string, Set<string>>()
for (const file of existsSync(ERROR_CODES_DIR) ? readdirSync(ERROR_CODES_DIR) : []) {
  for (const entry of JSON.parse(readFileSync(join(ERROR_CODES_DIR, file), 'utf8')) as string[]) {
    const [operationId, code] = entry.split(' ') as [string, string]
    answered.set(operationId, (answered.get(operationId) ?? new Set()).add(code))
  }
}
if (answered.size === 0) {
  console.error(`error codes: nothing recorded in ${ERROR_CODES_DIR}: run the whole suite first (npm test)`)
  process.exit(1)
}

const problems: string[] = []
let documentedCount = 0
for (const [path, operations] of Object.entries(doc.paths)) {
  for (const [method, op] of Object.entries(operations)) {
    const documented = new Set(Object.values(op.responses).flatMap((r) => r['x-error-codes'] ?? []))
    documentedCount += documented.size
    const shared = new Set<string>(sharedErrorCodes(operationTraits(op)))
    const seen = answered.get(op.operationId) ?? new Set()
    const name = `${op.operationId} (${method.toUpperCase()} ${path})`
    for (const code of seen) if (!documented.has(code)) problems.push(`${name} answers ${code}, which its responses do not document`)
    for (const code of documented) {
      if (!shared.has(code) && !seen.has(code)) problems.push(`${name} documents ${code}, which no test saw it answer`)
    }
  }
}

if (problems.length > 0) {
  console.error(`error codes: ${problems.length} mismatch(es) between openapi.yaml and what the suite saw:\n  - ${problems.join('\n  - ')}`)
  process.exit(1)
}
console.log(`error codes: ${documentedCount} documented on ${Object.values(doc.paths).flatMap(Object.keys).length} operations, each answered in the suite or shared`)
