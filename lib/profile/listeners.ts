/**
 * Calling the app's listeners (API.md §5): a listener that throws, or returns a promise that rejects,
 * never breaks the session or the call that fired it.
 *
 * @see API.md §5
 */
import type { CallbackListeners } from './types.js';

/** Calls one listener with its payload, swallowing what it throws or rejects with. */
export function emit<K extends keyof CallbackListeners>(
  listeners: CallbackListeners,
  name: K,
  payload: Parameters<NonNullable<CallbackListeners[K]>>[0],
): void {
  const listener = listeners[name] as ((value: typeof payload) => unknown) | undefined;
  if (!listener) return;
  try {
    const result = listener(payload);
    if (result !== null && typeof result === 'object' && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<unknown>).then(undefined, () => undefined);
    }
  } catch {
    // API.md §5: a listener that throws never breaks the session.
  }
}
