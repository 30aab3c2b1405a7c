/**
 * What BOSH bodies mean for the XMPP stream: XEP-0206 (XMPP Over BOSH, version 1.4) §4 and §5 (the
 * stream header a session creation or restart response stands for), §6 (`remote-stream-error`), and
 * XEP-0124 (version 1.11.2) §17.2 terminal binding conditions, as the close events of a transport.
 * Pure functions.
 *
 * @see https://xmpp.org/extensions/xep-0206.html#create
 * @see https://xmpp.org/extensions/xep-0124.html#errorstatus-terminal
 */
import type { Element } from 'ltx';
import { StreamError, TransportError } from '../errors.js';
import { toStreamError, type StreamOpen } from '../stanzas/stream.js';
import type { BoshBody } from './bosh-body.js';
import type { TransportCloseInfo } from './transport.js';

/**
 * The stream header a BOSH body stands for: `from`, `authid` as the stream id, `xmpp:version`,
 * `xml:lang`; what the body leaves out (Prosody's restart responses carry none of them) stays as in
 * `previous`.
 * @throws never.
 * @see https://xmpp.org/extensions/xep-0206.html#create
 */
export function boshStreamHeader(body: BoshBody, previous: StreamOpen): StreamOpen {
  const from = body.from ?? previous.from;
  const id = body.authid ?? previous.id;
  const lang = body.lang ?? previous.lang;
  return {
    version: body.xmppVersion ?? previous.version,
    ...(from !== undefined ? { from } : {}),
    ...(id !== undefined ? { id } : {}),
    ...(lang !== undefined ? { lang } : {}),
  };
}

/**
 * The {@link StreamError} of a `<stream:error/>` payload; one that cannot be read stands for
 * `undefined-condition` (RFC 6120 §4.9.3.21), with the parse error as its cause.
 * @throws never.
 * @see https://xmpp.org/extensions/xep-0206.html#preconditions-sasl
 */
export function readBoshStreamError(element: Element): StreamError {
  try {
    return toStreamError(element);
  } catch (error) {
    return new StreamError('undefined-condition', '', { cause: error });
  }
}

/**
 * Why the connection manager ended the session (a `type='terminate'` body it sent on its own), as a
 * close event: a stream error (XEP-0206 §6 `remote-stream-error`), a redirect (`see-other-uri` with its
 * `<uri/>`), a terminal binding condition as a `TransportError` with that condition, or a clean end without condition.
 * @throws never.
 * @see https://xmpp.org/extensions/xep-0124.html#errorstatus-terminal
 */
export function boshCloseInfo(body: BoshBody, status: number, streamError: StreamError | undefined): TransportCloseInfo {
  if (streamError) return { reason: 'stream-error', requested: false, error: streamError, code: status };
  const condition = body.condition;
  if (condition === undefined || condition === '') return { reason: 'closed', requested: false, code: status };
  const error = new TransportError('TRANSPORT_FAILURE', `the BOSH session was terminated: ${condition}`, { condition, status });
  if (condition === 'see-other-uri') {
    // XEP-0124 §17.2: the client can try the URI of the <uri/> child instead.
    return { reason: 'see-other-uri', requested: false, error, code: status, ...(body.uri ? { seeOtherUri: body.uri } : {}) };
  }
  return { reason: 'error', requested: false, error, code: status };
}
