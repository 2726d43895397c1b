import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, fakeVideo, signUp, type Account, isError } from '../../helper.js'

async function presign (app: FastifyInstance, account: Partial<Account>, payload: Record<string, unknown>) {
  return await app.inject({ method: 'POST', url: '/uploads/presign', headers: account.auth ?? {}, payload })
}

/** A PUT to S3; the body is read so the connection is released. */
async function put (url: string, headers: Record<string, string>, body: Buffer) {
  const res = await fetch(url, { method: 'PUT', headers, body })
  return { status: res.status, text: await res.text() }
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'

t.test('POST /uploads/presign', async (t) => {
  const app = await build(t)
  const creator = await signUp(app, 'creator')

  t.test('a creator gets a PUT URL for a key under their own prefix, with the headers to send', async (t) => {
    const res = await presign(app, creator, { contentType: 'video/mp4', sizeBytes: 2048, fileName: 'My Episode 1.MP4' })
    t.equal(res.statusCode, 200)
    const { data } = res.json()
    t.same(Object.keys(data).sort(), ['expiresAt', 'headers', 'method', 's3Key', 'uploadUrl'])
    t.match(data.s3Key, new RegExp(`^videos/${creator.user.id}/${UUID}-my-episode-1\\.mp4$`))
    t.equal(data.method, 'PUT')
    t.same(data.headers, { 'Content-Type': 'video/mp4', 'Content-Length': '2048' })
    const url = new URL(data.uploadUrl)
    t.ok(url.pathname.endsWith(`/${data.s3Key}`), 'the URL is for that key')
    t.equal(url.searchParams.get('X-Amz-Expires'), '900', 'signed for UPLOAD_URL_TTL')
    t.match(url.searchParams.get('X-Amz-SignedHeaders'), /content-length/)
    t.match(url.searchParams.get('X-Amz-SignedHeaders'), /content-type/)
    const ahead = (Date.parse(data.expiresAt) - Date.now()) / 1000
    t.ok(ahead > 840 && ahead <= 900, `expiresAt is about 900 s ahead (${ahead})`)
  })

  t.test('the key takes the extension of the content type, and no slug without a file name', async (t) => {
    for (const [contentType, extension] of [['video/mp4', 'mp4'], ['video/quicktime', 'mov'], ['video/webm', 'webm']]) {
      const res = await presign(app, creator, { contentType, sizeBytes: 10 })
      t.equal(res.statusCode, 200)
      t.match(res.json().data.s3Key, new RegExp(`^videos/${creator.user.id}/${UUID}\\.${extension}$`))
    }
  })

  t.test('two presigns never give the same key', async (t) => {
    const keys = new Set<string>()
    for (let i = 0; i < 3; i++) keys.add((await presign(app, creator, { contentType: 'video/mp4', sizeBytes: 10, fileName: 'same.mp4' })).json().data.s3Key)
    t.equal(keys.size, 3)
  })

  t.test('an admin gets a key under their own prefix', async (t) => {
    const admin = await signUp(app, 'admin')
    const res = await presign(app, admin, { contentType: 'video/webm', sizeBytes: 10 })
    t.equal(res.statusCode, 200)
    t.match(res.json().data.s3Key, new RegExp(`^videos/${admin.user.id}/`))
  })

  t.test('a viewer gets 403 forbidden', async (t) => {
    const viewer = await signUp(app, 'viewer')
    isError(t, await presign(app, viewer, { contentType: 'video/mp4', sizeBytes: 10 }), 403, 'forbidden', 'This needs the creator or admin role')
  })

  t.test('without a token it is 401', async (t) => {
    isError(t, await presign(app, {}, { contentType: 'video/mp4', sizeBytes: 10 }), 401, 'unauthorized')
  })

  t.test('a content type that is not an allowed video gets 415 unsupported_media_type', async (t) => {
    for (const contentType of ['image/gif', 'application/octet-stream', 'video/mp4; codecs=avc1', 'video/x-msvideo']) {
      isError(t, await presign(app, creator, { contentType, sizeBytes: 10 }), 415, 'unsupported_media_type',
        'contentType must be one of video/mp4, video/quicktime, video/webm, image/jpeg, image/png, image/webp')
    }
  })

  // BUG: routes/uploads/index.ts looks the type up in a plain object literal, so names inherited from
  // Object.prototype are "found": 'constructor' gets a 200 and a key ending in ".function Object() {...}".
  t.test('a content type named like an object property (constructor, __proto__, toString) gets 415', async (t) => {
    for (const contentType of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const res = await presign(app, creator, { contentType, sizeBytes: 10 })
      t.equal(res.statusCode, 415, `${contentType}: ${res.statusCode} ${res.json().data?.s3Key ?? ''}`)
      t.equal(res.json().error?.code, 'unsupported_media_type')
    }
  })

  t.test('bad bodies get 400 validation_failed: missing, wrong types, operators, smuggled fields', async (t) => {
    const bodies: Array<Record<string, unknown>> = [
      {},
      { sizeBytes: 10 },
      { contentType: 'video/mp4' },
      { contentType: 'video/mp4', sizeBytes: 0 },
      { contentType: 'video/mp4', sizeBytes: -1 },
      { contentType: 'video/mp4', sizeBytes: 1.5 },
      { contentType: 'video/mp4', sizeBytes: '2048' },
      { contentType: '', sizeBytes: 10 },
      { contentType: { $ne: null }, sizeBytes: 10 },
      { contentType: ['video/mp4'], sizeBytes: 10 },
      { contentType: 'video/mp4', sizeBytes: { $gt: 0 } },
      { contentType: 'video/mp4', sizeBytes: 10, fileName: '' },
      { contentType: 'video/mp4', sizeBytes: 10, fileName: 'x'.repeat(256) },
      { contentType: 'video/mp4', sizeBytes: 10, s3Key: `videos/${creator.user.id}/chosen.mp4` },
      { contentType: 'video/mp4', sizeBytes: 10, ownerId: creator.user.id },
      { contentType: 'video/mp4', sizeBytes: 10, role: 'admin' }
    ]
    for (const payload of bodies) {
      const res = await presign(app, creator, payload)
      t.equal(res.statusCode, 400, JSON.stringify(payload))
      t.equal(res.json().error.code, 'validation_failed')
    }
  })

  t.test('a smuggled field is named in the message', async (t) => {
    const res = await presign(app, creator, { contentType: 'video/mp4', sizeBytes: 10, s3Key: 'videos/x/y.mp4' })
    isError(t, res, 400, 'validation_failed', /'s3Key'/)
  })
})

t.test('POST /uploads/presign with MAX_UPLOAD_BYTES=1000', async (t) => {
  const app = await build(t, { MAX_UPLOAD_BYTES: '1000' })
  const creator = await signUp(app, 'creator')

  t.test('a size over the limit gets 400 upload_too_large', async (t) => {
    isError(t, await presign(app, creator, { contentType: 'video/mp4', sizeBytes: 1001 }), 400, 'upload_too_large',
      'sizeBytes is over the limit of 1000 bytes')
  })

  t.test('a size of exactly the limit is accepted', async (t) => {
    const res = await presign(app, creator, { contentType: 'video/mp4', sizeBytes: 1000 })
    t.equal(res.statusCode, 200)
    t.equal(res.json().data.headers['Content-Length'], '1000')
  })
})

t.test('uploading to the presigned URL (real bytes to MinIO)', async (t) => {
  const app = await build(t)
  const creator = await signUp(app, 'creator')
  const bytes = fakeVideo(4096)

  async function presigned (contentType = 'video/mp4', size = bytes.length) {
    const res = await presign(app, creator, { contentType, sizeBytes: size, fileName: 'clip.mp4' })
    if (res.statusCode !== 200) throw new Error(`presign failed: ${res.statusCode} ${res.body}`)
    return res.json().data as { s3Key: string, uploadUrl: string, headers: Record<string, string> }
  }

  t.test('S3 stores the file when the PUT sends exactly the presigned headers', async (t) => {
    const { s3Key, uploadUrl, headers } = await presigned()
    const res = await put(uploadUrl, headers, bytes)
    t.equal(res.status, 200, res.text)
    t.same(await app.storage.head(s3Key), { sizeBytes: bytes.length, contentType: 'video/mp4' })
  })

  t.test('S3 refuses a PUT with another Content-Type with 403, and stores nothing', async (t) => {
    const { s3Key, uploadUrl, headers } = await presigned()
    const res = await put(uploadUrl, { ...headers, 'Content-Type': 'video/webm' }, bytes)
    t.equal(res.status, 403)
    t.match(res.text, /SignatureDoesNotMatch|AccessDenied/)
    t.equal(await app.storage.head(s3Key), null)
  })

  t.test('S3 refuses a PUT that sends an HTML page as the video with 403', async (t) => {
    const { s3Key, uploadUrl, headers } = await presigned()
    const res = await put(uploadUrl, { ...headers, 'Content-Type': 'text/html' }, bytes)
    t.equal(res.status, 403)
    t.equal(await app.storage.head(s3Key), null)
  })

  t.test('S3 refuses a PUT whose body is longer or shorter than presigned with 403, and stores nothing', async (t) => {
    const { s3Key, uploadUrl, headers } = await presigned()
    const contentTypeOnly = { 'Content-Type': headers['Content-Type'] ?? 'video/mp4' }
    const longer = await put(uploadUrl, contentTypeOnly, Buffer.concat([bytes, fakeVideo(1024)]))
    t.equal(longer.status, 403)
    t.match(longer.text, /SignatureDoesNotMatch|AccessDenied/)
    const shorter = await put(uploadUrl, contentTypeOnly, bytes.subarray(0, 100))
    t.equal(shorter.status, 403)
    t.equal(await app.storage.head(s3Key), null)
  })

  t.test('S3 refuses a PUT without the signed Content-Type (MinIO answers 400 AccessDenied)', async (t) => {
    const { s3Key, uploadUrl } = await presigned()
    const res = await put(uploadUrl, {}, bytes)
    t.equal(res.status, 400)
    t.match(res.text, /<Code>AccessDenied<\/Code>/)
    t.equal(await app.storage.head(s3Key), null)
  })

  t.test('S3 refuses a PUT to an expired URL with 403', async (t) => {
    const key = `videos/${creator.user.id}/expired.mp4`
    const { url, headers } = await app.storage.presignUpload(key, 'video/mp4', bytes.length, 1)
    await new Promise((resolve) => setTimeout(resolve, 2500))
    const res = await put(url, headers, bytes)
    t.equal(res.status, 403)
    t.match(res.text, /AccessDenied|expired/i)
    t.equal(await app.storage.head(key), null)
  })

  t.test('a URL for one key cannot be used for another key', async (t) => {
    const { s3Key, uploadUrl, headers } = await presigned()
    const other = new URL(uploadUrl)
    other.pathname = other.pathname.replace(/[^/]+$/, 'other.mp4')
    const res = await put(other.toString(), headers, bytes)
    t.equal(res.status, 403)
    t.equal(await app.storage.head(s3Key.replace(/[^/]+$/, 'other.mp4')), null)
  })
})
