/**
 * QR login payloads and the sealed hand-off of credentials (API.md §6), over WebCrypto only, so that
 * the same code runs in browsers and in Node 20:
 *
 * - the browser makes an ECDH P-256 key pair (`createQrKeyPair`) and shows a payload
 *   (`buildQrPayload`): the relay URL, the session id, its public key and an expiry;
 * - the scanning device reads it (`parseQrPayload`: checked and not expired) and seals the credentials
 *   to that key (`sealCredentials`): an ephemeral ECDH P-256 key pair of its own, HKDF-SHA-256 of the
 *   shared secret (salt: the session id) to an AES-256-GCM key, a fresh 96-bit IV, and the session id
 *   as additional data, so that a sealed message is good for one session only;
 * - the browser opens it (`openCredentials`) with its private key.
 *
 * The relay carries the sealed text only: it never sees a key that opens it.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5869 (HKDF)
 * @see https://csrc.nist.gov/pubs/sp/800/38/d/final (GCM)
 */
import { QrError } from '../errors.js';
import { buildBase64Url, parseBase64Url } from '../stanzas/base64.js';

/** What a QR code says. */
export interface QrPayload {
  /** The relay's WebSocket URL. */
  readonly relay: string;
  /** The relay's one-time session id. */
  readonly session: string;
  /** The browser's ECDH P-256 public key, raw (65 bytes, uncompressed), base64url. */
  readonly key: string;
  /** When the payload stops being valid, in ms since the epoch. */
  readonly expiresAt: number;
}

/** The credentials handed over. */
export interface QrCredentials {
  readonly username: string;
  /** `''` when the device logged in with a token instead. */
  readonly password: string;
  /** A token for SASL OAUTHBEARER / X-OAUTH2 login, when the device logged in with one. */
  readonly token?: string;
}

/** A browser's key pair for one QR code. */
export interface QrKeyPair {
  readonly privateKey: CryptoKey;
  /** The public key as `QrPayload.key`. */
  readonly publicKey: string;
}

const MARK = 'xmpp-profile-qr';
const VERSION = 1;
const ECDH = { name: 'ECDH', namedCurve: 'P-256' } as const;
const INFO = new TextEncoder().encode('xmpp-profile qr login v1');
const MAX_TEXT = 2048;

/** Makes the browser's key pair for one QR code. */
export async function createQrKeyPair(subtle: SubtleCrypto = crypto.subtle): Promise<QrKeyPair> {
  const pair = (await subtle.generateKey(ECDH, false, ['deriveBits'])) as CryptoKeyPair;
  const raw = new Uint8Array(await subtle.exportKey('raw', pair.publicKey));
  return { privateKey: pair.privateKey, publicKey: buildBase64Url(raw) };
}

/** The text of the QR code (JSON, marked as this library's). */
export function buildQrPayload(payload: QrPayload): string {
  return JSON.stringify({ t: MARK, v: VERSION, u: payload.relay, s: payload.session, k: payload.key, e: payload.expiresAt });
}

/**
 * Reads the text of a QR code.
 * @throws {QrError} `QR_MALFORMED` for text that is not a payload of this library (or a relay URL
 *   that is not ws:// or wss://); `QR_EXPIRED` when `now` is past its expiry.
 */
export function parseQrPayload(text: string, now: number): QrPayload {
  const value = readJson(text, 'QR payload');
  if (value.t !== MARK || value.v !== VERSION) throw malformed('not an xmpp-profile QR payload');
  const { u: relay, s: session, k: key, e: expiresAt } = value;
  if (typeof relay !== 'string' || !/^wss?:\/\/[^\s]+$/.test(relay)) throw malformed('the relay URL is not a ws:// or wss:// URL');
  if (typeof session !== 'string' || !/^[A-Za-z0-9_-]{16,64}$/.test(session)) throw malformed('the session id is not valid');
  if (typeof key !== 'string' || !/^[A-Za-z0-9_-]{87}$/.test(key)) throw malformed('the public key is not a raw P-256 key');
  if (typeof expiresAt !== 'number' || !Number.isSafeInteger(expiresAt)) throw malformed('the expiry is not a time');
  if (now > expiresAt) throw new QrError('QR_EXPIRED', 'the QR code has expired: ask for a new one');
  return { relay, session, key, expiresAt };
}

