/**
 * The BOSH `<body/>` wrapper: XEP-0124 (Bidirectional-streams Over Synchronous HTTP, version 1.11.2)
 * §6-§17 attributes of `http://jabber.org/protocol/httpbind`, and the XMPP attributes of XEP-0206 (XMPP
 * Over BOSH, version 1.4) in `urn:xmpp:xbosh`: `xmpp:version`, `xmpp:restart`, `xmpp:restartlogic`.
 * A pure codec: one flat, typed record covers the session creation request and response and every later
 * request and response; which attributes a body carries tells which one it is.
 *
 * The children are the payloads (stanzas, stream features, SASL elements). When read, each child is
 * detached from the body and made self-contained: the prefixes it uses that the body declared
 * (`xmlns:stream`) are declared on it, and an unqualified `<message/>`, `<presence/>` or `<iq/>` gets
 * `jabber:client` (XEP-0206 §2: many connection managers leave the namespace out).
 *
 * @see https://xmpp.org/extensions/xep-0124.html
 * @see https://xmpp.org/extensions/xep-0206.html
 */
import type { Element } from 'ltx';
import { StanzaParseError } from '../errors.js';
import { childNs, h, textElement } from '../stanzas/element.js';
import { NS_CLIENT, NS_HTTPBIND, NS_XBOSH } from '../stanzas/ns.js';
import { parseXml, serialize, type XmlLimits } from '../stanzas/xml.js';

/** XEP-0124 §14.1: the largest `rid` (2^53 - 1). */
export const BOSH_MAX_RID = 9_007_199_254_740_991;

/**
 * The attributes of a `<body/>`. Integers are seconds (`wait`, `inactivity`, `polling`, `maxpause`,
 * `time` in ms), counts (`hold`, `requests`) or request ids (`rid`, `ack`, `report`).
 */
export interface BoshBodyAttrs {
  /** XEP-0124 §14.1: the request id. */
  readonly rid?: number;
  /** XEP-0124 §7.2: the session id, set by the connection manager. */
  readonly sid?: string;
  /** XEP-0124 §7.1: the target domain. */
  readonly to?: string;
  /** XEP-0124 §7.2: the domain that answers. */
  readonly from?: string;
  /** `xml:lang`: the default language (XEP-0124 §7.1). */
  readonly lang?: string;
  /** XEP-0124 §7.1 / §7.2: the protocol version, e.g. `1.6`. */
  readonly ver?: string;
  /** XEP-0124 §7.1: the longest time, in seconds, the connection manager may wait before answering. */
  readonly wait?: number;
  /** XEP-0124 §7.1: how many requests the connection manager may keep waiting. */
  readonly hold?: number;
  /** XEP-0124 §7.2: the largest number of simultaneous requests the client may make. */
  readonly requests?: number;
  /** XEP-0124 §7.2: the longest time, in seconds, the client may go without a request in flight. */
  readonly inactivity?: number;
  /** XEP-0124 §7.2: the shortest allowed time, in seconds, between two empty requests. */
  readonly polling?: number;
  /** XEP-0124 §7.2: the longest pause the client may ask for, in seconds. */
  readonly maxpause?: number;
  /** XEP-0124 §7.1: the `Content-Type` the responses should have. */
  readonly content?: string;
  /** XEP-0124 §7.1: the server the connection manager should connect to (`xmpp:host:port`). */
  readonly route?: string;
  /** XEP-0124 §9: the highest rid acknowledged. */
  readonly ack?: number;
  /** XEP-0124 §7.2: the content encodings the connection manager accepts. */
  readonly accept?: string;
  /** XEP-0206 §4 (deprecated by it): the XMPP stream id. */
  readonly authid?: string;
  /** XEP-0124 §7.2: the connection manager's link to the server is secure. */
  readonly secure?: boolean;
  /** XEP-0124 §13 / §17.2 `terminate`; §17.3 `error`, a recoverable binding error. */
  readonly type?: 'terminate' | 'error';
  /** XEP-0124 §17.2: the terminal binding condition, e.g. `item-not-found`. */
  readonly condition?: string;
  /** XEP-0124 §17.2 `see-other-uri`: the `<uri/>` child, where to connect instead. */
  readonly uri?: string;
  /** XEP-0124 §9.2: the rid of a request whose response was lost. */
  readonly report?: number;
  /** XEP-0124 §9.2: milliseconds since that request. */
  readonly time?: number;
  /** XEP-0206 §3 / §4: `xmpp:version`, the XMPP version of the stream. */
  readonly xmppVersion?: string;
  /** XEP-0206 §5: `xmpp:restart`, a stream restart. */
  readonly xmppRestart?: boolean;
  /** XEP-0206 §4: `xmpp:restartlogic`, the connection manager knows restarts. */
  readonly xmppRestartLogic?: boolean;
}

/** A read `<body/>`: its attributes and its payloads, each detached and self-contained. */
export interface BoshBody extends BoshBodyAttrs {
  readonly children: readonly Element[];
}

