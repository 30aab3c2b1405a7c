/**
 * SCRAM-SHA-1 and SCRAM-SHA-256: RFC 5802 (Salted Challenge Response Authentication Mechanism, July
 * 2010) and RFC 7677 (SCRAM-SHA-256, November 2015), client side, without channel binding (GS2 header
 * `n,,`), as a pure state machine over WebCrypto (`crypto.subtle`: PBKDF2, HMAC, SHA).
 *
 * The last step cannot be skipped: `success()` resolves only once the server signature (`v=`) was
 * checked, in constant time, whether it came as the data of `<success/>` or as a last challenge. The
 * server nonce must extend the client's, and a low iteration count or a mandatory extension is refused.
 * The client nonce is an argument (see {@link randomScramNonce}) so that the RFC examples replay.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5802
 * @see https://www.rfc-editor.org/rfc/rfc7677
 */
import { SaslError } from '../errors.js';
import { buildBase64, isBase64, parseBase64 } from '../stanzas/base64.js';
import { sha1, utf8Encode } from '../stanzas/sha1.js';
import type { SaslMechanism } from './sasl-mechanism.js';

/**
 * The hash of the mechanism: SCRAM-SHA-1 (RFC 5802) or SCRAM-SHA-256 (RFC 7677).
 * @see https://www.rfc-editor.org/rfc/rfc7677#section-2
 */
export type ScramHash = 'SHA-1' | 'SHA-256';

/**
 * What PBKDF2 yields for one password, salt and count (RFC 5802 §3); as secret as the password.
 * @see https://www.rfc-editor.org/rfc/rfc5802#section-3
 */
export interface ScramKeys {
  readonly clientKey: Uint8Array;
  readonly serverKey: Uint8Array;
  /** H(ClientKey) (RFC 5802 §3). */
  readonly storedKey: Uint8Array;
}

/**
 * Keeps {@link ScramKeys} across reconnects so PBKDF2 runs once per password, salt and count. The key
 * is a digest (hex) of hash, username, password, salt and count: no password in clear.
 * @see https://www.rfc-editor.org/rfc/rfc5802#section-5.1
 */
export interface ScramKeyCache {
  get(key: string): ScramKeys | undefined;
  set(key: string, keys: ScramKeys): void;
  /** Forgets every entry (e.g. on logout or a password change). */
  clear(): void;
}

/**
 * An in-memory {@link ScramKeyCache} holding the `maxEntries` most recently used entries.
 * @see https://www.rfc-editor.org/rfc/rfc5802#section-5.1 (clients may cache ClientKey and ServerKey)
 */
export function createScramKeyCache(maxEntries = 16): ScramKeyCache {
  return new MemoryScramKeyCache(maxEntries);
}

/** A class rather than closures: every session (every SDK instance) has one, so it should weigh little. */
class MemoryScramKeyCache implements ScramKeyCache {
  readonly #entries = new Map<string, ScramKeys>();
  readonly #maxEntries: number;

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  get(key: string): ScramKeys | undefined {
    const entries = this.#entries;
    const keys = entries.get(key);
    if (keys !== undefined) { entries.delete(key); entries.set(key, keys); } // most recent last
    return keys;
  }

