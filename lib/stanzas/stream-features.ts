/**
 * Stream features: RFC 6120 (XMPP Core, March 2011) §4.3, `<stream:features/>`, with the features a
 * client of this library acts on: STARTTLS (§5.4.1), SASL mechanisms (§6.4.1), resource binding
 * (§7.4), the legacy session (RFC 3921 §3, `<optional/>` per draft-cridland-xmpp-session-01), in-band
 * registration (XEP-0077 §4), stream management (XEP-0198 §2), roster versioning (RFC 6121 §2.6.1),
 * subscription pre-approval (RFC 6121 §3.4), client state indication (XEP-0352 §3) and the server's
 * entity capabilities (XEP-0115 §6.3). Any other feature is listed by name in `other`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-4.3
 */
import type { Element } from 'ltx';
import { StanzaParseError } from '../errors.js';
import { attr, childNs, h, textElement } from './element.js';
import {
  NS_BIND, NS_CAPS, NS_CSI, NS_PRE_APPROVAL, NS_REGISTER_FEATURE, NS_ROSTER_VER, NS_SASL, NS_SESSION, NS_STREAM, NS_TLS,
} from './ns.js';
import { isStreamElement } from './stream.js';

/** The XEP-0198 namespaces are `urn:xmpp:sm:<version>`. */
const SM_PREFIX = 'urn:xmpp:sm:';

/** XEP-0115 §4: the server's entity capabilities. `hash` is `''` for the legacy format without it. */
export interface StreamCaps {
  readonly hash: string;
  readonly node: string;
  readonly ver: string;
}

/** What a `<stream:features/>` offers. */
export interface StreamFeatures {
  /** SASL mechanisms in the server's order of preference (RFC 6120 §6.4.1); `[]` when none offered. */
  readonly mechanisms: readonly string[];
  /** STARTTLS, and whether the server requires it (RFC 6120 §5.4.1). */
  readonly starttls?: { readonly required: boolean };
  /** In-band registration (XEP-0077 §4). */
  readonly register: boolean;
  /** Resource binding (RFC 6120 §7.4). */
  readonly bind: boolean;
  /** Legacy session establishment, and whether the server marks it `<optional/>`. */
  readonly session?: { readonly optional: boolean };
  /** XEP-0198 versions offered, in document order (e.g. `[2, 3]`). */
  readonly sm: readonly number[];
  /** Roster versioning (RFC 6121 §2.6.1). */
  readonly rosterVersioning: boolean;
  /** Subscription pre-approval (RFC 6121 §3.4). */
  readonly preApproval: boolean;
  /** Client state indication (XEP-0352). */
  readonly csi: boolean;
  /** The server's entity capabilities (XEP-0115). */
  readonly caps?: StreamCaps;
  /** `{namespace}name` of every other feature, in document order (`{}name` without namespace). */
  readonly other: readonly string[];
}

/**
 * Builds `<stream:features xmlns:stream='http://etherx.jabber.org/streams'/>` (the prefix declared on
 * the element, as RFC 7395 §3.3.3 requires of WebSocket frames). Each `other` entry becomes an empty
 * element `<name xmlns='namespace'/>`.
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-4.3.2
 */
export function buildStreamFeatures(features: StreamFeatures): Element {
  const element = h('stream:features', { 'xmlns:stream': NS_STREAM });
  if (features.starttls) {
    const starttls = h('starttls', { xmlns: NS_TLS });
    if (features.starttls.required) starttls.cnode(h('required'));
    element.cnode(starttls);
  }
  if (features.mechanisms.length > 0) {
    // RFC 6120 §6.4.1: <mechanisms/> MUST contain one or more <mechanism/> children.
    const mechanisms = h('mechanisms', { xmlns: NS_SASL });
    for (const name of features.mechanisms) mechanisms.cnode(textElement('mechanism', name));
    element.cnode(mechanisms);
  }
  if (features.register) element.cnode(h('register', { xmlns: NS_REGISTER_FEATURE }));
  if (features.bind) element.cnode(h('bind', { xmlns: NS_BIND }));
  if (features.session) {
    const session = h('session', { xmlns: NS_SESSION });
    if (features.session.optional) session.cnode(h('optional'));
    element.cnode(session);
  }
  for (const version of features.sm) element.cnode(h('sm', { xmlns: SM_PREFIX + String(version) }));
  if (features.rosterVersioning) element.cnode(h('ver', { xmlns: NS_ROSTER_VER }));
  if (features.preApproval) element.cnode(h('sub', { xmlns: NS_PRE_APPROVAL }));
  if (features.csi) element.cnode(h('csi', { xmlns: NS_CSI }));
  if (features.caps) {
    element.cnode(h('c', { xmlns: NS_CAPS, hash: features.caps.hash || undefined, node: features.caps.node, ver: features.caps.ver }));
  }
  for (const name of features.other) {
    // The last '}': a namespace may hold '}', a name may not.
    const close = name.lastIndexOf('}');
    const ns = name.startsWith('{') && close !== -1 ? name.slice(1, close) : '';
    element.cnode(h(close === -1 ? name : name.slice(close + 1), ns ? { xmlns: ns } : undefined));
  }
  return element;
}

