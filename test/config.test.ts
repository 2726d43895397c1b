import t from 'tap'
import { loadConfig } from '../src/config.js'

const valid = {
  MONGODB_URI: 'mongodb://127.0.0.1:27017/microdrama',
  REDIS_URL: 'redis://127.0.0.1:6379',
  JWT_SECRET: 'a'.repeat(32),
  AWS_REGION: 'eu-west-1',
  AWS_S3_BUCKET: 'videos',
  STRIPE_SECRET_KEY: 'sk_test_config',
  STRIPE_WEBHOOK_SECRET: 'whsec_config',
  SMTP_URL: 'smtp://127.0.0.1:1025'
}

t.test('an empty environment names every missing required variable at once', async (t) => {
  const err = (() => { try { loadConfig({}) } catch (e) { return e as Error } })()
  t.ok(err, 'throws')
  for (const name of ['MONGODB_URI', 'REDIS_URL', 'JWT_SECRET', 'AWS_REGION', 'AWS_S3_BUCKET', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'SMTP_URL']) {
    t.match(err?.message, `${name} is required`)
  }
})

t.test('a JWT_SECRET shorter than 32 characters is invalid', async (t) => {
  t.throws(() => loadConfig({ ...valid, JWT_SECRET: 'short' }), /JWT_SECRET/)
})

t.test('invalid values are named: port, URI scheme, bcrypt rounds, token lifetime', async (t) => {
  t.throws(() => loadConfig({ ...valid, PORT: 'eighty' }), /PORT/)
  t.throws(() => loadConfig({ ...valid, MONGODB_URI: 'postgres://x/y' }), /MONGODB_URI/)
  t.throws(() => loadConfig({ ...valid, REDIS_URL: 'memcached://x' }), /REDIS_URL/)
  t.throws(() => loadConfig({ ...valid, BCRYPT_ROUNDS: '99' }), /BCRYPT_ROUNDS/)
  t.throws(() => loadConfig({ ...valid, JWT_EXPIRES_IN: 'forever' }), /JWT_EXPIRES_IN/)
})

t.test('a coin price default outside its bounds, or a Stripe key of the wrong kind, is named', async (t) => {
  t.throws(() => loadConfig({ ...valid, COIN_PRICE_MAX: '20', COIN_PRICE_DEFAULT: '50' }), /COIN_PRICE_DEFAULT must be between/)
  t.throws(() => loadConfig({ ...valid, STRIPE_SECRET_KEY: 'pk_test_publishable' }), /STRIPE_SECRET_KEY/)
  t.throws(() => loadConfig({ ...valid, CHECK_IN_REWARDS: '10,,20' }), /CHECK_IN_REWARDS/)
})

t.test('production refuses fewer than 10 bcrypt rounds', async (t) => {
  t.throws(() => loadConfig({ ...valid, NODE_ENV: 'production', BCRYPT_ROUNDS: '8' }), /BCRYPT_ROUNDS must be at least 10 in production/)
  t.equal(loadConfig({ ...valid, NODE_ENV: 'development', BCRYPT_ROUNDS: '8' }).BCRYPT_ROUNDS, 8)
})

t.test('defaults fill the optional variables and numbers are parsed', async (t) => {
  const config = loadConfig({ ...valid, PORT: '8080' })
  t.match(config, { PORT: 8080, JWT_EXPIRES_IN: '15m', BCRYPT_ROUNDS: 12, CORS_ORIGINS: '*', UPLOAD_URL_TTL: 900, PLAYBACK_URL_TTL: 600, NODE_ENV: 'development' })
})

t.test('the server exits with the list when the configuration is invalid', async (t) => {
  const { spawnSync } = await import('node:child_process')
  const out = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { PATH: process.env.PATH, JWT_SECRET: 'short' },
    encoding: 'utf8',
    timeout: 30_000
  })
  t.equal(out.status, 1)
  t.match(out.stderr, /Invalid configuration/)
  t.match(out.stderr, /MONGODB_URI is required/)
  t.match(out.stderr, /JWT_SECRET/)
})

t.test('.env.example and the README list every variable the service reads', async (t) => {
  const { readFileSync } = await import('node:fs')
  const { ConfigSchema } = await import('../src/config.js')
  const example = readFileSync('.env.example', 'utf8')
  const readme = readFileSync('README.md', 'utf8')
  for (const name of Object.keys(ConfigSchema.properties)) {
    t.match(example, new RegExp(`^${name}=`, 'm'), `.env.example has ${name}`)
    t.match(readme, `\`${name}\``, `README has ${name}`)
  }
})
