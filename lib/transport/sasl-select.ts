/**
 * Choosing the SASL mechanism: RFC 6120 (XMPP Core, March 2011) §6.3.3 (the client picks among the
 * offered mechanisms) and §13.8 (PLAIN only over TLS), RFC 4422 §3.2 (negotiation).
 *
 * Order of strength. With a password: SCRAM-SHA-256, SCRAM-SHA-1, then PLAIN. With a token:
 * OAUTHBEARER, then X-OAUTH2 (after the password mechanisms when both are given). A mechanism that
 * sends the secret in clear (PLAIN, and the bearer-token mechanisms, RFC 6750 §5.3) is used only over
 * TLS, or to a loopback host (the project's own rule: nothing leaves the machine), or when the app set
 * `allowPlainAuth`. SCRAM and PLAIN get the username and password through SASLprep (RFC 4013).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-6.3.3
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-13.8
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-5.3
 */
import { SaslError } from '../errors.js';
import type { SaslContext, SaslCredentials, SaslMechanism } from './sasl-mechanism.js';
import { createOAuthBearer, createXOAuth2 } from './sasl-oauth.js';
import { createPlain } from './sasl-plain.js';
import { saslprep } from './saslprep.js';
import { createScram, randomScramNonce, type ScramKeyCache } from './scram.js';

/** Options of {@link selectMechanism}. @see https://www.rfc-editor.org/rfc/rfc5802#section-5.1 */
export interface SelectMechanismOptions {
  /** Kept SCRAM keys, so a reconnect skips PBKDF2 (see scram.ts). */
  readonly cache?: ScramKeyCache;
  /** The SCRAM client nonce; default {@link randomScramNonce}. */
  readonly nonce?: () => string;
}

/**
 * The mechanisms this library implements, strongest first.
 * @see https://www.iana.org/assignments/sasl-mechanisms/sasl-mechanisms.xhtml
 */
export const SUPPORTED_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'PLAIN', 'OAUTHBEARER', 'X-OAUTH2'] as const;

/** A mechanism of {@link SUPPORTED_MECHANISMS}. */
export type SupportedMechanism = (typeof SUPPORTED_MECHANISMS)[number];

const CLEARTEXT: ReadonlySet<string> = new Set(['PLAIN', 'OAUTHBEARER', 'X-OAUTH2']);
const NEEDS_PASSWORD: ReadonlySet<string> = new Set(['SCRAM-SHA-256', 'SCRAM-SHA-1', 'PLAIN']);

/** Why `name` cannot be used here, or `''` when it can. */
function refusal(name: SupportedMechanism, credentials: SaslCredentials, context: SaslContext): string {
  if (NEEDS_PASSWORD.has(name)) {
    if (credentials.password === undefined) return 'needs a password';
  } else if (credentials.token === undefined) {
    return 'needs a token';
  }
  if (CLEARTEXT.has(name) && !context.secure && !context.loopback && !context.allowPlainAuth) {
    // RFC 6120 §13.8: PLAIN only over TLS; RFC 6750 §5.3: bearer tokens only over TLS.
    return 'not TLS and not loopback; set allowPlainAuth to allow';
  }
  return '';
}

/** Why an offered mechanism this library does not implement is skipped. */
function unsupported(name: string): string {
  return name.endsWith('-PLUS') ? `${name} refused: channel binding not supported` : `${name} refused: not supported`;
}

async function build(
  name: SupportedMechanism, credentials: SaslCredentials, options: SelectMechanismOptions,
): Promise<SaslMechanism> {
  const token = credentials.token ?? '';
  if (name === 'OAUTHBEARER') return createOAuthBearer({ username: credentials.username, domain: credentials.domain, token });
  if (name === 'X-OAUTH2') return createXOAuth2({ username: credentials.username, token });
  // RFC 5802 §5.1 and RFC 4616 §2: the username and password go through SASLprep.
  const username = await saslprep(credentials.username);
  const password = await saslprep(credentials.password ?? '');
  if (name === 'PLAIN') return createPlain({ username, password });
  return createScram({
    hash: name === 'SCRAM-SHA-256' ? 'SHA-256' : 'SHA-1',
    username,
    password,
    clientNonce: (options.nonce ?? randomScramNonce)(),
    ...(options.cache === undefined ? {} : { cache: options.cache }),
  });
}

/**
 * Picks the strongest offered mechanism the credentials and the connection allow, and creates it.
 *
 * @throws {SaslError} `SASL_NO_MECHANISM` when none is usable; its text lists what was offered and
 *   why each was refused (e.g. `PLAIN refused: not TLS and not loopback; set allowPlainAuth to
 *   allow`). `SASL_PROTOCOL` when SASLprep refuses the username or password, or the chosen mechanism
 *   refuses the credentials (an empty username, a token that is not a b64token).
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-6.3.3
 */
export async function selectMechanism(
  offered: readonly string[],
  credentials: SaslCredentials,
  context: SaslContext,
  options: SelectMechanismOptions = {},
): Promise<SaslMechanism> {
  return build(chooseMechanism(offered, credentials, context), credentials, options);
}

/**
 * The name of the mechanism {@link selectMechanism} would create, without creating it.
 * @throws {SaslError} `SASL_NO_MECHANISM` as {@link selectMechanism}.
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-6.3.3
 */
export function chooseMechanism(offered: readonly string[], credentials: SaslCredentials, context: SaslContext): SupportedMechanism {
  const reasons: string[] = [];
  if (credentials.password === undefined && credentials.token === undefined) reasons.push('no password and no token given');
  for (const name of SUPPORTED_MECHANISMS) {
    if (!offered.includes(name)) continue;
    const why = refusal(name, credentials, context);
    if (why === '') return name;
    reasons.push(`${name} refused: ${why}`);
  }
  const known: ReadonlySet<string> = new Set(SUPPORTED_MECHANISMS);
  for (const name of offered) if (!known.has(name)) reasons.push(unsupported(name));
  const list = offered.length === 0 ? 'nothing' : offered.join(', ');
  throw new SaslError('SASL_NO_MECHANISM', '', `offered: ${list}; ${reasons.join('; ') || 'none usable'}`);
}

/** IPv4 in the dotted form the WHATWG URL parser writes. */
const IPV4 = /^(\d{1,3})\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
/** `::ffff:127.x.y.z` as the URL parser writes it (e.g. `[::ffff:7f00:1]` for 127.0.0.1). */
const MAPPED_LOOPBACK = /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/;

/**
 * True for a loopback host: `localhost` and `*.localhost` (RFC 6761 §6.3), `127.0.0.0/8` (RFC 1122
 * §3.2.1.3, in any form the URL parser accepts, e.g. `127.1`), `::1` or `[::1]` (RFC 4291 §2.5.3),
 * and IPv4-mapped `::ffff:127.x.y.z`. Case and a trailing dot do not matter.
 * @see https://www.rfc-editor.org/rfc/rfc6761#section-6.3
 */
export function isLoopbackHost(host: string): boolean {
  if (host === '' || /[\s@/?#\\]/.test(host)) return false;
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  let name: string;
  try {
    name = new URL(`http://${bracketed}/`).hostname; // canonical: lower case, IPv4 dotted, IPv6 compressed
  } catch {
    return false;
  }
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (name === '[::1]' || MAPPED_LOOPBACK.test(name)) return true;
  return IPV4.exec(name)?.[1] === '127';
}
