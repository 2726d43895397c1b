import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { build, fakeVideo, ids, isError, signUp, uploadVideo, type Account } from '../../helper.js'

async function saveVideo (app: FastifyInstance, account: Partial<Account>, payload: Record<string, unknown>) {
  return await app.inject({ method: 'POST', url: '/creator/videos', headers: account.auth ?? {}, payload })
}

async function listVideos (app: FastifyInstance, account: Partial<Account>, query = '') {
  return await app.inject({ url: `/creator/videos${query}`, headers: account.auth ?? {} })
}

/** Presigns and PUTs real bytes to S3, without saving the video. */
async function uploadOnly (app: FastifyInstance, account: Account, bytes: Buffer, contentType = 'video/mp4'): Promise<string> {
  const presign = await app.inject({
    method: 'POST', url: '/uploads/presign', headers: account.auth, payload: { contentType, sizeBytes: bytes.length, fileName: 'clip' }
  })
  if (presign.statusCode !== 200) throw new Error(`presign failed: ${presign.statusCode} ${presign.body}`)
  const { s3Key, uploadUrl, headers } = presign.json().data
  const put = await fetch(uploadUrl, { method: 'PUT', headers, body: bytes })
  if (!put.ok) throw new Error(`upload failed: ${put.status} ${await put.text()}`)
  return s3Key
}

