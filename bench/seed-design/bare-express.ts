// Bare Express, the seed target of the bench's GET /health row: express() with one route answering JSON and no
// middleware, as the ceiling is bare Fastify for the API.
//
//   node --import tsx bench/seed-design/bare-express.ts     with PORT
import express from 'express'

const app = express()
app.get('/health', (_req, res) => { res.json({ status: 'ok' }) })
const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1')
process.once('SIGTERM', () => server.close(() => process.exit(0)))
process.once('SIGINT', () => server.close(() => process.exit(0)))
