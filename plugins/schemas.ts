import fp from 'fastify-plugin'
import { Ajv, type Options } from 'ajv'
import addFormats from 'ajv-formats'
import { sharedSchemas } from '../src/schemas/index.js'

function buildAjv (options: Options): Ajv {
  const ajv = new Ajv({ useDefaults: true, removeAdditional: false, allErrors: false, ...options })
  addFormats.default(ajv)
  for (const schema of sharedSchemas) ajv.addSchema(schema)
  return ajv
}

/**
 * Registers the shared schemas once (so the OpenAPI document references them) and validates requests
 * with two Ajv instances: query strings and path params are strings on the wire and get coerced, while
 * JSON bodies are checked as sent, so `{"email": 123}` or a smuggled `"role"` is a 400, never silently fixed.
 */
export default fp(async (app) => {
  for (const schema of sharedSchemas) app.addSchema(schema)
  const strict = buildAjv({ coerceTypes: false })
  const coercing = buildAjv({ coerceTypes: 'array' })
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? strict : coercing).compile(schema) as ReturnType<Ajv['compile']>)
}, { name: 'schemas' })
