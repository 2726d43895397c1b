// Presigned URLs name the endpoint clients reach (S3_PUBLIC_ENDPOINT), while the API itself talks to the store at
// S3_ENDPOINT: as in Compose, where browsers reach MinIO at localhost and containers at its service name.
import t from 'tap'
import { build, signUp } from '../helper.js'

t.test('S3_PUBLIC_ENDPOINT names presigned URLs; the API still reaches the store at S3_ENDPOINT', async (t) => {
  const app = await build(t, { S3_PUBLIC_ENDPOINT: 'http://media.example.test:9000' })
  const creator = await signUp(app, 'creator')
  const presigned = await app.inject({
    method: 'POST', url: '/uploads/presign', headers: creator.auth, payload: { contentType: 'video/mp4', sizeBytes: 1000, fileName: 'a.mp4' }
  })
  t.equal(presigned.statusCode, 200, presigned.body)
  t.match(presigned.json().data.uploadUrl, /^http:\/\/media\.example\.test:9000\//, 'the upload URL names the public endpoint')
  t.match(await app.storage.presignDownload('videos/x', 60), /^http:\/\/media\.example\.test:9000\/.*X-Amz-Signature=/)
  t.equal((await app.inject({ url: '/health/ready' })).statusCode, 200, 'the store is reachable at S3_ENDPOINT')
})
