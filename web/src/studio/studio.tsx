// The creator studio: email verification, uploads by drag and drop with their progress, each video's processing
// state as it changes, the creator's series, and a series' editor (details, episodes, submission, moderation notes).
import { useEffect, useState, type DragEvent, type FormEvent } from 'react'
import { Link } from 'wouter'
import type { Schemas } from '../../../clients/ts/index.ts'
import { Loaded, later, useAction, useLoad } from '../load.tsx'
import { errorMessage, useSession } from '../session.tsx'
import { uploadVideo } from './upload.ts'
import { Earnings, SeriesStats } from './stats.tsx'

export const FAILURE: Record<Schemas['VideoFailureCode'], string> = {
  not_a_video: 'The file is not a video.',
  unsupported_codec: 'Its codec cannot be processed.',
  too_long: 'It is longer than an episode may be.',
  not_vertical: 'It is not vertical (9:16 or taller).',
  corrupt: 'The file is damaged.',
  processing_failed: 'Processing failed on our side; it will be retried.'
}

export function Studio () {
  const { user } = useSession()
  if (user?.role === 'viewer') return <p>The studio is for creators. Sign up as a creator to publish series.</p>
  return (
    <>
      <h1>Studio</h1>
      {user?.emailVerified === false && <VerifyEmail />}
      <Videos />
      <SeriesList />
      <Earnings />
    </>
  )
}

/** Uploads need a verified email: the code from the message, or its link (which opens /verify-email here). */
function VerifyEmail () {
  const { api, user, refreshUser } = useSession()
  const [message, setMessage] = useState<string | null>(null)
  async function submit (event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const code = String(new FormData(event.currentTarget).get('code'))
    const { error } = await api.POST('/auth/email/verify-code', { body: { code } })
    if (error !== undefined) setMessage(errorMessage(error))
    else await refreshUser()
  }
  async function resend () {
    const { error } = await api.POST('/auth/email/verification')
    setMessage(error === undefined ? `Sent again to ${user?.email ?? 'you'}.` : errorMessage(error))
  }
  return (
    <article aria-labelledby='verify'>
      <h2 id='verify'>Confirm your email to upload</h2>
      <p>We sent a message to {user?.email}: open its link, or type its code here.</p>
      <form onSubmit={(e) => later(submit(e))}>
        <fieldset role='group'>
          <input name='code' aria-label='Code from the email' inputMode='numeric' pattern='[0-9]{6}' required />
          <button type='submit'>Confirm</button>
        </fieldset>
      </form>
      <button type='button' className='secondary' onClick={() => later(resend())}>Send it again</button>
      {message !== null && <p role='status'>{message}</p>}
    </article>
  )
}

interface Upload { name: string, fraction: number, error?: string, done?: boolean }

