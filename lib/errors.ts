/**
 * Typed errors of xmpp-profile.
 *
 * One base class, {@link XmppError}, with a stable `code` from the {@link ErrorCode} union and an
 * optional `cause`; one named subclass per layer. Codecs and transports throw these; the profile layer
 * maps them to the status codes of the public contract. Every code is listed in the README.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-8.3 (stanza errors)
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-4.9 (stream errors)
 */

/** Every stable error code of the library, listed in the README. */
export const ERROR_CODES = [
  // JID (RFC 7622)
  'JID_EMPTY',
  'JID_TOO_LONG',
  'JID_INVALID_CHAR',
  'JID_MALFORMED',
  // XML and stanza parsing
  'XML_MALFORMED',
  'XML_TOO_LARGE',
  'XML_TOO_DEEP',
  'XML_RESTRICTED',
  'XML_INVALID_CHAR',
  'STANZA_UNEXPECTED',
  'STANZA_MISSING_PART',
  'STANZA_INVALID_VALUE',
  // stanza-level errors from the peer (RFC 6120 §8.3)
  'STANZA_ERROR',
  // stream-level errors (RFC 6120 §4.9)
  'STREAM_ERROR',
  // SASL (RFC 6120 §6, RFC 5802)
  'SASL_FAILURE',
  'SASL_NO_MECHANISM',
  'SASL_PROTOCOL',
  'SASL_SERVER_SIGNATURE',
  // transports
  'TRANSPORT_FAILURE',
  'TRANSPORT_CLOSED',
  // time
  'TIMEOUT',
  // QR login payloads
  'QR_MALFORMED',
  'QR_EXPIRED',
  'QR_DECRYPT',
  'QR_UNKNOWN_SESSION',
] as const;

/** A stable error code. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Options common to every error of the library. */
export interface XmppErrorOptions {
  readonly cause?: unknown;
}

/**
 * Base class of every error the library throws.
 * @see README, "Error codes"
 */
export class XmppError extends Error {
  override readonly name: string = 'XmppError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options: XmppErrorOptions = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.code = code;
  }
}

/**
 * A JID that breaks RFC 7622: empty part, part longer than 1023 octets, forbidden character.
 * @see https://www.rfc-editor.org/rfc/rfc7622#section-3
 */
export class JidError extends XmppError {
  override readonly name = 'JidError';
  /** The text that was being parsed. */
  readonly input: string;

  constructor(
    code: 'JID_EMPTY' | 'JID_TOO_LONG' | 'JID_INVALID_CHAR' | 'JID_MALFORMED',
    message: string,
    input: string,
  ) {
    super(code, message);
    this.input = input;
  }
}

/** XML or a stanza that cannot be read: malformed, too large or deep, restricted XML, missing part. */
export class StanzaParseError extends XmppError {
  override readonly name = 'StanzaParseError';

  constructor(
    code:
      | 'XML_MALFORMED'
      | 'XML_TOO_LARGE'
      | 'XML_TOO_DEEP'
      | 'XML_RESTRICTED'
      | 'XML_INVALID_CHAR'
      | 'STANZA_UNEXPECTED'
      | 'STANZA_MISSING_PART'
      | 'STANZA_INVALID_VALUE',
    message: string,
    options: XmppErrorOptions = {},
  ) {
    super(code, message, options);
  }
}

/** The error types of RFC 6120 §8.3.2. */
export type StanzaErrorType = 'auth' | 'cancel' | 'continue' | 'modify' | 'wait';

/** The defined stanza error conditions of RFC 6120 §8.3.3. */
export type StanzaErrorCondition =
  | 'bad-request'
  | 'conflict'
  | 'feature-not-implemented'
  | 'forbidden'
  | 'gone'
  | 'internal-server-error'
  | 'item-not-found'
  | 'jid-malformed'
  | 'not-acceptable'
  | 'not-allowed'
  | 'not-authorized'
  | 'policy-violation'
  | 'recipient-unavailable'
  | 'redirect'
  | 'registration-required'
  | 'remote-server-not-found'
  | 'remote-server-timeout'
  | 'resource-constraint'
  | 'service-unavailable'
  | 'subscription-required'
  | 'undefined-condition'
  | 'unexpected-request';

