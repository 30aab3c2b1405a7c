/**
 * Blocking: XEP-0191 v1.3 (Blocking Command) where the server offers it, else a privacy list of the
 * project's own (XEP-0016 v1.7) that denies every kind of stanza to each blocked JID, made active and
 * default. The known block list is kept in a {@link BlockingState}; each change of it is reported once,
 * as the {@link BlockEvent} of the call that made it or of the push that told it, whatever their order.
 *
 * @see https://xmpp.org/extensions/xep-0191.html
 * @see https://xmpp.org/extensions/xep-0016.html
 * @see API.md §3 (blockUser, unblockUser, getUsersIBlocked), §5 (blockUserListener)
 */
import type { Element } from 'ltx';
import { StanzaError } from '../errors.js';
import { buildBlock, buildBlocklistGet, buildUnblock, parseBlockingPush, parseBlocklist } from '../stanzas/blocking.js';
import { parseJid, fullJid } from '../stanzas/jid.js';
import { NS_BLOCKING, NS_PRIVACY } from '../stanzas/ns.js';
import {
  blockedJidsOfPrivacyList, blockingPrivacyList, buildPrivacyActiveSet, buildPrivacyDefaultSet, buildPrivacyListGet,
  buildPrivacyListSet, buildPrivacyListsGet, parsePrivacyList, parsePrivacyListPush, parsePrivacyLists,
} from '../stanzas/privacy.js';
import type { Exchange } from './exchange.js';
import type { ServerInfo } from './server-info.js';
import type { BlockEvent, BlockedUser } from './types.js';
import { fromOwnAccount } from './own-account.js';
import { localOf } from './profile-map.js';

/** One settled promise shared by every fresh state: a state starts with nothing in progress. */
const SETTLED: Promise<void> = Promise.resolve();

/** The name of the project's privacy list, used where the server has no XEP-0191. */
export const BLOCKING_LIST_NAME = 'xmpp-profile-blocked';

/** A change this session asked for (XEP-0191), until its push comes. */
export interface OwnChange {
  readonly block: boolean;
  /** Its result came and was applied to the known list. */
  applied: boolean;
  /** Its push came (before the result). */
  told: boolean;
}

/**
 * What this session knows of the user's block list. `blocked` changes only through the functions of
 * this module; `log` and `queue` are their bookkeeping.
 */
export interface BlockingState {
  /** The blocked JIDs (bare, or as the server stores them), in the order learnt. */
  readonly blocked: Set<string>;
  /** Whether the list was read from the server; from then on pushes keep `blocked` current. */
  loaded: boolean;
  /** The privacy list of the XEP-0016 fallback. */
  readonly listName: string;
  /** The protocol in use, once an operation found out. */
  protocol: 'blocking' | 'privacy' | undefined;
  /**
   * XEP-0191: `own`, this session's changes whose push has not come yet, per JID in the order sent;
   * `serial`, `all` (the last "unblock all") and `touched` date the pushes received while `reading` the list.
   */
  readonly log: {
    serial: number; all: number; reading: number;
    readonly touched: Map<string, number>; readonly own: Map<string, OwnChange[]>;
  };
  /** XEP-0016: the list operations, one at a time (each one reads, then writes the whole list). */
  queue: Promise<unknown>;
}

/** A fresh, not yet loaded state. */
export function createBlockingState(listName: string = BLOCKING_LIST_NAME): BlockingState {
  return {
    blocked: new Set(), loaded: false, listName, protocol: undefined,
    log: { serial: 0, all: -1, reading: 0, touched: new Map(), own: new Map() }, queue: SETTLED,
  };
}

/** A blocked user of the contract: the JID and its local part (`''` for a domain JID). */
export function blockedUserOf(jid: string): BlockedUser {
  return { jid, userId: localOf(jid) };
}

/**
 * Reads the block list: the first read subscribes this resource to the pushes (XEP-0191 §3.1); a later
 * read (after a reconnection that did not resume the stream) returns the changes it finds, the first none.
 * @throws {StanzaError} `feature-not-implemented` (501) when the server offers neither protocol; the
 *   server's error answer.
 * @throws {StanzaParseError} for an answer that cannot be read.
 * @throws {TimeoutError} `TIMEOUT`; {@link TransportError} `TRANSPORT_CLOSED` / `TRANSPORT_FAILURE`.
 * @see https://xmpp.org/extensions/xep-0191.html#blocklist
 */
