/**
 * One 'abort' listener per AbortSignal, shared by every request that waits
 * on it. A caller may pass one signal to thousands of operations at once
 * (putMany, a benchmark phase, an app's shutdown signal); with a listener
 * each, EventTarget's add/remove cost grows with their number and stalled
 * the event loop for hundreds of milliseconds at 256 operations in flight.
 */
const waiting = new WeakMap<AbortSignal, Set<() => void>>()

/** Call `fn` if `signal` aborts; returns the function that cancels that */
export function onAbort (signal: AbortSignal, fn: () => void): () => void {
  if (signal.aborted) {
    fn()
    return () => {}
  }
  let callbacks = waiting.get(signal)
  if (callbacks === undefined) {
    const set = new Set<() => void>()
    callbacks = set
    waiting.set(signal, set)
    signal.addEventListener('abort', () => {
      waiting.delete(signal)
      for (const callback of set) callback()
      set.clear()
    }, { once: true })
  }
  const set = callbacks
  set.add(fn)
  return () => { set.delete(fn) }
}