  set(key: string, keys: ScramKeys): void {
    const entries = this.#entries;
    entries.delete(key);
    entries.set(key, keys);
    for (const oldest of entries.keys()) {
      if (entries.size <= this.#maxEntries) break;
      entries.delete(oldest);
    }
  }

  clear(): void {
    this.#entries.clear();
  }
}

/**
 * Options of {@link createScram}. `username` and `password` are already SASLprep'ed (saslprep.ts).
 * @see https://www.rfc-editor.org/rfc/rfc5802#section-5.1
 */
export interface ScramOptions {
  readonly hash: ScramHash;
  readonly username: string;
  readonly password: string;
  /** Printable ASCII without `,` (RFC 5802 §7 `c-nonce`); see {@link randomScramNonce}. */
  readonly clientNonce: string;
  readonly cache?: ScramKeyCache;
  /** Lowest iteration count accepted; default 4096 (RFC 7677 §4, RFC 5802 §9). */
  readonly minIterations?: number;
  /** Highest iteration count accepted, so a server cannot make the client spin; default 10 000 000. */
  readonly maxIterations?: number;
  /** WebCrypto to use; default `globalThis.crypto.subtle` (injected by tests). */
  readonly subtle?: SubtleCrypto;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const GS2_HEADER = 'n,,'; // RFC 5802 §7: no channel binding, no authzid
const NONCE = /^[\x21-\x2b\x2d-\x7e]+$/; // RFC 5802 §7 `printable`: %x21-7E except ","
const POSITIVE = /^[1-9][0-9]*$/; // RFC 5802 §7 `posit-number`
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const protocolError = (text: string): SaslError => new SaslError('SASL_PROTOCOL', '', text);
const signatureError = (text: string): SaslError => new SaslError('SASL_SERVER_SIGNATURE', '', text);

/**
 * Escapes a name for `n=` or `a=` (RFC 5802 §5.1 `saslname`): `,` as `=2C` and `=` as `=3D`.
 * @throws {SaslError} `SASL_PROTOCOL` for an empty name, a NUL, or a lone surrogate (not UTF-8).
 * @see https://www.rfc-editor.org/rfc/rfc5802#section-5.1
 */
export function escapeSaslName(name: string): string {
  if (name === '' || name.includes('\0') || LONE_SURROGATE.test(name)) {
    throw protocolError('a SASL name must be non-empty UTF-8 without NUL'); // RFC 5802 §7 saslname
  }
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C'); // RFC 5802 §5.1: MUST be encoded
}

/**
 * A fresh client nonce: 24 random bytes (`crypto.getRandomValues`) as base64, 32 printable characters
 * without `,`.
 * @see https://www.rfc-editor.org/rfc/rfc5802#section-5.1 (r: "a sequence of random printable characters")
 */
export function randomScramNonce(): string {
  return buildBase64(globalThis.crypto.getRandomValues(new Uint8Array(24)));
}

/** Splits a SCRAM message into `[key, value]` attributes (RFC 5802 §7 `attr-val`). */
function readAttributes(data: Uint8Array): { readonly text: string; readonly attributes: [string, string][] } {
  let text: string;
  try {
    text = decoder.decode(data);
  } catch (error) {
    throw new SaslError('SASL_PROTOCOL', '', 'a SCRAM message that is not UTF-8', { cause: error });
  }
  const attributes = text.split(',').map((part): [string, string] => {
    const match = /^([A-Za-z])=([^\0]+)$/s.exec(part);
    if (match === null) throw protocolError(`a malformed SCRAM attribute '${part.slice(0, 32)}'`);
    return [match[1] ?? '', match[2] ?? ''];
  });
  // RFC 5802 §5.1: an unsupported mandatory extension (m=) MUST fail the authentication.
  if (attributes.some(([key]) => key === 'm')) throw protocolError('a mandatory SCRAM extension (m=) is not supported');
  return { text, attributes };
}

const toHex = (bytes: Uint8Array): string => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] ?? 0) ^ (b[i] ?? 0);
  return out;
}

/** Compares in time that depends only on `expected`'s length: no early exit. */
function equalConstantTime(expected: Uint8Array, actual: Uint8Array): boolean {
  let difference = expected.length ^ actual.length;
  for (let i = 0; i < expected.length; i++) difference |= (expected[i] ?? 0) ^ (actual[i] ?? 0);
  return difference === 0;
}

/** The WebCrypto steps of RFC 5802 §3 for one hash. */
interface ScramCrypto {
  /** HMAC(StoredKey or ServerKey, data), with the imported HMAC key kept for the next exchange. */
  sign(keys: ScramKeys, which: 'stored' | 'server', data: Uint8Array): Promise<Uint8Array>;
  /** RFC 5802 §2.2 Hi() is PBKDF2 with HMAC and dkLen the hash's length; then §3's two keys. */
  keys(password: string, salt: Uint8Array, iterations: number): Promise<ScramKeys>;
}

function cryptoFor(subtle: SubtleCrypto, hash: ScramHash): ScramCrypto {
  return hash === 'SHA-1' ? sha1Crypto(subtle) : webCrypto(subtle, hash);
}

