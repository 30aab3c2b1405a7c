/**
 * vCard-temp: XEP-0054 v1.2 (2008-07-16), and its mapping to the profile of the public contract
 * (API.md §3): `nickName` <-> NICKNAME (FN as fallback), `image` <-> PHOTO, `status` <-> DESC,
 * `mobileNumber` <-> TEL/NUMBER (CELL), `email` <-> EMAIL/USERID (INTERNET).
 *
 * Text is read and written as is (no trimming), so that what one client writes another reads back
 * exactly; only a BINVAL loses its whitespace (base64 line breaks), and the legacy forms without
 * NUMBER/USERID are trimmed.
 *
 * @see https://xmpp.org/extensions/xep-0054.html
 */
import type { Element } from 'ltx';
import { StanzaParseError } from '../errors.js';
import { stripBase64Whitespace } from './base64.js';
import { type Attrs, firstChildElement, h, textElement } from './element.js';
import { buildIqGet, buildIqSet } from './iq.js';
import { NS_VCARD } from './ns.js';
import { iqPayload } from './payload.js';

/** The profile fields written to a vCard. `''` means "none". */
export interface VCardFields {
  readonly nickName: string;
  /** The full name (FN). Left out: no FN is written, and {@link updateVCard} keeps the existing one. */
  readonly fullName?: string;
  /** A URL (PHOTO/EXTVAL), a `data:<type>;base64,<data>` URL (PHOTO/TYPE+BINVAL), or `''`. */
  readonly image: string;
  readonly status: string;
  readonly mobileNumber: string;
  readonly email: string;
}

/** An inline photo (PHOTO/TYPE + PHOTO/BINVAL), its base64 without whitespace. */
export interface VCardPhoto {
  readonly type: string;
  readonly binval: string;
}

/** The profile read from a vCard. Every text field is `''` when the vCard has none. */
export interface VCard {
  /** NICKNAME; the FN when there is no (non-empty) NICKNAME. */
  readonly nickName: string;
  readonly fullName: string;
  /** PHOTO/EXTVAL, else the inline photo as a `data:` URL, else `''`. */
  readonly image: string;
  /** DESC. */
  readonly status: string;
  /** The NUMBER of the first TEL with CELL, else of the first TEL (TELs without number are skipped). */
  readonly mobileNumber: string;
  /** The USERID of the first EMAIL with INTERNET and PREF, else of the first EMAIL. */
  readonly email: string;
  /** Present when the PHOTO is inline (BINVAL), as other clients write it. */
  readonly photo?: VCardPhoto;
}

/**
 * Builds the vCard request: of one's own vCard when `to` is left out (XEP-0054 §3.1), else of the
 * entity at `to` (a bare JID, §3.3).
 * @see https://xmpp.org/extensions/xep-0054.html#usecases (Examples 1 and 8)
 */
export function buildVCardGet(id: string, to?: string): Element {
  return buildIqGet(id, to, h('vCard', { xmlns: NS_VCARD }));
}

/**
 * Builds the IQ set that stores one's vCard: the whole vCard, either built from the profile fields or
 * given as an element (e.g. from {@link updateVCard}).
 * @see https://xmpp.org/extensions/xep-0054.html#usecases (Example 5)
 */
export function buildVCardSet(id: string, vcard: VCardFields | Element): Element {
  // XEP-0054 §3.2: the set carries no 'to' (one's own vCard), and the entire vCard.
  return buildIqSet(id, undefined, isElementNode(vcard) ? vcard : buildVCard(vcard));
}

/**
 * Builds a `<vCard xmlns='vcard-temp'/>` with the profile fields, in the order of the XEP-0054 DTD
 * (FN, NICKNAME, PHOTO, TEL, EMAIL, DESC); `''` fields are left out.
 * @see https://xmpp.org/extensions/xep-0054.html#dtd
 */
