import { createReadStream, createWriteStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import type { Readable } from 'node:stream'
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectCommand,
  DeleteObjectsCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, NoSuchUpload,
  NotFound, PutObjectCommand, S3Client, UploadPartCommand
} from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import type { Config } from '../config.js'
import type { Metrics } from './metrics.js'

export interface ObjectInfo {
  sizeBytes: number
  contentType: string
}

/** Object storage (AWS S3 or any S3-compatible store): presigned uploads and downloads, object checks. */
export function createStorage (config: Config, metrics?: Pick<Metrics, 's3'>) {
  const credentials = config.AWS_ACCESS_KEY_ID !== undefined && config.AWS_SECRET_ACCESS_KEY !== undefined
    ? {
        accessKeyId: config.AWS_ACCESS_KEY_ID,
        secretAccessKey: config.AWS_SECRET_ACCESS_KEY,
        sessionToken: config.AWS_SESSION_TOKEN
      }
    : undefined // the SDK's default chain: environment, shared files, IAM role
  const clientFor = (endpoint: string | undefined) => new S3Client({
    region: config.AWS_REGION,
    endpoint,
    forcePathStyle: config.S3_FORCE_PATH_STYLE === 'true',
    credentials,
    // Otherwise the SDK signs a CRC32 of an empty body into presigned PUT URLs, which S3 then rejects.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 2
  })
  const client = clientFor(config.S3_ENDPOINT)
  // Presigned URLs name the endpoint browsers and apps reach (S3_PUBLIC_ENDPOINT), which may differ from the one
  // this process reaches (a private network's, a container's): signing sends nothing, so it needs no connection.
  const signer = config.S3_PUBLIC_ENDPOINT === undefined ? client : clientFor(config.S3_PUBLIC_ENDPOINT)
  const bucket = config.AWS_S3_BUCKET
  // Every request's latency, by operation, each attempt (at the deserialize step, next to the wire: a presigned URL
  // is made before it and sends nothing, so it is not counted).
  if (metrics !== undefined) {
    client.middlewareStack.add((next, context) => async (args) => {
      const end = metrics.s3.startTimer({ operation: context.commandName ?? 'unknown' })
      try {
        const result = await next(args)
        end({ outcome: 'ok' })
        return result
      } catch (err) {
        end({ outcome: 'error' })
        throw err
      }
    }, { step: 'deserialize', name: 'metrics' })
  }

  return {
    client,
    bucket,

    /** A URL that accepts exactly one PUT of `sizeBytes` bytes of `contentType`, and the headers to send. */
    async presignUpload (key: string, contentType: string, sizeBytes: number, expiresIn: number) {
      const command = new PutObjectCommand({
        Bucket: bucket, Key: key, ContentType: contentType, ContentLength: sizeBytes
      })
      const url = await getSignedUrl(signer, command, { expiresIn, signableHeaders: new Set(['content-type', 'content-length']) })
      return { url, headers: { 'Content-Type': contentType, 'Content-Length': String(sizeBytes) } }
    },

    async presignDownload (key: string, expiresIn: number): Promise<string> {
      return await getSignedUrl(signer, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn })
    },

    /** The stored object's size and type, or null when there is no such object. */
    async head (key: string): Promise<ObjectInfo | null> {
      try {
        const out = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
        return { sizeBytes: out.ContentLength ?? 0, contentType: out.ContentType ?? 'application/octet-stream' }
      } catch (err) {
        const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
        if (err instanceof NotFound || status === 404) return null
        throw err
      }
    },

    /** Starts a multipart upload of `key`: the store's upload id. */
    async createMultipart (key: string, contentType: string): Promise<string> {
      const command = new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType })
      const out = await client.send(command)
      return out.UploadId!
    },

    /** A URL that accepts one PUT of part `partNumber`, of exactly `sizeBytes` bytes. */
    async presignPart (
      key: string, uploadId: string, partNumber: number, sizeBytes: number, expiresIn: number
    ): Promise<string> {
      const command = new UploadPartCommand({
        Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, ContentLength: sizeBytes
      })
      return await getSignedUrl(signer, command, { expiresIn, signableHeaders: new Set(['content-length']) })
    },

    /** Assembles the parts; false when the store refuses them (a part missing, too small, or with another ETag). */
    async completeMultipart (
      key: string, uploadId: string, parts: Array<{ partNumber: number, etag: string }>
    ): Promise<boolean> {
      try {
        await client.send(new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) }
        }))
        return true
      } catch (err) {
        const name = (err as { name?: string }).name ?? ''
        if (['InvalidPart', 'InvalidPartOrder', 'EntityTooSmall', 'NoSuchUpload'].includes(name)) return false
        throw err
      }
    },

    /** Discards an unfinished multipart upload and its parts (done already: nothing to do). */
    async abortMultipart (key: string, uploadId: string): Promise<void> {
      try {
        await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))
      } catch (err) {
        if (!(err instanceof NoSuchUpload) && (err as { name?: string }).name !== 'NoSuchUpload') throw err
      }
    },

    /** A small text object (a playlist), or null when there is no such object. */
    async readText (key: string): Promise<string | null> {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
        return await out.Body!.transformToString()
      } catch (err) {
        if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return null
        throw err
      }
    },

    /** Copies an object to a local file (the media pipeline's input). */
    async download (key: string, file: string): Promise<void> {
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
      await pipeline(out.Body as Readable, createWriteStream(file))
    },

    /** Stores a local file under `key`. */
    async upload (key: string, file: string, contentType: string, cacheControl?: string): Promise<void> {
      const { size } = await stat(file)
      await client.send(new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: createReadStream(file),
        ContentLength: size,
        ContentType: contentType,
        CacheControl: cacheControl
      }))
    },

    /** Stores a small object (a subtitle file) from memory. */
    async put (key: string, body: string | Buffer, contentType: string, cacheControl?: string): Promise<void> {
      await client.send(new PutObjectCommand({
        Bucket: bucket, Key: key, Body: body, ContentType: contentType, CacheControl: cacheControl
      }))
    },

    /** The first `bytes` bytes of an object, or null when there is no such object. */
    async readStart (key: string, bytes: number): Promise<Buffer | null> {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=0-${bytes - 1}` }))
        return Buffer.from(await out.Body!.transformToByteArray())
      } catch (err) {
        if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return null
        throw err
      }
    },

    /** Deletes every object under `prefix` (a folder of HLS files). */
    async removePrefix (prefix: string): Promise<void> {
      let token: string | undefined
      do {
        const list = new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token })
        const page = await client.send(list)
        const objects = (page.Contents ?? []).flatMap((o) => o.Key === undefined ? [] : [{ Key: o.Key }])
        if (objects.length > 0) {
          await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }))
        }
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined
      } while (token !== undefined)
    },

    /** Deletes an object (nothing when there is none). */
    async remove (key: string): Promise<void> {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))
    },

    async ping (): Promise<void> {
      await client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: AbortSignal.timeout(3000) })
    }
  }
}

export type Storage = ReturnType<typeof createStorage>
