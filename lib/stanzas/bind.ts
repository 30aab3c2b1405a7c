/**
 * Resource binding: RFC 6120 (XMPP Core, March 2011) §7, and the legacy session establishment of
 * RFC 3921 §3 that servers still offer as an optional feature (Prosody, ejabberd).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-7
 * @see https://www.rfc-editor.org/rfc/rfc3921#section-3
 */
import type { Element } from 'ltx';
import { JidError, StanzaParseError } from '../errors.js';
import { h, requireChild, textElement } from './element.js';
import { buildIq, buildIqSet } from './iq.js';
import { parseJid, type Jid } from './jid.js';
import { NS_BIND, NS_SESSION } from './ns.js';
import { iqPayload } from './payload.js';

/** What the server answers to a bind request. */
export interface BindResult {
  /** The bound full JID (`local@domain/resource`), normalized as {@link parseJid} does. */
  readonly jid: string;
}

/**
 * Builds the bind request: `<iq type='set'><bind><resource/></bind></iq>`; without a resource (or with
 * `''`) the server generates one (RFC 6120 §7.6).
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-7.5
 */
export function buildBind(id: string, resource?: string): Element {
  const bind = h('bind', { xmlns: NS_BIND });
  if (resource) bind.cnode(textElement('resource', resource));
  return buildIqSet(id, undefined, bind);
}

/**
 * Builds the server's answer: `<iq type='result'><bind><jid/></bind></iq>`.
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-7.6.1
 */
export function buildBindResult(id: string, jid: string): Element {
  return buildIq({ type: 'result', id, payload: h('bind', { xmlns: NS_BIND }, [textElement('jid', jid)]) });
}

/**
 * Reads the bind result (the `<iq/>` or its `<bind/>`). White space around the JID (the RFC's examples
 * put it on a line of its own) is dropped.
 * @throws {StanzaError} for an IQ error (`resource-constraint`, `not-allowed`: RFC 6120 §7.6.2; `bad-request`, `conflict`: §7.7.2).
 * @throws {StanzaParseError} `STANZA_MISSING_PART` without `<bind/>` or `<jid/>`,
 *   `STANZA_INVALID_VALUE` when the JID is not valid or not a full JID with local part.
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-7.6.1
 */
export function parseBind(element: Element): BindResult {
  const bind = iqPayload(element, 'bind', NS_BIND);
  const text = requireChild(bind, 'jid', NS_BIND).getText().trim();
  let jid: Jid;
  try {
    jid = parseJid(text);
  } catch (error) {
    if (error instanceof JidError) throw new StanzaParseError('STANZA_INVALID_VALUE', `the bound JID '${text}' is not valid`, { cause: error });
    throw error;
  }
  // RFC 6120 §7.6.1: the server MUST return the full JID (localpart@domainpart/resourcepart).
  if (jid.local === '' || jid.resource === '') {
    throw new StanzaParseError('STANZA_INVALID_VALUE', `the bound JID '${text}' is not a full JID`);
  }
  return { jid: `${jid.local}@${jid.domain}/${jid.resource}` };
}

/**
 * Builds the legacy session establishment request, `<iq type='set'><session/></iq>` (needed only where
 * the `session` feature is not marked `<optional/>`).
 * @see https://www.rfc-editor.org/rfc/rfc3921#section-3
 */
export function buildSessionStart(id: string, to?: string): Element {
  return buildIqSet(id, to, h('session', { xmlns: NS_SESSION }));
}
