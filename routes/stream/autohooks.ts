import type { FastifyInstance } from 'fastify'

/** HLS playlists: no bearer token (a player fetches them itself); the playback token in the path is the key. */
export default async function (app: FastifyInstance): Promise<void> {
  app.area({ tag: 'playback' })
}
