import t from 'tap'
import { build } from '../../helper.js'

t.test('liveness answers ok without auth', async (t) => {
  const app = await build(t)
  const res = await app.inject({ url: '/health' })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { data: { status: 'ok' } })
})

t.test('readiness is ok when the database and the bucket answer', async (t) => {
  const app = await build(t)
  const res = await app.inject({ url: '/health/ready' })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { data: { status: 'ok' } })
})