export async function loadBlocklist(exchange: Exchange, server: ServerInfo, state: BlockingState): Promise<BlockEvent[]> {
  if ((await protocolOf(server, state)) === 'blocking') return readBlocklist(exchange, state);
  return enqueue(state, async () => {
    const read = await readPrivacy(exchange, state.listName);
    const events = replace(state, read.jids, state.loaded);
    if (read.exists && !read.active) await exchange.iq((id) => buildPrivacyActiveSet(id, state.listName));
    return events;
  });
}

/**
 * Blocks a JID (normalized; a bare JID from the facade). Resolves with the event when the known list
 * changed, `undefined` when it held the JID already, or when the push of this very change came first
 * (the result and the push often arrive in one frame): then the push's event was the one.
 * @throws {JidError} for an invalid JID.
 * @throws {StanzaError} as {@link loadBlocklist}, and the server's error answer to the change.
 * @throws {StanzaParseError} @throws {TimeoutError} @throws {TransportError} as {@link loadBlocklist}.
 * @see https://xmpp.org/extensions/xep-0191.html#block
 * @see https://xmpp.org/extensions/xep-0016.html#protocol-edit
 */
export async function blockUser(exchange: Exchange, server: ServerInfo, state: BlockingState, jid: string): Promise<BlockEvent | undefined> {
  return change(exchange, server, state, normalize(jid), true);
}

/**
 * Unblocks a JID; resolves as {@link blockUser} does.
 * @throws {JidError} @throws {StanzaError} @throws {StanzaParseError} @throws {TimeoutError}
 *   @throws {TransportError} as {@link blockUser}.
 * @see https://xmpp.org/extensions/xep-0191.html#unblock
 */
export async function unblockUser(exchange: Exchange, server: ServerInfo, state: BlockingState, jid: string): Promise<BlockEvent | undefined> {
  return change(exchange, server, state, normalize(jid), false);
}

/**
 * The blocked users: read from the server the first time, then from the known list, which pushes keep
 * current (after a reconnection that did not resume the stream, call {@link loadBlocklist} again).
 * @throws {StanzaError} @throws {StanzaParseError} @throws {TimeoutError} @throws {TransportError} as
 *   {@link loadBlocklist}.
 * @see https://xmpp.org/extensions/xep-0191.html#blocklist
 */
export async function listBlocked(exchange: Exchange, server: ServerInfo, state: BlockingState): Promise<BlockedUser[]> {
  if (!state.loaded) await loadBlocklist(exchange, server, state);
  else if (state.protocol === 'privacy') await state.queue; // list re-reads in progress
  return Array.from(state.blocked, blockedUserOf);
}

/**
 * Applies a XEP-0191 push (the `<iq type='set'/>`): the events of the changes it makes to the known
 * list ("unblock all": one per JID known blocked). `[]` for a push from anyone but the user's account
 * (a `from` other than the bare JID: XEP-0191 §3.3) and for one that cannot be read; never throws.
 * Pushes come in the order the server made the changes, and so do results, but a result and a push
 * may cross: a push that comes before the result of this session's change to the same JID is applied
 * (and the result then adds nothing), one that comes after that result but before that change's own
 * push is older than what the list knows, and changes nothing.
 * @see https://xmpp.org/extensions/xep-0191.html#block (Example 8)
 * @see https://xmpp.org/extensions/xep-0191.html#unblockall (Example 15)
 */
export function applyBlockingPush(userJid: string, state: BlockingState, iq: Element): BlockEvent[] {
  if (!fromOwnAccount(iq, userJid)) return [];
  let push: { action: 'block' | 'unblock'; jids: readonly string[] };
  try {
    push = parseBlockingPush(iq);
  } catch {
    return [];
  }
  const log = state.log;
  const serial = ++log.serial;
  const events: BlockEvent[] = [];
  if (push.action === 'unblock' && push.jids.length === 0) {
    log.all = serial;
    for (const jid of state.blocked) {
      if (ownIsNewer(state, jid)) continue;
      state.blocked.delete(jid);
      events.push(eventOf(jid, false));
    }
    return events;
  }
  const block = push.action === 'block';
  for (const raw of push.jids) {
    const jid = normalizeOrKeep(raw);
    if (log.reading > 0) log.touched.set(jid, serial);
    const own = log.own.get(jid);
    if (own?.[0]?.block === block) {
      (own.shift() as OwnChange).told = true; // the push of this session's oldest change to the JID
      if (own.length === 0) log.own.delete(jid);
    }
    if (ownIsNewer(state, jid)) continue;
    const event = apply(state, jid, block);
    if (event) events.push(event);
  }
  return events;
}

