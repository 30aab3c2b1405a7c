/**
 * The profile of the public contract (API.md §3) read from and written to a vCard: vCard-temp
 * (XEP-0054 v1.2) and vCard4 over PEP (XEP-0292 v0.12.0). Pure functions; the codecs in
 * lib/stanzas/vcard.ts and vcard4.ts do the XML.
 *
 * Mapping (API.md §3): `nickName` <-> NICKNAME (FN as fallback; FN written with it), `image` <->
 * PHOTO, `status` <-> DESC, `mobileNumber` <-> TEL/NUMBER (CELL), `email` <-> EMAIL/USERID (INTERNET).
 *
 * @see https://xmpp.org/extensions/xep-0054.html
 * @see https://xmpp.org/extensions/xep-0292.html
 */
import type { VCard, VCardFields } from '../stanzas/vcard.js';
import type { VCard4 } from '../stanzas/vcard4.js';
import type { Profile } from './types.js';

/**
 * What a profile update changes. A field left out keeps what is stored; `''` clears it. `image` is a
 * URL string (bytes are uploaded before, see image-upload.ts).
 * @see API.md §3 (setUserProfile)
 */
export interface ProfileChanges {
  readonly nickName?: string;
  readonly image?: string;
  readonly status?: string;
  readonly mobileNumber?: string;
  readonly email?: string;
}

/**
 * The vCard of a user who has none: every field `''`.
 * @see https://xmpp.org/extensions/xep-0054.html#usecases (§3.1: no vCard)
 */
export const NO_VCARD: VCard = { nickName: '', fullName: '', image: '', status: '', mobileNumber: '', email: '' };

/**
 * The bare JID of a JID's text, as it is (no normalization): the text before any `/`. Never throws.
 * @see https://www.rfc-editor.org/rfc/rfc7622#section-3.1
 */
export function bareOf(jid: string): string {
  const slash = jid.indexOf('/');
  return slash === -1 ? jid : jid.slice(0, slash);
}

/**
 * The local part of a JID's text, as it is (not unescaped): the text before `@`, `''` for a domain.
 * Never throws.
 * @see https://www.rfc-editor.org/rfc/rfc7622#section-3.1
 */
export function localOf(jid: string): string {
  const bare = bareOf(jid);
  const at = bare.indexOf('@');
  return at === -1 ? '' : bare.slice(0, at);
}

/**
 * The profile of `jid` read from its vCard-temp or vCard4: `userId` is the JID's local part as it is,
 * `userJid` the bare JID, `thumbImage` the same as `image` (one photo per vCard), every field `''`
 * when the vCard has none. Never throws.
 * @see API.md §3 (Profile)
 * @see https://xmpp.org/extensions/xep-0054.html#dtd
 */
export function profileOf(jid: string, vcard: VCard | VCard4): Profile {
  const userJid = bareOf(jid);
  return {
    userId: localOf(userJid),
    userJid,
    nickName: vcard.nickName,
    image: vcard.image,
    thumbImage: vcard.image,
    status: vcard.status,
    mobileNumber: vcard.mobileNumber,
    email: vcard.email,
  };
}

/**
 * The profile of a user without a vCard: every field `''`.
 * Never throws.
 * @see API.md §3 (Profile: `''` where unknown)
 */
export function emptyProfile(jid: string): Profile {
  const userJid = bareOf(jid);
  return { userId: localOf(userJid), userJid, nickName: '', image: '', thumbImage: '', status: '', mobileNumber: '', email: '' };
}

/**
 * The vCard fields to write for an update, given what is stored now (`now`, as parsed; all `''` for
 * no vCard). Fields left out of `changes` take the stored value, so that `updateVCard` leaves them
 * untouched. NAME is written as NICKNAME and as FN, but only when it differs from the stored one:
 * an unchanged name does not overwrite the full name another client wrote.
 * @see API.md §3 (`nickName` <-> NICKNAME, and FN when written)
 * @see https://xmpp.org/extensions/xep-0054.html#usecases (§3.2: the entire vCard is sent)
 */
export function vCardFieldsFor(now: VCard, changes: ProfileChanges): VCardFields {
  const nickName = changes.nickName ?? now.nickName;
  const fields = {
    nickName,
    image: changes.image ?? now.image,
    status: changes.status ?? now.status,
    mobileNumber: changes.mobileNumber ?? now.mobileNumber,
    email: changes.email ?? now.email,
  };
  return nickName === now.nickName ? fields : { ...fields, fullName: nickName };
}

/**
 * The fields of the vCard4 to publish, from the vCard-temp as stored (parsed), so that both say the
 * same: fn is the stored FN (the name when there is none).
 * @see https://xmpp.org/extensions/xep-0292.html#self-publish
 */
export function vCard4FieldsOf(stored: VCard): VCardFields {
  return {
    nickName: stored.nickName,
    fullName: stored.fullName === '' ? stored.nickName : stored.fullName,
    image: stored.image,
    status: stored.status,
    mobileNumber: stored.mobileNumber,
    email: stored.email,
  };
}