export function buildVCard(fields: VCardFields): Element {
  const vcard = h('vCard', { xmlns: NS_VCARD });
  if (fields.fullName) vcard.cnode(textElement('FN', fields.fullName));
  if (fields.nickName) vcard.cnode(textElement('NICKNAME', fields.nickName));
  if (fields.image) vcard.cnode(buildVCardPhoto(fields.image));
  if (fields.mobileNumber) vcard.cnode(buildVCardTel(fields.mobileNumber));
  if (fields.email) vcard.cnode(buildVCardEmail(fields.email, false, false, false));
  if (fields.status) vcard.cnode(textElement('DESC', fields.status));
  return vcard;
}

/**
 * Reads a vCard (the `<iq/>` result or its `<vCard/>`). An empty `<vCard/>`, or an empty IQ result,
 * means "no vCard" and gives all fields `''`.
 * @throws {StanzaError} for an IQ error (e.g. `item-not-found` or `service-unavailable` for no vCard).
 * @throws {StanzaParseError} `STANZA_UNEXPECTED` for another element; `STANZA_MISSING_PART` for an IQ
 *   that carries something else than a vCard.
 * @see https://xmpp.org/extensions/xep-0054.html#usecases
 */
export function parseVCard(element: Element): VCard {
  const vcard = vCardOf(element);
  return vcard ? scanVCard(vcard).value : { ...EMPTY_VCARD };
}

/**
 * Builds the vCard to store when the profile changes, from the vCard stored now: every child the
 * profile does not own is kept (other clients' N, ADR, BDAY, ORG..., other TEL and EMAIL entries,
 * extensions), the owned ones are replaced or removed (`''`), the missing ones are appended. A field
 * whose value is what {@link parseVCard} reads now is left untouched. Owned are: every NICKNAME,
 * PHOTO and DESC; every FN when `fullName` is given; the TEL that `mobileNumber` is read from if it
 * has CELL (another TEL, e.g. a work phone, is kept and a CELL TEL appended); the EMAIL that `email`
 * is read from (rewritten with INTERNET, keeping its HOME, WORK and PREF flags).
 * The input is not modified.
 * @throws {StanzaError} when `existing` is an IQ error.
 * @throws {StanzaParseError} `STANZA_UNEXPECTED` when `existing` is neither a vCard nor an IQ;
 *   `STANZA_MISSING_PART` for an IQ that carries something else than a vCard.
 * @see https://xmpp.org/extensions/xep-0054.html#usecases (§3.2: the entire vCard is sent)
 */
export function updateVCard(existing: Element | undefined, fields: VCardFields): Element {
  const source = existing ? vCardOf(existing) : undefined;
  if (!source) return buildVCard(fields);
  const scan = scanVCard(source);
  const now = scan.value;
  const keep = {
    FN: fields.fullName === undefined || fields.fullName === now.fullName,
    NICKNAME: fields.nickName === now.nickName,
    PHOTO: fields.image === now.image,
    DESC: fields.status === now.status,
  };
  const keepTel = fields.mobileNumber === now.mobileNumber;
  const keepEmail = fields.email === now.email;
  const written = new Set<string>();
  const out = h('vCard', source.attrs as Attrs);
  out.attrs.xmlns = NS_VCARD;
  for (const child of source.children) {
    if (typeof child === 'string') continue;
    const name = child.getNS() === NS_VCARD ? child.getName() : '';
    if (name === 'FN' || name === 'NICKNAME' || name === 'PHOTO' || name === 'DESC') {
      if (keep[name]) out.cnode(cloneElement(child));
      else if (!written.has(name)) {
        written.add(name);
        const replacement = ownedElement(name, fields);
        if (replacement) out.cnode(replacement);
      }
    } else if (name === 'TEL' && !keepTel && child === scan.tel && scan.telIsCell) {
      written.add('TEL');
      if (fields.mobileNumber) out.cnode(buildVCardTel(fields.mobileNumber));
    } else if (name === 'EMAIL' && !keepEmail && child === scan.email) {
      written.add('EMAIL');
      if (fields.email) out.cnode(rewriteEmail(child, fields.email));
    } else {
      out.cnode(cloneElement(child));
    }
  }
  for (const name of ['FN', 'NICKNAME', 'PHOTO'] as const) {
    if (!keep[name] && !written.has(name)) appendIf(out, ownedElement(name, fields));
  }
  if (!keepTel && !written.has('TEL') && fields.mobileNumber) out.cnode(buildVCardTel(fields.mobileNumber));
  if (!keepEmail && !written.has('EMAIL') && fields.email) out.cnode(buildVCardEmail(fields.email, false, false, false));
  if (!keep.DESC && !written.has('DESC')) appendIf(out, ownedElement('DESC', fields));
  return out;
}

