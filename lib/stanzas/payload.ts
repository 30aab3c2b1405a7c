/**
 * Reading the payload of an IQ answer: every `parse<Thing>` accepts either the payload element itself
 * or the whole `<iq/>` that carries it, so that callers can hand over what the wire gave them.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-8.2.3
 */
import type { Element } from 'ltx';
import { StanzaParseError } from '../errors.js';
import { expectElement, findChild } from './element.js';
import { findStanzaErrorElement, toStanzaError } from './stanza-error.js';

/**
 * The payload `<name xmlns=ns/>` of an IQ, or the element itself when it is that payload.
 * Returns `undefined` for an IQ result without that payload when `optional` is set.
 * @throws {StanzaError} when given an IQ of type `error` (the peer's answer, not a parse failure).
 * @throws {StanzaParseError} `STANZA_UNEXPECTED` for another element; `STANZA_MISSING_PART` for an IQ
 *   without the payload (unless `optional`).
 */
export function iqPayload(element: Element, name: string, ns: string, optional: true): Element | undefined;
export function iqPayload(element: Element, name: string, ns: string, optional?: false): Element;
export function iqPayload(element: Element, name: string, ns: string, optional = false): Element | undefined {
  if (element.getName() !== 'iq') return expectElement(element, name, ns);
  if (element.attrs.type === 'error') {
    const error = findStanzaErrorElement(element);
    if (!error) throw new StanzaParseError('STANZA_MISSING_PART', 'an IQ error without <error/>');
    throw toStanzaError(error, element);
  }
  const payload = findChild(element, name, ns);
  if (!payload && !optional) throw new StanzaParseError('STANZA_MISSING_PART', `the IQ has no <${name} xmlns='${ns}'/>`);
  return payload;
}
