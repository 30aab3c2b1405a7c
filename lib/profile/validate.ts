/**
 * Parameter checks of the SDK methods (API.md §3: "a bad parameter answers 400 with a message that
 * names it"). Each check takes an unknown value (apps call from plain JavaScript too) and returns the
 * normalized value or the 400 answer; none throws.
 *
 * @see API.md §3, §4
 */
import { bareJid, escapeLocal, parseJid } from '../stanzas/jid.js';
import { isXmlSafe } from '../stanzas/xml.js';
import { fail } from './answers.js';
import type { ProfileChanges } from './profile-map.js';
import type { Answer } from './types.js';

/** A checked value, or the 400 answer that names the parameter. */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly answer: Answer };

const valid = <T>(value: T): Checked<T> => ({ ok: true, value });
const invalid = (name: string, why: string): Checked<never> => ({ ok: false, answer: fail(400, `${name} ${why}`) });

/** Longest NAME, in UTF-16 code units. */
export const MAX_NAME_LENGTH = 1024;
/** Longest STATUS, in UTF-16 code units. */
export const MAX_STATUS_LENGTH = 4096;
/** Longest USER_IDENTIFIER, PASSWORD and TOKEN, in UTF-16 code units. */
export const MAX_CREDENTIAL_LENGTH = 1023;
/** Longest EMAIL (RFC 5321 §4.5.3.1.3, path minus the angle brackets). */
export const MAX_EMAIL_LENGTH = 254;

const MOBILE = /^\+?[0-9][0-9 ().-]{1,30}$/;
const EMAIL = /^[^\s@<>()",;]+@[^\s@<>()",;]+$/;

/** A text that must be a string, XML-safe and not too long; `''` allowed unless `required`. */
export function checkText(name: string, value: unknown, maxLength: number, required = false): Checked<string> {
  if (typeof value !== 'string') return invalid(name, `must be a string, not ${describe(value)}`);
  if (required && value.trim() === '') return invalid(name, 'is required');
  if (value.length > maxLength) return invalid(name, `is longer than ${maxLength} characters`);
  if (!isXmlSafe(value)) return invalid(name, 'holds a character that XML cannot carry');
  return valid(value);
}

/**
 * A user to talk about (TO_USER_JID): a JID (`bob@example.com`, a full JID counts as its bare JID), or
 * a user id alone (`bob`), which is taken on `domain`. Returns the bare JID.
 */
export function checkUserJid(name: string, value: unknown, domain: string): Checked<string> {
  if (typeof value !== 'string') return invalid(name, `must be a JID string, not ${describe(value)}`);
  const text = value.trim();
  if (text === '') return invalid(name, 'is required');
  try {
    const jid = text.includes('@') ? parseJidLoosely(value, text) : parseJid(`${escapeLocal(text)}@${domain}`);
    if (jid.local === '') return invalid(name, `must name a user (user@domain), not the domain '${text}'`);
    return valid(bareJid(jid));
  } catch (error) {
    return invalid(name, `is not a valid JID: ${(error as Error).message}`);
  }
}

/**
 * The account to log in as (USERNAME): a local part (`alice`, escaped per XEP-0106 when it holds
 * characters a JID cannot, such as a space), or a bare JID on the SDK's domain.
 */
export function checkUsername(name: string, value: unknown, domain: string): Checked<string> {
  const text = checkText(name, value, MAX_CREDENTIAL_LENGTH, true);
  if (!text.ok) return text;
  const raw = text.value;
  try {
    if (raw.includes('@')) {
      const jid = parseJid(raw);
      if (jid.local === '' || jid.resource !== '') return invalid(name, 'must be a user id or a bare JID');
      if (jid.domain !== domain) return invalid(name, `is on '${jid.domain}', but this SDK logs in on '${domain}'`);
      return valid(jid.local);
    }
    return valid(localPart(raw));
  } catch (error) {
    return invalid(name, `cannot be a JID local part: ${(error as Error).message}`);
  }
}

/**
 * The identifier of a new account (USER_IDENTIFIER): trimmed, lower-cased, and escaped into a JID
 * local part (XEP-0106), e.g. `Alice Smith` -> `alice\20smith`.
 */
