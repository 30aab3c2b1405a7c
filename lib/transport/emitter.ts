/**
 * A minimal typed event emitter for transports and sessions: no Node `events` module, so it runs in
 * browsers as is. A listener that throws never breaks the emitter or the other listeners; its error is
 * handed to `onListenerError` (by default dropped).
 */

/** Listener signatures by event name (an interface of methods-as-properties works). */
export type EventMap<Events> = { readonly [K in keyof Events]: (...args: never[]) => void };

const ignore = (): void => undefined;

type Listeners<Events> = { [K in keyof Events]?: Events[K][] };

/** Subscribes, emits, unsubscribes. */
export class Emitter<Events extends EventMap<Events>> {
  /**
   * The listeners of each event, in the order added. A plain object of small arrays, made on first use:
   * a session keeps a few emitters for its whole life, so they should weigh little (sets and maps cost
   * more memory than the handful of listeners they would hold).
   */
  #listeners: Listeners<Events> | undefined;
  readonly #onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void = ignore) {
    this.#onListenerError = onListenerError;
  }

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof Events>(event: K, listener: Events[K]): () => void {
    const listeners = (this.#listeners ??= {} as Listeners<Events>);
    const list = listeners[event];
    if (list) list.push(listener);
    else listeners[event] = [listener];
    return () => this.off(event, listener);
  }

  /** Adds a listener called at most once; returns the function that removes it. */
  once<K extends keyof Events>(event: K, listener: Events[K]): () => void {
    const off = this.on(event, ((...args: Parameters<Events[K]>) => {
      off();
      (listener as (...a: Parameters<Events[K]>) => void)(...args);
    }) as Events[K]);
    return off;
  }

  /** Removes a listener (its first registration, if it was added twice). */
  off<K extends keyof Events>(event: K, listener: Events[K]): void {
    const list = this.#listeners?.[event];
    if (!list) return;
    const index = list.indexOf(listener);
    if (index !== -1) list.splice(index, 1);
  }

  /** Calls every listener of the event, in the order they were added. */
  emit<K extends keyof Events>(event: K, ...args: Parameters<Events[K]>): void {
    const list = this.#listeners?.[event];
    if (!list || list.length === 0) return;
    if (list.length === 1) this.#call(list[0] as Events[K], args);
    else for (const listener of list.slice()) this.#call(listener, args); // a listener may add or remove some
  }

  #call<K extends keyof Events>(listener: Events[K], args: Parameters<Events[K]>): void {
    try {
      (listener as (...a: Parameters<Events[K]>) => void)(...args);
    } catch (error) {
      this.#onListenerError(error);
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.#listeners = undefined;
  }
}