t.test('POST /creator/videos', async (t) => {
  const app = await build(t)
  const creator = await signUp(app, 'creator')

  t.test('a creator saves an upload; size and type are read from the stored object', async (t) => {
    const bytes = fakeVideo(3000)
    const s3Key = await uploadOnly(app, creator, bytes, 'video/webm')
    const res = await saveVideo(app, creator, { s3Key, title: 'Pilot master' })
    t.equal(res.statusCode, 201)
    const { data } = res.json()
    t.same(Object.keys(data).sort(), ['contentType', 'createdAt', 'durationSec', 'failure', 'height', 'id', 'posterTimeSec',
      'posterUrl', 'processedAt', 'renditions', 's3Key', 'sizeBytes', 'status', 'title', 'width'])
    t.match(data, { s3Key, title: 'Pilot master', contentType: 'video/webm', sizeBytes: 3000, status: 'uploaded' })
    const fromPipeline = {
      failure: null, durationSec: null, width: null, height: null, renditions: [], posterUrl: null, processedAt: null
    }
    t.match(data, fromPipeline, 'nothing from the pipeline yet')
    const job = await app.queues.media.getJob(`process-video-${data.id}`)
    t.same(job?.data, { videoId: data.id }, 'its processing is queued')
    t.match(data.id, /^[0-9a-f]{24}$/)
    t.ok(Number.isFinite(Date.parse(data.createdAt)), 'createdAt is a date')
  })

  t.test('the creator may choose where the poster is taken from; a negative time is 400', async (t) => {
    const chosen = { s3Key: await uploadOnly(app, creator, fakeVideo(100)), posterTimeSec: 2.5 }
    const res = await saveVideo(app, creator, chosen)
    t.equal(res.statusCode, 201)
    t.equal(res.json().data.posterTimeSec, 2.5)
    const negative = { s3Key: await uploadOnly(app, creator, fakeVideo(100)), posterTimeSec: -1 }
    isError(t, await saveVideo(app, creator, negative), 400, 'validation_failed')
  })

  t.test('the title is optional and saved as null', async (t) => {
    const s3Key = await uploadOnly(app, creator, fakeVideo(100))
    const res = await saveVideo(app, creator, { s3Key })
    t.equal(res.statusCode, 201)
    t.equal(res.json().data.title, null)
    t.equal(res.json().data.sizeBytes, 100)
  })

  t.test('an admin saves an upload of their own', async (t) => {
    const admin = await signUp(app, 'admin')
    const s3Key = await uploadOnly(app, admin, fakeVideo(200))
    const res = await saveVideo(app, admin, { s3Key })
    t.equal(res.statusCode, 201)
    t.equal(res.json().data.s3Key, s3Key)
  })

  t.test('a viewer gets 403 forbidden', async (t) => {
    const viewer = await signUp(app, 'viewer')
    isError(t, await saveVideo(app, viewer, { s3Key: `videos/${viewer.user.id}/x.mp4` }), 403, 'forbidden')
  })

  t.test('without a token it is 401', async (t) => {
    isError(t, await saveVideo(app, {}, { s3Key: 'videos/x/y.mp4' }), 401, 'unauthorized')
  })

  t.test('a key presigned but never uploaded gets 404 upload_missing', async (t) => {
    const presign = await app.inject({
      method: 'POST', url: '/uploads/presign', headers: creator.auth, payload: { contentType: 'video/mp4', sizeBytes: 10 }
    })
    isError(t, await saveVideo(app, creator, { s3Key: presign.json().data.s3Key }), 404, 'upload_missing')
  })

  t.test('a file stored under the key with a non-video type gets 422 unsupported_upload', async (t) => {
    const s3Key = `videos/${creator.user.id}/picture.png`
    await app.storage.client.send(new PutObjectCommand({ Bucket: app.storage.bucket, Key: s3Key, Body: Buffer.from('not a video'), ContentType: 'image/png' }))
    isError(t, await saveVideo(app, creator, { s3Key }), 422, 'unsupported_upload')
    t.same((await listVideos(app, creator, '?limit=100')).json().data.filter((v: { s3Key: string }) => v.s3Key === s3Key), [], 'nothing saved')
  })

  t.test('another creator\'s uploaded key gets 403 forbidden_key', async (t) => {
    const other = await signUp(app, 'creator')
    const theirs = await uploadOnly(app, other, fakeVideo(100))
    isError(t, await saveVideo(app, creator, { s3Key: theirs }), 403, 'forbidden_key', 'This key was not issued to you')
    t.equal((await saveVideo(app, other, { s3Key: theirs })).statusCode, 201, 'the owner can still save it')
  })

  t.test('a key outside the caller\'s prefix, or climbing out of it, gets 403 forbidden_key', async (t) => {
    const other = await signUp(app, 'creator')
    const theirs = await uploadOnly(app, other, fakeVideo(100))
    const keys = [
      theirs.replace(`videos/${other.user.id}/`, `videos/${creator.user.id}/../${other.user.id}/`),
      `videos/${creator.user.id}`,
      `other/${creator.user.id}/clip.mp4`,
      `/videos/${creator.user.id}/clip.mp4`
    ]
    for (const s3Key of keys) isError(t, await saveVideo(app, creator, { s3Key }), 403, 'forbidden_key')
  })

  t.test('saving the same key twice gets 409 video_exists', async (t) => {
    const video = await uploadVideo(app, creator)
    isError(t, await saveVideo(app, creator, { s3Key: video.s3Key, title: 'again' }), 409, 'video_exists')
  })

  t.test('bad bodies get 400 validation_failed: missing, wrong types, operators, smuggled fields', async (t) => {
    const key = `videos/${creator.user.id}/clip.mp4`
    const bodies: Array<Record<string, unknown>> = [
      {},
      { title: 'no key' },
      { s3Key: '' },
      { s3Key: 123 },
      { s3Key: { $ne: null } },
      { s3Key: { $regex: '.*' } },
      { s3Key: [key] },
      { s3Key: key, title: '' },
      { s3Key: key, title: 42 },
      { s3Key: key, sizeBytes: 1 },
      { s3Key: key, contentType: 'video/mp4' },
      { s3Key: key, ownerId: creator.user.id },
      { s3Key: key, status: 'published' },
      { s3Key: key, role: 'admin' }
    ]
    for (const payload of bodies) {
      const res = await saveVideo(app, creator, payload)
      t.equal(res.statusCode, 400, JSON.stringify(payload))
      t.equal(res.json().error.code, 'validation_failed')
    }
  })
})