/** A mutable draft of {@link StreamFeatures}, filled by one pass over the children. */
type Draft = { -readonly [K in keyof StreamFeatures]: StreamFeatures[K] } & { mechanisms: string[]; sm: number[]; other: string[] };

/**
 * Reads `<stream:features/>` (prefixed `stream:` or `<features xmlns='http://etherx.jabber.org/streams'/>`),
 * in one pass over its children. Unknown features go to `other`; an `<sm/>` whose version is not a
 * number too.
 * @throws {StanzaParseError} `STANZA_UNEXPECTED` for another element; `STANZA_INVALID_VALUE` for an
 *   empty `<mechanism/>`; `STANZA_MISSING_PART` for a caps `<c/>` without `node` or `ver` (XEP-0115 §4).
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-4.3.2
 */
export function parseStreamFeatures(element: Element): StreamFeatures {
  if (!isStreamElement(element, 'features')) {
    throw new StanzaParseError('STANZA_UNEXPECTED', `expected <stream:features/>, got <${element.name}/>`);
  }
  const draft: Draft = {
    mechanisms: [], register: false, bind: false, sm: [], rosterVersioning: false, preApproval: false, csi: false, other: [],
  };
  const parentNs = element.findNS();
  for (const child of element.children) {
    if (typeof child === 'string') continue;
    const ns = childNs(child, parentNs);
    const name = child.getName();
    if (!readFeature(draft, child, name, ns)) draft.other.push(`{${ns ?? ''}}${name}`);
  }
  return draft;
}

/** Reads one known feature into the draft; false when it is not one this module knows. */
function readFeature(draft: Draft, child: Element, name: string, ns: string | undefined): boolean {
  switch (ns) {
    case NS_SASL:
      if (name !== 'mechanisms') return false;
      readMechanisms(draft.mechanisms, child);
      return true;
    case NS_TLS:
      if (name !== 'starttls') return false;
      draft.starttls = { required: hasChild(child, 'required', NS_TLS) }; // RFC 6120 §5.4.1
      return true;
    case NS_SESSION:
      if (name !== 'session') return false;
      draft.session = { optional: hasChild(child, 'optional', NS_SESSION) };
      return true;
    case NS_CAPS:
      if (name !== 'c') return false;
      draft.caps = readCaps(child);
      return true;
    case NS_REGISTER_FEATURE:
      if (name !== 'register') return false;
      draft.register = true;
      return true;
    case NS_BIND:
      if (name !== 'bind') return false;
      draft.bind = true;
      return true;
    case NS_ROSTER_VER:
      if (name !== 'ver') return false;
      draft.rosterVersioning = true;
      return true;
    case NS_PRE_APPROVAL:
      if (name !== 'sub') return false;
      draft.preApproval = true;
      return true;
    case NS_CSI:
      if (name !== 'csi') return false;
      draft.csi = true;
      return true;
    default:
      return name === 'sm' && ns !== undefined && ns.startsWith(SM_PREFIX) && readSmVersion(draft.sm, ns);
  }
}

function readMechanisms(mechanisms: string[], element: Element): void {
  const parentNs = element.findNS();
  for (const child of element.children) {
    if (typeof child === 'string' || child.getName() !== 'mechanism' || childNs(child, parentNs) !== NS_SASL) continue;
    const name = child.getText().trim();
    if (name === '') throw new StanzaParseError('STANZA_INVALID_VALUE', 'an empty SASL <mechanism/>');
    mechanisms.push(name);
  }
}

function readSmVersion(versions: number[], ns: string): boolean {
  const digits = ns.slice(SM_PREFIX.length);
  if (digits === '' || digits.length > 6) return false;
  for (let i = 0; i < digits.length; i++) {
    const c = digits.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  versions.push(Number(digits));
  return true;
}

function readCaps(element: Element): StreamCaps {
  const node = attr(element, 'node');
  const ver = attr(element, 'ver');
  // XEP-0115 §4: 'node' and 'ver' are REQUIRED.
  if (node === undefined || ver === undefined) throw new StanzaParseError('STANZA_MISSING_PART', "a caps <c/> without 'node' or 'ver'");
  return { hash: attr(element, 'hash') ?? '', node, ver };
}

/** True when the feature element (in namespace `ns`) has a child `<name/>` in that namespace. */
function hasChild(parent: Element, name: string, ns: string): boolean {
  const parentNs = parent.findNS();
  for (const child of parent.children) {
    if (typeof child !== 'string' && child.getName() === name && childNs(child, parentNs) === ns) return true;
  }
  return false;
}

