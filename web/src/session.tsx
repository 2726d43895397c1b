// The signed-in session: its tokens kept in localStorage (so it survives a reload), renewed by the generated
// client's session client (POST /auth/refresh on 401 token_expired), and dropped when renewal fails.
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react'
import { createClient, createSessionClient, type Client, type Schemas, type SignedIn, type Tokens } from '../../clients/ts/index.ts'

const KEY = 'microdrama.session'
const origin = window.location.origin

interface Stored extends Tokens { user: Schemas['User'] }

function load (): Stored | null {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Stored | null
    return value?.token !== undefined && value.refreshToken !== undefined ? value : null
  } catch { return null }
}

interface Session {
  /** The API as the signed-in user, or anonymously. */
  api: Client
  user: Schemas['User'] | null
  signIn: (data: SignedIn) => void
  /** Signs out of every device (POST /auth/logout revokes every token of the account). */
  signOut: () => Promise<void>
  /** After the user changed (a verified email, a subscription): read it again. */
  refreshUser: () => Promise<void>
}

const SessionContext = createContext<Session | null>(null)

export function SessionProvider ({ children }: { children: ReactNode }) {
  const [stored, setStored] = useState<Stored | null>(load)
  const save = useCallback((next: Stored | null) => {
    if (next === null) localStorage.removeItem(KEY)
    else localStorage.setItem(KEY, JSON.stringify(next))
    setStored(next)
  }, [])

  // One client per sign-in; a renewal stores the new pair without making a new client.
  const signedInAs = stored?.user.id
  const api = useMemo<Client>(() => {
    if (stored === null) return createClient(origin)
    const client = createSessionClient(origin, stored, (tokens) => {
      const current = load()
      if (current !== null) localStorage.setItem(KEY, JSON.stringify({ ...current, ...tokens }))
    })
    client.use({
      // A 401 the session client could not cure (signed out elsewhere, refresh token expired): sign in again.
      onResponse ({ response }) {
        if (response.status === 401) save(null)
        return response
      }
    })
    return client
  }, [signedInAs])

  const value = useMemo<Session>(() => ({
    api,
    user: stored?.user ?? null,
    signIn: (data) => save({ token: data.token, refreshToken: data.refreshToken, user: data.user }),
    signOut: async () => {
      // Forgotten here first (a page left meanwhile keeps no session), then revoked everywhere by the server.
      save(null)
      await api.POST('/auth/logout').catch(() => undefined)
    },
    refreshUser: async () => {
      const { data } = await api.GET('/auth/me')
      const current = load()
      if (data !== undefined && current !== null) save({ ...current, user: data.data })
    }
  }), [api, stored, save])
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>
}

export function useSession (): Session {
  const session = useContext(SessionContext)
  if (session === null) throw new Error('useSession outside SessionProvider')
  return session
}

/** The message of an API error body (`{ error: { message, code } }`), or a plain one for a network failure. */
export function errorMessage (error: unknown): string {
  const body = error as { error?: { message?: string } } | undefined
  if (typeof body?.error?.message === 'string') return body.error.message
  if (error instanceof Error) return error.message
  return 'Something went wrong. Try again.'
}
