/**
 * JIDs: RFC 7622 (XMPP Address Format), and XEP-0106 (JID Escaping) v1.1 for local parts made from
 * user identifiers.
 *
 * Parsing normalizes each part the way RFC 7622 compares them: the local part is NFC and lower-cased
 * (UsernameCaseMapped), the domain is NFC and lower-cased without a trailing dot, the resource is NFC
 * (OpaqueString, case kept). The PRECIS classes are approximated by Unicode general categories: a
 * local part holds letters, digits and printable ASCII but `"&'/:<>@` (IdentifierClass, RFC 8264 §9.1;
 * RFC 7622 §3.3.1); a resource anything but controls (FreeformClass).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7622
 * @see https://xmpp.org/extensions/xep-0106.html
 */
import { JidError } from '../errors.js';

/** A parsed JID. Absent parts are `''`. */
export interface Jid {
  readonly local: string;
  readonly domain: string;
  readonly resource: string;
}

/** RFC 7622 §3.1: each part is at most 1023 octets of UTF-8. */
export const MAX_JID_PART_OCTETS = 1023;

/**
 * The longest text that can hold a valid JID, in UTF-16 code units: three parts and two separators.
 * A part of more than 16 code units per allowed octet cannot normalize to 1023 octets (NFC merges at
 * most 4 code points, a canonical decomposition's longest, into one; a code point takes at most 2
 * code units and at least one octet), so longer text is refused before the cost of normalizing it.
 */
const MAX_JID_TEXT = 3 * 16 * MAX_JID_PART_OCTETS + 2;