/**
 * SCRAM-SHA-1: PBKDF2 through WebCrypto (10,000 rounds want native code), and the handful of HMACs and
 * the digest of RFC 5802 §3 with the synchronous SHA-1 of the codecs: each WebCrypto call is an
 * asynchronous hop (a thread pool in Node), and six of them in a row cost more than PBKDF2 itself.
 * Checked against the RFC 5802 test vectors like the WebCrypto path.
 */
function sha1Crypto(subtle: SubtleCrypto): ScramCrypto {
  return {
    async sign(keys, which, data) {
      return hmacSha1(which === 'stored' ? keys.storedKey : keys.serverKey, data);
    },
    async keys(password, salt, iterations) {
      const base = await subtle.importKey('raw', encoder.encode(password), 'PBKDF2', false, ['deriveBits']);
      const params = { name: 'PBKDF2', hash: 'SHA-1', salt: new Uint8Array(salt), iterations };
      const salted = new Uint8Array(await subtle.deriveBits(params, base, 160));
      const clientKey = hmacSha1(salted, encoder.encode('Client Key'));
      const serverKey = hmacSha1(salted, encoder.encode('Server Key'));
      return { clientKey, serverKey, storedKey: sha1(clientKey) }; // RFC 5802 §3: StoredKey = H(ClientKey)
    },
  };
}

/** HMAC-SHA-1 (RFC 2104) over the synchronous SHA-1; keys longer than the block are hashed first. */
function hmacSha1(key: Uint8Array, data: Uint8Array): Uint8Array {
  const block = new Uint8Array(64);
  block.set(key.length > 64 ? sha1(key) : key);
  const inner = new Uint8Array(64 + data.length);
  const outer = new Uint8Array(64 + 20);
  for (let i = 0; i < 64; i++) {
    inner[i] = (block[i] ?? 0) ^ 0x36;
    outer[i] = (block[i] ?? 0) ^ 0x5c;
  }
  inner.set(data, 64);
  outer.set(sha1(inner), 64);
  return sha1(outer);
}

function webCrypto(subtle: SubtleCrypto, hash: ScramHash): ScramCrypto {
  const bits = hash === 'SHA-1' ? 160 : 256;
  const hmac = async (key: Uint8Array, data: Uint8Array): Promise<Uint8Array> => {
    const imported = await subtle.importKey('raw', new Uint8Array(key), { name: 'HMAC', hash }, false, ['sign']);
    return new Uint8Array(await subtle.sign('HMAC', imported, new Uint8Array(data)));
  };
  // Imported HMAC keys per ScramKeys, so that a reconnect with cached keys signs at once.
  const imported = new WeakMap<ScramKeys, { stored: Promise<CryptoKey>; server: Promise<CryptoKey> }>();
  const importHmac = (key: Uint8Array): Promise<CryptoKey> =>
    subtle.importKey('raw', new Uint8Array(key), { name: 'HMAC', hash }, false, ['sign']);
  return {
    async sign(keys, which, data) {
      let pair = imported.get(keys);
      if (!pair) imported.set(keys, (pair = { stored: importHmac(keys.storedKey), server: importHmac(keys.serverKey) }));
      return new Uint8Array(await subtle.sign('HMAC', await pair[which], new Uint8Array(data)));
    },
    async keys(password, salt, iterations) {
      const base = await subtle.importKey('raw', encoder.encode(password), 'PBKDF2', false, ['deriveBits']);
      const params = { name: 'PBKDF2', hash, salt: new Uint8Array(salt), iterations };
      const salted = new Uint8Array(await subtle.deriveBits(params, base, bits));
      const [clientKey, serverKey] = await Promise.all([
        hmac(salted, encoder.encode('Client Key')), hmac(salted, encoder.encode('Server Key')),
      ]);
      const storedKey = new Uint8Array(await subtle.digest(hash, new Uint8Array(clientKey))); // RFC 5802 §3: H(ClientKey)
      return { clientKey, serverKey, storedKey };
    },
  };
}

/** What one exchange needs besides its state. */
interface Exchange {
  readonly options: ScramOptions;
  readonly crypto: ScramCrypto;
  readonly subtle: SubtleCrypto;
  readonly minIterations: number;
  readonly maxIterations: number;
}

