/**
 * Stream-level elements: RFC 7395 (An XMPP Subprotocol for WebSocket) `<open/>` and `<close/>` framing,
 * and RFC 6120 (XMPP Core) stream errors, `<stream:error/>` with the defined conditions of §4.9.3.
 *
 * Over WebSocket every frame is a complete XML document (RFC 7395 §3.3.3), so stream-namespace
 * elements carry their own `xmlns:stream` declaration; this module writes it and, when reading, also
 * accepts an undeclared `stream:` prefix (a stream error cut out of a TCP stream or copied from the RFC).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7395 (RFC 7395, October 2014)
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-4.9 (RFC 6120, March 2011)
 */
import type { Element } from 'ltx';
import { StanzaParseError, StreamError } from '../errors.js';
import { childNs, h, textElement } from './element.js';
import { NS_FRAMING, NS_STREAM, NS_STREAMS_ERRORS } from './ns.js';

/**
 * True when the element is `<stream:{localName}/>` in the stream namespace: prefixed `stream:` (the
 * prefix bound to `http://etherx.jabber.org/streams`, or not bound at all) or unprefixed with
 * `xmlns='http://etherx.jabber.org/streams'`.
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-4.8.1
 */
export function isStreamElement(element: Element, localName: string): boolean {
  const name = element.name;
  if (name.length === localName.length + 7 && name.startsWith('stream:') && name.endsWith(localName) && element.attrs['xmlns:stream'] === NS_STREAM) {
    return true; // as it is written over WebSocket: no namespace lookup
  }
  if (element.getName() !== localName) return false;
  const ns = element.getNS();
  return ns === NS_STREAM || (ns === undefined && element.name === 'stream:' + localName);
}

// ---------------------------------------------------------------------------------------------------
// RFC 7395 §3.4 / §3.6: <open/> and <close/> (namespace of §3.3.2)

/** What an RFC 7395 `<open/>` says. */
export interface StreamOpen {
  /** The receiving entity's domain (client to server); absent in the server's answer. */
  readonly to?: string;
  /** The sender's address (the server's domain in its answer). */
  readonly from?: string;
  /** The stream id, set by the server (RFC 6120 §4.7.3). */
  readonly id?: string;
  /** The XMPP version; `'0.9'` when the attribute is absent (RFC 6120 §4.7.5). */
  readonly version: string;
  /** The default language of the stream (`xml:lang`). */
  readonly lang?: string;
}

/** What {@link buildOpen} takes: `version` defaults to `'1.0'`. */
export interface StreamOpenInit {
  readonly to?: string;
  readonly from?: string;
  readonly id?: string;
  readonly version?: string;
  readonly lang?: string;
}

/**
 * Builds `<open xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>`, the WebSocket stream header.
 * @see https://www.rfc-editor.org/rfc/rfc7395#section-3.4
 */
export function buildOpen(init: StreamOpenInit): Element {
  return h('open', {
    xmlns: NS_FRAMING,
    to: init.to,
    from: init.from,
    id: init.id,
    version: init.version ?? '1.0', // RFC 6120 §4.7.5: a 1.0 entity MUST send version='1.0'
    'xml:lang': init.lang,
  });
}

/**
 * Reads an RFC 7395 `<open/>`.
 * @throws {StanzaParseError} `STANZA_UNEXPECTED` for another element.
 * @see https://www.rfc-editor.org/rfc/rfc7395#section-3.4
 */
export function parseOpen(element: Element): StreamOpen {
  expectFraming(element, 'open');
  const attrs: Readonly<Record<string, unknown>> = element.attrs;
  const version = attrs.version;
  const open: { -readonly [K in keyof StreamOpen]: StreamOpen[K] } = { version: typeof version === 'string' ? version : '0.9' };
  const to = attrs.to;
  if (typeof to === 'string') open.to = to;
  const from = attrs.from;
  if (typeof from === 'string') open.from = from;
  const id = attrs.id;
  if (typeof id === 'string') open.id = id;
  const lang = attrs['xml:lang'];
  if (typeof lang === 'string') open.lang = lang;
  return open;
}

