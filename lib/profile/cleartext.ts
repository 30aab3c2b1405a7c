/**
 * Secrets in clear only where nothing can read them on the way: the rule that sasl-select.ts applies
 * to SASL PLAIN and bearer tokens (RFC 6120 §13.8, RFC 6750 §5.3), applied by the SDK to the other
 * ways a password leaves it: in-band registration, which writes the new password as is into the
 * stream (XEP-0077 §3.1, and its §10 on security), and the token request, which posts the password
 * to the token endpoint (RFC 6749 §4.3.2; §1.6 and §3.2 require TLS). Over TLS, or to a loopback host
 * (nothing leaves the machine), or with `allowPlainAuth`, they go; otherwise the method answers 500
 * before anything is sent.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-13.8
 * @see https://xmpp.org/extensions/xep-0077.html#security
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2
 */
import { isLoopbackHost } from '../transport/sasl-select.js';
import type { Transport, TransportFactory } from '../transport/transport.js';
import { fail } from './answers.js';
import type { Answer } from './types.js';

/** What is known of a link: whether it is TLS, and the host it goes to. */
export interface Link {
  readonly secure: boolean;
  readonly host: string;
}

/**
 * The 500 answer that refuses to send `what` over `link`, or `undefined` when it may go (TLS, a
 * loopback host, or `allowPlainAuth`).
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-13.8
 */
export function refuseCleartext(what: string, link: Link, allowPlainAuth: boolean): Answer | undefined {
  if (link.secure || isLoopbackHost(link.host) || allowPlainAuth) return undefined;
  return fail(500, `${what} refused: it would carry the password in clear to ${link.host}, neither TLS nor loopback; set allowPlainAuth to allow`);
}

/** The link of an `http:` or `https:` URL. */
export function linkOfUrl(url: string): Link {
  const parsed = new URL(url);
  return { secure: parsed.protocol === 'https:', host: parsed.hostname };
}

/**
 * The transport a session starts with, made now so that its link can be checked before the session
 * opens it, and the source the session then uses: that transport first, fresh ones from the factory
 * after (reconnects).
 * @throws {TransportError} what the factory throws (e.g. no `WebSocket` here).
 */
export function firstTransport(source: Transport | TransportFactory): { readonly first: Transport; readonly source: Transport | TransportFactory } {
  if (typeof source !== 'function') return { first: source, source };
  const first = source();
  // Forgotten once handed out: the session keeps this function, and must not keep the transport.
  let unused: Transport | undefined = first;
  return {
    first,
    source: () => {
      const transport = unused ?? source();
      unused = undefined;
      return transport;
    },
  };
}
