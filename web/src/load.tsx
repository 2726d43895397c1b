// Loading what a screen shows: the states every screen has (loading, the API's error as its message, the data).
import { useCallback, useEffect, useState, type DependencyList, type ReactNode } from 'react'
import { errorMessage } from './session.tsx'

type Answer<T> = Promise<{ data?: T, error?: unknown }>

export function useLoad<T> (load: () => Answer<T>, deps: DependencyList) {
  const [state, setState] = useState<{ data?: T, error?: string, loading: boolean }>({ loading: true })
  const [round, setRound] = useState(0)
  useEffect(() => {
    let live = true
    setState((s) => ({ ...s, loading: true }))
    load().then(
      ({ data, error }) => {
        if (!live) return
        setState(data === undefined ? { error: errorMessage(error), loading: false } : { data, loading: false })
      },
      (err: unknown) => { if (live) setState({ error: errorMessage(err), loading: false }) })
    return () => { live = false }
  }, [...deps, round]) // the loader is a new closure every render: its inputs are the deps
  const reload = useCallback(() => setRound((n) => n + 1), [])
  return { ...state, reload }
}

/** The loading, error and empty states around what a screen shows. */
export function Loaded<T> ({ state, empty, children }: {
  state: { data?: T, error?: string, loading: boolean }
  empty?: (data: T) => boolean
  children: (data: T) => ReactNode
}) {
  if (state.error !== undefined) return <p role='alert' className='error'>{state.error}</p>
  if (state.data === undefined) return <p aria-busy='true'>Loading…</p>
  if (empty?.(state.data) === true) return <p>Nothing here yet.</p>
  return <>{children(state.data)}</>
}

/**
 * What a button or form does: runs an API call, then shows what came of it (`done`, or the API's error as its
 * message) where `status` is placed; `then` runs after a success (reload what changed).
 */
export function useAction () {
  const [result, setResult] = useState<{ message?: string, error?: string, busy?: boolean }>({})
  const run = (call: () => Promise<{ error?: unknown }>, done?: string, then?: () => void) => {
    setResult({ busy: true })
    later(call().then(({ error }) => {
      if (error !== undefined) { setResult({ error: errorMessage(error) }); return }
      setResult({ message: done })
      then?.()
    }, (err: unknown) => setResult({ error: errorMessage(err) })))
  }
  const status = (
    <>
      {result.message !== undefined && <p role='status'>{result.message}</p>}
      {result.error !== undefined && <p role='alert' className='error'>{result.error}</p>}
    </>
  )
  return { run, status, busy: result.busy === true }
}

/** Runs a promise from an event handler: its failure is logged, never unhandled (the screens show their own). */
export function later (promise: Promise<unknown>): void {
  promise.catch((err: unknown) => console.error(err))
}