function Videos () {
  const { api } = useSession()
  const videos = useLoad(async () => await api.GET('/creator/videos', { params: { query: { limit: 50 } } }), [api])
  const [uploads, setUploads] = useState<Upload[]>([])
  const [over, setOver] = useState(false)
  const [posterAt, setPosterAt] = useState('')

  // Processing states change on the worker: poll while any is unfinished.
  const busy = videos.data?.data.some((v) => v.status === 'uploaded' || v.status === 'processing') === true
  useEffect(() => {
    if (!busy) return
    const timer = setInterval(videos.reload, 2000)
    return () => clearInterval(timer)
  }, [busy, videos.reload])

  function start (files: FileList | null) {
    for (const file of Array.from(files ?? [])) {
      const update = (patch: Partial<Upload>) =>
        setUploads((list) => list.map((u) => u.name === file.name ? { ...u, ...patch } : u))
      setUploads((list) => [...list.filter((u) => u.name !== file.name), { name: file.name, fraction: 0 }])
      uploadVideo(api, file, (fraction) => update({ fraction }), posterAt === '' ? undefined : Number(posterAt)).then(
        () => { update({ done: true }); videos.reload() },
        (err: unknown) => update({ error: errorMessage(err) }))
    }
  }
  const drop = (e: DragEvent) => { e.preventDefault(); setOver(false); start(e.dataTransfer.files) }

  return (
    <section aria-labelledby='videos'>
      <h2 id='videos'>Videos</h2>
      <label>Poster from second (empty: the pipeline picks a frame)
        <input type='number' min={0} step={0.1} value={posterAt} onChange={(e) => setPosterAt(e.target.value)} />
      </label>
      <label
        className={over ? 'dropzone over' : 'dropzone'}
        onDragOver={(e) => { e.preventDefault(); setOver(true) }} onDragLeave={() => setOver(false)} onDrop={drop}
      >
        Drop vertical video files here, or choose them
        <input type='file' accept='video/mp4,video/quicktime,video/webm' multiple onChange={(e) => start(e.target.files)} />
      </label>
      {uploads.map((u) => (
        <p key={u.name}>
          {u.name}: {u.error ?? (u.done === true ? 'uploaded' : `${Math.round(u.fraction * 100)} %`)}
          <progress value={u.fraction} max={1} aria-label={`Upload of ${u.name}`} />
        </p>))}
      <Loaded state={videos} empty={(page) => page.data.length === 0}>
        {(page) => (
          <table>
            <thead><tr><th>Video</th><th>State</th><th>Length</th><th>Poster</th></tr></thead>
            <tbody>
              {page.data.map((v) => (
                <tr key={v.id} data-video={v.id}>
                  <td>{v.title ?? v.id}</td>
                  <td data-testid='video-status'>
                    {v.status}
                    {v.failure !== null && <>: {FAILURE[v.failure.code]} <small>{v.failure.message}</small></>}
                  </td>
                  <td>{v.durationSec === null ? '–' : `${Math.round(v.durationSec)} s`}</td>
                  <td>{v.posterUrl !== null && <img className='thumb' src={v.posterUrl} alt={`Poster of ${v.title ?? 'the video'}`} />}</td>
                </tr>))}
            </tbody>
          </table>)}
      </Loaded>
    </section>
  )
}

function SeriesList () {
  const { api } = useSession()
  const series = useLoad(async () => await api.GET('/creator/series', { params: { query: { limit: 50 } } }), [api])
  const [error, setError] = useState<string | null>(null)
  async function create (event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const { error } = await api.POST('/creator/series', { body: seriesBody(form) as { title: string } })
    if (error !== undefined) { setError(errorMessage(error)); return }
    setError(null)
    series.reload()
  }
  return (
    <section aria-labelledby='series'>
      <h2 id='series'>Series</h2>
      <Loaded state={series} empty={(page) => page.data.length === 0}>
        {(page) => (
          <ul>
            {page.data.map((s) => (
              <li key={s.id}><Link href={`/studio/series/${s.id}`}>{s.title}</Link> ({s.status})</li>))}
          </ul>)}
      </Loaded>
      <details>
        <summary role='button' className='secondary'>New series</summary>
        <SeriesFields onSubmit={(e) => later(create(e))} label='Create the series' />
        {error !== null && <p role='alert' className='error'>{error}</p>}
      </details>
    </section>
  )
}

/** The form's fields as a series' body: genres comma-separated, no coin price for VIP only. */
function seriesBody (form: FormData) {
  const coinPrice = String(form.get('coinPrice') ?? '')
  return {
    title: String(form.get('title')),
    description: String(form.get('description') ?? ''),
    genres: String(form.get('genres') ?? '').split(',').map((g) => g.trim()).filter((g) => g !== ''),
    freeEpisodes: Number(form.get('freeEpisodes') ?? 0),
    ...(coinPrice === '' ? {} : { coinPrice: Number(coinPrice) })
  }
}

function SeriesFields ({ series, onSubmit, label }: {
  series?: Schemas['CreatorSeries'], onSubmit: (e: FormEvent<HTMLFormElement>) => void, label: string
}) {
  return (
    <form onSubmit={onSubmit}>
      <label>Title <input name='title' required maxLength={200} defaultValue={series?.title} /></label>
      <label>Synopsis <textarea name='description' maxLength={5000} defaultValue={series?.description} /></label>
      <label>Genres, comma-separated <input name='genres' defaultValue={series?.genres.join(', ')} /></label>
      <div className='grid'>
        <label>Free episodes <input name='freeEpisodes' type='number' min={0} defaultValue={series?.freeEpisodes ?? 3} /></label>
        <label>Coin price of the others (empty: VIP only) <input name='coinPrice' type='number' min={1} defaultValue={series?.coinPrice ?? ''} /></label>
      </div>
      <button type='submit'>{label}</button>
    </form>
  )
}

