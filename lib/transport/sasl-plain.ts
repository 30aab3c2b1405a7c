/**
 * PLAIN: RFC 4616 (The PLAIN Simple Authentication and Security Layer (SASL) Mechanism, August 2006),
 * client side, without an authorization identity: one message `\0username\0password` in UTF-8.
 * The password travels in clear: RFC 6120 §13.8 allows PLAIN only over TLS (sasl-select.ts decides).
 *
 * @see https://www.rfc-editor.org/rfc/rfc4616#section-2
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-13.8
 */
import { SaslError } from '../errors.js';
import type { SaslMechanism } from './sasl-mechanism.js';

/**
 * Options of {@link createPlain}: the authentication identity and password, already SASLprep'ed.
 * @see https://www.rfc-editor.org/rfc/rfc4616#section-2
 */
export interface PlainOptions {
  readonly username: string;
  readonly password: string;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const protocolError = (text: string): SaslError => new SaslError('SASL_PROTOCOL', '', text);

/** RFC 4616 §2: `authcid` and `passwd` are `1*SAFE`, UTF-8 without NUL. */
function checkPart(part: string, what: string): void {
  if (part === '' || part.includes('\0') || LONE_SURROGATE.test(part)) {
    throw protocolError(`the PLAIN ${what} must be non-empty UTF-8 without NUL`);
  }
}

/**
 * A PLAIN exchange (name `PLAIN`): the initial response `\0username\0password`; no challenge is
 * expected, and the success data must be empty.
 *
 * @throws {SaslError} `SASL_PROTOCOL` (here) for an empty username or password or one holding NUL
 *   (RFC 4616 §2); from the steps, `SASL_PROTOCOL` for any challenge, non-empty success data, or a step
 *   out of order.
 * @see https://www.rfc-editor.org/rfc/rfc4616#section-2
 */
export function createPlain(options: PlainOptions): SaslMechanism {
  checkPart(options.username, 'username');
  checkPart(options.password, 'password');
  let step: 'initial' | 'sent' | 'done' = 'initial';
  return {
    name: 'PLAIN',
    async start() {
      if (step !== 'initial') throw protocolError('PLAIN already started');
      step = 'sent';
      // RFC 4616 §2: message = [authzid] UTF8NUL authcid UTF8NUL passwd (authzid left empty).
      return new TextEncoder().encode(`\0${options.username}\0${options.password}`);
    },
    async challenge() {
      throw protocolError('PLAIN has no challenges'); // RFC 4616 §2: a single message
    },
    async success(data) {
      if (step !== 'sent') throw protocolError(`a PLAIN success in state ${step}`);
      // RFC 4616 §2: PLAIN is one client message; there is no additional data with success.
      if (data.length > 0) throw protocolError('PLAIN success with additional data');
      step = 'done';
    },
  };
}