/** What an RFC 7395 `<close/>` says. */
export interface StreamClose {
  /** Where to reconnect (RFC 7395 §3.6.1 `see-other-uri`), when the server redirects. */
  readonly seeOtherUri?: string;
}

/**
 * Builds `<close xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>`, with a `see-other-uri` redirect.
 * @throws {StanzaParseError} `STANZA_INVALID_VALUE` for an empty `seeOtherUri`.
 * @see https://www.rfc-editor.org/rfc/rfc7395#section-3.6
 */
export function buildClose(seeOtherUri?: string): Element {
  if (seeOtherUri === '') throw new StanzaParseError('STANZA_INVALID_VALUE', 'see-other-uri cannot be empty');
  return h('close', { xmlns: NS_FRAMING, 'see-other-uri': seeOtherUri });
}

/**
 * Reads an RFC 7395 `<close/>`.
 * @throws {StanzaParseError} `STANZA_UNEXPECTED` for another element, `STANZA_INVALID_VALUE` for an
 *   empty `see-other-uri`.
 * @see https://www.rfc-editor.org/rfc/rfc7395#section-3.6
 */
export function parseClose(element: Element): StreamClose {
  expectFraming(element, 'close');
  const seeOtherUri: unknown = element.attrs['see-other-uri'];
  if (typeof seeOtherUri !== 'string') return {};
  // RFC 7395 §3.6.1: the value is the URI of another endpoint; an empty one cannot be followed.
  if (seeOtherUri === '') throw new StanzaParseError('STANZA_INVALID_VALUE', 'an empty see-other-uri');
  return { seeOtherUri };
}

function expectFraming(element: Element, name: string): void {
  if (element.name === name && element.attrs.xmlns === NS_FRAMING) return; // as it is written, no lookup
  if (element.getName() !== name || element.getNS() !== NS_FRAMING) {
    throw new StanzaParseError('STANZA_UNEXPECTED', `expected <${name} xmlns='${NS_FRAMING}'/>, got <${element.name}/>`);
  }
}

// ---------------------------------------------------------------------------------------------------
// RFC 6120 §4.9: stream errors

/** RFC 6120 §4.9.3: the defined stream error conditions. */
export type StreamErrorCondition =
  | 'bad-format' | 'bad-namespace-prefix' | 'conflict' | 'connection-timeout' | 'host-gone'
  | 'host-unknown' | 'improper-addressing' | 'internal-server-error' | 'invalid-from'
  | 'invalid-namespace' | 'invalid-xml' | 'not-authorized' | 'not-well-formed' | 'policy-violation'
  | 'remote-connection-failed' | 'reset' | 'resource-constraint' | 'restricted-xml' | 'see-other-host'
  | 'system-shutdown' | 'undefined-condition' | 'unsupported-encoding' | 'unsupported-feature'
  | 'unsupported-stanza-type' | 'unsupported-version';

/** RFC 6120 §4.9.3, in the order of the RFC. */
export const STREAM_ERROR_CONDITIONS: readonly StreamErrorCondition[] = [
  'bad-format', 'bad-namespace-prefix', 'conflict', 'connection-timeout', 'host-gone', 'host-unknown',
  'improper-addressing', 'internal-server-error', 'invalid-from', 'invalid-namespace', 'invalid-xml',
  'not-authorized', 'not-well-formed', 'policy-violation', 'remote-connection-failed', 'reset',
  'resource-constraint', 'restricted-xml', 'see-other-host', 'system-shutdown', 'undefined-condition',
  'unsupported-encoding', 'unsupported-feature', 'unsupported-stanza-type', 'unsupported-version',
];

const STREAM_CONDITIONS = new Set<string>(STREAM_ERROR_CONDITIONS);

/** What a `<stream:error/>` says. */
export interface StreamErrorInfo {
  readonly condition: StreamErrorCondition;
  /** Human-readable text from `<text/>`, `''` when absent. */
  readonly text: string;
  /** The host to reconnect to; present exactly when `condition` is `see-other-host` (RFC 6120 §4.9.3.19). */
  readonly seeOtherHost?: string;
}

