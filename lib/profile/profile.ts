/**
 * Profiles: read with vCard-temp (XEP-0054 v1.2), stored with vCard-temp and published as vCard4 over
 * PEP (XEP-0292 v0.12.0, on XEP-0163), so that contacts are pushed the change.
 *
 * @see https://xmpp.org/extensions/xep-0054.html
 * @see https://xmpp.org/extensions/xep-0292.html
 * @see https://xmpp.org/extensions/xep-0163.html
 * @see API.md §3 (getUserProfile, setUserProfile), §5 (userProfileListener)
 */
import type { Element } from 'ltx';
import { StanzaError } from '../errors.js';
import { findChild } from '../stanzas/element.js';
import { NS_PUBSUB_EVENT } from '../stanzas/ns.js';
import { buildVCardGet, buildVCardSet, parseVCard, updateVCard } from '../stanzas/vcard.js';
import { buildVCard4Publish, parseVCard4Event } from '../stanzas/vcard4.js';
import type { Exchange } from './exchange.js';
import type { UploadState } from './image-upload.js';
import { NO_VCARD, bareOf, profileOf, vCard4FieldsOf, vCardFieldsFor, type ProfileChanges } from './profile-map.js';
import type { Profile } from './types.js';

/** One settled promise shared by every fresh state: a state starts with nothing in progress. */
const SETTLED: Promise<void> = Promise.resolve();

export type { ProfileChanges } from './profile-map.js';

/**
 * What the profile operations keep for one session: the user's own vCard as last read or written
 * (to build the next update without reading it again), and the upload service once found.
 * @see https://xmpp.org/extensions/xep-0054.html#usecases
 * @see https://xmpp.org/extensions/xep-0363.html#disco
 */
export interface ProfileState extends UploadState {
  /** The own `<vCard/>` (or the `<iq/>` that carried it); `null`: known to be none; `undefined`: not known. */
  ownVCard: Element | null | undefined;
  /** The profile update in progress (settled), so that the next one builds on what it stored. */
  updating: Promise<void>;
}

/**
 * A fresh state: nothing known yet. Make a new one for each login (a fresh, not resumed, session too),
 * since another device may have changed the vCard meanwhile. Never throws.
 * @see https://xmpp.org/extensions/xep-0054.html#usecases (§3.2: the entire vCard is sent, so it is read first)
 */
export function createProfileState(): ProfileState {
  return { ownVCard: undefined, uploadService: undefined, updating: SETTLED };
}

/**
 * The profile of `jid` (its bare JID is asked; the user's own vCard is asked without `to`). With
 * `state`, the user's own vCard is kept there for the next {@link setProfile}.
 * @throws {StanzaError} `item-not-found` (404) for a user without a vCard on Prosody (ejabberd answers
 *   an empty vCard: every field `''`); any other error answer.
 * @throws {StanzaParseError} for an answer that is not a vCard; {@link TimeoutError}; {@link TransportError}.
 * @see https://xmpp.org/extensions/xep-0054.html#usecases (§3.1 own vCard, §3.3 another user's)
 */
export async function getProfile(exchange: Exchange, jid: string, state?: ProfileState): Promise<Profile> {
  const bare = bareOf(jid);
  const own = bare === exchange.userJid;
  let answer: Element;
  try {
    answer = await exchange.iq((id) => (own ? buildVCardGet(id) : buildVCardGet(id, bare)));
  } catch (error) {
    if (own && state && isNoVCard(error)) state.ownVCard = null;
    throw error;
  }
  const profile = profileOf(bare, parseVCard(answer));
  if (own && state) state.ownVCard = answer;
  return profile;
}

/**
 * Updates the user's profile: reads the stored vCard (unless `state` holds it), builds the new one
 * keeping what other clients wrote (`updateVCard`), and sends at once (pipelined) the vCard-temp set
 * and the vCard4 PEP publish. Resolves with the profile as stored.
 *
 * The publish is best effort: its failure does not fail the call (contacts then get no push).
 * Calls on one state run one after the other, each on what the previous one stored.
 * @throws {StanzaError} when the stored vCard cannot be read (other than `item-not-found`, which means
 *   none) or the vCard-temp set is refused; {@link TimeoutError}; {@link TransportError}.
 * @see https://xmpp.org/extensions/xep-0054.html#usecases (§3.2: the entire vCard is sent)
 * @see https://xmpp.org/extensions/xep-0292.html#self-publish
 */
export function setProfile(exchange: Exchange, changes: ProfileChanges, state: ProfileState): Promise<Profile> {
  // Updates run one after the other: each builds on the vCard the previous one stored.
  const run = state.updating.then(() => update(exchange, changes, state));
  state.updating = run.then(noop, noop);
  return run;
}

async function update(exchange: Exchange, changes: ProfileChanges, state: ProfileState): Promise<Profile> {
  const stored = state.ownVCard === undefined ? await readOwnVCard(exchange) : state.ownVCard;
  const now = stored ? parseVCard(stored) : NO_VCARD;
  const next = updateVCard(stored ?? undefined, vCardFieldsFor(now, changes));
  const written = parseVCard(next);
  // Both requests leave together; the publish's outcome only matters once the set has succeeded.
  const set = exchange.iq((id) => buildVCardSet(id, next));
  const publish = exchange.iq((id) => buildVCard4Publish(id, vCard4FieldsOf(written))).then(
    () => true,
    () => false,
  );
  try {
    await set;
  } catch (error) {
    state.ownVCard = undefined; // the stored vCard is unknown again
    throw error;
  }
  state.ownVCard = next;
  await publish;
  return profileOf(exchange.userJid, written);
}

/**
 * The contact and profile that a vCard4 PEP notification carries (XEP-0292), or `undefined` for any
 * other stanza, a notification without payload, or one that cannot be read. Never throws.
 * @see https://xmpp.org/extensions/xep-0292.html#self-publish
 * @see https://xmpp.org/extensions/xep-0163.html#notify
 */
export function profileFromPush(message: Element): { jid: string; profile: Profile } | undefined {
  try {
    if (message.getName() !== 'message' || !findChild(message, 'event', NS_PUBSUB_EVENT)) return undefined;
    const event = parseVCard4Event(message);
    if (!event.vcard) return undefined;
    const jid = bareOf(event.from);
    return { jid, profile: profileOf(jid, event.vcard) };
  } catch {
    return undefined;
  }
}

/** The user's stored vCard (the answer), `null` for none (Prosody's `item-not-found`). */
async function readOwnVCard(exchange: Exchange): Promise<Element | null> {
  try {
    return await exchange.iq((id) => buildVCardGet(id));
  } catch (error) {
    if (isNoVCard(error)) return null;
    throw error;
  }
}

function noop(): void {}

function isNoVCard(error: unknown): boolean {
  return error instanceof StanzaError && error.condition === 'item-not-found';
}
