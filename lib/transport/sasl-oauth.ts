/**
 * Token mechanisms: OAUTHBEARER, RFC 7628 (A Set of SASL Mechanisms for OAuth, August 2015) §3.1, and
 * X-OAUTH2, the unregistered mechanism of Google Talk that ejabberd (`cyrsasl_oauth`) and Prosody
 * token modules accept: one message `\0username\0token`. Both carry an OAuth 2.0 bearer token
 * (RFC 6750) in clear, so they need TLS as much as PLAIN does; neither authenticates the server.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7628#section-3.1
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 * @see https://developers.google.com/talk/jep_extensions/oauth
 */
import { SaslError } from '../errors.js';
import type { SaslMechanism } from './sasl-mechanism.js';
import { escapeSaslName } from './scram.js';

/** Options of {@link createOAuthBearer}. @see https://www.rfc-editor.org/rfc/rfc7628#section-3.1 */
export interface OAuthBearerOptions {
  /** The JID's local part; `a=username@domain` is the authorization identity. */
  readonly username: string;
  /** The XMPP domain, sent as `host=` (RFC 7628 §3.1). */
  readonly domain: string;
  readonly token: string;
}

/** Options of {@link createXOAuth2}. @see https://developers.google.com/talk/jep_extensions/oauth */
export interface XOAuth2Options {
  readonly username: string;
  readonly token: string;
}

/**
 * What an OAUTHBEARER error challenge said (RFC 7628 §3.2.2), for diagnostics.
 * @see https://www.rfc-editor.org/rfc/rfc7628#section-3.2.2
 */
export interface OAuthBearerServerError {
  /** E.g. `invalid_token`; `''` when the challenge was not the JSON the RFC defines. */
  readonly status: string;
  readonly scope: string;
  readonly openidConfiguration: string;
}

/**
 * An OAUTHBEARER exchange; `serverError` is set once the server sent an error challenge.
 * @see https://www.rfc-editor.org/rfc/rfc7628#section-3.2.3
 */
export interface OAuthBearerMechanism extends SaslMechanism {
  readonly serverError: OAuthBearerServerError | undefined;
}

const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/; // RFC 6750 §2.1 b64token
const HOST = /^[^\x00-\x20\x7f]+$/; // RFC 7628 §3.1: value = *(VCHAR / SP / HTAB / CR / LF); no kvsep
const KVSEP = '\x01';
const encoder = new TextEncoder();
const protocolError = (text: string): SaslError => new SaslError('SASL_PROTOCOL', '', text);

function checkToken(token: string): void {
  if (!B64TOKEN.test(token)) throw protocolError('the token is not an RFC 6750 b64token');
}

function readServerError(data: Uint8Array): OAuthBearerServerError {
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  try {
    const json: unknown = JSON.parse(new TextDecoder().decode(data));
    if (typeof json !== 'object' || json === null) throw new TypeError('not an object');
    const fields = json as Record<string, unknown>;
    return { status: text(fields.status), scope: text(fields.scope), openidConfiguration: text(fields['openid-configuration']) };
  } catch {
    return { status: '', scope: '', openidConfiguration: '' };
  }
}

/**
 * An OAUTHBEARER exchange (name `OAUTHBEARER`): the initial response
 * `n,a=<username@domain>,\x01host=<domain>\x01auth=Bearer <token>\x01\x01`. An error challenge (JSON,
 * §3.2.2) is answered with a single `\x01` (§3.2.3), after which the server fails the exchange; what
 * it said is kept in `serverError`. The success data must be empty.
 *
 * @throws {SaslError} `SASL_PROTOCOL` (here) for an empty username, a domain with control characters
 *   or spaces, or a token that is not an RFC 6750 b64token; from the steps, `SASL_PROTOCOL` for a second
 *   challenge, a success after an error challenge or with data, or a step out of order.
 * @see https://www.rfc-editor.org/rfc/rfc7628#section-3.1
 */
export function createOAuthBearer(options: OAuthBearerOptions): OAuthBearerMechanism {
  if (options.username === '') throw protocolError('an empty OAUTHBEARER username');
  const authzid = escapeSaslName(`${options.username}@${options.domain}`); // RFC 5801 §4 gs2-authzid
  if (!HOST.test(options.domain)) throw protocolError('the domain is not a host name');
  checkToken(options.token);
  let step: 'initial' | 'sent' | 'error' | 'done' = 'initial';
  let serverError: OAuthBearerServerError | undefined;
  return {
    name: 'OAUTHBEARER',
    get serverError() { return serverError; },
    async start() {
      if (step !== 'initial') throw protocolError('OAUTHBEARER already started');
      step = 'sent';
      // RFC 7628 §3.1: client-resp = gs2-header kvsep *kvpair kvsep; auth = "Bearer" 1*SP b64token.
      return encoder.encode(`n,a=${authzid},${KVSEP}host=${options.domain}${KVSEP}auth=Bearer ${options.token}${KVSEP}${KVSEP}`);
    },
    async challenge(data) {
      if (step !== 'sent') throw protocolError(`an OAUTHBEARER challenge in state ${step}`);
      step = 'error';
      serverError = readServerError(data); // RFC 7628 §3.2.2: a challenge is an error result in JSON
      return encoder.encode(KVSEP); // RFC 7628 §3.2.3: the client MUST answer with a single %x01
    },
    async success(data) {
      if (step !== 'sent') throw protocolError(`an OAUTHBEARER success in state ${step}`);
      if (data.length > 0) throw protocolError('OAUTHBEARER success with additional data');
      step = 'done';
    },
  };
}

/**
 * An X-OAUTH2 exchange (name `X-OAUTH2`): the initial response `\0username\0token`, no challenge,
 * empty success data.
 *
 * @throws {SaslError} `SASL_PROTOCOL` (here) for an empty username or one holding NUL, or a token that
 *   is not an RFC 6750 b64token; from the steps, `SASL_PROTOCOL` for any challenge, success data, or a
 *   step out of order.
 * @see https://developers.google.com/talk/jep_extensions/oauth
 */
export function createXOAuth2(options: XOAuth2Options): SaslMechanism {
  if (options.username === '' || options.username.includes('\0')) throw protocolError('the X-OAUTH2 username must be non-empty without NUL');
  checkToken(options.token);
  let step: 'initial' | 'sent' | 'done' = 'initial';
  return {
    name: 'X-OAUTH2',
    async start() {
      if (step !== 'initial') throw protocolError('X-OAUTH2 already started');
      step = 'sent';
      return encoder.encode(`\0${options.username}\0${options.token}`);
    },
    async challenge() {
      throw protocolError('X-OAUTH2 has no challenges');
    },
    async success(data) {
      if (step !== 'sent') throw protocolError(`an X-OAUTH2 success in state ${step}`);
      if (data.length > 0) throw protocolError('X-OAUTH2 success with additional data');
      step = 'done';
    },
  };
}
