/**
 * The shape of a SASL mechanism as the session drives it (RFC 6120 §6.4, RFC 4422 §3): an optional
 * initial response, answers to challenges, and a last check of the success data that cannot be
 * skipped — the session counts the authentication as done only once `success` has resolved, so that
 * SCRAM's server signature is always verified.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-6.4
 * @see https://www.rfc-editor.org/rfc/rfc4422#section-3
 */

/** What a user authenticates with. */
export interface SaslCredentials {
  /** The authentication identity: the JID's local part. */
  readonly username: string;
  /** A password, for SCRAM and PLAIN. */
  readonly password?: string;
  /** An OAuth 2.0 bearer token, for OAUTHBEARER and X-OAUTH2. */
  readonly token?: string;
  /** The XMPP domain (OAUTHBEARER's `host`, X-OAUTH2's and SCRAM's cache key). */
  readonly domain: string;
}

/** What the session knows about the connection when it picks a mechanism. */
export interface SaslContext {
  /** The transport runs over TLS. */
  readonly secure: boolean;
  /** The server's host is a loopback address or `localhost`. */
  readonly loopback: boolean;
  /** The app allowed PLAIN without TLS (`allowPlainAuth`). */
  readonly allowPlainAuth: boolean;
}

/** One authentication exchange. Data is raw bytes; the session does the base64. */
export interface SaslMechanism {
  /** The mechanism's registered name, e.g. `SCRAM-SHA-256`. */
  readonly name: string;
  /** The initial response, or `undefined` when the mechanism sends none. */
  start(): Promise<Uint8Array | undefined>;
  /**
   * The response to a server challenge.
   * @throws {SaslError} `SASL_PROTOCOL` when the challenge breaks the mechanism's rules.
   */
  challenge(data: Uint8Array): Promise<Uint8Array>;
  /**
   * Checks the additional data that came with `<success/>` (empty when none).
   * @throws {SaslError} `SASL_SERVER_SIGNATURE` or `SASL_PROTOCOL` when the server did not prove itself.
   */
  success(data: Uint8Array): Promise<void>;
}
