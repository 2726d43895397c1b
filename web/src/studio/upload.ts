// A video file to the bucket from the browser, with its progress: one presigned PUT for a small file, a multipart
// upload for a large one (resumable: the parts already sent are remembered, so choosing the same file again after a
// reload sends only the rest, while the part URLs last). Then saved as a video.
import type { Client } from '../../../clients/ts/index.ts'

const MULTIPART_FROM = 16 * 2 ** 20
type VideoType = 'video/mp4' | 'video/quicktime' | 'video/webm'

interface Saved {
  uploadId: string
  s3Key: string
  parts: Array<{ partNumber: number, sizeBytes: number, url: string }>
  expiresAt: string
  etags: Record<number, string>
}

const keyOf = (file: File) => `microdrama.upload:${file.name}:${file.size}:${file.lastModified}`

/** PUT bytes with XMLHttpRequest (fetch reports no upload progress); resolves with the answer's ETag. */
function put (
  url: string, body: Blob, headers: Record<string, string>, onProgress: (sent: number) => void
): Promise<string> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('PUT', url)
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value)
    xhr.upload.onprogress = (e) => onProgress(e.loaded)
    xhr.onload = () => xhr.status >= 200 && xhr.status < 300
      ? resolve(xhr.getResponseHeader('ETag') ?? '')
      : reject(new Error(`The bucket refused the upload (${xhr.status})`))
    xhr.onerror = () => reject(new Error('The upload failed: check the connection (or the bucket\'s CORS)'))
    xhr.send(body)
  })
}

async function answer<T> (promise: Promise<{ data?: T, error?: unknown }>): Promise<T> {
  const { data, error } = await promise
  if (data === undefined) throw error ?? new Error('No answer')
  return data
}

/**
 * Uploads `file`, calling `onProgress` with 0..1, and saves it as a video (its poster taken at `posterTimeSec`
 * when given); resolves with its id.
 */
export async function uploadVideo (
  api: Client, file: File, onProgress: (fraction: number) => void, posterTimeSec?: number
): Promise<string> {
  const contentType = (file.type === '' ? 'video/mp4' : file.type) as VideoType
  const body = { contentType, sizeBytes: file.size, fileName: file.name }
  let s3Key: string
  if (file.size < MULTIPART_FROM) {
    const presigned = (await answer(api.POST('/uploads/presign', { body }))).data
    const headers = presigned.headers as Record<string, string>
    await put(presigned.uploadUrl, file, headers, (sent) => onProgress(sent / file.size))
    s3Key = presigned.s3Key
  } else {
    s3Key = await multipart(api, file, body, onProgress)
  }
  onProgress(1)
  const title = file.name.replace(/\.[^.]+$/, '')
  return (await answer(api.POST('/creator/videos', { body: { s3Key, title, posterTimeSec } }))).data.id
}

async function multipart (
  api: Client, file: File, body: { contentType: VideoType, sizeBytes: number, fileName: string },
  onProgress: (fraction: number) => void
): Promise<string> {
  const key = keyOf(file)
  let saved = JSON.parse(localStorage.getItem(key) ?? 'null') as Saved | null
  if (saved === null || Date.parse(saved.expiresAt) < Date.now() + 60_000) {
    const started = (await answer(api.POST('/uploads/multipart', { body }))).data
    const { uploadId, s3Key, parts, expiresAt } = started
    saved = { uploadId, s3Key, parts, expiresAt, etags: {} }
    localStorage.setItem(key, JSON.stringify(saved))
  }
  const done = saved.parts.filter((p) => saved.etags[p.partNumber] !== undefined).reduce((n, p) => n + p.sizeBytes, 0)
  let sent = done
  let offset = 0
  for (const part of saved.parts) {
    const slice = file.slice(offset, offset + part.sizeBytes)
    offset += part.sizeBytes
    if (saved.etags[part.partNumber] !== undefined) continue
    const before = sent
    saved.etags[part.partNumber] = await put(part.url, slice, {}, (n) => onProgress((before + n) / file.size))
    sent += part.sizeBytes
    localStorage.setItem(key, JSON.stringify(saved))
  }
  const parts = saved.parts.map((p) => ({ partNumber: p.partNumber, etag: saved.etags[p.partNumber]! }))
  const path = { uploadId: saved.uploadId }
  await answer(api.POST('/uploads/multipart/{uploadId}/complete', { params: { path }, body: { parts } }))
  localStorage.removeItem(key)
  return saved.s3Key
}