const encoder = new TextEncoder();
const CONTROL = /[\0-\x1F\x7F-\x9F]/;
// RFC 7622 §3.3.1: these MUST NOT appear in a local part.
const LOCAL_FORBIDDEN = /["&'/:<>@]/;
// RFC 8264 §9.1 IdentifierClass: letters and digits (Ll Lu Lo Nd Lm Mn Mc) and printable ASCII only.
const IDENTIFIER_CLASS = /^[\p{Ll}\p{Lu}\p{Lo}\p{Nd}\p{Lm}\p{Mn}\p{Mc}\x21-\x7E]+$/u;
// A domain label: letters and digits of any script, combining marks, hyphen; no symbols or punctuation.
const DOMAIN_LABEL = /^[\p{L}\p{N}\p{M}-]+$/u;
const IP_LITERAL = /^\[[0-9a-f:.]+\]$/;

function octets(part: string): number {
  // ASCII fast path: one octet per code unit.
  for (let i = 0; i < part.length; i++) if (part.charCodeAt(i) > 0x7f) return encoder.encode(part).length;
  return part.length;
}

function checkLength(part: string, name: string, input: string): void {
  if (octets(part) > MAX_JID_PART_OCTETS) {
    throw new JidError('JID_TOO_LONG', `the ${name} of a JID is longer than ${MAX_JID_PART_OCTETS} octets`, input);
  }
}

function normalizeLocal(local: string, input: string): string {
  const value = local.normalize('NFC').toLowerCase();
  checkLength(value, 'local part', input);
  if (LOCAL_FORBIDDEN.test(value) || !IDENTIFIER_CLASS.test(value)) {
    throw new JidError('JID_INVALID_CHAR', `the local part '${local}' has a character RFC 7622 forbids`, input);
  }
  return value;
}

function normalizeDomain(domain: string, input: string): string {
  let value = domain.normalize('NFC').toLowerCase();
  if (value.endsWith('.')) value = value.slice(0, -1); // RFC 7622 §3.2: a trailing dot is removed
  if (value === '') throw new JidError('JID_EMPTY', 'a JID needs a domain', input);
  checkLength(value, 'domain', input);
  if (IP_LITERAL.test(value)) return value;
  for (const label of value.split('.')) {
    if (label === '' || !DOMAIN_LABEL.test(label) || label.startsWith('-') || label.endsWith('-')) {
      throw new JidError('JID_INVALID_CHAR', `the domain '${domain}' is not a valid domain name`, input);
    }
    if (octets(label) > 63) throw new JidError('JID_TOO_LONG', `a label of the domain '${domain}' is longer than 63 octets`, input);
  }
  return value;
}

function normalizeResource(resource: string, input: string): string {
  const value = resource.normalize('NFC');
  checkLength(value, 'resource', input);
  if (CONTROL.test(value)) throw new JidError('JID_INVALID_CHAR', 'the resource has a control character', input);
  return value;
}

/**
 * Parses and normalizes a JID.
 * @throws {JidError} `JID_EMPTY` (no domain, or an `@`/`/` with nothing after it), `JID_TOO_LONG`,
 *   `JID_INVALID_CHAR`, `JID_MALFORMED`.
 * @see https://www.rfc-editor.org/rfc/rfc7622#section-3.1
 */
export function parseJid(text: string): Jid {
  if (typeof text !== 'string') throw new JidError('JID_MALFORMED', 'a JID must be a string', String(text));
  if (text.length > MAX_JID_TEXT) {
    throw new JidError('JID_TOO_LONG', `a JID of ${text.length} characters is longer than three parts of ${MAX_JID_PART_OCTETS} octets`, text);
  }
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const at = address.indexOf('@');
  const rawLocal = at === -1 ? '' : address.slice(0, at);
  const rawDomain = at === -1 ? address : address.slice(at + 1);
  if (at !== -1 && rawLocal === '') throw new JidError('JID_EMPTY', `'${text}' has an empty local part before '@'`, text);
  if (slash !== -1 && slash === text.length - 1) throw new JidError('JID_EMPTY', `'${text}' has an empty resource after '/'`, text);
  return {
    local: at === -1 ? '' : normalizeLocal(rawLocal, text),
    domain: normalizeDomain(rawDomain, text),
    resource: slash === -1 ? '' : normalizeResource(text.slice(slash + 1), text),
  };
}

/**
 * Writes a JID as text, checking and normalizing each part as {@link parseJid} does.
 * @throws {JidError} as {@link parseJid}.
 * @see https://www.rfc-editor.org/rfc/rfc7622#section-3.1
 */
export function buildJid(parts: { readonly local?: string; readonly domain: string; readonly resource?: string }): string {
  const label = `${parts.local ?? ''}@${parts.domain}/${parts.resource ?? ''}`;
  const local = parts.local ? normalizeLocal(parts.local, label) : '';
  const domain = normalizeDomain(parts.domain, label);
  const resource = parts.resource ? normalizeResource(parts.resource, label) : '';
  return (local ? local + '@' : '') + domain + (resource ? '/' + resource : '');
}

/** True when the text is a valid JID. */
export function isJid(text: string): boolean {
  try {
    parseJid(text);
    return true;
  } catch {
    return false;
  }
}

/** The bare form `local@domain` (or `domain`) of a parsed JID. */
export function bareJid(jid: Jid): string {
  return jid.local ? `${jid.local}@${jid.domain}` : jid.domain;
}

/** The full form of a parsed JID. */
export function fullJid(jid: Jid): string {
  return bareJid(jid) + (jid.resource ? '/' + jid.resource : '');
}

/**
 * Normalizes a JID's text and drops its resource.
 * @throws {JidError} as {@link parseJid}.
 */
export function toBareJid(text: string): string {
  return bareJid(parseJid(text));
}

/** True when the JID has no resource. */
export function isBareJid(jid: Jid): boolean {
  return jid.resource === '';
}

/**
 * Compares two JIDs part by part after normalization (RFC 7622 §3). Invalid JIDs are never equal.
 * @param bare compare without resources
 */
export function jidEquals(a: string, b: string, bare = false): boolean {
  let x: Jid;
  let y: Jid;
  try {
    x = parseJid(a);
    y = parseJid(b);
  } catch {
    return false;
  }
  return x.local === y.local && x.domain === y.domain && (bare || x.resource === y.resource);
}

// XEP-0106 §4.2: the ten characters and their escapes.
const ESCAPES: Readonly<Record<string, string>> = {
  ' ': '\\20',
  '"': '\\22',
  '&': '\\26',
  "'": '\\27',
  '/': '\\2f',
  ':': '\\3a',
  '<': '\\3c',
  '>': '\\3e',
  '@': '\\40',
  '\\': '\\5c',
};
const UNESCAPES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(ESCAPES).map(([char, escape]) => [escape.slice(1), char]),
);
const ESCAPABLE = /[ "&'/:<>@]|\\(?=20|22|26|27|2f|3a|3c|3e|40|5c)/g;
const ESCAPED = /\\(20|22|26|27|2f|3a|3c|3e|40|5c)/g;

/**
 * Escapes a user identifier into a JID local part (XEP-0106 §4.2). A backslash is escaped only where it
 * would otherwise start an escape sequence, so escaping is reversible.
 * @throws {JidError} `JID_EMPTY` for `''`, `JID_MALFORMED` for a leading or trailing space (XEP-0106 §4.1).
 * @see https://xmpp.org/extensions/xep-0106.html#escaping
 */
export function escapeLocal(identifier: string): string {
  if (identifier === '') throw new JidError('JID_EMPTY', 'an empty identifier cannot be a local part', identifier);
  if (identifier.startsWith(' ') || identifier.endsWith(' ')) {
    // XEP-0106 §4.1: a local part MUST NOT start or end with an escaped space.
    throw new JidError('JID_MALFORMED', 'an identifier that starts or ends with a space cannot be a local part', identifier);
  }
  return identifier.replace(ESCAPABLE, (char) => ESCAPES[char] ?? char);
}

/**
 * Reverses {@link escapeLocal} (XEP-0106 §4.3). Sequences that are not escapes are kept as they are.
 * @see https://xmpp.org/extensions/xep-0106.html#unescaping
 */
export function unescapeLocal(local: string): string {
  return local.replace(ESCAPED, (_, hex: string) => UNESCAPES[hex] ?? '');
}
