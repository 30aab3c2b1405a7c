/**
 * The friends list: the roster (RFC 6121 §2, with roster versioning, §2.6) joined with each contact's
 * profile (XEP-0054 vCard-temp), fetched pipelined with bounded concurrency and cached, and kept
 * current by roster pushes (RFC 6121 §2.1.6) and profile pushes.
 *
 * The roster as last known lives in a {@link FriendsState} (one per SDK instance and account) and is
 * saved to a {@link RosterStore} after each change, so that the next session's roster get carries its
 * version. The store is a cache: its failures (reading or writing) never fail an operation, they only
 * cost a full roster transfer next time.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6121#section-2
 * @see API.md §3 (`getFriendsList`), §5 (`friendsListListener`)
 */
import type { Element } from 'ltx';
import { StanzaError, StanzaParseError } from '../errors.js';
import {
  buildRosterGet, isRosterUnchanged, parseRoster, parseRosterPush, type Roster, type RosterItem, type RosterPush,
} from '../stanzas/roster.js';
import { mapLimit } from './concurrency.js';
import type { Exchange } from './exchange.js';
import { emptyProfile } from './profile-map.js';
import type { RosterStore } from './roster-store.js';
import type { Profile, User } from './types.js';
import { fromOwnAccount } from './own-account.js';

/** One settled promise shared by every fresh state: a state starts with nothing in progress. */
const SETTLED: Promise<void> = Promise.resolve();

/** The friends list of one account as last known. Create it with {@link createFriendsState}. */
export interface FriendsState {
  /** The bare JID of the account this state belongs to, `''` before the first {@link loadRoster}. */
  account: string;
  /** The roster version last known (RFC 6121 §2.6), `undefined` when the server gave none. */
  ver: string | undefined;
  /** The contacts by JID (bare, as the server writes them), in roster order; never a `remove` item. */
  readonly items: Map<string, RosterItem>;
  /** The contacts' profiles by bare JID; only contacts of `items` are kept. */
  readonly profiles: Map<string, Profile>;
  /** Whether the roster was fetched from the server in this state's life (this session). */
  fetched: boolean;
  /** @internal The roster get in flight, which concurrent calls share. */
  loading: Promise<void> | undefined;
  /** @internal Pushes accepted while a roster get is in flight, applied on top of its answer. */
  replay: RosterPush[] | undefined;
  /** @internal The saves to the store, one after the other. */
  saving: Promise<void>;
}

/** A fresh, empty state: nothing fetched, nothing cached. */
export function createFriendsState(): FriendsState {
  return { account: '', ver: undefined, items: new Map(), profiles: new Map(), fetched: false, loading: undefined, replay: undefined, saving: SETTLED };
}

/** Options of {@link loadRoster}. */
export interface LoadRosterOptions {
  /** The server supports roster versioning (`StreamFeatures.rosterVersioning`, RFC 6121 §2.6.1). */
  readonly versioning: boolean;
}

/**
 * Fetches the roster (RFC 6121 §2.1.3) into the state. With versioning, the get carries the version
 * known (this session's, else the store's, else `''`); an empty result means that roster is current
 * (§2.6.3: changes since then come as pushes), anything else replaces it and is saved. Pushes that
 * arrive while the get is in flight are applied on top of its answer. Concurrent calls share one get.
 * @throws {StanzaError} for an error answer; {@link TimeoutError}; {@link TransportError}.
 * @throws {StanzaParseError} `STANZA_MISSING_PART` / `STANZA_INVALID_VALUE` for a malformed roster.
 * @see https://www.rfc-editor.org/rfc/rfc6121#section-2.1.3
 * @see https://www.rfc-editor.org/rfc/rfc6121#section-2.6.2
 */
export function loadRoster(exchange: Exchange, store: RosterStore, state: FriendsState, options: LoadRosterOptions): Promise<void> {
  if (state.account !== exchange.userJid) resetState(state, exchange.userJid);
  const load = state.loading ?? fetchRoster(exchange, store, state, options.versioning);
  if (state.loading === undefined) {
    state.loading = load;
    const clear = (): void => {
      if (state.loading === load) state.loading = undefined;
    };
    load.then(clear, clear);
  }
  return load;
}

