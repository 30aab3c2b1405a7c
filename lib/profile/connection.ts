/**
 * One logged-in user's connection as the SDK sees it: the session, the state the operations keep
 * (roster, profile cache, blocking), and the wiring of what the server pushes to the app's listeners
 * (API.md §5): roster pushes (RFC 6121 §2.1.6), blocking pushes (XEP-0191 §3.3-3.5) or privacy-list
 * pushes (XEP-0016 §2.6), vCard4 PEP events (XEP-0292 §3), "who blocked me" pushes (the project's
 * module), and disco#info requests for this client's caps (XEP-0115 §6.2).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6121#section-2.1.6
 * @see https://xmpp.org/extensions/xep-0191.html#block
 * @see https://xmpp.org/extensions/xep-0292.html
 */
import type { Element } from 'ltx';
import { NS_BLOCKING, NS_DISCO_INFO, NS_PRIVACY, NS_ROSTER } from '../stanzas/ns.js';
import { parseRosterPush } from '../stanzas/roster.js';
import { buildSubscribed, isPresence, parsePresence } from '../stanzas/presence.js';
import { bareJid, parseJid } from '../stanzas/jid.js';
import { fromOwnAccount } from './own-account.js';
import { StanzaError, StanzaParseError, type StanzaErrorCondition, type StanzaErrorType } from '../errors.js';
import type { Session } from '../transport/session.js';
import { blockedByEvents } from './blocked-by.js';
import { applyBlockingPush, applyPrivacyPush, createBlockingState, loadBlocklist, type BlockingState } from './blocking.js';
import { exchangeOf, type Exchange } from './exchange.js';
import { applyRosterPush, createFriendsState, friendsList, loadRoster, updateCachedProfile, type FriendsState } from './friends.js';
import { emit } from './listeners.js';
import { answerOwnDiscoInfo, buildOwnPresence } from './own-caps.js';
import { createProfileState, getProfile, profileFromPush, type ProfileState } from './profile.js';
import type { RosterStore } from './roster-store.js';
import { createServerInfo, type ServerInfo } from './server-info.js';
import type { CallbackListeners, Profile, User } from './types.js';

/** When the presence sent to a contact that may newly see it goes out a second time, in ms. */
const PRESENCE_REPEAT_MS = 500;

/** What a connection needs from the SDK. */
export interface ConnectionContext {
  readonly listeners: CallbackListeners;
  readonly rosterStore: RosterStore;
  readonly profileConcurrency: number;
  readonly fetch: typeof fetch;
}

/** A logged-in user's session and the state of the profile operations. */
export class Connection {
  readonly session: Session;
  readonly exchange: Exchange;
  readonly server: ServerInfo;
  readonly friends: FriendsState = createFriendsState();
  readonly blocking: BlockingState = createBlockingState();
  readonly profiles: ProfileState = createProfileState();
  readonly #context: ConnectionContext;
  #detached = false;
  #rosterLoad: Promise<void> | undefined;
  /** Users this session asked to be friends with (`addFriend`): their subscription requests are approved. */
  #wanted: Set<string> | undefined;
  /** Wanted contacts this session already approved after a roster push (once each). */
  #approved: Set<string> | undefined;
  /** How many of this user's own profile updates are in flight. */
  #ownUpdates = 0;
  /** The last profile seen of the user and each contact, so that a push that changes nothing fires no event. */
  #seen: Map<string, Profile> | undefined;

