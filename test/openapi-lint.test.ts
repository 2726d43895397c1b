import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { parse } from 'yaml'
import { OPENAPI_FILE } from '../scripts/openapi.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

interface Finding {
  code: string, message: string, severity: number, path: string[], range: { start: { line: number } }
}
interface Operation {
  operationId: string
  parameters?: Array<{ name?: string, $ref?: string }>
  responses: Record<string, { links?: Record<string, Link> }>
}
interface Link { operationId: string, parameters?: Record<string, string> }

t.test('openapi.yaml has no Spectral error or warning (spectral:oas + OWASP, .spectral.yaml)', async (t) => {
  const run = spawnSync(join(root, 'node_modules', '.bin', 'spectral'),
    ['lint', OPENAPI_FILE, '--ruleset', join(root, '.spectral.yaml'), '--format', 'json', '--quiet'], { cwd: root, encoding: 'utf8' })
  const findings = JSON.parse(run.stdout) as Finding[]
  // Severity 0 is an error, 1 a warning; 2 and 3 (information, hint) are advice.
  const failing = findings.filter((f) => f.severity <= 1).map((f) => `${f.code} at line ${f.range.start.line + 1} (${f.path.join('/')}): ${f.message}`)
  t.same(failing, [], failing.join('\n'))
})

t.test('every link names an existing operation and only its path parameters', async (t) => {
  const doc = parse(readFileSync(OPENAPI_FILE, 'utf8'))
  const operations = new Map<string, Operation>()
  for (const item of Object.values<Record<string, Operation>>(doc.paths)) {
    for (const op of Object.values(item)) operations.set(op.operationId, op)
  }
  let links = 0
  for (const op of operations.values()) {
    for (const [status, response] of Object.entries(op.responses)) {
      for (const [name, link] of Object.entries(response.links ?? {})) {
        links++
        const target = operations.get(link.operationId)
        t.ok(target, `${op.operationId} ${status} ${name} → ${link.operationId} exists`)
        const names = (target?.parameters ?? []).map((p) => p.name)
        for (const parameter of Object.keys(link.parameters ?? {})) {
          t.ok(names.includes(parameter), `${op.operationId} ${status} ${name}: ${link.operationId} takes ${parameter}`)
        }
      }
    }
  }
  t.ok(links >= 10, `the document links operations (${links} links)`)
})

t.test('page and limit are described once and referenced by every list', async (t) => {
  const doc = parse(readFileSync(OPENAPI_FILE, 'utf8'))
  t.ok(doc.components.parameters.page && doc.components.parameters.limit)
  const repeated = Object.values<Record<string, Operation>>(doc.paths).flatMap((item) => Object.values(item))
    .flatMap((op) => (op.parameters ?? []).filter((p) => p.name === 'page' || p.name === 'limit').map((p) => `${op.operationId} ${p.name}`))
  t.same(repeated, [])
})
