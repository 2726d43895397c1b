// openapi.yaml as the security tests walk it: every operation with its parameters (shared ones resolved),
// its JSON body and its body example, so that an operation added later is covered at once.
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

export interface Schema { type?: string, $ref?: string, properties?: Record<string, Schema> }
export interface Parameter { in: string, name: string, $ref?: string }
export interface Media { schema?: Schema, example?: unknown, examples?: Record<string, { value?: unknown }> }
export interface Operation {
  operationId?: string
  tags?: string[]
  security?: unknown[]
  parameters?: Parameter[]
  requestBody?: { content?: Record<string, Media> }
}
export interface Op { method: string, path: string, name: string, op: Operation, params: Parameter[] }

export const doc = parse(readFileSync(new URL('../openapi.yaml', import.meta.url), 'utf8'))
const METHODS = ['get', 'put', 'post', 'patch', 'delete']

export const operations: Op[] = Object.entries<Record<string, unknown>>(doc.paths).flatMap(([path, item]) =>
  METHODS.filter((m) => m in item).map((m) => {
    const op = item[m] as Operation
    // Shared ones (page, limit, cursor) are `#/components/parameters/...` references.
    const params = [...(item.parameters as Parameter[] | undefined ?? []), ...(op.parameters ?? [])]
      .map((p) => p.$ref === undefined ? p : doc.components.parameters[p.$ref.replace('#/components/parameters/', '')] as Parameter)
    return { method: m.toUpperCase(), path, name: `${m.toUpperCase()} ${path}`, op, params }
  }))

export const has = (o: Op, tag: string): boolean => o.op.tags?.includes(tag) ?? false
export const paramsIn = (o: Op, where: string): string[] => o.params.filter((p) => p.in === where).map((p) => p.name)
export const jsonBody = (o: Op): Media | undefined => o.op.requestBody?.content?.['application/json']

/** Follows `#/components/schemas/...` references. */
export function resolve (schema: Schema | undefined): Schema | undefined {
  if (schema?.$ref === undefined) return schema
  return resolve(doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')])
}

/** A copy of the first request body example of the contract, if it has one. */
export function bodyExample (o: Op): Record<string, unknown> | undefined {
  const media = jsonBody(o)
  const value = media?.example ?? Object.values(media?.examples ?? {})[0]?.value
  return value === undefined ? undefined : structuredClone(value as Record<string, unknown>)
}

/** The URL with every path parameter filled from `ids`; an unknown parameter name fails the test. */
export function url (o: Op, ids: Record<string, string>): string {
  return o.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const id = ids[name]
    if (id === undefined) throw new Error(`${o.name}: no id known for path parameter ${name}; add it to the test`)
    return id
  })
}
