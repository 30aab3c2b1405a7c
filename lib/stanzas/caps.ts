/**
 * Entity Capabilities: XEP-0115 v1.6. A `<c/>` in presence or stream features names a hash (`ver`) of
 * the entity's disco#info (identities, features, XEP-0128 forms), so that a client learns what a
 * contact or server supports once per software version instead of asking every entity. Only the
 * mandatory-to-implement `sha-1` hash is computed; the legacy (pre-1.4, hash-less) format is not read.
 *
 * @see https://xmpp.org/extensions/xep-0115.html
 */
import { Element } from 'ltx';
import { StanzaParseError } from '../errors.js';
import type { DataForm } from './data-form.js';
import type { DiscoIdentity, DiscoInfo } from './disco.js';
import { expectElement, findChild } from './element.js';
import { NS_CAPS, NS_CLIENT, NS_STREAM } from './ns.js';
import { buildBase64 } from './base64.js';
import { sha1, utf8Encode } from './sha1.js';

/** The `hash` value of SHA-1, the one hash function XEP-0115 §8.4 makes mandatory to implement. */
export const CAPS_HASH_SHA1 = 'sha-1';

/** What a `<c/>` element says. */
export interface Caps {
  /** The hash function's name from the IANA registry (XEP-0115 §4), e.g. `sha-1`. */
  readonly hash: string;
  /** A URI naming the software, e.g. `http://prosody.im`. */
  readonly node: string;
  /** The verification string: the base64 hash of the disco#info (XEP-0115 §5.1). */
  readonly ver: string;
}

/** What {@link buildCaps} takes; `hash` defaults to `sha-1`. */
export interface CapsInit {
  readonly node: string;
  readonly ver: string;
  readonly hash?: string;
}

/**
 * Builds `<c xmlns='http://jabber.org/protocol/caps' hash node ver/>`.
 * @see https://xmpp.org/extensions/xep-0115.html#advertise
 */
export function buildCaps(caps: CapsInit): Element {
  // XEP-0115 §4: 'hash', 'node' and 'ver' are REQUIRED.
  return new Element('c', { xmlns: NS_CAPS, hash: caps.hash ?? CAPS_HASH_SHA1, node: caps.node, ver: caps.ver });
}

/**
 * Reads a `<c/>` element, or the one in a `<presence/>` or `<stream:features/>`. The deprecated `ext`
 * attribute is ignored.
 * @throws {StanzaParseError} `STANZA_MISSING_PART` without `hash` (the legacy format, XEP-0115 §5.4
 *   step 1: the `ver` cannot be verified), `node` or `ver`, or a presence or features element without
 *   `<c/>`; `STANZA_UNEXPECTED` for another element.
 * @see https://xmpp.org/extensions/xep-0115.html#protocol
 */
export function parseCaps(element: Element): Caps {
  const attrs = capsElement(element).attrs;
  const hash: unknown = attrs.hash;
  if (typeof hash !== 'string') throw new StanzaParseError('STANZA_MISSING_PART', "a caps element without 'hash' (legacy format)");
  const node: unknown = attrs.node;
  if (typeof node !== 'string') throw new StanzaParseError('STANZA_MISSING_PART', "a caps element without 'node'");
  const ver: unknown = attrs.ver;
  if (typeof ver !== 'string') throw new StanzaParseError('STANZA_MISSING_PART', "a caps element without 'ver'");
  return { hash, node, ver };
}

function capsElement(element: Element): Element {
  const name = element.getName();
  if (name === 'c') return expectElement(element, 'c', NS_CAPS);
  const ns = element.getNS();
  if ((name === 'presence' && (ns === undefined || ns === NS_CLIENT || ns === 'jabber:server')) || (name === 'features' && ns === NS_STREAM)) {
    const c = findChild(element, 'c', NS_CAPS);
    if (!c) throw new StanzaParseError('STANZA_MISSING_PART', `<${element.name}> has no <c xmlns='${NS_CAPS}'/>`);
    return c;
  }
  throw new StanzaParseError('STANZA_UNEXPECTED', `expected <c xmlns='${NS_CAPS}'/>, <presence/> or <stream:features/>, got <${element.name}/>`);
}

/**
 * The verification string S of XEP-0115 §5.1 (before hashing): identities sorted by category, type and
 * xml:lang as `category/type/lang/name<`, then features sorted, each followed by `<`, then the XEP-0128
 * forms sorted by FORM_TYPE, each as `FORM_TYPE<` then its other fields sorted by var as `var<` and
 * their values sorted, each followed by `<`. All sorting is by UTF-8 octets ("i;octet", RFC 4790 §9.3).
 * Forms without a FORM_TYPE field of type `hidden` (or without its value) are left out (§5.4 step 3.6).
 * @throws {StanzaParseError} `STANZA_INVALID_VALUE` for info XEP-0115 §5.4 calls ill-formed, which must
 *   not produce a hash: two identities with the same category/type/lang/name, a feature listed twice,
 *   two forms with the same FORM_TYPE, or a FORM_TYPE field with different values.
 * @see https://xmpp.org/extensions/xep-0115.html#ver-gen
 * @see https://xmpp.org/extensions/xep-0115.html#ver-proc
 */