t.test('GET /creator/videos', async (t) => {
  const app = await build(t)
  const creator = await signUp(app, 'creator')
  const other = await signUp(app, 'creator')
  const mine = [await uploadVideo(app, creator), await uploadVideo(app, creator), await uploadVideo(app, creator)]
  const theirs = await uploadVideo(app, other)
  const newestFirst = mine.map((v) => v.id).reverse()

  t.test('lists only the caller\'s own videos, newest first', async (t) => {
    const res = await listVideos(app, creator)
    t.equal(res.statusCode, 200)
    t.same(ids(res), newestFirst)
    t.same(res.json().meta, { total: 3, page: 1, limit: 20, totalPages: 1, nextCursor: null })
    t.notOk(res.body.includes(theirs.id), 'another creator\'s video is not listed')
    t.match(res.json().data[0], { s3Key: String, contentType: 'video/mp4', sizeBytes: 2048, status: 'ready' })
  })

  t.test('sort=createdAt:asc lists oldest first', async (t) => {
    const res = await listVideos(app, creator, '?sort=createdAt:asc')
    t.same(ids(res), mine.map((v) => v.id))
  })

  t.test('pages split the list, with the right meta on each page', async (t) => {
    const first = await listVideos(app, creator, '?limit=2')
    t.same(ids(first), newestFirst.slice(0, 2))
    t.match(first.json().meta, { total: 3, page: 1, limit: 2, totalPages: 2, nextCursor: String })
    const second = await listVideos(app, creator, '?limit=2&page=2')
    t.same(ids(second), newestFirst.slice(2))
    t.same(second.json().meta, { total: 3, page: 2, limit: 2, totalPages: 2, nextCursor: null })
    const past = await listVideos(app, creator, '?limit=2&page=3')
    t.same(past.json(), { data: [], meta: { total: 3, page: 3, limit: 2, totalPages: 2, nextCursor: null } })
  })

  t.test('a creator with no videos gets an empty page', async (t) => {
    const fresh = await signUp(app, 'creator')
    t.same((await listVideos(app, fresh)).json(), {
      data: [],
      meta: { total: 0, page: 1, limit: 20, totalPages: 0, nextCursor: null }
    })
  })

  t.test('an admin lists their own videos only', async (t) => {
    const admin = await signUp(app, 'admin')
    const video = await uploadVideo(app, admin)
    const res = await listVideos(app, admin)
    t.equal(res.statusCode, 200)
    t.same(ids(res), [video.id])
  })

  t.test('a viewer gets 403 forbidden', async (t) => {
    isError(t, await listVideos(app, await signUp(app, 'viewer')), 403, 'forbidden')
  })

  t.test('without a token it is 401', async (t) => {
    isError(t, await listVideos(app, {}), 401, 'unauthorized')
  })

  t.test('page=0 and limit out of 1..100 get 400 validation_failed', async (t) => {
    for (const query of ['?page=0', '?page=-1', '?page=abc', '?limit=0', '?limit=101', '?limit=1.5']) {
      isError(t, await listVideos(app, creator, query), 400, 'validation_failed', /page|limit/)
    }
  })

  t.test('a sort that is not allowed gets 400 validation_failed naming the allowed values', async (t) => {
    for (const query of ['?sort=bogus:asc', '?sort=createdAt:up', '?sort=title:asc', '?sort=sizeBytes:desc']) {
      isError(t, await listVideos(app, creator, query), 400, 'validation_failed', /createdAt:asc, createdAt:desc/)
    }
  })

  t.test('an unknown query parameter, or an operator in one, gets 400', async (t) => {
    for (const query of [`?ownerId=${other.user.id}`, '?sort[$ne]=x', '?limit[$gt]=0']) {
      isError(t, await listVideos(app, creator, query), 400, 'validation_failed')
    }
  })
})