export function SeriesEditor ({ id }: { id: string }) {
  const { api } = useSession()
  const found = useLoad(async () => await api.GET('/creator/series/{seriesId}', { params: { path: { seriesId: id } } }), [api, id])
  const episodes = useLoad(async () => await api.GET('/creator/series/{seriesId}/episodes', {
    params: { path: { seriesId: id }, query: { limit: 100 } }
  }), [api, id])
  const videos = useLoad(async () => await api.GET('/creator/videos', { params: { query: { limit: 100 } } }), [api])
  const { run, status } = useAction()

  const act = (done: string, call: () => Promise<{ error?: unknown }>) =>
    run(call, done, () => { found.reload(); episodes.reload() })
  const save = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const body = seriesBody(new FormData(e.currentTarget))
    act('Saved.', async () => await api.PATCH('/creator/series/{seriesId}', { params: { path: { seriesId: id } }, body }))
  }
  const addEpisode = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const form = new FormData(e.currentTarget)
    const body = { number: Number(form.get('number')), title: String(form.get('title')), videoId: String(form.get('videoId')) }
    act(`Episode ${body.number} added, waiting for review.`, async () =>
      await api.POST('/creator/series/{seriesId}/episodes', { params: { path: { seriesId: id } }, body }))
  }
  const submit = () => act('Submitted for review.', async () =>
    await api.POST('/creator/series/{seriesId}/submit', { params: { path: { seriesId: id } } }))
  const resubmit = (episodeId: string) => act('Episode resubmitted.', async () =>
    await api.POST('/creator/episodes/{episodeId}/submit', { params: { path: { episodeId } } }))

  const ready = videos.data?.data.filter((v) => v.status === 'ready') ?? []
  const next = (episodes.data?.data.reduce((n, e) => Math.max(n, e.number), 0) ?? 0) + 1
  return (
    <Loaded state={found}>
      {({ data: series }) => (
        <article>
          <h1>{series.title} <small className='badge'>{series.status}</small></h1>
          {series.moderationNote !== null && <p role='note'>Reviewer: {series.moderationNote}</p>}
          {status}
          {['draft', 'rejected', 'unpublished'].includes(series.status) &&
            <button type='button' onClick={submit}>Submit the series for review</button>}
          <h2>Episodes</h2>
          <Loaded state={episodes} empty={(page) => page.data.length === 0}>
            {(page) => (
              <ol className='episodes'>
                {[...page.data].sort((a, b) => a.number - b.number).map((e) => (
                  <li key={e.id}>
                    <span>{e.number}. {e.title}</span>
                    <span>
                      <span className='badge'>{e.status}</span>
                      {e.moderationNote !== null && <small> Reviewer: {e.moderationNote}</small>}
                      {e.status === 'rejected' && <button type='button' className='secondary' onClick={() => resubmit(e.id)}>Resubmit</button>}
                    </span>
                  </li>))}
              </ol>)}
          </Loaded>
          <form onSubmit={addEpisode} aria-label='Add an episode'>
            <div className='grid'>
              <label>Number <input name='number' type='number' min={1} required defaultValue={next} key={next} /></label>
              <label>Title <input name='title' required maxLength={200} /></label>
              <label>Video
                <select name='videoId' required>
                  {ready.map((v) => <option key={v.id} value={v.id}>{v.title ?? v.id}</option>)}
                </select>
              </label>
            </div>
            <button type='submit' disabled={ready.length === 0}>Add the episode</button>
          </form>
          <details>
            <summary role='button' className='secondary'>Edit the details</summary>
            <SeriesFields series={series} onSubmit={save} label='Save' />
          </details>
          <SeriesStats id={id} />
        </article>)}
    </Loaded>
  )
}
