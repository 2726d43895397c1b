import t from 'tap'
import {
  approve, build, commandsDuring, createEpisode, createSeries, ids, isError, signUp, uploadVideo, type Account
} from '../helper.js'

// One series, many languages: titles and descriptions per locale, answered in the caller's language with a fallback
// to the original, searched in every language with or without accents, cached per language.
t.test('a series in three languages', async (t) => {
  const app = await build(t, { LANGUAGES: 'en,es,pt-BR', READ_CACHE_MS: '60000' })
  const [creator, admin, viewer] = [await signUp(app, 'creator'), await signUp(app, 'admin'), await signUp(app, 'viewer')]
  const video = await uploadVideo(app, creator)
  const series = await createSeries(app, creator, {
    title: 'Heart of Ice', description: 'A cold heiress.', language: 'en', draft: true, freeEpisodes: 2
  })
  const translate = async (language: string, body: object, who: Account = creator) => await app.inject({
    method: 'PUT', url: `/creator/series/${series.id}/translations/${language}`, headers: who.auth, payload: body
  })
  t.equal((await translate('es', { title: 'Corazón de hielo', description: 'Una heredera fría.' })).statusCode, 200)
  const pt = await translate('pt-br', { title: 'Coração de Gelo', description: 'Uma herdeira fria.' })
  t.same(pt.json().data.translations.map((x: { language: string }) => x.language), ['es', 'pt-BR'], 'the tag made canonical')
  const first = await createEpisode(app, creator, series.id, video.id, 1)
  const second = await createEpisode(app, creator, series.id, video.id, 2)
  const episodeTitle = await app.inject({
    method: 'PUT', url: `/creator/episodes/${first.id}/translations/es`, headers: creator.auth, payload: { title: 'La boda' }
  })
  t.equal(episodeTitle.statusCode, 200)
  const other = await createSeries(app, creator, { title: 'Only English', language: 'en' })

  t.test('a reviewer sees every language\'s text before approving', async (t) => {
    t.equal((await app.inject({ method: 'POST', url: `/creator/series/${series.id}/submit`, headers: creator.auth })).statusCode, 200)
    const queue = (await app.inject({ url: '/admin/series/pending', headers: admin.auth })).json().data
    const shown = queue.find((s: { id: string }) => s.id === series.id)
    t.same(shown.translations, [
      { language: 'es', title: 'Corazón de hielo', description: 'Una heredera fría.' },
      { language: 'pt-BR', title: 'Coração de Gelo', description: 'Uma herdeira fria.' }
    ])
    const episodes = (await app.inject({ url: '/admin/episodes/pending', headers: admin.auth })).json().data
    t.same(episodes.find((e: { id: string }) => e.id === first.id).translations, [{ language: 'es', title: 'La boda' }])
    for (const episode of [first, second]) await approve(app, admin, episode.id)
    await approve(app, admin, (await createEpisode(app, creator, other.id, video.id, 1)).id)
  })

  const read = async (query: string, headers: Record<string, string> = {}) =>
    await app.inject({ url: `/content/series/${series.id}${query}`, headers: { ...viewer.auth, ...headers } })

  t.test('reads answer in the caller\'s language and say which, falling back to the original', async (t) => {
    const cases: Array<[string, Record<string, string>, string, string]> = [
      ['?lang=es', {}, 'es', 'Corazón de hielo'],
      ['', { 'accept-language': 'pt-BR,pt;q=0.9,en;q=0.5' }, 'pt-BR', 'Coração de Gelo'],
      ['', { 'accept-language': 'es-MX' }, 'es', 'Corazón de hielo'],
      ['', { 'accept-language': 'fr-FR, fr;q=0.9' }, 'en', 'Heart of Ice'],
      ['?lang=fr', {}, 'en', 'Heart of Ice'],
      ['?lang=es', { 'accept-language': 'pt-BR' }, 'es', 'Corazón de hielo'],
      ['', {}, 'en', 'Heart of Ice']
    ]
    for (const [query, headers, language, title] of cases) {
      const res = await read(query, headers)
      t.equal(res.statusCode, 200)
      t.match(res.json().data, { title, language, originalLanguage: 'en', languages: ['en', 'es', 'pt-BR'] }, `${query} ${JSON.stringify(headers)}`)
      t.match(res.headers.vary, /Accept-Language/)
    }
    isError(t, await read('?lang=not a tag'), 400, 'validation_failed')

    const list = (await app.inject({ url: '/content/series?lang=es&sort=title:asc', headers: viewer.auth })).json().data
    t.same(list.map((s: { title: string, language: string }) => [s.title, s.language]),
      [['Corazón de hielo', 'es'], ['Only English', 'en']], 'each series in the language it has')
    const episodes = (await app.inject({ url: `/content/series/${series.id}/episodes?lang=es`, headers: viewer.auth })).json().data
    t.same(episodes.map((e: { title: string, language: string }) => [e.title, e.language]), [['La boda', 'es'], ['Episode 2', 'en']])
    const one = (await app.inject({ url: `/content/episodes/${first.id}`, headers: { ...viewer.auth, 'accept-language': 'es' } })).json().data
    t.match(one, { title: 'La boda', language: 'es' })
    const next = (await app.inject({ url: `/content/episodes/${first.id}/next?lang=pt-BR`, headers: viewer.auth })).json().data
    t.match(next, { title: 'Episode 2', language: 'en' }, 'no Portuguese title: the original')
  })

  t.test('search matches every language\'s title, with or without accents', async (t) => {
    const search = async (q: string) => ids(await app.inject({ url: `/content/series?q=${encodeURIComponent(q)}`, headers: viewer.auth }))
    for (const q of ['Corazón', 'corazon', 'CORAZON DE', 'coração', 'coracao de gelo', 'heart']) t.same(await search(q), [series.id], q)
    t.same(await search('hielo'), [], 'a prefix of a title, not a word inside it')
    t.same(await search('only'), [other.id])
  })

  t.test('the read cache keeps one entry per language and an edit drops them all', async (t) => {
    const scope = `cache:series:${series.id}`
    await app.redis.del(scope)
    for (const lang of ['es', 'pt-BR', 'en']) await read(`?lang=${lang}`)
    t.same((await app.redis.hkeys(scope)).sort(), ['detail:en', 'detail:es', 'detail:pt-BR'])
    const queries = await commandsDuring(app, async () => {
      for (const lang of ['es', 'pt-BR', 'en']) await read(`?lang=${lang}`)
    })
    t.same(queries, [], 'the second reads in every language come from the cache')
    t.equal((await translate('es', { title: 'Corazón helado', description: 'Una heredera fría.' })).statusCode, 200)
    t.same(await app.redis.hkeys(scope), [], 'the edit dropped every language\'s entry')
    t.equal((await read('?lang=es')).json().data.title, 'Corazón helado')
    t.equal((await read('?lang=pt-BR')).json().data.title, 'Coração de Gelo')
    const removed = await app.inject({ method: 'DELETE', url: `/creator/series/${series.id}/translations/pt-BR`, headers: creator.auth })
    t.equal(removed.statusCode, 200)
    t.match((await read('?lang=pt-BR')).json().data, { title: 'Heart of Ice', language: 'en', languages: ['en', 'es'] })
    t.same(await (async () => ids(await app.inject({ url: '/content/series?q=coracao', headers: viewer.auth })))(), [],
      'nor is it found by that title any more')
  })

  t.test('translations: only the owner, in an offered language other than the original', async (t) => {
    const stranger = await signUp(app, 'creator')
    isError(t, await translate('es', { title: 'x' }, stranger), 404, 'series_not_found')
    isError(t, await translate('fr', { title: 'Cœur de glace' }), 422, 'language_not_supported')
    isError(t, await translate('en', { title: 'Heart' }), 422, 'language_is_original')
    isError(t, await translate('es', { title: 'x', status: 'published' }), 400, 'validation_failed')
    isError(t, await app.inject({ method: 'DELETE', url: `/creator/series/${series.id}/translations/pt-BR`, headers: creator.auth }),
      404, 'translation_not_found')
    isError(t, await app.inject({ method: 'POST', url: '/creator/series', headers: creator.auth, payload: { title: 'x', language: 'de' } }),
      422, 'language_not_supported')
  })
})