type Kind = 'string' | 'integer' | 'boolean';
type Key = Exclude<keyof BoshBodyAttrs, 'type' | 'uri' | 'xmppVersion' | 'xmppRestart' | 'xmppRestartLogic'>;

// [record key, attribute name, kind], in the order they are written.
const PLAIN_ATTRS: readonly (readonly [Key, string, Kind])[] = [
  ['rid', 'rid', 'integer'], ['sid', 'sid', 'string'], ['to', 'to', 'string'], ['from', 'from', 'string'],
  ['lang', 'xml:lang', 'string'], ['ver', 'ver', 'string'], ['wait', 'wait', 'integer'], ['hold', 'hold', 'integer'],
  ['requests', 'requests', 'integer'], ['inactivity', 'inactivity', 'integer'], ['polling', 'polling', 'integer'],
  ['maxpause', 'maxpause', 'integer'], ['content', 'content', 'string'], ['route', 'route', 'string'],
  ['ack', 'ack', 'integer'], ['accept', 'accept', 'string'], ['authid', 'authid', 'string'],
  ['secure', 'secure', 'boolean'], ['condition', 'condition', 'string'], ['report', 'report', 'integer'],
  ['time', 'time', 'integer'],
];
const XMPP_ATTRS: readonly (readonly ['xmppVersion' | 'xmppRestart' | 'xmppRestartLogic', string, Kind])[] = [
  ['xmppVersion', 'version', 'string'], ['xmppRestart', 'restart', 'boolean'], ['xmppRestartLogic', 'restartlogic', 'boolean'],
];
const STANZAS = new Set(['message', 'presence', 'iq']);

// ---------------------------------------------------------------------------------------------------
// Building

function writeValue(name: string, value: string | number | boolean, kind: Kind): string {
  if (kind === 'integer') {
    // XEP-0124 §14.1: request ids (and every other count) are non-negative integers below 2^53.
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new StanzaParseError('STANZA_INVALID_VALUE', `BOSH '${name}' must be a non-negative integer below 2^53, not ${String(value)}`);
    }
    return String(value);
  }
  return kind === 'boolean' ? (value ? 'true' : 'false') : String(value);
}

/**
 * Builds `<body xmlns='http://jabber.org/protocol/httpbind'/>` with its attributes and payloads; the
 * `xmpp:` attributes come with `xmlns:xmpp='urn:xmpp:xbosh'`. The children are appended as they are.
 * @throws {StanzaParseError} `STANZA_INVALID_VALUE` for an integer attribute that is not a
 *   non-negative safe integer, or a `uri` without `condition='see-other-uri'`.
 * @see https://xmpp.org/extensions/xep-0124.html#wrapper
 * @see https://xmpp.org/extensions/xep-0206.html#create
 */
export function buildBoshBody(attrs: BoshBodyAttrs, children: readonly Element[] = []): Element {
  const body = h('body', { xmlns: NS_HTTPBIND });
  const record = attrs as Readonly<Record<string, string | number | boolean | undefined>>;
  for (const [key, name, kind] of PLAIN_ATTRS) {
    const value = record[key];
    if (value !== undefined) body.attrs[name] = writeValue(name, value, kind);
  }
  if (attrs.type !== undefined) body.attrs.type = attrs.type;
  for (const [key, name, kind] of XMPP_ATTRS) {
    const value = record[key];
    if (value === undefined) continue;
    body.attrs['xmlns:xmpp'] = NS_XBOSH; // XEP-0206 §3: the attributes are qualified by urn:xmpp:xbosh
    body.attrs[`xmpp:${name}`] = writeValue(name, value, kind);
  }
  if (attrs.uri !== undefined) {
    if (attrs.condition !== 'see-other-uri') throw new StanzaParseError('STANZA_INVALID_VALUE', 'a BOSH <uri/> goes with see-other-uri only');
    body.cnode(textElement('uri', attrs.uri)); // XEP-0124 §17.2: see-other-uri carries the <uri/>
  }
  for (const child of children) body.cnode(child);
  return body;
}

/**
 * Serializes a `<body/>` around payloads that are already XML text (each the output of `serialize`),
 * so that a transport can check each element when it is sent and join them later.
 * @throws {StanzaParseError} as {@link buildBoshBody}.
 * @see https://xmpp.org/extensions/xep-0124.html#wrapper
 */
export function buildBoshBodyText(attrs: BoshBodyAttrs, payloads: readonly string[]): string {
  const text = serialize(buildBoshBody(attrs));
  if (payloads.length === 0) return text;
  const joined = payloads.join('');
  // '<body .../>' opens up; '<body ...><uri>...</uri></body>' takes the payloads before its end tag.
  return text.endsWith('/>') ? `${text.slice(0, -2)}>${joined}</body>` : `${text.slice(0, -'</body>'.length)}${joined}</body>`;
}

// ---------------------------------------------------------------------------------------------------
// Parsing

