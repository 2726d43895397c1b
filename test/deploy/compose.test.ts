// compose.yaml against the Compose Specification's own JSON schema (compose-go's, the Go module pinned in
// tools/compose-spec/go.mod), and its application services' environment against the API's configuration schema.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { parse } from 'yaml'
import { loadConfig } from '../../src/config.js'

const root = join(import.meta.dirname, '..', '..')
const moduleDir = (JSON.parse(execFileSync('go', ['mod', 'download', '-json', 'github.com/compose-spec/compose-go/v2'], {
  cwd: join(root, 'tools', 'compose-spec'), encoding: 'utf8'
})) as { Dir: string }).Dir
const schema = JSON.parse(readFileSync(join(moduleDir, 'schema', 'compose-spec.json'), 'utf8')) as object
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema)

interface Service {
  environment?: Record<string, string>
  depends_on?: Record<string, unknown>
  read_only?: boolean
  image?: string
}
const compose = parse(readFileSync(join(root, 'compose.yaml'), 'utf8'), { merge: true }) as { services: Record<string, Service> }

t.test('compose.yaml follows the Compose Specification', async (t) => {
  t.ok(validate(compose), JSON.stringify(validate.errors, null, 2))
  const broken = structuredClone(compose)
  ;(broken.services.api as Record<string, unknown>).restart = 'sometimes'
  ;(broken.services.worker as Record<string, unknown>).imagee = 'typo'
  t.notOk(validate(broken), 'a wrong value or an unknown key fails')
})

t.test('its API, worker and one-shot jobs start with a valid configuration, read-only, after their dependencies', async (t) => {
  // ${VAR:-default} as Compose reads it with nothing set.
  const interpolate = (value: string) => value.replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1')
  for (const name of ['api', 'worker', 'migrate', 'admin']) {
    const service = compose.services[name]!
    const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(v)]))
    t.doesNotThrow(() => loadConfig(env), `${name}: the configuration loads`)
    t.equal(service.read_only, true, `${name}: read-only root filesystem`)
    for (const dependency of Object.keys(service.depends_on ?? {})) {
      t.ok(compose.services[dependency], `${name} depends on ${dependency}, defined`)
    }
  }
  t.match(compose.services.api!.depends_on, { migrate: { condition: 'service_completed_successfully' } }, 'indexes before the API')
  t.equal(compose.services.api!.environment!.INDEXES_AT_STARTUP, 'false')
})
