import type { Db, ObjectId } from 'mongodb'

export interface MultipartUploadDoc {
  _id: ObjectId
  ownerId: ObjectId
  s3Key: string
  /** The object store's id of the upload: never shown (clients use _id). */
  s3UploadId: string
  contentType: string
  sizeBytes: number
  partSize: number
  status: 'open' | 'completed' | 'aborted'
  createdAt: Date
  finishedAt: Date | null
}

/** Multipart uploads to the bucket, from their start until they are completed or aborted. */
export function createMultipartUploadsRepository (db: Db) {
  const uploads = db.collection<MultipartUploadDoc>('multipart_uploads')

  return {
    collection: uploads,

    async ensureIndexes (): Promise<void> {
      await uploads.createIndex({ status: 1, createdAt: 1 }, { name: 'status_createdAt' })
    },

    async create (input: Pick<MultipartUploadDoc, '_id' | 'ownerId' | 's3Key' | 's3UploadId' | 'contentType' | 'sizeBytes' | 'partSize'>) {
      const doc: MultipartUploadDoc = { ...input, status: 'open', createdAt: new Date(), finishedAt: null }
      await uploads.insertOne(doc)
      return doc
    },

    async findOwned (ownerId: ObjectId, id: ObjectId): Promise<MultipartUploadDoc | null> {
      return await uploads.findOne({ _id: id, ownerId })
    },

    async finish (id: ObjectId, status: 'completed' | 'aborted'): Promise<void> {
      await uploads.updateOne({ _id: id, status: 'open' }, { $set: { status, finishedAt: new Date() } })
    },

    /** Open uploads started before `before`: abandoned. */
    async findOpenBefore (before: Date, limit: number): Promise<MultipartUploadDoc[]> {
      return await uploads.find({ status: 'open', createdAt: { $lt: before } }, { limit, sort: { createdAt: 1 } }).toArray()
    }
  }
}

export type MultipartUploadsRepository = ReturnType<typeof createMultipartUploadsRepository>