async function fetchRoster(exchange: Exchange, store: RosterStore, state: FriendsState, versioning: boolean): Promise<void> {
  const account = exchange.userJid;
  const replay: RosterPush[] = [];
  state.replay = replay;
  try {
    let base: Roster | undefined;
    if (versioning && !state.fetched) {
      await state.saving; // the store's latest, with any save still under way
      base = await loadStored(store, account);
    } else if (versioning) {
      base = { ver: state.ver ?? '', items: [] };
    }
    // RFC 6121 §2.6.2: ver='' asks for the whole roster with versioning; no ver, a server without it.
    const answer = await exchange.iq((id) => buildRosterGet(id, versioning ? base?.ver ?? '' : undefined));
    let changed = true;
    if (isRosterUnchanged(answer)) {
      // RFC 6121 §2.6.3: the version sent is current. Unless this session already holds that roster,
      // it is the stored one (none stored: the server answered an unversioned get with nothing).
      if (!state.fetched) setRoster(state, base?.items ?? [], base?.ver);
      changed = false;
    } else {
      const roster = parseRoster(answer);
      setRoster(state, roster.items, roster.ver);
    }
    state.replay = undefined;
    for (const push of replay) applyPush(state, push);
    if (replay.length > 0) changed = true;
    state.fetched = true;
    if (changed) await saveState(store, state);
  } finally {
    if (state.replay === replay) state.replay = undefined;
  }
}

/**
 * Applies a roster push (RFC 6121 §2.1.6). A push is accepted only when it has no `from` or its `from`
 * is the user's bare JID; any other is ignored (returns `undefined`; answer it with a
 * `service-unavailable` error, as to an IQ nobody handles, so that a spoofer learns nothing). An
 * accepted push (answer it with an empty result) adds, updates or, with subscription `remove`, drops
 * the contact and its cached profile, takes the push's `ver`, and is saved to the store; it is returned
 * so that the caller can tell the listeners. Before the roster was fetched there is nothing to update:
 * the push is returned and the next fetch brings the truth.
 * @throws {StanzaParseError} `STANZA_UNEXPECTED` / `STANZA_MISSING_PART` / `STANZA_INVALID_VALUE` for
 *   a malformed push (answer `bad-request`).
 * @see https://www.rfc-editor.org/rfc/rfc6121#section-2.1.6
 */
export function applyRosterPush(userJid: string, state: FriendsState, store: RosterStore, iq: Element): RosterItem | undefined {
  const push = parseRosterPush(iq);
  // RFC 6121 §2.1.6: the client MUST ignore a push unless it has no 'from' or 'from' is the user's bare JID.
  if (!fromOwnAccount(iq, userJid)) return undefined;
  if (state.account !== userJid) return push.item;
  if (state.replay) {
    state.replay.push(push);
  } else if (state.fetched) {
    applyPush(state, push);
    void saveState(store, state);
  }
  return push.item;
}

/**
 * The friends list: every contact of the state's roster joined with its profile, taken from the cache
 * or fetched with `fetchProfile` (at most `concurrency` in flight, pipelined) and cached. Call
 * {@link loadRoster} first: this reads the roster as last known. A contact without a profile (the
 * fetch fails with a `StanzaError` such as `item-not-found`, `service-unavailable` or `forbidden`, or
 * its vCard cannot be read: `StanzaParseError`) gets the empty profile, cached unless the error is
 * temporary (type `wait`). Any other failure rejects the whole call.
 * @throws {TimeoutError} / {@link TransportError} (from `fetchProfile`): no list rather than a wrong one.
 * @see API.md §3 (`getFriendsList`)
 */
export async function friendsList(
  exchange: Exchange,
  state: FriendsState,
  fetchProfile: (jid: string) => Promise<Profile>,
  concurrency = 32,
): Promise<User[]> {
  if (state.account !== exchange.userJid) return []; // another account's roster is never shown
  const cache = state.profiles;
  /** Empty profiles after a temporary error: shown this time, fetched again next time. */
  const uncached = new Map<string, Profile>();
  for (;;) {
    // Again while pushes added contacts during the fetch, so that the join finds every profile.
    const missing: string[] = [];
    for (const jid of state.items.keys()) if (!cache.has(jid) && !uncached.has(jid)) missing.push(jid);
    if (missing.length === 0) break;
    await mapLimit(missing, concurrency, async (jid) => {
      const found = await profileOrEmpty(fetchProfile, jid);
      // A push may have removed the contact, or brought a newer profile, meanwhile.
      if (!state.items.has(jid) || cache.has(jid)) return;
      if (found.cache) cache.set(jid, found.profile);
      else uncached.set(jid, found.profile);
    });
  }
  return joinFriends(state.items.values(), uncached.size === 0 ? cache : { get: (jid) => cache.get(jid) ?? uncached.get(jid) });
}

/** Profiles by bare JID, as {@link joinFriends} reads them (a `Map` is one). */
export interface ProfileLookup {
  get(jid: string): Profile | undefined;
}

/**
 * Joins roster items with profiles: one user per contact, in roster order, each with its profile (the
 * empty one when `profiles` has none) and its roster fields. The items are read as a sequence of
 * updates: a later item for the same JID replaces the earlier one (keeping its place), and one with
 * subscription `remove` drops the contact; so no contact is lost or doubled. Pure.
 * @see API.md §3 (the `User` shape)
 * @see https://www.rfc-editor.org/rfc/rfc6121#section-2.1.2
 */
