/**
 * One SASL exchange on the stream: RFC 6120 §6.4.2-6.4.6. Sends `<auth/>` with the mechanism's initial
 * response, answers challenges, and ends with `<success/>` — whose data the mechanism must accept (the
 * SCRAM server signature) — or `<failure/>`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-6.4
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

const isSasl = (element: Element): boolean => element.getNS() === NS_SASL;

/**
 * Runs the exchange to its end.
 * @throws {SaslError} `SASL_FAILURE` with the server's condition (`not-authorized`...), or what the
 *   mechanism throws (`SASL_SERVER_SIGNATURE`, `SASL_PROTOCOL`).
 */
export async function runSaslExchange(mechanism: SaslMechanism, io: SaslExchangeIo): Promise<void> {
  const initial = await mechanism.start();
  io.send(buildSaslAuth(mechanism.name, initial === undefined ? undefined : buildBase64(initial)));
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