/** Reads server-first (RFC 5802 §7) and checks its nonce, salt and count. */
function readServerFirst(exchange: Exchange, data: Uint8Array) {
  const { text, attributes } = readAttributes(data);
  const [[rKey, nonce] = ['', ''], [sKey, salt] = ['', ''], [iKey, count] = ['', '']] = attributes;
  if (rKey !== 'r' || sKey !== 's' || iKey !== 'i') throw protocolError('server-first must hold r=, s=, i= in this order');
  const { clientNonce } = exchange.options;
  // RFC 5802 §5.1: the server's nonce MUST start with the client's (and here must add to it).
  if (!NONCE.test(nonce) || !nonce.startsWith(clientNonce) || nonce.length === clientNonce.length) {
    throw protocolError('the server nonce does not extend the client nonce');
  }
  if (salt === '' || !isBase64(salt)) throw protocolError('the salt is not base64'); // RFC 5802 §5.1 s: base64
  const iterations = POSITIVE.test(count) ? Number(count) : Number.NaN;
  const { minIterations, maxIterations } = exchange;
  // RFC 7677 §4 / RFC 5802 §9: at least 4096 iterations; an upper bound keeps the client responsive.
  if (!Number.isSafeInteger(iterations) || iterations < minIterations || iterations > maxIterations) {
    throw protocolError(`an iteration count of ${count.slice(0, 16)} is outside ${minIterations}..${maxIterations}`);
  }
  return { text, nonce, salt, iterations };
}

/** The keys for this password, salt and count: from the cache, or PBKDF2 (then `commit` caches them). */
async function keysFor(exchange: Exchange, salt: string, iterations: number) {
  const { cache, hash, username, password } = exchange.options;
  if (cache === undefined) return { keys: await exchange.crypto.keys(password, parseBase64(salt), iterations), commit: () => {} };
  // A digest, so that the password is not kept in clear as a map key: the small synchronous SHA-1 of
  // the codecs (a fingerprint, not a password hash: the entry's value is as secret as the password).
  const cacheKey = toHex(sha1(utf8Encode(JSON.stringify([hash, username, password, salt, iterations]))));
  const cached = cache.get(cacheKey);
  if (cached !== undefined) return { keys: cached, commit: () => {} };
  const keys = await exchange.crypto.keys(password, parseBase64(salt), iterations);
  return { keys, commit: () => cache.set(cacheKey, keys) };
}

/** Builds client-final (RFC 5802 §7) from server-first; returns it with the expected ServerSignature. */
async function clientFinal(exchange: Exchange, data: Uint8Array, clientFirstBare: string) {
  const serverFirst = readServerFirst(exchange, data);
  const { keys, commit } = await keysFor(exchange, serverFirst.salt, serverFirst.iterations);
  const withoutProof = `c=${buildBase64(encoder.encode(GS2_HEADER))},r=${serverFirst.nonce}`; // RFC 5802 §7: c=biws
  const authMessage = encoder.encode(`${clientFirstBare},${serverFirst.text},${withoutProof}`); // RFC 5802 §3
  const [clientSignature, serverSignature] = await Promise.all([
    exchange.crypto.sign(keys, 'stored', authMessage), exchange.crypto.sign(keys, 'server', authMessage),
  ]);
  const proof = xor(keys.clientKey, clientSignature); // RFC 5802 §3: ClientKey XOR ClientSignature
  return { message: encoder.encode(`${withoutProof},p=${buildBase64(proof)}`), serverSignature, commit };
}

/** Checks server-final (RFC 5802 §7): `e=` fails, `v=` must equal the expected signature. */
function verifyServerFinal(data: Uint8Array, serverSignature: Uint8Array): void {
  const [[key, value] = ['', '']] = readAttributes(data).attributes;
  if (key === 'e') throw new SaslError('SASL_FAILURE', value, 'the server reported a SCRAM error');
  if (key !== 'v') throw protocolError('server-final holds neither v= nor e=');
  const received = isBase64(value) ? parseBase64(value) : new Uint8Array(0);
  // RFC 5802 §5.1: the client MUST verify the server signature (constant time: no early exit).
  if (!equalConstantTime(serverSignature, received)) throw signatureError('the server signature does not verify');
}