/**
 * Applies a XEP-0016 push (the `<iq type='set'/>` naming a changed list): when it names the project's
 * list (and the privacy fallback is in use), reads the list again and returns the changes found. `[]`
 * for another list, a push from anyone but the user's account, or one that cannot be read.
 * @throws {StanzaError} @throws {StanzaParseError} @throws {TimeoutError} @throws {TransportError} from
 *   reading the list.
 * @see https://xmpp.org/extensions/xep-0016.html#protocol-rules (rule 10)
 */
export async function applyPrivacyPush(exchange: Exchange, state: BlockingState, iq: Element): Promise<BlockEvent[]> {
  if (state.protocol !== 'privacy' || !fromOwnAccount(iq, exchange.userJid)) return [];
  let name: string;
  try {
    name = parsePrivacyListPush(iq).name;
  } catch {
    return [];
  }
  if (name !== state.listName) return [];
  return enqueue(state, async () => {
    const read = await readPrivacy(exchange, name);
    const events = replace(state, read.jids, state.loaded);
    // Each session of the account makes the list active, so that another one may make it the default
    // (a server refuses that while a session uses the default list: XEP-0016 §2.5). Then it tries the
    // default itself: the session that changed the list may have been refused it because this one had
    // no active list yet, and the default is what protects clients that use no privacy lists.
    if (read.exists && !read.active) await exchange.iq((id) => buildPrivacyActiveSet(id, name));
    if (read.exists && !read.isDefault) await exchange.iq((id) => buildPrivacyDefaultSet(id, name)).catch(unlessConflict);
    return events;
  });
}

async function protocolOf(server: ServerInfo, state: BlockingState): Promise<'blocking' | 'privacy'> {
  if (await server.has(NS_BLOCKING)) state.protocol = 'blocking';
  else if (await server.has(NS_PRIVACY)) state.protocol = 'privacy';
  else {
    throw new StanzaError({
      type: 'cancel', condition: 'feature-not-implemented', applicationCondition: '', by: '',
      text: `the server offers neither ${NS_BLOCKING} (XEP-0191) nor ${NS_PRIVACY} (XEP-0016)`,
    });
  }
  return state.protocol;
}

async function change(exchange: Exchange, server: ServerInfo, state: BlockingState, jid: string, block: boolean): Promise<BlockEvent | undefined> {
  if ((await protocolOf(server, state)) === 'privacy') return enqueue(state, () => changePrivacyList(exchange, state, jid, block));
  // Not loaded yet: the list is asked first, on the same round trip (the server answers in order).
  const loading = state.loaded ? undefined : readBlocklist(exchange, state);
  const own: OwnChange = { block, applied: false, told: false };
  const changes = state.log.own.get(jid);
  if (changes) changes.push(own);
  else state.log.own.set(jid, [own]);
  try {
    await Promise.all([loading, exchange.iq((id) => (block ? buildBlock(id, [jid]) : buildUnblock(id, [jid])))]);
  } catch (error) {
    forget(state, jid, own); // no push of it is awaited now: one that comes counts as another resource's
    throw error;
  }
  if (own.told) return undefined; // its push came first and told the change
  own.applied = true;
  return apply(state, jid, block);
}

/** XEP-0191 §3.1: reads the list and makes it the known one, the JIDs pushed meanwhile as pushed. */
async function readBlocklist(exchange: Exchange, state: BlockingState): Promise<BlockEvent[]> {
  const log = state.log;
  // Changes applied whose push has not come: after a stream that was not resumed, it never will.
  for (const [jid, own] of log.own) {
    const waiting = own.filter((c) => !c.applied);
    if (waiting.length > 0) log.own.set(jid, waiting);
    else log.own.delete(jid);
  }
  const since = log.serial;
  log.reading++;
  try {
    const { jids } = parseBlocklist(await exchange.iq((id) => buildBlocklistGet(id)));
    const next: string[] = [];
    for (const jid of jids) if (!pushedSince(state, jid, since)) next.push(jid);
    for (const jid of state.blocked) if (pushedSince(state, jid, since)) next.push(jid);
    return replace(state, next, state.loaded);
  } finally {
    if (--log.reading === 0) log.touched.clear();
  }
}

/** Whether a push about the JID came since `since`: then it decided the JID, not the list read. */
function pushedSince(state: BlockingState, jid: string, since: number): boolean {
  return state.log.all > since || (state.log.touched.get(jid) ?? -1) > since;
}

/** Whether the known list holds a change of this session to the JID that is newer than any push come. */
function ownIsNewer(state: BlockingState, jid: string): boolean {
  return state.log.own.get(jid)?.[0]?.applied === true;
}

