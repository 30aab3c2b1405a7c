/**
 * IQ stanzas: RFC 6120 §8.2.3, the request-response envelope of every profile operation.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-8.2.3
 */
import type { Element } from 'ltx';
import { StanzaParseError, type StanzaErrorDetails } from '../errors.js';
import { attr, h } from './element.js';
import { NS_CLIENT } from './ns.js';
import { buildStanzaError, parseStanzaError, type StanzaErrorInit } from './stanza-error.js';

/** RFC 6120 §8.2.3: the four IQ types. */
export type IqType = 'get' | 'set' | 'result' | 'error';

/** A parsed IQ. `payload` is the first child element other than `<error/>`. */
export interface Iq {
  readonly type: IqType;
  readonly id: string;
  readonly to?: string;
  readonly from?: string;
  readonly payload?: Element;
  /** Present on `type='error'`. */
  readonly error?: StanzaErrorDetails;
}

/** What {@link buildIq} takes. */
export interface IqInit {
  readonly type: IqType;
  readonly id: string;
  readonly to?: string;
  readonly from?: string;
  readonly payload?: Element;
  readonly error?: StanzaErrorInit;
}

const IQ_TYPES = new Set<string>(['get', 'set', 'result', 'error']);

/**
 * Builds an `<iq/>` in the `jabber:client` namespace.
 * @throws {StanzaParseError} `STANZA_MISSING_PART` for a get/set without payload or an error without
 *   `error` (RFC 6120 §8.2.3: get and set MUST contain exactly one payload; error MUST contain `<error/>`).
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-8.2.3
 */
export function buildIq(init: IqInit): Element {
  if ((init.type === 'get' || init.type === 'set') && !init.payload) {
    throw new StanzaParseError('STANZA_MISSING_PART', `an IQ ${init.type} needs a payload`);
  }
  if (init.type === 'error' && !init.error) throw new StanzaParseError('STANZA_MISSING_PART', 'an IQ error needs an error');
  const iq = h('iq', { xmlns: NS_CLIENT, type: init.type, id: init.id, to: init.to, from: init.from });
  if (init.payload) iq.cnode(init.payload);
  if (init.type === 'error' && init.error) iq.cnode(buildStanzaError(init.error));
  return iq;
}

/** Builds an IQ get. @see https://www.rfc-editor.org/rfc/rfc6120#section-8.2.3 */
export function buildIqGet(id: string, to: string | undefined, payload: Element): Element {
  return buildIq(to === undefined ? { type: 'get', id, payload } : { type: 'get', id, to, payload });
}

/** Builds an IQ set. @see https://www.rfc-editor.org/rfc/rfc6120#section-8.2.3 */
export function buildIqSet(id: string, to: string | undefined, payload: Element): Element {
  return buildIq(to === undefined ? { type: 'set', id, payload } : { type: 'set', id, to, payload });
}

/**
 * Builds the result answering a parsed request (same id, addressed back to its sender).
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-8.2.3 (rule 3)
 */
export function buildIqResult(request: Iq, payload?: Element): Element {
  return buildIq({
    type: 'result',
    id: request.id,
    ...(request.from !== undefined ? { to: request.from } : {}),
    ...(payload ? { payload } : {}),
  });
}

/**
 * Builds the error answering a parsed request.
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-8.3.1
 */
export function buildIqError(request: Iq, error: StanzaErrorInit): Element {
  return buildIq({ type: 'error', id: request.id, ...(request.from !== undefined ? { to: request.from } : {}), error });
}

/**
 * Reads any IQ.
 * @throws {StanzaParseError} `STANZA_UNEXPECTED` when it is not an `<iq/>` of `jabber:client` (or no
 *   namespace), `STANZA_MISSING_PART` without id or with an error type but no `<error/>`,
 *   `STANZA_INVALID_VALUE` for an unknown type.
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-8.2.3
 */
export function parseIq(element: Element): Iq {
  const ns = element.getNS();
  if (element.getName() !== 'iq' || (ns !== undefined && ns !== NS_CLIENT && ns !== 'jabber:server')) {
    throw new StanzaParseError('STANZA_UNEXPECTED', `expected <iq/>, got <${element.name}/>`);
  }
  const id = attr(element, 'id');
  if (id === undefined) throw new StanzaParseError('STANZA_MISSING_PART', 'an IQ without id'); // RFC 6120 §8.2.3 rule 1
  const type = attr(element, 'type');
  if (type === undefined || !IQ_TYPES.has(type)) {
    throw new StanzaParseError('STANZA_INVALID_VALUE', `an IQ of unknown type '${type ?? ''}'`);
  }
  let payload: Element | undefined;
  let error: StanzaErrorDetails | undefined;
  for (const child of element.children) {
    if (typeof child === 'string') continue;
    if (type === 'error' && child.getName() === 'error' && !error) error = parseStanzaError(child);
    else payload ??= child;
  }
  if (type === 'error' && !error) throw new StanzaParseError('STANZA_MISSING_PART', 'an IQ error without <error/>');
  const to = attr(element, 'to');
  const from = attr(element, 'from');
  return {
    type: type as IqType,
    id,
    ...(to !== undefined ? { to } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(payload ? { payload } : {}),
    ...(error ? { error } : {}),
  };
}

/** True for an `<iq/>` element (any namespace handling as in {@link parseIq}). */
export function isIq(element: Element): boolean {
  return element.getName() === 'iq';
}
