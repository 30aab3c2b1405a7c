/**
 * One SASL exchange on the stream: RFC 6120 §6.4.2-6.4.6. Sends `<auth/>` with the mechanism's initial
 * response, answers challenges, and ends with `<success/>` — whose data the mechanism must accept (the
 * SCRAM server signature) — or `<failure/>`. For pipelining (XEP-0305 §3), the `<auth/>` may have gone
 * out before the stream features came; one sent ahead for a mechanism the features then did not offer
 * is ended with {@link abandonSaslExchange}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-6.4
 * @see https://xmpp.org/extensions/xep-0305.html#pipelining
 */
import type { Element } from 'ltx';
import { SaslError } from '../errors.js';
import { buildBase64, parseBase64 } from '../stanzas/base64.js';
import { NS_SASL } from '../stanzas/ns.js';
import { buildSaslAbort, buildSaslAuth, buildSaslResponse, parseSaslMessage } from '../stanzas/sasl.js';
import type { SaslMechanism } from './sasl-mechanism.js';

/** How the exchange reaches the stream. */
export interface SaslExchangeIo {
  send(element: Element): void;
  /** The next SASL element from the server. */
  next(match: (element: Element) => boolean, what: string): Promise<Element>;
}

/** Options of {@link runSaslExchange}. */
export interface SaslExchangeOptions {
  /** The `<auth/>` of this mechanism ({@link buildSaslAuthFor}) was already sent, ahead of the features. */
  readonly authSent?: boolean;
}

const isSasl = (element: Element): boolean => element.getNS() === NS_SASL;

/**
 * The `<auth/>` that starts an exchange: the mechanism's name and initial response.
 * @throws {SaslError} what the mechanism's `start` throws.
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-6.4.2
 */
export async function buildSaslAuthFor(mechanism: SaslMechanism): Promise<Element> {
  const initial = await mechanism.start();
  return buildSaslAuth(mechanism.name, initial === undefined ? undefined : buildBase64(initial));
}

/**
 * Runs the exchange to its end.
 * @throws {SaslError} `SASL_FAILURE` with the server's condition (`not-authorized`...), or what the
 *   mechanism throws (`SASL_SERVER_SIGNATURE`, `SASL_PROTOCOL`).
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-6.4
 */
export async function runSaslExchange(mechanism: SaslMechanism, io: SaslExchangeIo, options: SaslExchangeOptions = {}): Promise<void> {
  if (!options.authSent) io.send(await buildSaslAuthFor(mechanism));
  for (;;) {
    const message = parseSaslMessage(await io.next(isSasl, 'the SASL exchange'));
    if (message.kind === 'failure') throw new SaslError('SASL_FAILURE', message.condition, message.text);
    if (message.kind === 'success') {
      await mechanism.success(parseBase64(message.data)); // SCRAM: the server signature, never skipped
      return;
    }
    if (message.kind !== 'challenge') throw new SaslError('SASL_PROTOCOL', '', `unexpected <${message.kind}/> during SASL`);
    let response: Uint8Array;
    try {
      response = await mechanism.challenge(parseBase64(message.data));
    } catch (error) {
      io.send(buildSaslAbort()); // RFC 6120 §6.4.4: the client aborts an exchange it cannot continue
      throw error;
    }
    io.send(buildSaslResponse(response.length === 0 ? undefined : buildBase64(response)));
  }
}

/**
 * Ends an exchange whose `<auth/>` was sent ahead of the stream features for a mechanism that the
 * features then did not offer. The server MUST refuse it with `<failure><invalid-mechanism/>` (RFC
 * 6120 §6.4.2, §6.5.5); one that starts it anyway gets `<abort/>` at its first challenge and answers
 * `<failure><aborted/>` (§6.4.4). Either way, reads up to that one failure, after which a new exchange
 * may start (§6.4.5: the server allows retries). `<abort/>` is never sent otherwise, so that no second
 * failure can follow and be taken for the outcome of the next exchange.
 * @throws {SaslError} `SASL_PROTOCOL` when the server reports success for it.
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-6.4.4
 */
export async function abandonSaslExchange(io: SaslExchangeIo): Promise<void> {
  let aborted = false;
  for (;;) {
    const message = parseSaslMessage(await io.next(isSasl, 'the end of a SASL exchange sent ahead'));
    if (message.kind === 'failure') return;
    if (message.kind !== 'challenge') throw new SaslError('SASL_PROTOCOL', '', `<${message.kind}/> to a mechanism the server did not offer`);
    if (!aborted) io.send(buildSaslAbort());
    aborted = true;
  }
}