export function joinFriends(items: Iterable<RosterItem>, profiles: ProfileLookup): User[] {
  const contacts = new Map<string, RosterItem>();
  for (const item of items) {
    if (item.subscription === 'remove') contacts.delete(item.jid);
    else contacts.set(item.jid, item);
  }
  const users: User[] = [];
  for (const item of contacts.values()) {
    const profile = profiles.get(item.jid) ?? emptyProfile(item.jid);
    const subscription = item.subscription === 'remove' ? 'none' : item.subscription;
    users.push({
      userId: profile.userId,
      userJid: profile.userJid,
      nickName: profile.nickName,
      image: profile.image,
      thumbImage: profile.thumbImage,
      status: profile.status,
      mobileNumber: profile.mobileNumber,
      email: profile.email,
      name: item.name,
      subscription,
      groups: item.groups,
      isFriend: subscription === 'both',
    });
  }
  return users;
}

/**
 * Puts a contact's profile, pushed by the server (e.g. a XEP-0292 vCard4 PEP event), in the cache.
 * Returns true when that changed what the friends list shows (the profile is a contact's and differs
 * from the cached one, or none was cached); a profile of someone not in the roster is not kept.
 * @see https://xmpp.org/extensions/xep-0292.html (vCard4 over PEP: contacts are notified of changes)
 */
export function updateCachedProfile(state: FriendsState, profile: Profile): boolean {
  const jid = profile.userJid;
  if (!state.items.has(jid)) return false;
  const cached = state.profiles.get(jid);
  if (cached !== undefined && sameProfile(cached, profile)) return false;
  state.profiles.set(jid, profile);
  return true;
}

function sameProfile(a: Profile, b: Profile): boolean {
  return a.userId === b.userId && a.userJid === b.userJid && a.nickName === b.nickName && a.image === b.image
    && a.thumbImage === b.thumbImage && a.status === b.status && a.mobileNumber === b.mobileNumber && a.email === b.email;
}

/**
 * A contact's profile, or the empty one when it has none to give: a stanza error (RFC 6120 §8.3), or a
 * vCard that cannot be read. `cache` is false after a temporary error (type `wait`, RFC 6120 §8.3.2).
 */
async function profileOrEmpty(fetchProfile: (jid: string) => Promise<Profile>, jid: string): Promise<{ profile: Profile; cache: boolean }> {
  try {
    return { profile: await fetchProfile(jid), cache: true };
  } catch (error) {
    if (error instanceof StanzaError) return { profile: emptyProfile(jid), cache: error.type !== 'wait' };
    if (error instanceof StanzaParseError) return { profile: emptyProfile(jid), cache: true };
    throw error;
  }
}

/** Forgets the state's roster and profiles and gives it to `account`. */
function resetState(state: FriendsState, account: string): void {
  state.account = account;
  state.ver = undefined;
  state.items.clear();
  state.profiles.clear();
  state.fetched = false;
  state.replay = undefined;
}

/** Replaces the state's roster; the cached profiles of contacts no longer in it are dropped. */
function setRoster(state: FriendsState, items: readonly RosterItem[], ver: string | undefined): void {
  state.items.clear();
  for (const item of items) {
    if (item.subscription === 'remove') state.items.delete(item.jid);
    else state.items.set(item.jid, item);
  }
  state.ver = ver;
  for (const jid of state.profiles.keys()) if (!state.items.has(jid)) state.profiles.delete(jid);
}

function applyPush(state: FriendsState, push: RosterPush): void {
  const item = push.item;
  if (item.subscription === 'remove') {
    state.items.delete(item.jid);
    state.profiles.delete(item.jid);
  } else {
    state.items.set(item.jid, item);
  }
  // RFC 6121 §2.6.3: each push carries the version it makes. A push without one (a server that stopped
  // versioning) leaves no version, so that the next get asks for the whole roster.
  state.ver = push.ver;
}

/** The stored roster, or none when the store has none or fails. */
async function loadStored(store: RosterStore, account: string): Promise<Roster | undefined> {
  try {
    return await store.load(account);
  } catch {
    return undefined; // a cache that cannot be read: the whole roster is asked for
  }
}

/** Saves a snapshot of the state's roster after the saves before it; a failing save changes nothing. */
function saveState(store: RosterStore, state: FriendsState): Promise<void> {
  const account = state.account;
  const items = Array.from(state.items.values());
  const roster: Roster = state.ver === undefined ? { items } : { ver: state.ver, items };
  // The store keeps the snapshot before, consistent with its own version: a failed save only costs a
  // bigger transfer next time.
  state.saving = state.saving.then(() => store.save(account, roster)).catch(() => undefined);
  return state.saving;
}