function readValue(name: string, value: string, kind: Kind): string | number | boolean {
  if (kind === 'string') return value;
  if (kind === 'boolean') {
    if (value === 'true' || value === '1') return true; // XML Schema xs:boolean
    if (value === 'false' || value === '0') return false;
    throw new StanzaParseError('STANZA_INVALID_VALUE', `BOSH '${name}' is not a boolean: '${value}'`);
  }
  const trimmed = value.trim();
  const n = /^\d{1,16}$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!Number.isSafeInteger(n)) throw new StanzaParseError('STANZA_INVALID_VALUE', `BOSH '${name}' is not an integer below 2^53: '${value}'`);
  return n;
}

/** The prefixes bound to `urn:xmpp:xbosh` on the body; `xmpp` when none is (an undeclared prefix, tolerated). */
function xboshPrefixes(body: Element): string[] {
  const prefixes: string[] = [];
  for (const key in body.attrs) {
    if (key.startsWith('xmlns:') && body.attrs[key] === NS_XBOSH) prefixes.push(key.slice(6));
  }
  if (prefixes.length === 0 && body.attrs['xmlns:xmpp'] === undefined) prefixes.push('xmpp');
  return prefixes;
}

function usedPrefixes(element: Element, into: Set<string>): void {
  const colon = element.name.indexOf(':');
  if (colon > 0) into.add(element.name.slice(0, colon));
  for (const key in element.attrs) {
    const at = key.indexOf(':');
    if (at > 0 && !key.startsWith('xmlns:') && !key.startsWith('xml:')) into.add(key.slice(0, at));
  }
  for (const child of element.children) if (typeof child !== 'string') usedPrefixes(child, into);
}

/** Detaches a payload and declares on it what it inherited from the body. */
function adopt(child: Element, body: Element, bodyNs: string | undefined): Element {
  child.parent = null;
  const prefixes = new Set<string>();
  usedPrefixes(child, prefixes);
  for (const prefix of prefixes) {
    const declared: unknown = body.attrs[`xmlns:${prefix}`];
    if (typeof declared === 'string' && child.attrs[`xmlns:${prefix}`] === undefined) child.attrs[`xmlns:${prefix}`] = declared;
  }
  if (child.name.indexOf(':') === -1 && (child.attrs.xmlns === undefined || child.attrs.xmlns === '')) {
    // XEP-0206 §2: unqualified stanzas are meant as jabber:client; anything else keeps the body's namespace.
    const ns = STANZAS.has(child.name) && bodyNs === NS_HTTPBIND ? NS_CLIENT : bodyNs;
    if (ns !== undefined) child.attrs.xmlns = ns;
  }
  return child;
}

/**
 * Reads a `<body/>` (XML text, or an element already parsed): its typed attributes and its payloads.
 * Unknown attributes and the `<uri/>` of other conditions are ignored. A body given as an element
 * gives up its children: they are detached from it (their `parent` is cleared).
 * @throws {StanzaParseError} `XML_*` for text that is not XML (see `parseXml`); `STANZA_UNEXPECTED`
 *   for another root than `<body xmlns='http://jabber.org/protocol/httpbind'/>`; `STANZA_INVALID_VALUE`
 *   for an integer or boolean attribute that is not one, or a `type` other than `terminate` or `error`.
 * @see https://xmpp.org/extensions/xep-0124.html#wrapper
 * @see https://xmpp.org/extensions/xep-0206.html#wrapper
 */
export function parseBoshBody(input: string | Element, limits: XmlLimits = {}): BoshBody {
  const body = typeof input === 'string' ? parseXml(input, limits) : input;
  const bodyNs = body.getNS();
  if (body.getName() !== 'body' || bodyNs !== NS_HTTPBIND) {
    throw new StanzaParseError('STANZA_UNEXPECTED', `expected <body xmlns='${NS_HTTPBIND}'/>, got <${body.name}/>`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, name, kind] of PLAIN_ATTRS) {
    const value: unknown = body.attrs[name];
    if (typeof value === 'string') out[key] = readValue(name, value, kind);
  }
  const type: unknown = body.attrs.type;
  if (type !== undefined) {
    if (type !== 'terminate' && type !== 'error') throw new StanzaParseError('STANZA_INVALID_VALUE', `BOSH type '${String(type)}' is neither terminate nor error`);
    out.type = type;
  }
  for (const prefix of xboshPrefixes(body)) {
    for (const [key, name, kind] of XMPP_ATTRS) {
      const value: unknown = body.attrs[`${prefix}:${name}`];
      if (typeof value === 'string' && out[key] === undefined) out[key] = readValue(`xmpp:${name}`, value, kind);
    }
  }
  const children: Element[] = [];
  for (const child of body.children) {
    if (typeof child === 'string') continue;
    if (child.getName() === 'uri' && childNs(child, bodyNs) === NS_HTTPBIND && child.name.indexOf(':') === -1) {
      if (out.condition === 'see-other-uri' && out.uri === undefined) out.uri = child.getText().trim();
      continue;
    }
    children.push(adopt(child, body, bodyNs));
  }
  out.children = children;
  return out as unknown as BoshBody;
}
