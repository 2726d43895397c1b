import t from 'tap'
import { ObjectId } from 'mongodb'
import { build, createEpisode, createSeries, injectWithRetry, isError, signUp, uploadVideo } from '../../helper.js'

// The refusals of the routes that put a creator's series and episodes in other languages (translations, subtitles,
// dubs), each before anything is changed; their successes are in test/features/languages, subtitles and dubbing.
t.test('translations, subtitles and dubs: what is refused', async (t) => {
  const app = await build(t, { LANGUAGES: 'en,es', MARKETS: 'BR' })
  const creator = await signUp(app, 'creator')
  const video = await uploadVideo(app, creator)
  const series = await createSeries(app, creator, { language: 'en' })
  const episode = await createEpisode(app, creator, series.id, video.id, 1)
  const send = async (method: 'PUT' | 'DELETE', url: string, payload?: object | string, type?: string) =>
    await injectWithRetry(app, {
      method, url, headers: { ...creator.auth, ...(type === undefined ? {} : { 'content-type': type }) }, ...(payload === undefined ? {} : { payload })
    })
  const episodeUrl = (what: string, language: string) => `/creator/episodes/${episode.id}/${what}/${language}`

  t.test('a language the deployment does not offer is 422 language_not_supported', async (t) => {
    isError(t, await send('PUT', episodeUrl('translations', 'fr'), { title: 'Le mariage' }), 422, 'language_not_supported')
    isError(t, await send('DELETE', episodeUrl('translations', 'fr')), 422, 'language_not_supported')
    isError(t, await send('DELETE', `/creator/series/${series.id}/translations/fr`), 422, 'language_not_supported')
    isError(t, await send('DELETE', episodeUrl('subtitles', 'fr')), 422, 'language_not_supported')
    isError(t, await send('DELETE', episodeUrl('audio', 'fr')), 422, 'language_not_supported')
  })

  t.test('the original language is not a translation: 422 language_is_original', async (t) => {
    isError(t, await send('PUT', episodeUrl('translations', 'en'), { title: 'The wedding' }), 422, 'language_is_original')
    isError(t, await send('DELETE', episodeUrl('translations', 'en')), 422, 'language_is_original')
    isError(t, await send('DELETE', `/creator/series/${series.id}/translations/en`), 422, 'language_is_original')
  })

  t.test('removing what is not there is 404', async (t) => {
    isError(t, await send('DELETE', episodeUrl('translations', 'es')), 404, 'translation_not_found')
  })

  t.test('a market the deployment does not sell in is 422 market_not_supported, at creation too', async (t) => {
    const res = await injectWithRetry(app, {
      method: 'POST', url: '/creator/series', headers: creator.auth, payload: { title: 'x', regionalPrices: [{ country: 'US', coinPrice: 10 }] }
    })
    isError(t, res, 422, 'market_not_supported')
  })

  t.test('an episode whose duration is unknown takes no subtitles or dub: 409 video_not_ready', async (t) => {
    const other = await createEpisode(app, creator, series.id, video.id, 2)
    await app.mongo.db!.collection('episodes').updateOne({ _id: new ObjectId(other.id) }, { $set: { durationSec: null } })
    const vtt = 'WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nHola\n'
    isError(t, await send('PUT', `/creator/episodes/${other.id}/subtitles/es`, vtt, 'text/vtt'), 409, 'video_not_ready')
    isError(t, await send('PUT', `/creator/episodes/${other.id}/audio/es`, { s3Key: `audio/${creator.user.id}/x.m4a` }), 409, 'video_not_ready')
  })

  t.test('a dub must be an audio file the caller uploaded', async (t) => {
    isError(t, await send('PUT', episodeUrl('audio', 'es'), { s3Key: `audio/${creator.user.id}/never-uploaded.m4a` }), 404, 'upload_missing')
    // A file under the caller's audio prefix that is not of an audio type (put there without a presigned upload).
    const key = `audio/${creator.user.id}/not-audio.m4a`
    await app.storage.put(key, 'plain text', 'text/plain')
    isError(t, await send('PUT', episodeUrl('audio', 'es'), { s3Key: key }), 422, 'unsupported_upload')
    isError(t, await send('PUT', episodeUrl('audio', 'es'), { s3Key: `videos/${creator.user.id}/x.mp4` }), 403, 'forbidden_key')
  })
})
