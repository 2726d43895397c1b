// The seed design's Mongoose models (src/models/ in that codebase), on the collections and in the document shapes
// bench/seed.ts writes (the API's), so both servers read the same seeded data: field names such as `ownerId` and
// `passwordHash` are the API's. Indexes are declared as such a codebase declares them; the bench's database already
// has the API's (bench/seed.ts creates them), so app.ts connects with autoIndex off rather than build them twice.
import mongoose, { Schema, type HydratedDocument, type InferSchemaType } from 'mongoose'

const { ObjectId } = Schema.Types

const userSchema = new Schema({
  email: { type: String, required: true, unique: true, lowercase: true, trim: true },
  passwordHash: { type: String, required: true },
  role: { type: String, enum: ['viewer', 'creator', 'admin'], default: 'viewer' },
  tokenVersion: { type: Number, default: 0 },
  subscription: {
    status: { type: String, enum: ['none', 'active', 'canceled'], default: 'none' },
    updatedAt: { type: Date, default: null }
  }
}, { timestamps: true })

const seriesSchema = new Schema({
  ownerId: { type: ObjectId, ref: 'User', required: true, index: true },
  title: { type: String, required: true, trim: true },
  description: { type: String, default: '' },
  genres: { type: [String], default: [] },
  status: { type: String, enum: ['draft', 'pending', 'published', 'rejected', 'unpublished'], default: 'draft' },
  freeEpisodes: { type: Number, default: 0 },
  views: { type: Number, default: 0 },
  coverKey: { type: String, default: null },
  publishedAt: { type: Date, default: null }
}, { timestamps: true })
seriesSchema.index({ status: 1, publishedAt: -1 })

const episodeSchema = new Schema({
  seriesId: { type: ObjectId, ref: 'Series', required: true },
  ownerId: { type: ObjectId, ref: 'User', required: true },
  videoId: { type: ObjectId, ref: 'Video', required: true },
  number: { type: Number, required: true, min: 1 },
  title: { type: String, required: true, trim: true },
  status: { type: String, enum: ['pending', 'published', 'rejected', 'unpublished'], default: 'pending' },
  // Plays, counted by GET /video/play (not in bench/seed.ts's documents: $inc creates it).
  views: { type: Number, default: 0 },
  publishedAt: { type: Date, default: null }
}, { timestamps: true })
episodeSchema.index({ seriesId: 1, number: 1 }, { unique: true })

const videoSchema = new Schema({
  ownerId: { type: ObjectId, ref: 'User', required: true },
  s3Key: { type: String, required: true, unique: true },
  title: { type: String, default: null },
  contentType: { type: String, required: true },
  sizeBytes: { type: Number, required: true },
  status: { type: String, default: 'pending' }
}, { timestamps: { createdAt: true, updatedAt: false } })

// No createdAt and no __v: the API's watch_history rows have neither, and progress upserts write these rows.
const watchHistorySchema = new Schema({
  userId: { type: ObjectId, ref: 'User', required: true },
  episodeId: { type: ObjectId, ref: 'Episode', required: true },
  seriesId: { type: ObjectId, ref: 'Series', required: true },
  positionSec: { type: Number, required: true, min: 0 },
  durationSec: { type: Number, default: null },
  completed: { type: Boolean, default: false }
}, { timestamps: { createdAt: false, updatedAt: true }, versionKey: false })
watchHistorySchema.index({ userId: 1, episodeId: 1 }, { unique: true })
watchHistorySchema.index({ userId: 1, updatedAt: -1 })

// "My list" is not in the seed design; the API's catalogue says of each series whether the caller saved it.
const myListSchema = new Schema({
  userId: { type: ObjectId, ref: 'User', required: true },
  seriesId: { type: ObjectId, ref: 'Series', required: true },
  addedAt: { type: Date, default: Date.now }
}, { versionKey: false })
myListSchema.index({ userId: 1, seriesId: 1 }, { unique: true })

export const User = mongoose.model('User', userSchema, 'users')
export const Series = mongoose.model('Series', seriesSchema, 'series')
export const Episode = mongoose.model('Episode', episodeSchema, 'episodes')
export const Video = mongoose.model('Video', videoSchema, 'videos')
export const WatchHistory = mongoose.model('WatchHistory', watchHistorySchema, 'watch_history')
export const MyList = mongoose.model('MyList', myListSchema, 'my_list')

export type UserDocument = HydratedDocument<InferSchemaType<typeof userSchema>>