type State =
  | { readonly step: 'initial' | 'done' | 'failed' }
  | { readonly step: 'first-sent'; readonly clientFirstBare: string }
  | { readonly step: 'final-sent'; readonly serverSignature: Uint8Array; readonly commit: () => void }
  | { readonly step: 'verified'; readonly serverSignature: Uint8Array };

/**
 * A SCRAM-SHA-1 or SCRAM-SHA-256 client exchange (name `SCRAM-SHA-1` / `SCRAM-SHA-256`).
 * `start()` gives client-first, the first `challenge()` (server-first) gives client-final, and the
 * server-final (`v=`) is checked by `success()` or by a second `challenge()` (answered empty).
 * The keys are put into the cache only once the server signature verified. Any error ends the
 * exchange: every later call is refused.
 *
 * @throws {SaslError} `SASL_PROTOCOL` (here) for an empty or NUL-holding username, an empty password,
 *   or a client nonce that is not printable ASCII without `,`. From the steps: `SASL_PROTOCOL` for a
 *   server nonce that does not extend the client's, an iteration count out of bounds, an `m=`
 *   extension, a bad salt or a step out of order; `SASL_SERVER_SIGNATURE` for a missing or wrong `v=`;
 *   `SASL_FAILURE` (condition: the `e=` value) when the server reports an error.
 * @see https://www.rfc-editor.org/rfc/rfc5802#section-5
 * @see https://www.rfc-editor.org/rfc/rfc7677#section-3
 */
export function createScram(options: ScramOptions): SaslMechanism {
  const saslName = escapeSaslName(options.username);
  if (options.password === '' || LONE_SURROGATE.test(options.password)) throw protocolError('a SCRAM password must be non-empty UTF-8');
  if (!NONCE.test(options.clientNonce)) throw protocolError('a SCRAM client nonce must be printable ASCII without ","');
  const subtle = options.subtle ?? globalThis.crypto.subtle;
  const exchange: Exchange = {
    options, subtle, crypto: cryptoFor(subtle, options.hash),
    minIterations: options.minIterations ?? 4096, maxIterations: options.maxIterations ?? 10_000_000,
  };
  let state: State = { step: 'initial' };

  /** Runs a step; any error moves the exchange to `failed`, from which every call is refused. */
  const step = async <T>(run: (current: State) => Promise<T>): Promise<T> => {
    const current = state;
    if (current.step === 'failed' || current.step === 'done') throw protocolError(`the SCRAM exchange is ${current.step}`);
    try {
      return await run(current);
    } catch (error) {
      state = { step: 'failed' };
      throw error;
    }
  };

  return {
    name: `SCRAM-${options.hash}`,
    start: () => step(async (current) => {
      if (current.step !== 'initial') throw protocolError('SCRAM already started');
      const clientFirstBare = `n=${saslName},r=${options.clientNonce}`;
      state = { step: 'first-sent', clientFirstBare };
      return encoder.encode(`${GS2_HEADER}${clientFirstBare}`);
    }),
    challenge: (data) => step(async (current) => {
      if (current.step === 'first-sent') {
        const { message, serverSignature, commit } = await clientFinal(exchange, data, current.clientFirstBare);
        state = { step: 'final-sent', serverSignature, commit };
        return message;
      }
      if (current.step !== 'final-sent') throw protocolError(`a SCRAM challenge in state ${current.step}`);
      verifyServerFinal(data, current.serverSignature);
      current.commit();
      state = { step: 'verified', serverSignature: current.serverSignature };
      return new Uint8Array(0); // the server-final came as a challenge: an empty response
    }),
    success: (data) => step(async (current) => {
      if (current.step === 'verified') {
        if (data.length > 0) verifyServerFinal(data, current.serverSignature);
      } else if (current.step === 'final-sent') {
        if (data.length === 0) throw signatureError('success without a server signature'); // RFC 5802 §5.1
        verifyServerFinal(data, current.serverSignature);
        current.commit();
      } else {
        throw signatureError(`success before the server proved itself (state ${current.step})`);
      }
      state = { step: 'done' };
    }),
  };
}