  constructor(session: Session, userJid: string, domain: string, context: ConnectionContext) {
    this.session = session;
    this.#context = context;
    this.exchange = exchangeOf(session, userJid, domain, context.fetch);
    this.server = createServerInfo(this.exchange);
    // The unregister functions are not kept: a connection lives exactly as long as its session (the
    // SDK makes a new session per login), and `detach` silences the listeners when it ends.
    const handlers = session.iqHandlers;
    handlers.register('get', 'query', NS_DISCO_INFO, (request) => answerOwnDiscoInfo(request));
    handlers.register('set', 'query', NS_ROSTER, (_request, element) => (this.#detached ? undefined : this.#onRosterPush(element)));
    handlers.register('set', 'block', NS_BLOCKING, (_request, element) => this.#onBlockingPush(element));
    handlers.register('set', 'unblock', NS_BLOCKING, (_request, element) => this.#onBlockingPush(element));
    handlers.register('set', 'query', NS_PRIVACY, (_request, element) => {
      if (!this.#detached) void applyPrivacyPush(this.exchange, this.blocking, element).then((events) => this.#emitBlocks(events), () => undefined);
      return undefined;
    });
    session.on('stanza', (stanza) => {
      if (!this.#detached) this.#onStanza(stanza);
    });
  }

  /** The user's bare JID. */
  get userJid(): string {
    return this.exchange.userJid;
  }

  /**
   * After login (and after a reconnect that could not resume the stream): the available presence with
   * this client's caps, then, in the background, the roster and the block list, whose first reads
   * subscribe this resource to their pushes (RFC 6121 §2.1.6, XEP-0191 §3.1).
   */
  start(fresh: boolean): void {
    if (fresh) {
      this.friends.fetched = false;
      this.profiles.ownVCard = undefined; // another device may have changed it meanwhile
    }
    this.session.send(buildOwnPresence());
    void this.loadRoster().catch(() => undefined);
    // After a fresh reconnect, what changed meanwhile (from another device) is told as events.
    void loadBlocklist(this.exchange, this.server, this.blocking).then((events) => this.#emitBlocks(events), () => undefined);
  }

  /** Reads the roster (with its version) once at a time: concurrent callers share one request. */
  loadRoster(): Promise<void> {
    let load = this.#rosterLoad;
    if (!load) {
      load = loadRoster(this.exchange, this.#context.rosterStore, this.friends, {
        versioning: this.session.features?.rosterVersioning ?? false,
      }).finally(() => {
        this.#rosterLoad = undefined;
      });
      this.#rosterLoad = load;
    }
    return load;
  }

  /** The friends list: the roster joined with each contact's profile (fetched when not cached). */
  friendsList(): Promise<User[]> {
    return friendsList(this.exchange, this.friends, (jid) => getProfile(this.exchange, jid), this.#context.profileConcurrency);
  }

  /**
   * Marks a user as wanted as a friend (`true`, by `addFriend`) or not any more: a subscription request
   * from a wanted user is approved even before the roster push of the request arrived.
   */
  want(jid: string, wanted: boolean): void {
    if (wanted) (this.#wanted ??= new Set()).add(jid);
    else this.#wanted?.delete(jid);
  }

  /** Stops listening to the session's pushes. */
  detach(): void {
    this.#detached = true;
  }

  /**
   * RFC 6121 §2.1.6: a push from anyone but the user's own account is refused with
   * `service-unavailable` (the sender learns nothing); a malformed one is a `bad-request`.
   */
  #onRosterPush(element: Element): undefined {
    const before = this.#subscriptionBefore(element);
    let item;
    try {
      item = applyRosterPush(this.userJid, this.friends, this.#context.rosterStore, element);
    } catch (error) {
      if (error instanceof StanzaParseError) throw stanzaError('modify', 'bad-request', error.message);
      throw error;
    }
    if (!item) {
      if (!fromOwnAccount(element, this.userJid)) throw stanzaError('cancel', 'service-unavailable', '');
      return undefined; // a push before the roster was fetched: acknowledged, nothing to show yet
    }
    if ((item.subscription === 'from' || item.subscription === 'both') && item.subscription !== before) {
      // The contact may now see this user's presence: send it to them at once, and once more a moment
      // later. Servers send it on approval too, but ejabberd 23.01 may handle that presence (and even
      // this one) before its roster knows the subscription, and then never learns this client's caps:
      // no vCard4 pushes would reach this user. A repeated presence changes nothing for anyone else.
      const contact = item.jid;
      this.#sendQuietly(buildOwnPresence(contact));
      setTimeout(() => {
        if (!this.#detached && this.session.status === 'online') this.#sendQuietly(buildOwnPresence(contact));
      }, PRESENCE_REPEAT_MS);
    }
    if (this.#wanted?.has(item.jid) && (item.subscription === 'none' || item.subscription === 'to') && !this.#approved?.has(item.jid)) {
      // A contact asked to be friends may not see this user yet: approve (or pre-approve) now, once. A
      // request of theirs that reached the server before `addFriend` may otherwise wait unanswered.
      (this.#approved ??= new Set()).add(item.jid);
      this.#sendQuietly(buildSubscribed(item.jid));
    }
    void this.friendsList().then((users) => emit(this.#context.listeners, 'friendsListListener', users), () => undefined);
    return undefined;
  }

  /** The subscription the roster had for the pushed item's JID, before the push. */
  #subscriptionBefore(element: Element): string | undefined {
    try {
      return this.friends.items.get(parseRosterPush(element).item.jid)?.subscription;
    } catch {
      return undefined;
    }
  }

  #sendQuietly(element: Element): void {
    try {
      this.session.send(element);
    } catch {
      // offline: presence goes out again at the next login
    }
  }

  #onBlockingPush(element: Element): undefined {
    this.#emitBlocks(applyBlockingPush(this.userJid, this.blocking, element));
    return undefined;
  }

  #emitBlocks(events: readonly Parameters<NonNullable<CallbackListeners['blockUserListener']>>[0][]): void {
    if (this.#detached) return;
    for (const event of events) emit(this.#context.listeners, 'blockUserListener', event);
  }

  #onStanza(stanza: Element): void {
    const name = stanza.getName();
    if (name === 'message') {
      const pushed = profileFromPush(stanza);
      if (pushed) {
        this.#onProfilePush(pushed.profile);
        return;
      }
      this.#emitBlocks(blockedByEvents(this.userJid, stanza));
      return;
    }
    if (name === 'presence' && isPresence(stanza)) this.#onPresence(stanza);
  }

  /**
   * A profile change pushed by the server (a contact's, or this user's from another device; also each
   * contact's last published profile, which the server sends when this client comes online). A profile
   * equal to the last one seen fires nothing.
   */
  #onProfilePush(profile: Profile): void {
    const fresh = this.noteProfile(profile);
    const own = profile.userJid === this.userJid;
    // This user's own change comes back as a push too; the call that made it fires the event.
    if (own && this.#ownUpdates > 0) return;
    // A change from another device: the copy of the own vCard kept for the next update is stale.
    if (own && fresh) this.profiles.ownVCard = undefined;
    if (!fresh) return;
    emit(this.#context.listeners, 'userProfileListener', profile);
  }

  /** Runs this user's own profile update; pushes of this user's profile meanwhile fire no event. */
  async ownUpdate<T>(run: () => Promise<T>): Promise<T> {
    this.#ownUpdates++;
    try {
      return await run();
    } finally {
      this.#ownUpdates--;
    }
  }

  /**
   * Records a profile seen (read, written or pushed); false when it equals the last one seen. Only
   * the profiles that pushes can bring are kept (the user's own and the contacts', and every one
   * until the roster is known), so that what a session holds grows with its roster, not with how
   * many users it looked up.
   */
  noteProfile(profile: Profile): boolean {
    const jid = profile.userJid;
    const seen = (this.#seen ??= new Map());
    const known = seen.get(jid);
    if (known && sameProfile(known, profile)) return false;
    if (jid === this.userJid || this.friends.items.has(jid) || !this.friends.fetched) seen.set(jid, profile);
    else seen.delete(jid);
    updateCachedProfile(this.friends, profile);
    return true;
  }

  /**
   * A subscription request from a contact this user asked to subscribe to (RFC 6121 §3.1.3): approved,
   * so that asking each other (`addFriend` on both sides) ends in a mutual subscription even where the
   * server has no pre-approval (RFC 6121 §3.4).
   */
  #onPresence(stanza: Element): void {
    let presence;
    try {
      presence = parsePresence(stanza);
    } catch {
      return;
    }
    if (presence.type !== 'subscribe' || !presence.from) return;
    let from: string;
    try {
      from = bareJid(parseJid(presence.from));
    } catch {
      return;
    }
    const item = this.friends.items.get(from);
    if (this.#wanted?.has(from) || (item && (item.ask === 'subscribe' || item.subscription === 'to' || item.subscription === 'both'))) {
      try {
        this.session.send(buildSubscribed(from));
      } catch {
        // offline: the request waits on the server for the next login
      }
    }
  }
}

function sameProfile(a: Profile, b: Profile): boolean {
  return a.nickName === b.nickName && a.image === b.image && a.thumbImage === b.thumbImage && a.status === b.status
    && a.mobileNumber === b.mobileNumber && a.email === b.email && a.userId === b.userId;
}

function stanzaError(type: StanzaErrorType, condition: StanzaErrorCondition, text: string): StanzaError {
  return new StanzaError({ type, condition, text, applicationCondition: '', by: '' });
}
