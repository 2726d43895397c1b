import t from 'tap'
import { ObjectId } from 'mongodb'
import { build, fakeVideo, isError, signUp, type Account } from '../helper.js'

// Resumable uploads: the bucket's own multipart upload (MinIO here), a presigned PUT per part.

interface Part { partNumber: number, sizeBytes: number, url: string }
interface Started { uploadId: string, s3Key: string, partSize: number, parts: Part[], expiresAt: string }

t.test('multipart uploads', async (t) => {
  const app = await build(t)
  const [creator, other] = [await signUp(app, 'creator'), await signUp(app, 'creator')]
  const start = async (account: Account, payload: object) =>
    await app.inject({ method: 'POST', url: '/uploads/multipart', headers: account.auth, payload })
  const complete = async (account: Account, id: string, parts: unknown) =>
    await app.inject({ method: 'POST', url: `/uploads/multipart/${id}/complete`, headers: account.auth, payload: { parts } })
  const abort = async (account: Account, id: string) =>
    await app.inject({ method: 'DELETE', url: `/uploads/multipart/${id}`, headers: account.auth })
  const putPart = async (part: Part, bytes: Buffer) => await fetch(part.url, { method: 'PUT', body: bytes })
  const file = fakeVideo(5 * 1024 * 1024 + 300_000)
  const begin = async (account = creator, bytes = file) => {
    const res = await start(account, { contentType: 'video/mp4', sizeBytes: bytes.length, fileName: 'Big episode.mp4' })
    t.equal(res.statusCode, 201)
    return res.json().data as Started
  }
  const slice = (started: Started, part: Part, bytes = file) =>
    bytes.subarray((part.partNumber - 1) * started.partSize, (part.partNumber - 1) * started.partSize + part.sizeBytes)

  t.test('a file larger than one part: parts in any order, then complete, then save it as a video', async (t) => {
    const started = await begin()
    t.equal(started.partSize, 5 * 1024 * 1024)
    t.same(started.parts.map((p) => [p.partNumber, p.sizeBytes]), [[1, 5 * 1024 * 1024], [2, 300_000]])
    t.match(started.s3Key, new RegExp(`^videos/${creator.user.id}/[0-9a-f-]+-big-episode\\.mp4$`))
    const etags: Record<number, string> = {}
    for (const part of [...started.parts].reverse()) {
      const res = await putPart(part, slice(started, part))
      t.equal(res.status, 200, `part ${part.partNumber} accepted`)
      etags[part.partNumber] = res.headers.get('etag')!
    }
    const listed = started.parts.map((p) => ({ partNumber: p.partNumber, etag: etags[p.partNumber] }))
    const done = await complete(creator, started.uploadId, listed)
    t.equal(done.statusCode, 200)
    t.same(done.json().data, { s3Key: started.s3Key, sizeBytes: file.length, contentType: 'video/mp4' })
    t.same(await app.storage.head(started.s3Key), { sizeBytes: file.length, contentType: 'video/mp4' }, 'one object, whole')
    const saved = await app.inject({ method: 'POST', url: '/creator/videos', headers: creator.auth, payload: { s3Key: started.s3Key } })
    t.equal(saved.statusCode, 201)
    t.equal(saved.json().data.sizeBytes, file.length)
    isError(t, await complete(creator, started.uploadId, [{ partNumber: 1, etag: etags[1] }, { partNumber: 2, etag: etags[2] }]), 409, 'upload_not_open')
    isError(t, await abort(creator, started.uploadId), 409, 'upload_not_open')
  })

  t.test('a part of another size is refused by the bucket; a missing part or a wrong ETag is 422, and it stays open', async (t) => {
    const started = await begin()
    const [one, two] = started.parts as [Part, Part]
    t.not((await putPart(two, Buffer.concat([slice(started, two), Buffer.from('x')]))).status, 200, 'one byte more: refused')
    const etagOne = (await putPart(one, slice(started, one))).headers.get('etag')!
    isError(t, await complete(creator, started.uploadId, [{ partNumber: 1, etag: etagOne }]), 422, 'upload_parts_invalid')
    isError(t, await complete(creator, started.uploadId, [{ partNumber: 1, etag: etagOne }, { partNumber: 2, etag: '"0123"' }]),
      422, 'upload_parts_invalid')
    const twice = [{ partNumber: 1, etag: etagOne }, { partNumber: 1, etag: etagOne }]
    isError(t, await complete(creator, started.uploadId, twice),
      422, 'upload_parts_invalid')
    const etagTwo = (await putPart(two, slice(started, two))).headers.get('etag')!
    const both = [{ partNumber: 2, etag: etagTwo }, { partNumber: 1, etag: etagOne }]
    t.equal((await complete(creator, started.uploadId, both)).statusCode,
      200, 'completed once every part is there, whatever the order they are listed in')
  })

  t.test('aborting discards the parts; twice is fine; only the owner sees the upload', async (t) => {
    const started = await begin()
    isError(t, await complete(other, started.uploadId, [{ partNumber: 1, etag: '"x"' }]), 404, 'upload_not_found')
    isError(t, await abort(other, started.uploadId), 404, 'upload_not_found')
    isError(t, await abort(creator, new ObjectId().toHexString()), 404, 'upload_not_found')
    t.equal((await abort(creator, started.uploadId)).statusCode, 204)
    t.equal((await abort(creator, started.uploadId)).statusCode, 204, 'again')
    t.not((await putPart(started.parts[0]!, slice(started, started.parts[0]!))).status, 200, 'the bucket has no such upload any more')
    isError(t, await complete(creator, started.uploadId, [{ partNumber: 1, etag: '"x"' }, { partNumber: 2, etag: '"y"' }]), 409, 'upload_not_open')
  })

  t.test('an upload left open for a day is aborted by the maintenance job', async (t) => {
    const started = await begin()
    const fresh = await begin()
    await app.mongo.db!.collection('multipart_uploads').updateOne({ _id: new ObjectId(started.uploadId) },
      { $set: { createdAt: new Date(Date.now() - 25 * 3600_000) } })
    t.ok(await app.services.uploads.abortAbandoned() >= 1)
    t.not((await putPart(started.parts[0]!, slice(started, started.parts[0]!))).status, 200, 'its parts are gone')
    isError(t, await complete(creator, started.uploadId, [{ partNumber: 1, etag: '"x"' }, { partNumber: 2, etag: '"y"' }]), 409, 'upload_not_open')
    t.equal((await putPart(fresh.parts[1]!, slice(fresh, fresh.parts[1]!))).status, 200, 'a recent one is left alone')
  })

  t.test('the same types and sizes as a single upload', async (t) => {
    isError(t, await start(creator, { contentType: 'video/mp4', sizeBytes: app.config.MAX_UPLOAD_BYTES + 1 }), 400, 'upload_too_large')
    isError(t, await start(creator, { contentType: 'application/zip', sizeBytes: 10 }), 415, 'unsupported_media_type')
    const viewer = await signUp(app, 'viewer')
    isError(t, await start(viewer, { contentType: 'video/mp4', sizeBytes: 10 }), 403, 'forbidden')
    const small = await start(creator, { contentType: 'image/png', sizeBytes: 1000 })
    t.same(small.json().data.parts.map((p: Part) => p.sizeBytes), [1000], 'a small file is one part')
  })
})