/**
 * Builds `<stream:error xmlns:stream='http://etherx.jabber.org/streams'/>` with its condition, text and,
 * for `see-other-host`, the alternate host.
 * @throws {StanzaParseError} `STANZA_MISSING_PART` for `see-other-host` without a host (RFC 6120
 *   §4.9.3.19: the element MUST contain it), `STANZA_INVALID_VALUE` for a host with another condition.
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-4.9.2
 */
export function buildStreamErrorElement(condition: StreamErrorCondition, text?: string, seeOtherHost?: string): Element {
  let conditionElement: Element;
  if (condition === 'see-other-host') {
    // RFC 6120 §4.9.3.19: <see-other-host/> MUST contain the alternate domain or IP address.
    if (!seeOtherHost) throw new StanzaParseError('STANZA_MISSING_PART', 'see-other-host needs the other host');
    conditionElement = textElement(condition, seeOtherHost, { xmlns: NS_STREAMS_ERRORS });
  } else {
    if (seeOtherHost !== undefined) throw new StanzaParseError('STANZA_INVALID_VALUE', `a host goes with see-other-host only, not ${condition}`);
    conditionElement = h(condition, { xmlns: NS_STREAMS_ERRORS });
  }
  // RFC 6120 §4.9.2: the stream:error element MUST contain exactly one defined condition.
  const error = h('stream:error', { 'xmlns:stream': NS_STREAM }, [conditionElement]);
  if (text) error.cnode(textElement('text', text, { xmlns: NS_STREAMS_ERRORS }));
  return error;
}

/**
 * Reads a `<stream:error/>` (or `<error xmlns='http://etherx.jabber.org/streams'/>`). Tolerant of what
 * servers write: an unknown or missing condition reads as `undefined-condition` (RFC 6120 §4.9.3.21,
 * the catch-all), RFC 3920's `xml-not-well-formed` as `not-well-formed`; application-specific
 * conditions (§4.9.4) are ignored. The `see-other-host` value is trimmed of white space.
 * @throws {StanzaParseError} `STANZA_UNEXPECTED` for another element, `STANZA_MISSING_PART` for a
 *   `see-other-host` without a host.
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-4.9.2
 */
export function parseStreamError(element: Element): StreamErrorInfo {
  if (!isStreamElement(element, 'error')) {
    throw new StanzaParseError('STANZA_UNEXPECTED', `expected <stream:error/>, got <${element.name}/>`);
  }
  let condition: StreamErrorCondition | undefined;
  let conditionElement: Element | undefined;
  let text = '';
  const parentNs = element.findNS();
  for (const child of element.children) {
    if (typeof child === 'string' || childNs(child, parentNs) !== NS_STREAMS_ERRORS) continue;
    const name = child.getName();
    if (name === 'text') text = child.getText();
    else if (condition === undefined) {
      if (STREAM_CONDITIONS.has(name)) {
        condition = name as StreamErrorCondition;
        conditionElement = child;
      } else if (name === 'xml-not-well-formed') condition = 'not-well-formed'; // RFC 3920 §4.7.3
    }
  }
  if (condition === 'see-other-host' && conditionElement) {
    const seeOtherHost = conditionElement.getText().trim();
    if (seeOtherHost === '') throw new StanzaParseError('STANZA_MISSING_PART', 'see-other-host without a host');
    return { condition, text, seeOtherHost };
  }
  return { condition: condition ?? 'undefined-condition', text };
}

/**
 * The {@link StreamError} to throw for a received `<stream:error/>`. The alternate host of
 * `see-other-host` is not carried by `StreamError`: read it with {@link parseStreamError}.
 * @throws {StanzaParseError} as {@link parseStreamError}.
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-4.9
 */
export function toStreamError(element: Element): StreamError {
  const info = parseStreamError(element);
  return new StreamError(info.condition, info.text, info.seeOtherHost !== undefined ? { seeOtherHost: info.seeOtherHost } : {});
}

/** True for a `<stream:error/>` element. @see https://www.rfc-editor.org/rfc/rfc6120#section-4.9.2 */
export function isStreamErrorElement(element: Element): boolean {
  return isStreamElement(element, 'error');
}