export function capsVerificationString(info: DiscoInfo): string {
  let s = '';
  const identities = info.identities.slice().sort(compareIdentities); // XEP-0115 §5.1 step 2
  for (let i = 0; i < identities.length; i++) {
    const identity = identities[i]!;
    const previous = identities[i - 1];
    // XEP-0115 §5.4 step 3.3: a repeated category/type/lang/name makes the answer ill-formed.
    if (previous !== undefined && compareIdentities(previous, identity) === 0) {
      throw new StanzaParseError('STANZA_INVALID_VALUE', `the identity ${identity.category}/${identity.type} is listed twice`);
    }
    s += identity.category + '/' + identity.type + '/' + (identity.lang ?? '') + '/' + (identity.name ?? '') + '<'; // §5.1 step 3
  }
  const features = info.features.slice().sort(compareOctets); // §5.1 step 4
  for (let i = 0; i < features.length; i++) {
    const feature = features[i]!;
    // XEP-0115 §5.4 step 3.4: a repeated feature makes the answer ill-formed.
    if (i > 0 && features[i - 1] === feature) throw new StanzaParseError('STANZA_INVALID_VALUE', `the feature '${feature}' is listed twice`);
    s += feature + '<'; // §5.1 step 5
  }
  const forms = typedForms(info.forms).sort((a, b) => compareOctets(a.formType, b.formType)); // §5.1 step 6
  for (let i = 0; i < forms.length; i++) {
    const { formType, form } = forms[i]!;
    // XEP-0115 §5.4 step 3.5: two forms with the same FORM_TYPE make the answer ill-formed.
    if (i > 0 && forms[i - 1]!.formType === formType) throw new StanzaParseError('STANZA_INVALID_VALUE', `two forms of FORM_TYPE '${formType}'`);
    s += formType + '<'; // §5.1 step 7.1
    const fields = form.fields.filter((field) => field.var !== 'FORM_TYPE').sort((a, b) => compareOctets(a.var, b.var)); // §5.1 step 7.2
    for (const field of fields) {
      s += field.var + '<'; // §5.1 step 7.3.1
      const values = field.values.slice().sort(compareOctets); // §5.1 step 7.3.2
      for (const value of values) s += value + '<'; // §5.1 step 7.3.3
    }
  }
  return s;
}

interface TypedForm {
  readonly formType: string;
  readonly form: DataForm;
}

/** The forms that count, with their FORM_TYPE (XEP-0115 §5.4 steps 3.5 and 3.6). */
function typedForms(forms: readonly DataForm[]): TypedForm[] {
  const typed: TypedForm[] = [];
  for (const form of forms) {
    let formType: string | undefined;
    for (const field of form.fields) {
      if (field.var !== 'FORM_TYPE') continue;
      if (field.type !== 'hidden' || field.values.length === 0) break; // §5.4 step 3.6: ignore the form
      formType = field.values[0]!;
      for (const value of field.values) {
        if (value !== formType) throw new StanzaParseError('STANZA_INVALID_VALUE', `a FORM_TYPE field with different values '${formType}' and '${value}'`);
      }
      break;
    }
    if (formType !== undefined) typed.push({ formType, form });
  }
  return typed;
}

/**
 * The `ver` of XEP-0115 §5.1: the base64 SHA-1 of the UTF-8 verification string.
 * @throws {StanzaParseError} `STANZA_INVALID_VALUE` as {@link capsVerificationString}.
 * @see https://xmpp.org/extensions/xep-0115.html#ver-gen (steps 8 and 9)
 */
export function capsHash(info: DiscoInfo): string {
  // XEP-0115 §5.1 steps 8-9: UTF-8, SHA-1, base64 with padding and no whitespace.
  return buildBase64(sha1(utf8Encode(capsVerificationString(info))));
}

/**
 * True when the disco#info answer hashes (SHA-1) to `ver`; false when it does not, or when §5.4 calls
 * it ill-formed, so that the result is never cached for `ver`.
 * @see https://xmpp.org/extensions/xep-0115.html#ver-proc
 */
export function verifyCaps(info: DiscoInfo, ver: string): boolean {
  try {
    return capsHash(info) === ver; // XEP-0115 §5.4 steps 3.7-3.9
  } catch (error) {
    if (error instanceof StanzaParseError) return false;
    throw error;
  }
}

function compareIdentities(a: DiscoIdentity, b: DiscoIdentity): number {
  return compareOctets(a.category, b.category) || compareOctets(a.type, b.type) || compareOctets(a.lang ?? '', b.lang ?? '') ||
    compareOctets(a.name ?? '', b.name ?? '');
}

/**
 * "i;octet" collation (RFC 4790 §9.3) of the UTF-8 forms, without encoding: UTF-8 byte order is code
 * point order, which differs from UTF-16 code unit order only where a surrogate meets U+E000-U+FFFF.
 */
function compareOctets(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}
