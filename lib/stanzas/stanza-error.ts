/**
 * Stanza errors: RFC 6120 §8.3, the `<error/>` child of an `error` stanza.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-8.3
 */
import type { Element } from 'ltx';
import { StanzaError, type StanzaErrorCondition, type StanzaErrorDetails, type StanzaErrorType } from '../errors.js';
import { attr, h, textElement } from './element.js';
import { NS_STANZAS } from './ns.js';

/** RFC 6120 §8.3.2: the error types. */
export const STANZA_ERROR_TYPES: readonly StanzaErrorType[] = ['auth', 'cancel', 'continue', 'modify', 'wait'];

/** RFC 6120 §8.3.3: the defined conditions. */
export const STANZA_ERROR_CONDITIONS: readonly StanzaErrorCondition[] = [
  'bad-request', 'conflict', 'feature-not-implemented', 'forbidden', 'gone', 'internal-server-error',
  'item-not-found', 'jid-malformed', 'not-acceptable', 'not-allowed', 'not-authorized', 'policy-violation',
  'recipient-unavailable', 'redirect', 'registration-required', 'remote-server-not-found',
  'remote-server-timeout', 'resource-constraint', 'service-unavailable', 'subscription-required',
  'undefined-condition', 'unexpected-request',
];

const CONDITIONS = new Set<string>(STANZA_ERROR_CONDITIONS);
const TYPES = new Set<string>(STANZA_ERROR_TYPES);

/** What {@link buildStanzaError} takes; `text`, `applicationCondition` and `by` may be `''`. */
export type StanzaErrorInit = StanzaErrorDetails & {
  /** Namespace of the application-specific condition, when there is one. */
  readonly applicationNs?: string;
};

/**
 * Builds an `<error/>` element.
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-8.3.2
 */
export function buildStanzaError(init: StanzaErrorInit): Element {
  const condition = init.by && (init.condition === 'gone' || init.condition === 'redirect')
    ? textElement(init.condition, init.by, { xmlns: NS_STANZAS })
    : h(init.condition, { xmlns: NS_STANZAS });
  const children = [condition];
  if (init.text !== '') children.push(textElement('text', init.text, { xmlns: NS_STANZAS }));
  if (init.applicationCondition !== '') {
    children.push(h(init.applicationCondition, { xmlns: init.applicationNs ?? 'urn:xmpp:errors' }));
  }
  return h('error', { type: init.type }, children);
}

/**
 * Reads an `<error/>` element. Tolerant of what servers write: an unknown or missing condition becomes
 * `undefined-condition`, a missing or unknown type becomes `cancel`; the first non-stanzas-namespace
 * child is the application-specific condition.
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-8.3.2
 */
export function parseStanzaError(error: Element): StanzaErrorDetails {
  let condition: StanzaErrorCondition | undefined;
  let text = '';
  let by = '';
  let applicationCondition = '';
  for (const child of error.children) {
    if (typeof child === 'string') continue;
    const name = child.getName();
    if (child.getNS() === NS_STANZAS) {
      if (name === 'text') text = child.getText();
      else if (!condition && CONDITIONS.has(name)) {
        condition = name as StanzaErrorCondition;
        if (name === 'gone' || name === 'redirect') by = child.getText().trim(); // RFC 6120 §8.3.3.5: an address, laid out on its own line
      }
    } else if (!applicationCondition) {
      applicationCondition = name;
    }
  }
  const type = attr(error, 'type');
  return {
    type: type !== undefined && TYPES.has(type) ? (type as StanzaErrorType) : 'cancel',
    condition: condition ?? 'undefined-condition',
    text,
    applicationCondition,
    by,
  };
}

/**
 * The `<error/>` child of an error stanza: the one in the stanza's own namespace, else any child so
 * named (RFC 6120 §8.3.2).
 */
export function findStanzaErrorElement(stanza: Element): Element | undefined {
  const ns = stanza.getNS();
  let any: Element | undefined;
  for (const child of stanza.children) {
    if (typeof child === 'string' || child.getName() !== 'error') continue;
    if (child.getNS() === ns) return child;
    any ??= child;
  }
  return any;
}

/** Makes the {@link StanzaError} to throw for an error stanza's `<error/>` element. */
export function toStanzaError(error: Element, stanza?: Element): StanzaError {
  return new StanzaError(parseStanzaError(error), stanza);
}
