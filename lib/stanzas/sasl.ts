/**
 * SASL negotiation elements: RFC 6120 (XMPP Core, March 2011) §6.4 `<auth/>`, `<challenge/>`,
 * `<response/>`, `<success/>`, `<failure/>`, `<abort/>`, the failure conditions of §6.5. Payloads are
 * base64 (RFC 4648 §4, see base64.ts). The mechanisms themselves (SCRAM, PLAIN,
 * OAUTHBEARER) live elsewhere; here payloads stay base64 text.
 *
 * Payload rules: an absent payload and the single `=` (RFC 6120 §6.4.2, a present but zero-length
 * payload) both read as `''`; white space inside a payload (the RFC's own examples wrap long payloads
 * over several lines) is dropped; anything else that is not base64 is refused.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-6.4
 * @see https://www.rfc-editor.org/rfc/rfc4648#section-4
 */
import type { Element } from 'ltx';
import { StanzaParseError } from '../errors.js';
import { childNs, h, textElement } from './element.js';
import { isBase64, stripBase64Whitespace } from './base64.js';
import { NS_SASL } from './ns.js';

/** RFC 6120 §6.5: the SASL failure conditions. */
export type SaslFailureCondition =
  | 'aborted' | 'account-disabled' | 'credentials-expired' | 'encryption-required' | 'incorrect-encoding'
  | 'invalid-authzid' | 'invalid-mechanism' | 'malformed-request' | 'mechanism-too-weak' | 'not-authorized'
  | 'temporary-auth-failure';

/** RFC 6120 §6.5, in the order of the RFC. */
export const SASL_FAILURE_CONDITIONS: readonly SaslFailureCondition[] = [
  'aborted', 'account-disabled', 'credentials-expired', 'encryption-required', 'incorrect-encoding',
  'invalid-authzid', 'invalid-mechanism', 'malformed-request', 'mechanism-too-weak', 'not-authorized',
  'temporary-auth-failure',
];

const FAILURE_CONDITIONS = new Set<string>(SASL_FAILURE_CONDITIONS);

/**
 * A SASL element, by `kind` (the element's name). `data` is base64 text, `''` for none or zero-length.
 * `text` is the failure's human-readable text, `''` when absent.
 */
export type SaslMessage =
  | { readonly kind: 'auth'; readonly mechanism: string; readonly data: string }
  | { readonly kind: 'challenge' | 'response' | 'success'; readonly data: string }
  | { readonly kind: 'failure'; readonly condition: SaslFailureCondition; readonly text: string }
  | { readonly kind: 'abort' };

// ---------------------------------------------------------------------------------------------------
// Building

/** The text content of a payload element: none, `=` for zero-length (RFC 6120 §6.4.2), or base64. */
function payload(name: string, data: string | undefined, attrs: Record<string, string>): Element {
  if (data === undefined) return h(name, attrs);
  if (data === '') return textElement(name, '=', attrs); // RFC 6120 §6.4.2: zero-length data MUST be sent as "="
  if (!isBase64(data)) throw new StanzaParseError('STANZA_INVALID_VALUE', `the <${name}/> data is not base64`);
  return textElement(name, data, attrs);
}

/**
 * Builds `<auth mechanism='...'/>`, with the initial response (base64) when given; `''` is written `=`.
 * @throws {StanzaParseError} `STANZA_INVALID_VALUE` for an empty mechanism or data that is not base64.
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-6.4.2
 */
export function buildSaslAuth(mechanism: string, initialResponse?: string): Element {
  // RFC 6120 §6.4.2: the 'mechanism' attribute MUST name the selected mechanism.
  if (mechanism === '') throw new StanzaParseError('STANZA_INVALID_VALUE', 'an empty SASL mechanism name');
  return payload('auth', initialResponse, { xmlns: NS_SASL, mechanism });
}

/**
 * Builds `<challenge/>` with base64 data (`''` is written `=`).
 * @throws {StanzaParseError} `STANZA_INVALID_VALUE` for data that is not base64.
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-6.4.3
 */
export function buildSaslChallenge(data?: string): Element {
  return payload('challenge', data, { xmlns: NS_SASL });
}

/**
 * Builds `<response/>` with base64 data (`''` is written `=`).
 * @throws {StanzaParseError} `STANZA_INVALID_VALUE` for data that is not base64.
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-6.4.3
 */
export function buildSaslResponse(data?: string): Element {
  return payload('response', data, { xmlns: NS_SASL });
}

/**
 * Builds `<success/>` with the additional data with success (`''` is written `=`).
 * @throws {StanzaParseError} `STANZA_INVALID_VALUE` for data that is not base64.
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-6.4.6
 */
export function buildSaslSuccess(data?: string): Element {
  return payload('success', data, { xmlns: NS_SASL });
}

