import { ApiError } from '../errors.js'

/** A UTC day, YYYY-MM-DD. */
export const dayOf = (date: Date): string => date.toISOString().slice(0, 10)

/** A report's days: `from` not after `to`, at most 366 days (400 `validation_failed` otherwise). */
export function checkDayRange (from: string, to: string): void {
  const days = (Date.parse(to) - Date.parse(from)) / 86_400_000
  if (!(days >= 0 && days < 366)) throw new ApiError('validation_failed', '`from` must be a day before `to`, at most 366 days before')
}