const EMPTY_VCARD: VCard = { nickName: '', fullName: '', image: '', status: '', mobileNumber: '', email: '' };

function isElementNode(value: VCardFields | Element): value is Element {
  return 'children' in value && 'attrs' in value;
}

function vCardOf(element: Element): Element | undefined {
  const vcard = iqPayload(element, 'vCard', NS_VCARD, true);
  if (vcard) return vcard;
  // An IQ without a vCard: tolerated only as an empty result ("no vCard", as some servers answer).
  if (element.attrs.type !== 'result' || firstChildElement(element) !== undefined) {
    throw new StanzaParseError('STANZA_MISSING_PART', `the IQ has no <vCard xmlns='${NS_VCARD}'/>`);
  }
  return undefined;
}

interface VCardScan {
  readonly value: VCard;
  /** The TEL that `mobileNumber` was read from, and whether it has CELL. */
  readonly tel: Element | undefined;
  readonly telIsCell: boolean;
  /** The EMAIL that `email` was read from. */
  readonly email: Element | undefined;
}

/** One pass over the vCard's children: the profile values and the elements they come from. */
function scanVCard(vcard: Element): VCardScan {
  let fullName: string | undefined;
  let nickName = '';
  let status: string | undefined;
  let photo: Element | undefined;
  let cellTel: Element | undefined;
  let firstTel: Element | undefined;
  let cellNumber = '';
  let firstNumber = '';
  let prefEmail: Element | undefined;
  let firstEmail: Element | undefined;
  let prefAddress = '';
  let firstAddress = '';
  for (const child of vcard.children) {
    if (typeof child === 'string' || child.getNS() !== NS_VCARD) continue;
    switch (child.getName()) {
      case 'FN':
        fullName ??= child.getText();
        break;
      case 'NICKNAME':
        if (nickName === '') nickName = child.getText();
        break;
      case 'PHOTO':
        photo ??= child;
        break;
      case 'DESC':
        status ??= child.getText();
        break;
      case 'TEL': {
        if (cellTel) break;
        const tel = readEntry(child, 'NUMBER', 'CELL', 'CELL');
        if (tel.value === '') break;
        if (tel.flagA) {
          cellTel = child;
          cellNumber = tel.value;
        }
        if (!firstTel) {
          firstTel = child;
          firstNumber = tel.value;
        }
        break;
      }
      case 'EMAIL': {
        if (prefEmail) break;
        const email = readEntry(child, 'USERID', 'INTERNET', 'PREF');
        if (email.value === '') break;
        if (email.flagA && email.flagB) {
          prefEmail = child;
          prefAddress = email.value;
        }
        if (!firstEmail) {
          firstEmail = child;
          firstAddress = email.value;
        }
        break;
      }
    }
  }
  const full = fullName ?? '';
  const value: VCard = {
    nickName: nickName === '' ? full : nickName,
    fullName: full,
    image: '',
    status: status ?? '',
    mobileNumber: cellTel ? cellNumber : firstNumber,
    email: prefEmail ? prefAddress : firstAddress,
  };
  return {
    value: photo ? withPhoto(value, photo) : value,
    tel: cellTel ?? firstTel,
    telIsCell: cellTel !== undefined,
    email: prefEmail ?? firstEmail,
  };
}

/**
 * A TEL or EMAIL: the text of its `valueName` child (NUMBER, USERID), or its own trimmed text in the
 * legacy form without that child; and whether it has the flag elements `a` and `b`.
 */