/** Builds `<abort/>`. @see https://www.rfc-editor.org/rfc/rfc6120#section-6.4.4 */
export function buildSaslAbort(): Element {
  return h('abort', { xmlns: NS_SASL });
}

/**
 * Builds `<failure/>` with its condition and, when not `''`, a `<text/>`.
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-6.4.5
 */
export function buildSaslFailure(condition: SaslFailureCondition, text?: string): Element {
  const failure = h('failure', { xmlns: NS_SASL });
  failure.cnode(h(condition));
  if (text) failure.cnode(textElement('text', text));
  return failure;
}

/**
 * Builds any SASL element from its parsed form (the inverse of {@link parseSaslMessage}).
 * @throws {StanzaParseError} as the builder of its kind.
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-6.4
 */
export function buildSaslMessage(message: SaslMessage): Element {
  switch (message.kind) {
    case 'auth': return buildSaslAuth(message.mechanism, message.data);
    case 'challenge': return buildSaslChallenge(message.data);
    case 'response': return buildSaslResponse(message.data);
    case 'success': return buildSaslSuccess(message.data);
    case 'failure': return buildSaslFailure(message.condition, message.text);
    case 'abort': return buildSaslAbort();
  }
}

// ---------------------------------------------------------------------------------------------------
// Parsing

/** The base64 payload of an element, `''` for none or `=`, without white space. */
function readPayload(element: Element): string {
  const text = element.getText();
  if (text === '=') return ''; // RFC 6120 §6.4.2: "=" is present but zero-length data
  if (isBase64(text)) return text; // RFC 6120 §6.4.2: base64 per RFC 4648 §4
  const stripped = stripBase64Whitespace(text);
  if (stripped === '' || stripped === '=') return '';
  if (stripped === text || !isBase64(stripped)) {
    throw new StanzaParseError('STANZA_INVALID_VALUE', `the <${element.getName()}/> data is not base64`);
  }
  return stripped;
}

function readFailure(failure: Element): SaslMessage {
  let condition: SaslFailureCondition | undefined;
  let text: string | undefined;
  const parentNs = failure.findNS();
  for (const child of failure.children) {
    if (typeof child === 'string' || childNs(child, parentNs) !== NS_SASL) continue;
    const name = child.getName();
    if (name === 'text') text ??= child.getText();
    else if (condition === undefined && FAILURE_CONDITIONS.has(name)) condition = name as SaslFailureCondition;
  }
  // Unknown or missing condition: not-authorized, RFC 6120 §6.5.10's generic authentication failure.
  return { kind: 'failure', condition: condition ?? 'not-authorized', text: text ?? '' };
}

/**
 * Reads any SASL element. A failure with an unknown or missing condition reads as `not-authorized`,
 * which RFC 6120 §6.5.10 defines as the generic failure ("some generic authentication failure has
 * occurred"). `=` and an empty payload read as `''`; white space inside a payload is dropped.
 * @throws {StanzaParseError} `STANZA_UNEXPECTED` for an element outside the SASL namespace or of
 *   another name, `STANZA_MISSING_PART` for `<auth/>` without `mechanism`, `STANZA_INVALID_VALUE` for a
 *   payload that is not base64 or an empty mechanism.
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-6.4
 */
export function parseSaslMessage(element: Element): SaslMessage {
  let kind = element.name;
  if (element.attrs.xmlns !== NS_SASL || kind.indexOf(':') !== -1) {
    if (element.getNS() !== NS_SASL) {
      throw new StanzaParseError('STANZA_UNEXPECTED', `expected an element of ${NS_SASL}, got <${element.name}/>`);
    }
    kind = element.getName();
  }
  switch (kind) {
    case 'challenge':
    case 'response':
    case 'success':
      return { kind, data: readPayload(element) };
    case 'failure':
      return readFailure(element);
    case 'abort':
      return { kind };
    case 'auth': {
      const mechanism: unknown = element.attrs.mechanism;
      if (typeof mechanism !== 'string') throw new StanzaParseError('STANZA_MISSING_PART', '<auth/> without mechanism');
      // RFC 6120 §6.4.2: the 'mechanism' attribute names the selected mechanism.
      if (mechanism === '') throw new StanzaParseError('STANZA_INVALID_VALUE', '<auth/> with an empty mechanism');
      return { kind, mechanism, data: readPayload(element) };
    }
    default:
      throw new StanzaParseError('STANZA_UNEXPECTED', `<${kind}/> is not a SASL element`);
  }
}

/** True for an element in the SASL namespace. @see https://www.rfc-editor.org/rfc/rfc6120#section-6.4 */
export function isSaslMessage(element: Element): boolean {
  return element.getNS() === NS_SASL;
}
