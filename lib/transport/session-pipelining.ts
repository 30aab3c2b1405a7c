/**
 * Pipelining for the session's later logins and reconnects: XEP-0305 (XMPP Quickstart, version 0.3)
 * §3, "the initiating entity can assume that the receiving entity supports the same (or almost the
 * same) features it did on the previous connection attempt". A session remembers the SASL mechanisms
 * its server offered at the last authentication ({@link ServerMemory}) and, on the next connection,
 * sends its SCRAM `<auth/>` right behind the stream header, without waiting for the features
 * ({@link EarlyAuth}): one round trip less. Only SCRAM: its first message (username and nonce) holds
 * no secret. When the features come, the exchange goes on if they offer that mechanism, and is
 * otherwise ended (the server refuses it) before the mechanism the features allow starts. Everything after is as without pipelining: the server signature is
 * checked, a wrong password is the same `SaslError`.
 *
 * Not done: the stream restart sent right behind client-final, before `<success/>`. Prosody 0.12 over
 * WebSocket joins the frames of one read into one string for its XML parser and resets the parser on
 * SASL success in the middle of it; a restart header in the same read then ends the stream, now and
 * then, with a `not-well-formed` stream error (seen on reconnects in the real-server specs).
 *
 * @see https://xmpp.org/extensions/xep-0305.html#pipelining
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-6.4
 */
import type { Element } from 'ltx';
import { abandonSaslExchange, buildSaslAuthFor, type SaslExchangeIo } from './sasl-exchange.js';
import type { SaslContext, SaslCredentials, SaslMechanism } from './sasl-mechanism.js';
import { chooseMechanism, selectMechanism, type SelectMechanismOptions } from './sasl-select.js';

/**
 * What a session learnt of its server at its last authentication.
 * @see https://xmpp.org/extensions/xep-0305.html#pipelining
 */
export interface ServerMemory {
  /** The SASL mechanisms offered (and allowed by the session's options) before authentication. */
  readonly mechanisms: readonly string[];
}

/** A SCRAM exchange started (its `<auth/>` built), ready to go ahead of the features. */
export interface PreparedAuth {
  readonly mechanism: SaslMechanism;
  readonly auth: Element;
}

/** SCRAM never sends a secret, so the context that would refuse cleartext changes nothing for it. */
const NO_CLEARTEXT: SaslContext = { secure: false, loopback: false, allowPlainAuth: false };

/**
 * The SCRAM exchange to start ahead of the features, from the mechanisms the server offered last
 * time: the one {@link selectMechanism} would pick among them, when that is SCRAM. `undefined` when
 * nothing is remembered, no SCRAM was offered, or there is no password.
 * @throws {SaslError} `SASL_PROTOCOL` when SASLprep refuses the credentials (as the login would).
 * @see https://xmpp.org/extensions/xep-0305.html#pipelining
 */
export async function prepareEarlyAuth(
  memory: ServerMemory | undefined, credentials: SaslCredentials, options: SelectMechanismOptions,
): Promise<PreparedAuth | undefined> {
  if (memory === undefined || credentials.password === undefined) return undefined;
  const scram = memory.mechanisms.filter((name) => name.startsWith('SCRAM-'));
  if (scram.length === 0) return undefined;
  const name = chooseMechanism(scram, credentials, NO_CLEARTEXT);
  const mechanism = await selectMechanism([name], credentials, NO_CLEARTEXT, options);
  return { mechanism, auth: await buildSaslAuthFor(mechanism) };
}

/**
 * One connection's `<auth/>` ahead of the features: prepared while the connection is being made (off
 * the critical path), sent once both the preparation is done and the stream header is out
 * ({@link EarlyAuth.headerSent}, from the transport), and settled when the features come
 * ({@link EarlyAuth.settle}); nothing goes out after that.
 * @see https://xmpp.org/extensions/xep-0305.html#pipelining
 */
export class EarlyAuth {
  readonly #send: (element: Element) => void;
  #prepared: PreparedAuth | undefined;
  #sent: PreparedAuth | undefined;
  #headerSent = false;
  #settled = false;

  /** `send` puts an element on the stream (it may throw when the stream is gone: nothing then went ahead). */
  constructor(preparing: Promise<PreparedAuth | undefined>, send: (element: Element) => void) {
    this.#send = send;
    // A refusal (SASLprep) is not reported here: the login's own selection meets it again.
    preparing.then((prepared) => {
      this.#prepared = prepared;
      this.#trySend();
    }, () => undefined);
  }

  /** The stream header is out: the `<auth/>` goes now, or as soon as it is prepared. */
  headerSent(): void {
    this.#headerSent = true;
    this.#trySend();
  }

  #trySend(): void {
    const prepared = this.#prepared;
    if (prepared === undefined || !this.#headerSent || this.#settled || this.#sent !== undefined) return;
    try {
      this.#send(prepared.auth);
      this.#sent = prepared;
    } catch {
      // The stream is gone; the negotiation fails on its own.
    }
  }

  /**
   * Once the features came: the mechanism whose `<auth/>` went ahead, when they offer it (the
   * exchange goes on, even if a stronger one is now offered too: the next connection picks that
   * one); else the exchange is ended (the server refuses it, see {@link abandonSaslExchange}) and
   * `undefined` says to select from the features. When nothing went ahead (a transport that cannot
   * send before the features), the prepared exchange is still used if it is the one `preferred`
   * (the session's own choice from the features): its `<auth/>` goes now. Otherwise `undefined`.
   * @throws {SaslError} `SASL_PROTOCOL` when the server reports success for a mechanism it did not offer.
   * @see https://www.rfc-editor.org/rfc/rfc6120#section-6.4.2
   */
  async settle(offered: readonly string[], preferred: string | undefined, io: SaslExchangeIo): Promise<SaslMechanism | undefined> {
    this.#settled = true;
    const sent = this.#sent;
    if (sent === undefined) {
      const prepared = this.#prepared;
      if (prepared === undefined || prepared.mechanism.name !== preferred) return undefined;
      io.send(prepared.auth);
      return prepared.mechanism;
    }
    if (offered.includes(sent.mechanism.name)) return sent.mechanism;
    await abandonSaslExchange(io);
    return undefined;
  }
}
