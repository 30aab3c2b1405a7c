/**
 * Where the roster is kept between sessions, so that the next roster get carries its version and the
 * server can answer "unchanged" (RFC 6121 §2.6, roster versioning). A store is a cache: the server's
 * roster is the truth, and a store that loses an entry only costs one full roster transfer.
 *
 * Two stores come with the library: one in memory (the default: it lives as long as the SDK instance)
 * and one over Web Storage (`localStorage`, or anything with `getItem`/`setItem`), which survives a
 * page reload.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6121#section-2.6
 */
import type { Roster, RosterItem, RosterSubscription } from '../stanzas/roster.js';

/** Keeps one roster per account (bare JID). Either method may be synchronous or return a promise. */
export interface RosterStore {
  /** The roster saved for the account, or `undefined` when there is none. */
  load(userJid: string): Roster | undefined | Promise<Roster | undefined>;
  /** Keeps the account's roster, replacing the one saved before. */
  save(userJid: string, roster: Roster): void | Promise<void>;
}

/**
 * A store in memory: rosters are kept by reference (they are read-only values) and lost with the store.
 * @see https://www.rfc-editor.org/rfc/rfc6121#section-2.6.1
 */
export function createMemoryRosterStore(): RosterStore {
  return new MemoryRosterStore();
}

/** A class rather than closures: every SDK instance has one, so it should weigh little. */
class MemoryRosterStore implements RosterStore {
  readonly #rosters = new Map<string, Roster>();

  load(userJid: string): Roster | undefined {
    return this.#rosters.get(userJid);
  }

  save(userJid: string, roster: Roster): void {
    this.#rosters.set(userJid, roster);
  }
}

/** The part of the Web Storage API the store uses (`localStorage` and `sessionStorage` have it). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** The key prefix of {@link createWebStorageRosterStore}: the key is the prefix and the bare JID. */
export const ROSTER_STORAGE_PREFIX = 'xmpp-profile:roster:';

/**
 * A store over Web Storage: one JSON entry per account, under `prefix + userJid`. An entry that is not
 * valid JSON, or not a roster (a wrong shape, an unknown subscription...), reads as "no roster": the
 * next roster get then asks for the whole roster. Reading never throws (a storage whose `getItem`
 * throws, e.g. when access is denied, also reads as "no roster"); writing throws what `setItem` throws
 * (e.g. `QuotaExceededError`), which the friends list absorbs (see `loadRoster`).
 * @see https://html.spec.whatwg.org/multipage/webstorage.html#the-storage-interface
 */
export function createWebStorageRosterStore(storage: KeyValueStorage, prefix: string = ROSTER_STORAGE_PREFIX): RosterStore {
  return {
    load(userJid) {
      let text: string | null;
      try {
        text = storage.getItem(prefix + userJid);
      } catch {
        return undefined;
      }
      return text === null ? undefined : decodeRoster(text);
    },
    save(userJid, roster) {
      storage.setItem(prefix + userJid, JSON.stringify(roster.ver === undefined ? { items: roster.items } : { ver: roster.ver, items: roster.items }));
    },
  };
}

/** Reads a stored roster, or `undefined` when the text is not one. */
function decodeRoster(text: string): Roster | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || !Array.isArray(value.items)) return undefined;
  const ver = value.ver;
  if (ver !== undefined && typeof ver !== 'string') return undefined;
  const items: RosterItem[] = [];
  for (const entry of value.items as unknown[]) {
    const item = decodeItem(entry);
    if (!item) return undefined;
    items.push(item);
  }
  return ver === undefined ? { items } : { ver, items };
}

const SUBSCRIPTIONS: ReadonlySet<string> = new Set<RosterSubscription>(['none', 'to', 'from', 'both', 'remove']);

function decodeItem(entry: unknown): RosterItem | undefined {
  if (!isRecord(entry)) return undefined;
  const { jid, name, subscription, ask, groups, approved } = entry;
  if (typeof jid !== 'string' || typeof name !== 'string' || typeof approved !== 'boolean') return undefined;
  if (typeof subscription !== 'string' || !SUBSCRIPTIONS.has(subscription)) return undefined;
  if (ask !== '' && ask !== 'subscribe') return undefined;
  if (!Array.isArray(groups) || !groups.every((group): group is string => typeof group === 'string')) return undefined;
  return { jid, name, subscription: subscription as RosterSubscription, ask, groups, approved };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
