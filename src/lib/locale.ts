import Negotiator from 'negotiator'
import { ApiError } from '../errors.js'

/**
 * Languages and markets: which of the deployment's languages (LANGUAGES) a viewer is answered in, and which
 * market (MARKETS) they are in. A language tag is canonical BCP 47 (`pt-BR`, never `pt_br`).
 */

/** The canonical form of a BCP 47 tag (`PT-br` → `pt-BR`), or null when it is not one. */
export function canonicalLanguage (tag: string): string | null {
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? null
  } catch {
    return null
  }
}

/** One of the deployment's languages, canonical (422 `language_not_supported` otherwise). */
export function checkedLanguage (languages: string[], tag: string): string {
  const language = canonicalLanguage(tag)
  if (language === null || !languages.includes(language)) {
    throw new ApiError('language_not_supported', `${tag} is not offered here: ${languages.join(', ')}`)
  }
  return language
}

export const listOf = (setting: string): string[] => setting.split(',').filter((item) => item !== '')

/**
 * The deployment's language a viewer asked for, or null (each series answers in its original): the `lang`
 * parameter, else the Accept-Language header, matched as RFC 4647 lookup does (`es-MX` is answered in `es`, `es` in
 * `es-ES` when only that is offered).
 */
export function preferredLanguage (languages: string[], lang?: string, acceptLanguage?: string): string | null {
  const asked = lang === undefined ? acceptLanguage : canonicalLanguage(lang) ?? undefined
  if (asked === undefined || asked === '') return null
  return new Negotiator({ headers: { 'accept-language': asked } }).languages(languages)[0] ?? null
}

/** The market the CDN placed the viewer in (its country header), when the deployment sells there; else null. */
export function countryOf (header: string | string[] | undefined, markets: string[]): string | null {
  const country = (Array.isArray(header) ? header[0] : header)?.trim().toUpperCase()
  return country !== undefined && markets.includes(country) ? country : null
}

/** A text as search compares it: diacritics removed (NFD, then no combining marks), lowercase, spaces collapsed. */
export const foldText = (text: string): string =>
  text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim().replace(/\s+/g, ' ')