export function checkUserIdentifier(name: string, value: unknown): Checked<string> {
  const text = checkText(name, value, MAX_CREDENTIAL_LENGTH, true);
  if (!text.ok) return text;
  try {
    return valid(parseJid(`${escapeLocal(text.value.trim().toLowerCase())}@x`).local);
  } catch (error) {
    return invalid(name, `cannot be a user name: ${(error as Error).message}`);
  }
}

/** A mobile number: `''`, or digits with an optional leading `+` and the usual separators. */
export function checkMobileNumber(name: string, value: unknown): Checked<string> {
  const text = checkText(name, value, 32);
  if (!text.ok) return text;
  const number = text.value.trim();
  if (number !== '' && !MOBILE.test(number)) return invalid(name, `is not a phone number: '${text.value}'`);
  return valid(number);
}

/** An e-mail address: `''`, or `local@domain` without spaces. */
export function checkEmail(name: string, value: unknown): Checked<string> {
  const text = checkText(name, value, MAX_EMAIL_LENGTH);
  if (!text.ok) return text;
  const email = text.value.trim();
  if (email !== '' && !EMAIL.test(email)) return invalid(name, `is not an e-mail address: '${text.value}'`);
  return valid(email);
}

/** A JID as written, else with the spaces around it trimmed (a resource may end with a space). */
function parseJidLoosely(raw: string, trimmed: string): ReturnType<typeof parseJid> {
  try {
    return parseJid(raw);
  } catch {
    return parseJid(trimmed);
  }
}

/** The local part for a user id: kept when it is a valid one already (`alice`, `alice\20smith`), else escaped (XEP-0106). */
function localPart(id: string): string {
  try {
    return parseJid(`${id}@x`).local;
  } catch {
    return parseJid(`${escapeLocal(id)}@x`).local;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}

/**
 * The text fields of `setUserProfile` (API.md §3): each left `undefined` is kept as stored (left out of
 * the result), `''` clears it.
 */
export function checkProfileChanges(NAME: unknown, STATUS: unknown, MOBILE_NUMBER: unknown, EMAIL: unknown): Checked<ProfileChanges> {
  const changes: { -readonly [K in keyof ProfileChanges]: ProfileChanges[K] } = {};
  const checks: [keyof ProfileChanges, unknown, (value: unknown) => Checked<string>][] = [
    ['nickName', NAME, (value) => checkText('NAME', value, MAX_NAME_LENGTH)],
    ['status', STATUS, (value) => checkText('STATUS', value, MAX_STATUS_LENGTH)],
    ['mobileNumber', MOBILE_NUMBER, (value) => checkMobileNumber('MOBILE_NUMBER', value)],
    ['email', EMAIL, (value) => checkEmail('EMAIL', value)],
  ];
  for (const [field, value, check] of checks) {
    if (value === undefined) continue;
    const checked = check(value);
    if (!checked.ok) return checked;
    changes[field] = checked.value;
  }
  return valid(changes);
}

/** An image for `setUserProfile`: a URL, `''` for none, or bytes to upload. */
export type ImageInput = string | Blob | Uint8Array | ArrayBuffer;

/** IMAGE: `undefined` (keep), a URL (http, https, `data:`) or `''`, stored as is, or bytes to upload. */
export function checkImage(image: unknown): Checked<ImageInput | undefined> {
  if (image === undefined) return { ok: true, value: undefined };
  if (typeof image === 'string') {
    if (image === '') return { ok: true, value: '' };
    const text = checkText('IMAGE', image, 1_000_000);
    if (!text.ok) return text;
    try {
      const url = new URL(image);
      if (!['http:', 'https:', 'data:'].includes(url.protocol)) return { ok: false, answer: fail(400, `IMAGE must be an http(s) or data: URL, not ${url.protocol}`) };
    } catch {
      return { ok: false, answer: fail(400, `IMAGE is not a URL: '${image.slice(0, 100)}'`) };
    }
    return { ok: true, value: image };
  }
  if (image instanceof Uint8Array || image instanceof ArrayBuffer || (typeof Blob !== 'undefined' && image instanceof Blob)) {
    const size = image instanceof Uint8Array || image instanceof ArrayBuffer ? image.byteLength : image.size;
    if (size === 0) return { ok: false, answer: fail(400, 'IMAGE is empty (0 bytes)') };
    return { ok: true, value: image };
  }
  return { ok: false, answer: fail(400, 'IMAGE must be a URL string, \'\', or bytes (Blob, File, Uint8Array, ArrayBuffer)') };
}