function forget(state: BlockingState, jid: string, change: OwnChange): void {
  const own = state.log.own.get(jid);
  const index = own ? own.indexOf(change) : -1;
  if (index !== -1) own?.splice(index, 1);
  if (own?.length === 0) state.log.own.delete(jid);
}

/**
 * XEP-0016: reads the list (missing = empty) and writes it with the JID added or removed, then makes it
 * active and default where it is not; all writes on one round trip. The known list changes by this JID
 * only: other differences are found, and reported, when the push of the change that made them comes.
 */
async function changePrivacyList(exchange: Exchange, state: BlockingState, jid: string, block: boolean): Promise<BlockEvent | undefined> {
  const read = await readPrivacy(exchange, state.listName);
  const jids = read.jids;
  if (!state.loaded) replace(state, jids, false);
  const name = state.listName;
  const writes: Promise<unknown>[] = [];
  if (jids.includes(jid) !== block) {
    const next = block ? [...jids, jid] : jids.filter((other) => other !== jid);
    // An empty list keeps its fall-through `allow` item: it stays active and default and blocks nobody.
    writes.push(exchange.iq((id) => buildPrivacyListSet(id, blockingPrivacyList(name, next))));
  }
  if (writes.length > 0 || read.exists) {
    if (!read.active) writes.push(exchange.iq((id) => buildPrivacyActiveSet(id, name)));
    if (!read.isDefault) writes.push(exchange.iq((id) => buildPrivacyDefaultSet(id, name)).catch(unlessConflict));
  }
  await Promise.all(writes);
  return apply(state, jid, block);
}

/**
 * XEP-0016 §2.5: a server refuses to change the default list while another session uses it; the list
 * is then active for this session (and for each session of this library, see applyPrivacyPush), and
 * the next change tries the default again.
 */
function unlessConflict(error: unknown): undefined {
  if (error instanceof StanzaError && error.condition === 'conflict') return undefined;
  throw error;
}

interface PrivacyRead {
  /** The JIDs the list blocks (`[]` where there is no list). */
  readonly jids: string[];
  readonly exists: boolean;
  /** Whether the list is this session's active one, and the account's default one. */
  readonly active: boolean;
  readonly isDefault: boolean;
}

/** The list (`item-not-found`: none) and, on the same round trip, which lists are active and default. */
async function readPrivacy(exchange: Exchange, name: string): Promise<PrivacyRead> {
  const [list, names] = await Promise.all([
    exchange.iq((id) => buildPrivacyListGet(id, name)).then(parsePrivacyList, (error: unknown) => {
      if (error instanceof StanzaError && error.condition === 'item-not-found') return undefined;
      throw error;
    }),
    exchange.iq((id) => buildPrivacyListsGet(id)).then(parsePrivacyLists),
  ]);
  return {
    jids: list ? blockedJidsOfPrivacyList(list) : [],
    exists: list !== undefined,
    active: names.active === name,
    isDefault: names.default === name,
  };
}

function enqueue<T>(state: BlockingState, run: () => Promise<T>): Promise<T> {
  const next = state.queue.then(run, run);
  state.queue = next.catch(() => undefined);
  return next;
}

/** Makes `jids` the known list; the events of the differences when `report`, else none. */
function replace(state: BlockingState, jids: readonly string[], report: boolean): BlockEvent[] {
  const events: BlockEvent[] = [];
  const next = new Set(jids);
  for (const jid of state.blocked) if (!next.has(jid) && report) events.push(eventOf(jid, false));
  if (report) for (const jid of next) if (!state.blocked.has(jid)) events.push(eventOf(jid, true));
  state.blocked.clear();
  for (const jid of next) state.blocked.add(jid);
  state.loaded = true;
  return events;
}

/** Blocks or unblocks one JID in the known list: the event when that changed it. */
function apply(state: BlockingState, jid: string, block: boolean): BlockEvent | undefined {
  if (state.blocked.has(jid) === block) return undefined;
  if (block) state.blocked.add(jid);
  else state.blocked.delete(jid);
  return eventOf(jid, block);
}

function eventOf(jid: string, block: boolean): BlockEvent {
  return { blockedUserId: blockedUserOf(jid).userId, jid, type: block ? 'block_user' : 'unblock_user', by: 'me' };
}


function normalize(jid: string): string {
  return fullJid(parseJid(jid));
}

function normalizeOrKeep(jid: string): string {
  try {
    return normalize(jid);
  } catch {
    return jid;
  }
}