// Prices per market: the CDN's country header decides which price a viewer sees, and that is what they pay.
t.test('coin prices per market', async (t) => {
  const app = await build(t, { MARKETS: 'BR,MX,US', COUNTRY_HEADER: 'cloudfront-viewer-country' })
  const [creator, admin] = [await signUp(app, 'creator'), await signUp(app, 'admin')]
  const [brazilian, american, unknown] = [await signUp(app, 'viewer'), await signUp(app, 'viewer'), await signUp(app, 'viewer')]
  const video = await uploadVideo(app, creator)
  const series = await createSeries(app, creator, { freeEpisodes: 1, coinPrice: 50, regionalPrices: [{ country: 'BR', coinPrice: 20 }] })
  await createEpisode(app, creator, series.id, video.id, 1)
  const locked = await createEpisode(app, creator, series.id, video.id, 2)
  await approve(app, admin, locked.id)
  for (const viewer of [brazilian, american, unknown]) {
    const granted = await app.inject({
      method: 'POST',
      url: `/admin/users/${viewer.user.id}/coins`,
      headers: { ...admin.auth, 'idempotency-key': `grant-${viewer.user.id}` },
      payload: { amount: 100, reason: 'test' }
    })
    t.equal(granted.statusCode, 201, granted.body)
  }
  const from = (viewer: Account, country?: string) => ({ ...viewer.auth, ...(country === undefined ? {} : { 'cloudfront-viewer-country': country }) })
  const priceSeen = async (viewer: Account, country?: string) =>
    (await app.inject({ url: `/content/episodes/${locked.id}`, headers: from(viewer, country) })).json().data.coinPrice as number
  const unlock = async (viewer: Account, country?: string, payload?: object) => await app.inject({
    method: 'POST',
    url: `/content/episodes/${locked.id}/unlock`,
    headers: { ...from(viewer, country), 'idempotency-key': `unlock-${viewer.user.id}` },
    ...(payload === undefined ? {} : { payload })
  })
  const ledger = async (viewer: Account) => (await app.inject({ url: '/me/wallet/ledger', headers: viewer.auth })).json().data

  t.test('two viewers in two markets see two prices and each pays what they saw', async (t) => {
    t.equal(await priceSeen(brazilian, 'BR'), 20)
    t.equal(await priceSeen(american, 'US'), 50, 'a market without a price of its own: the series\' price')
    t.equal(await priceSeen(unknown, 'FR'), 50, 'outside the markets: the series\' price')
    t.equal(await priceSeen(unknown), 50, 'no header: the series\' price')
    t.equal((await app.inject({ url: `/content/series/${series.id}`, headers: from(brazilian, 'br') })).json().data.coinPrice, 20,
      'the series shows it too')
    const paid = await unlock(brazilian, 'BR')
    t.equal(paid.statusCode, 200, paid.body)
    t.match(paid.json().data, { unlock: { coins: 20 }, balance: 80 })
    t.match((await ledger(brazilian))[0], { kind: 'unlock', delta: -20, balance: 80, country: 'BR' }, 'the ledger records the market')
    t.match((await unlock(american, 'US')).json().data, { unlock: { coins: 50 }, balance: 50 })
    t.match((await ledger(american))[0], { delta: -50, country: null })
  })

  t.test('a request claiming another country in its body changes nothing', async (t) => {
    const res = await unlock(unknown, 'BR', { country: 'US', coinPrice: 1 })
    t.ok([200, 400].includes(res.statusCode), res.body)
    const balance = (await app.inject({ url: '/me/wallet', headers: unknown.auth })).json().data.balance
    t.ok(balance === 100 || balance === 80, 'charged nothing, or the BR price the CDN placed it in: never 1 coin')
    if (res.statusCode === 200) t.match(res.json().data, { unlock: { coins: 20 } })
  })

  t.test('a creator sets prices only in the markets, within the bounds', async (t) => {
    const patch = async (regionalPrices: object) =>
      await app.inject({ method: 'PATCH', url: `/creator/series/${series.id}`, headers: creator.auth, payload: { regionalPrices } })
    isError(t, await patch([{ country: 'FR', coinPrice: 10 }]), 422, 'market_not_supported')
    isError(t, await patch([{ country: 'MX', coinPrice: 100_000 }]), 422, 'coin_price_out_of_bounds')
    const set = await patch([{ country: 'MX', coinPrice: 30 }, { country: 'BR', coinPrice: 25 }])
    t.same(set.json().data.regionalPrices, [{ country: 'BR', coinPrice: 25 }, { country: 'MX', coinPrice: 30 }])
    t.equal(await priceSeen(await signUp(app, 'viewer'), 'MX'), 30, 'the new price shows at once')
  })
})
