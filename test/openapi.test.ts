import { readFileSync } from 'node:fs'
import t from 'tap'
import { parse } from 'yaml'
import { OPENAPI_FILE, renderOpenApi } from '../scripts/openapi.js'
import { isErrorCode } from '../src/errors.js'
import { build } from './helper.js'

interface Operation {
  operationId?: string
  summary?: string
  tags?: string[]
  security?: Array<Record<string, string[]>>
  description?: string
  responses?: Record<string, { content?: Record<string, { schema?: unknown }>, 'x-error-codes'?: string[] }>
}

t.test('openapi.yaml is exactly what the routes generate (run `npm run openapi` after changing a route)', async (t) => {
  const app = await build(t)
  const committed = readFileSync(OPENAPI_FILE, 'utf8')
  const generated = renderOpenApi(app)
  t.equal(committed, generated)
})

t.test('every operation is documented for client generators', async (t) => {
  const doc = parse(readFileSync(OPENAPI_FILE, 'utf8'))
  t.match(doc.openapi, /^3\./)
  t.ok(doc.components.schemas.ErrorResponse, 'the shared error schema is a component')
  t.ok(doc.components.securitySchemes.bearerAuth)
  const ids = new Set<string>()
  for (const [path, item] of Object.entries<Record<string, Operation>>(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const name = `${method.toUpperCase()} ${path}`
      t.match(op.operationId, /^[a-z][A-Za-z0-9]+$/, `${name} has a camelCase operationId`)
      t.notOk(ids.has(op.operationId!), `${name} operationId is unique`)
      ids.add(op.operationId!)
      t.ok(op.summary, `${name} has a summary`)
      t.ok(op.tags?.length, `${name} has tags`)
      const statuses = Object.keys(op.responses ?? {})
      t.ok(statuses.some((s) => s.startsWith('2') || s.startsWith('3')), `${name} documents its success`)
      for (const status of statuses.filter((s) => Number(s) >= 400)) {
        t.same(op.responses![status]!.content!['application/json']!.schema, { $ref: '#/components/schemas/ErrorResponse' },
          `${name} ${status} uses the shared error schema`)
      }
      const isProtected = op.security?.some((s) => 'bearerAuth' in s) ?? false
      if (isProtected) t.ok(statuses.includes('401'), `${name} needs a bearer token and documents its 401`)
    }
  }
})

t.test('an error code an operation\'s description names is one that operation lists', async (t) => {
  const doc = parse(readFileSync(OPENAPI_FILE, 'utf8'))
  for (const [path, item] of Object.entries<Record<string, Operation>>(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const listed = new Set(Object.values(op.responses ?? {}).flatMap((r) => r['x-error-codes'] ?? []))
      const named = [...(op.description ?? '').matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!).filter(isErrorCode)
      for (const code of named) t.ok(listed.has(code), `${method.toUpperCase()} ${path} lists ${code}, which its description names`)
    }
  }
})
