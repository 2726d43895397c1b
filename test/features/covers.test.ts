import t from 'tap'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { approve, build, createEpisode, createSeries, isError, signUp, uploadVideo } from '../helper.js'

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(500, 7)])

t.test('series covers', async (t) => {
  const app = await build(t)
  const [creator, other, admin, viewer] = [await signUp(app, 'creator'), await signUp(app, 'creator'), await signUp(app, 'admin'), await signUp(app, 'viewer')]
  const series = await createSeries(app, creator, { title: 'Covered' })
  const uploadCover = async (account = creator, bytes = PNG, contentType = 'image/png') => {
    const presign = await app.inject({ method: 'POST', url: '/uploads/presign', headers: account.auth, payload: { contentType, sizeBytes: bytes.length, fileName: 'cover.png' } })
    t.equal(presign.statusCode, 200)
    const { s3Key, uploadUrl, headers } = presign.json().data
    t.match(s3Key, `images/${account.user.id}/`)
    t.equal((await fetch(uploadUrl, { method: 'PUT', headers, body: bytes })).status, 200)
    return s3Key as string
  }
  const patch = (coverKey: string, account = creator) =>
    app.inject({ method: 'PATCH', url: `/creator/series/${series.id}`, headers: account.auth, payload: { coverKey } })

  t.test('a creator uploads a cover and sets it; viewers load it from the public cover path', async (t) => {
    const res = await patch(await uploadCover())
    t.equal(res.statusCode, 200)
    t.equal(res.json().data.coverUrl, `/covers/${series.id}`)
    t.equal((await app.inject({ url: `/covers/${series.id}` })).statusCode, 404, 'not while the series is unpublished')
    const video = await uploadVideo(app, creator)
    await approve(app, admin, (await createEpisode(app, creator, series.id, video.id)).id)
    const listed = await app.inject({ url: `/content/series/${series.id}`, headers: viewer.auth })
    t.equal(listed.json().data.coverUrl, `/covers/${series.id}`)
    const cover = await app.inject({ url: listed.json().data.coverUrl })
    t.equal(cover.statusCode, 302, 'no token needed')
    const image = await fetch(String(cover.headers.location))
    t.same(Buffer.from(await image.arrayBuffer()), PNG, 'the redirect serves the uploaded image')
  })

  t.test('an image is at most 5 MiB', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/uploads/presign', headers: creator.auth, payload: { contentType: 'image/png', sizeBytes: 5 * 1024 * 1024 + 1 } })
    isError(t, res, 400, 'upload_too_large')
  })

  t.test('a cover key not issued to the caller, a video key, or a missing upload is refused', async (t) => {
    isError(t, await patch(await uploadCover(other)), 403, 'forbidden_key')
    const video = await uploadVideo(app, creator)
    isError(t, await patch(video.s3Key), 403, 'forbidden_key')
    isError(t, await patch(`images/${creator.user.id}/never-uploaded.png`), 404, 'upload_missing')
  })

  t.test('a file stored under the caller\'s image key that is not an image is 422 unsupported_upload', async (t) => {
    const coverKey = `images/${creator.user.id}/notes.png`
    await app.storage.client.send(new PutObjectCommand({
      Bucket: app.storage.bucket, Key: coverKey, Body: Buffer.from('not an image'), ContentType: 'text/plain'
    }))
    const cover = async () => (await app.inject({ url: '/creator/series?limit=100', headers: creator.auth }))
      .json().data.find((s: { id: string }) => s.id === series.id).coverUrl
    const before = await cover()
    isError(t, await patch(coverKey), 422, 'unsupported_upload')
    t.equal(await cover(), before, 'the cover is as it was')
    t.equal((await app.inject({ url: `/covers/${series.id}` })).headers.location?.includes('notes.png'), false, 'and is not that file')
  })

  t.test('a video cannot be saved from an image key', async (t) => {
    const key = await uploadCover()
    isError(t, await app.inject({ method: 'POST', url: '/creator/videos', headers: creator.auth, payload: { s3Key: key } }), 403, 'forbidden_key')
  })

  t.test('an unknown series or one without a cover has no cover', async (t) => {
    isError(t, await app.inject({ url: '/covers/665f1c2b9d3e4a0012345678' }), 404, 'cover_not_found')
    isError(t, await app.inject({ url: '/covers/nope' }), 400, 'validation_failed')
  })
})