function readEntry(entry: Element, valueName: string, a: string, b: string): { value: string; flagA: boolean; flagB: boolean } {
  let value: string | undefined;
  let flagA = false;
  let flagB = false;
  for (const child of entry.children) {
    if (typeof child === 'string' || child.getNS() !== NS_VCARD) continue;
    const name = child.getName();
    if (name === valueName) value ??= child.getText();
    else if (name === a) flagA = true;
    if (name === b) flagB = true;
  }
  return { value: value ?? entry.getText().trim(), flagA, flagB };
}

function withPhoto(value: VCard, photo: Element): VCard {
  let extval: string | undefined;
  let type: string | undefined;
  let binval: string | undefined;
  for (const child of photo.children) {
    if (typeof child === 'string' || child.getNS() !== NS_VCARD) continue;
    const name = child.getName();
    if (name === 'EXTVAL') extval ??= child.getText();
    else if (name === 'TYPE') type ??= child.getText();
    else if (name === 'BINVAL') binval ??= child.getText();
  }
  if (binval === undefined) return extval === undefined ? value : { ...value, image: extval };
  const raw: VCardPhoto = { type: type ?? '', binval: stripBase64Whitespace(binval) };
  return { ...value, image: extval ?? `data:${raw.type};base64,${raw.binval}`, photo: raw };
}

const BASE64_MARKER = ';base64,';

/** PHOTO: a `data:...;base64,` URL as TYPE + BINVAL, anything else as EXTVAL. */
function buildVCardPhoto(image: string): Element {
  const marker = image.indexOf(BASE64_MARKER);
  if (marker !== -1 && image.slice(0, 5).toLowerCase() === 'data:') {
    return h('PHOTO', undefined, [
      textElement('TYPE', image.slice(5, marker)),
      textElement('BINVAL', image.slice(marker + BASE64_MARKER.length)),
    ]);
  }
  return h('PHOTO', undefined, [textElement('EXTVAL', image)]);
}

/** TEL with VOICE and CELL, in the order of the DTD. XEP-0054 §8: the number is in NUMBER. */
function buildVCardTel(number: string): Element {
  return h('TEL', undefined, [h('VOICE'), h('CELL'), textElement('NUMBER', number)]);
}

/** EMAIL with INTERNET. XEP-0054 §8: the address is in USERID. */
function buildVCardEmail(address: string, home: boolean, work: boolean, pref: boolean): Element {
  const email = h('EMAIL');
  if (home) email.cnode(h('HOME'));
  if (work) email.cnode(h('WORK'));
  email.cnode(h('INTERNET'));
  if (pref) email.cnode(h('PREF'));
  email.cnode(textElement('USERID', address));
  return email;
}

/** The owned EMAIL rewritten with a new address, keeping its HOME, WORK and PREF flags. */
function rewriteEmail(old: Element, address: string): Element {
  let home = false;
  let work = false;
  let pref = false;
  for (const child of old.children) {
    if (typeof child === 'string' || child.getNS() !== NS_VCARD) continue;
    const name = child.getName();
    if (name === 'HOME') home = true;
    else if (name === 'WORK') work = true;
    else if (name === 'PREF') pref = true;
  }
  return buildVCardEmail(address, home, work, pref);
}

function ownedElement(name: 'FN' | 'NICKNAME' | 'PHOTO' | 'DESC', fields: VCardFields): Element | undefined {
  if (name === 'FN') return fields.fullName ? textElement('FN', fields.fullName) : undefined;
  if (name === 'NICKNAME') return fields.nickName ? textElement('NICKNAME', fields.nickName) : undefined;
  if (name === 'PHOTO') return fields.image ? buildVCardPhoto(fields.image) : undefined;
  return fields.status ? textElement('DESC', fields.status) : undefined;
}

function appendIf(parent: Element, child: Element | undefined): void {
  if (child) parent.cnode(child);
}

function cloneElement(element: Element): Element {
  const copy = h(element.name, element.attrs as Attrs);
  for (const child of element.children) copy.cnode(typeof child === 'string' ? child : cloneElement(child));
  return copy;
}