/** What an `<error/>` child of a stanza says. */
export interface StanzaErrorDetails {
  readonly type: StanzaErrorType;
  readonly condition: StanzaErrorCondition;
  /** Human-readable text from `<text/>`, `''` when absent. */
  readonly text: string;
  /** Application-specific condition element's name (e.g. `file-too-large`), `''` when absent. */
  readonly applicationCondition: string;
  /** Alternate address of `<gone/>` or `<redirect/>`, `''` when absent. */
  readonly by: string;
}

/**
 * A stanza-level error answered by the peer.
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-8.3
 */
export class StanzaError extends XmppError implements StanzaErrorDetails {
  override readonly name = 'StanzaError';
  readonly type: StanzaErrorType;
  readonly condition: StanzaErrorCondition;
  readonly text: string;
  readonly applicationCondition: string;
  readonly by: string;
  /** The stanza that carried the error, when known. */
  readonly stanza: unknown;

  constructor(details: StanzaErrorDetails, stanza?: unknown) {
    super('STANZA_ERROR', details.text ? `${details.condition}: ${details.text}` : details.condition);
    this.type = details.type;
    this.condition = details.condition;
    this.text = details.text;
    this.applicationCondition = details.applicationCondition;
    this.by = details.by;
    this.stanza = stanza;
  }
}

/**
 * A stream-level error (`<stream:error/>`), fatal to the stream.
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-4.9
 */
export class StreamError extends XmppError {
  override readonly name = 'StreamError';
  /** The defined condition, e.g. `conflict`, `see-other-host`, `system-shutdown`. */
  readonly condition: string;
  readonly text: string;
  /** The host to reconnect to, with `see-other-host` (RFC 6120 §4.9.3.19); `''` otherwise. */
  readonly seeOtherHost: string;

  constructor(condition: string, text = '', options: XmppErrorOptions & { readonly seeOtherHost?: string } = {}) {
    super('STREAM_ERROR', text ? `${condition}: ${text}` : condition, options);
    this.condition = condition;
    this.text = text;
    this.seeOtherHost = options.seeOtherHost ?? '';
  }
}

/**
 * Authentication failed or could not be carried out.
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-6.5
 */
export class SaslError extends XmppError {
  override readonly name = 'SaslError';
  /** The SASL condition (`not-authorized`, `aborted`...) or `''` for a client-side failure. */
  readonly condition: string;
  readonly text: string;

  constructor(
    code: 'SASL_FAILURE' | 'SASL_NO_MECHANISM' | 'SASL_PROTOCOL' | 'SASL_SERVER_SIGNATURE',
    condition: string,
    text = '',
    options: XmppErrorOptions = {},
  ) {
    super(code, text ? `${condition || code}: ${text}` : condition || code, options);
    this.condition = condition;
    this.text = text;
  }
}

/** The connection failed or was closed. */
export class TransportError extends XmppError {
  override readonly name = 'TransportError';
  /**
   * The condition the server gave, where there was one: a BOSH terminal binding condition
   * (XEP-0124 §17.2: `item-not-found`, `remote-connection-failed`...); `''` otherwise.
   */
  readonly condition: string;
  /** The HTTP status or WebSocket close code that came with the failure, `0` when none. */
  readonly status: number;

  constructor(
    code: 'TRANSPORT_FAILURE' | 'TRANSPORT_CLOSED',
    message: string,
    options: XmppErrorOptions & { readonly condition?: string; readonly status?: number } = {},
  ) {
    super(code, message, options);
    this.condition = options.condition ?? '';
    this.status = options.status ?? 0;
  }
}

/** No answer came in time. */
export class TimeoutError extends XmppError {
  override readonly name = 'TimeoutError';
  /** How long was waited, in milliseconds. */
  readonly timeoutMs: number;

  constructor(message: string, timeoutMs: number) {
    super('TIMEOUT', message);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * A QR login payload or sealed message that cannot be used: not a payload of this library
 * (`QR_MALFORMED`), past its expiry (`QR_EXPIRED`), or sealed for another key or session, or altered
 * (`QR_DECRYPT`); a relay session that is not there (expired, used, or made up: `QR_UNKNOWN_SESSION`).
 * @see API.md §6
 */
export class QrError extends XmppError {
  override readonly name = 'QrError';

  constructor(code: 'QR_MALFORMED' | 'QR_EXPIRED' | 'QR_DECRYPT' | 'QR_UNKNOWN_SESSION', message: string, options: XmppErrorOptions = {}) {
    super(code, message, options);
  }
}