/**
 * Seals the credentials to the browser's key for its session (see the file's header).
 * @throws {QrError} `QR_MALFORMED` when the payload's key is not a P-256 point.
 */
export async function sealCredentials(payload: QrPayload, credentials: QrCredentials, subtle: SubtleCrypto = crypto.subtle): Promise<string> {
  let browserKey: CryptoKey;
  try {
    browserKey = await subtle.importKey('raw', base64UrlKey(payload.key), ECDH, false, []);
  } catch (error) {
    throw malformed('the public key is not a P-256 point', error);
  }
  const ephemeral = (await subtle.generateKey(ECDH, false, ['deriveBits'])) as CryptoKeyPair;
  const key = await sharedKey(subtle, ephemeral.privateKey, browserKey, payload.session, 'encrypt');
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plain = new TextEncoder().encode(JSON.stringify({ u: credentials.username, p: credentials.password, ...(credentials.token !== undefined ? { tk: credentials.token } : {}) }));
  const sealed = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(payload.session) }, key, plain));
  const epk = new Uint8Array(await subtle.exportKey('raw', ephemeral.publicKey));
  return JSON.stringify({ t: MARK, v: VERSION, epk: buildBase64Url(epk), iv: buildBase64Url(iv), ct: buildBase64Url(sealed) });
}

/**
 * Opens what `sealCredentials` made, with the browser's private key, for its session.
 * @throws {QrError} `QR_MALFORMED` for text that is not a sealed message; `QR_DECRYPT` when it was
 *   sealed for another key or session, or altered.
 */
export async function openCredentials(privateKey: CryptoKey, session: string, sealed: string, subtle: SubtleCrypto = crypto.subtle): Promise<QrCredentials> {
  const value = readJson(sealed, 'sealed message');
  if (value.t !== MARK || value.v !== VERSION || typeof value.epk !== 'string' || typeof value.iv !== 'string' || typeof value.ct !== 'string') {
    throw malformed('not a sealed message of xmpp-profile');
  }
  let plain: ArrayBuffer;
  try {
    const epk = await subtle.importKey('raw', base64UrlKey(value.epk), ECDH, false, []);
    const key = await sharedKey(subtle, privateKey, epk, session, 'decrypt');
    plain = await subtle.decrypt({ name: 'AES-GCM', iv: base64UrlKey(value.iv), additionalData: new TextEncoder().encode(session) }, key, base64UrlKey(value.ct));
  } catch (error) {
    throw new QrError('QR_DECRYPT', 'the sealed message does not open with this key and session', { cause: error });
  }
  const credentials = readJson(new TextDecoder().decode(plain), 'sealed credentials');
  const { u: username, p: password, tk: token } = credentials;
  if (typeof username !== 'string' || typeof password !== 'string' || (token !== undefined && typeof token !== 'string')) {
    throw malformed('the sealed message holds no credentials');
  }
  return token === undefined ? { username, password } : { username, password, token };
}

/** ECDH, then HKDF-SHA-256 (salt: the session id) to an AES-256-GCM key. */
async function sharedKey(subtle: SubtleCrypto, own: CryptoKey, peer: CryptoKey, session: string, use: 'encrypt' | 'decrypt'): Promise<CryptoKey> {
  const secret = await subtle.deriveBits({ name: 'ECDH', public: peer }, own, 256);
  const hkdf = await subtle.importKey('raw', secret, 'HKDF', false, ['deriveKey']);
  return subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new TextEncoder().encode(session), info: INFO },
    hkdf, { name: 'AES-GCM', length: 256 }, false, [use],
  );
}

function readJson(text: string, what: string): Record<string, unknown> {
  if (typeof text !== 'string' || text.length > MAX_TEXT) throw malformed(`the ${what} is not text of at most ${MAX_TEXT} characters`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw malformed(`the ${what} is not JSON`, error);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw malformed(`the ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

function malformed(message: string, cause?: unknown): QrError {
  return new QrError('QR_MALFORMED', message, cause === undefined ? {} : { cause });
}

/** Bytes for WebCrypto from base64url text. @throws {StanzaParseError} for text that is not base64url. */
function base64UrlKey(text: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(parseBase64Url(text));
}
