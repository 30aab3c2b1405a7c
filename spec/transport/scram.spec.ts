// Specs of lib/transport/scram.ts: SCRAM-SHA-1 (RFC 5802) and SCRAM-SHA-256 (RFC 7677), client side.
// The RFC examples replay byte for byte; a small SCRAM *server* written here with node:crypto (a second,
// independent implementation of the RFC 5802 §3 formulas) runs random full exchanges.

import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { SaslError } from '../../lib/errors.js';
import { isBase64 } from '../../lib/stanzas/base64.js';
import {
  createScram, createScramKeyCache, escapeSaslName, randomScramNonce, type ScramHash, type ScramKeyCache, type ScramKeys,
} from '../../lib/transport/scram.js';
import type { SaslMechanism } from '../../lib/transport/sasl-mechanism.js';
import { scramServer } from '../support/scram-server.js';

const utf8 = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const EMPTY = new Uint8Array(0);

/** Asserts that the promise rejects with a SaslError of `code` (and `condition`, when given). */
async function rejectsWith(promise: Promise<unknown>, code: SaslError['code'], condition?: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof SaslError, `not a SaslError: ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (condition !== undefined) assert.equal(error.condition, condition);
    return true;
  });
}

// RFC 5802 §5: user "user", password "pencil".
const RFC5802 = {
  hash: 'SHA-1' as const,
  nonce: 'fyko+d2lbbFgONRv9qkxdawL',
  clientFirst: 'n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL',
  serverFirst: 'r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096',
  clientFinal: 'c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=',
  serverFinal: 'v=rmF9pqV8S7suAoZWja4dJRkFsKQ=',
};
// RFC 7677 §3: the same user and password with SHA-256.
const RFC7677 = {
  hash: 'SHA-256' as const,
  nonce: 'rOprNGfwEbeRWgbNEkqO',
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal: 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};

/** A WebCrypto that counts `deriveBits` (PBKDF2) calls. */
function countingSubtle(): { readonly subtle: SubtleCrypto; readonly pbkdf2Calls: () => number } {
  const real = globalThis.crypto.subtle;
  let calls = 0;
  const subtle = new Proxy(real, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (property === 'deriveBits') return (...args: unknown[]) => { calls++; return Reflect.apply(value, target, args); };
      return (...args: unknown[]) => Reflect.apply(value, target, args);
    },
  });
  return { subtle, pbkdf2Calls: () => calls };
}

/** Runs start + server-first on a mechanism and returns the client-final text. */
async function toClientFinal(mechanism: SaslMechanism, serverFirst: string): Promise<string> {
  await mechanism.start();
  return utf8(await mechanism.challenge(bytes(serverFirst)));
}

const rfcMechanism = (vector: typeof RFC5802 | typeof RFC7677, extra: { cache?: ScramKeyCache; subtle?: SubtleCrypto } = {}) =>
  createScram({ hash: vector.hash, username: 'user', password: 'pencil', clientNonce: vector.nonce, ...extra });

describe('scram', () => {
  for (const vector of [RFC5802, RFC7677]) {
    describe(`the RFC example of SCRAM-${vector.hash} (${vector === RFC5802 ? 'RFC 5802 §5' : 'RFC 7677 §3'})`, () => {
      it('reproduces client-first and client-final exactly and accepts the server-final as success data', async () => {
        const scram = rfcMechanism(vector);
        assert.equal(scram.name, `SCRAM-${vector.hash}`);
        const first = await scram.start();
        assert.ok(first);
        assert.equal(utf8(first), vector.clientFirst);
        assert.equal(utf8(await scram.challenge(bytes(vector.serverFirst))), vector.clientFinal);
        await scram.success(bytes(vector.serverFinal));
      });

      it('accepts the server-final as a last challenge, answers it empty, then accepts an empty success', async () => {
        const scram = rfcMechanism(vector);
        await toClientFinal(scram, vector.serverFirst);
        assert.deepEqual(await scram.challenge(bytes(vector.serverFinal)), EMPTY);
        await scram.success(EMPTY);
      });

      it('refuses a tampered, truncated or non-base64 v=', async () => {
        const signature = vector.serverFinal.slice(2);
        const flipped = `${signature.slice(0, 5)}${signature[5] === 'A' ? 'B' : 'A'}${signature.slice(6)}`;
        for (const tampered of [`v=${flipped}`, `v=${signature.slice(0, -4)}`, 'v=not*base64', `v=${signature}AAAA`]) {
          const scram = rfcMechanism(vector);
          await toClientFinal(scram, vector.serverFirst);
          await rejectsWith(scram.success(bytes(tampered)), 'SASL_SERVER_SIGNATURE');
          const again = rfcMechanism(vector);
          await toClientFinal(again, vector.serverFirst);
          await rejectsWith(again.challenge(bytes(tampered)), 'SASL_SERVER_SIGNATURE');
        }
      });
    });
  }

  describe('the server signature cannot be skipped', () => {
    it('refuses an empty success after client-final (no v= ever seen)', async () => {
      const scram = rfcMechanism(RFC5802);
      await toClientFinal(scram, RFC5802.serverFirst);
      await rejectsWith(scram.success(EMPTY), 'SASL_SERVER_SIGNATURE');
    });

    it('refuses a success before client-final, with or without data', async () => {
      const early = rfcMechanism(RFC5802);
      await early.start();
      await rejectsWith(early.success(EMPTY), 'SASL_SERVER_SIGNATURE');
      const withData = rfcMechanism(RFC5802);
      await withData.start();
      await rejectsWith(withData.success(bytes(RFC5802.serverFinal)), 'SASL_SERVER_SIGNATURE');
      await rejectsWith(rfcMechanism(RFC5802).success(EMPTY), 'SASL_SERVER_SIGNATURE');
    });

    it('after a failure every further step is refused, even the right signature', async () => {
      const scram = rfcMechanism(RFC5802);
      await toClientFinal(scram, RFC5802.serverFirst);
      await rejectsWith(scram.success(EMPTY), 'SASL_SERVER_SIGNATURE');
      await rejectsWith(scram.success(bytes(RFC5802.serverFinal)), 'SASL_PROTOCOL');
      await rejectsWith(scram.challenge(bytes(RFC5802.serverFinal)), 'SASL_PROTOCOL');
    });

    it('refuses steps out of order: start twice, a challenge after the signature, success twice', async () => {
      const scram = rfcMechanism(RFC5802);
      await scram.start();
      await rejectsWith(scram.start(), 'SASL_PROTOCOL');
      const verified = rfcMechanism(RFC5802);
      await toClientFinal(verified, RFC5802.serverFirst);
      await verified.challenge(bytes(RFC5802.serverFinal));
      await rejectsWith(verified.challenge(bytes(RFC5802.serverFinal)), 'SASL_PROTOCOL');
      const done = rfcMechanism(RFC5802);
      await toClientFinal(done, RFC5802.serverFirst);
      await done.success(bytes(RFC5802.serverFinal));
      await rejectsWith(done.success(bytes(RFC5802.serverFinal)), 'SASL_PROTOCOL');
      await rejectsWith(rfcMechanism(RFC5802).challenge(bytes(RFC5802.serverFirst)), 'SASL_PROTOCOL');
    });

    it('a verified last challenge followed by a success repeating v= checks it again', async () => {
      const scram = rfcMechanism(RFC5802);
      await toClientFinal(scram, RFC5802.serverFirst);
      await scram.challenge(bytes(RFC5802.serverFinal));
      await rejectsWith(scram.success(bytes('v=rmF9pqV8S7suAoZWja4dJRkFsKA=')), 'SASL_SERVER_SIGNATURE');
    });
  });

  describe('server-first and server-final checks', () => {
    const refusesServerFirst = async (serverFirst: string | Uint8Array, options: { minIterations?: number; maxIterations?: number } = {}) => {
      const scram = createScram({ hash: 'SHA-1', username: 'user', password: 'pencil', clientNonce: RFC5802.nonce, ...options });
      await scram.start();
      await rejectsWith(scram.challenge(typeof serverFirst === 'string' ? bytes(serverFirst) : serverFirst), 'SASL_PROTOCOL');
    };

    it('refuses a server nonce without the client nonce as prefix, or adding nothing to it (RFC 5802 §5.1)', async () => {
      await refusesServerFirst('r=3rfcNHYJY1ZVvWVs7jfyko+d2lbbFgONRv9qkxdawL,s=QSXCR+Q6sek8bf92,i=4096');
      await refusesServerFirst('r=fyko+d2lbbFgONRv9qkxdawX3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096');
      await refusesServerFirst('r=fyko+d2lbbFgONRv9qkxdawL,s=QSXCR+Q6sek8bf92,i=4096');
      await refusesServerFirst('r=fyko+d2lbbFgONRv9qkxdawL3rfc\u00e9,s=QSXCR+Q6sek8bf92,i=4096');
    });

    it('refuses i=4095 and any count that is not a positive integer within bounds (RFC 7677 §4)', async () => {
      for (const count of ['4095', '0', '-4096', '4096.5', '0x1000', '1e5', '04096', ' 4096', '99999999999999999999']) {
        await refusesServerFirst(`r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=${count}`);
      }
      await refusesServerFirst(RFC5802.serverFirst, { minIterations: 4097 });
      await refusesServerFirst(RFC5802.serverFirst, { maxIterations: 4095 });
    });

    it('refuses a mandatory extension m= (RFC 5802 §5.1), a bad salt, missing or reordered attributes', async () => {
      for (const withExtension of [`m=ext,${RFC5802.serverFirst}`, `${RFC5802.serverFirst},m=ext`]) {
        const scram = rfcMechanism(RFC5802);
        await scram.start();
        await assert.rejects(scram.challenge(bytes(withExtension)), (error: unknown) =>
          error instanceof SaslError && error.code === 'SASL_PROTOCOL' && /mandatory/.test(error.message));
      }
      await refusesServerFirst('r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXC*+Q6sek8bf92,i=4096');
      await refusesServerFirst('r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=,i=4096');
      await refusesServerFirst('r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,i=4096');
      await refusesServerFirst('s=QSXCR+Q6sek8bf92,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,i=4096');
      await refusesServerFirst('');
      await refusesServerFirst(new Uint8Array([0x72, 0x3d, 0xff, 0xfe]));
    });

    it('accepts optional extensions after i=, and signs the whole server-first (RFC 5802 §3 AuthMessage)', async () => {
      const scram = rfcMechanism(RFC5802);
      const final = await toClientFinal(scram, `${RFC5802.serverFirst},x=whatever`);
      assert.ok(final.startsWith('c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p='), final);
      assert.notEqual(final, RFC5802.clientFinal);
    });

    it('maps e= to SASL_FAILURE with the e= value as the condition, as success data or as a challenge', async () => {
      const scram = rfcMechanism(RFC5802);
      await toClientFinal(scram, RFC5802.serverFirst);
      await rejectsWith(scram.success(bytes('e=invalid-proof')), 'SASL_FAILURE', 'invalid-proof');
      const again = rfcMechanism(RFC5802);
      await toClientFinal(again, RFC5802.serverFirst);
      await rejectsWith(again.challenge(bytes('e=other-error')), 'SASL_FAILURE', 'other-error');
    });

    it('refuses a server-final that holds neither v= nor e=, or m=', async () => {
      for (const final of ['x=1', `m=1,${RFC5802.serverFinal}`, `${RFC5802.serverFinal},m=1`, 'garbage']) {
        const scram = rfcMechanism(RFC5802);
        await toClientFinal(scram, RFC5802.serverFirst);
        await rejectsWith(scram.success(bytes(final)), 'SASL_PROTOCOL');
      }
    });
  });

  describe('arguments', () => {
    it('refuses an empty username, a NUL, an empty password, a nonce with "," or outside printable ASCII', () => {
      const base = { hash: 'SHA-1' as const, username: 'user', password: 'pencil', clientNonce: 'abc' };
      for (const bad of [{ username: '' }, { username: 'a\0b' }, { password: '' }, { clientNonce: 'a,b' }, { clientNonce: '' }, { clientNonce: 'a b' }, { clientNonce: 'é' }, { username: '\ud800' }]) {
        assert.throws(() => createScram({ ...base, ...bad }), (error: unknown) => error instanceof SaslError && error.code === 'SASL_PROTOCOL');
      }
    });

    it('escapes "," and "=" in the username (RFC 5802 §5.1), for any username', async () => {
      assert.equal(escapeSaslName('a,b=c'), 'a=2Cb=3Dc');
      await fc.assert(fc.asyncProperty(fc.string({ minLength: 1, unit: fc.constantFrom('a', ',', '=', 'é', '2', 'C', '3', 'D') }), async (username) => {
        const scram = createScram({ hash: 'SHA-256', username, password: 'p', clientNonce: 'n' });
        const first = utf8((await scram.start()) ?? EMPTY);
        const name = /^n,,n=(.*),r=n$/.exec(first)?.[1];
        assert.ok(name !== undefined, first);
        assert.ok(!name.includes(','), name);
        assert.ok(/^(?:[^=]|=2C|=3D)*$/.test(name), name);
        assert.equal(name.replace(/=2C/g, ',').replace(/=3D/g, '='), username);
      }));
    });

    it('randomScramNonce: 32 printable base64 characters, no ",", fresh each time, accepted as a client nonce', () => {
      const seen = new Set<string>();
      for (let i = 0; i < 50; i++) {
        const nonce = randomScramNonce();
        assert.equal(nonce.length, 32);
        assert.ok(isBase64(nonce) && !nonce.includes(',') && !nonce.includes('='), nonce);
        seen.add(nonce);
        createScram({ hash: 'SHA-1', username: 'u', password: 'p', clientNonce: nonce });
      }
      assert.equal(seen.size, 50);
    });
  });

  describe('full exchanges against an in-test SCRAM server', () => {
    it('succeed for random usernames, passwords, salts and iteration counts, both hashes', async () => {
      await fc.assert(fc.asyncProperty(
        fc.record({
          hash: fc.constantFrom<ScramHash>('SHA-1', 'SHA-256'),
          username: fc.string({ minLength: 1, maxLength: 12, unit: fc.oneof(fc.constantFrom(',', '=', 'a'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })) })
            .filter((name) => !name.includes('\0')),
          password: fc.string({ minLength: 1, maxLength: 16, unit: 'grapheme' }),
          salt: fc.uint8Array({ minLength: 1, maxLength: 24 }),
          iterations: fc.integer({ min: 1, max: 40 }),
          serverNonce: fc.stringMatching(/^[\x21-\x2b\x2d-\x7e]{1,20}$/),
        }, { noNullPrototype: true }),
        async ({ hash, username, password, salt, iterations, serverNonce }) => {
          const server = scramServer(hash, password, Buffer.from(salt), iterations, serverNonce);
          const scram = createScram({ hash, username, password, clientNonce: randomScramNonce(), minIterations: 1 });
          const { serverFirst, username: seen } = server.first(utf8((await scram.start()) ?? EMPTY));
          assert.equal(seen, username);
          const serverFinal = server.final(utf8(await scram.challenge(bytes(serverFirst))));
          assert.ok(serverFinal.startsWith('v='), serverFinal);
          await scram.success(bytes(serverFinal));
        },
      ), { numRuns: 60 });
    });

    it('a wrong password gets e=invalid-proof from the server, which the client reports as SASL_FAILURE', async () => {
      const server = scramServer('SHA-256', 'right', randomBytes(16), 10, 'srv');
      const scram = createScram({ hash: 'SHA-256', username: 'u', password: 'wrong', clientNonce: 'cli', minIterations: 1 });
      const { serverFirst } = server.first(utf8((await scram.start()) ?? EMPTY));
      const serverFinal = server.final(utf8(await scram.challenge(bytes(serverFirst))));
      await rejectsWith(scram.success(bytes(serverFinal)), 'SASL_FAILURE', 'invalid-proof');
    });
  });

  describe('key cache', () => {
    it('a second exchange with the same credentials, salt and count skips PBKDF2 and gives the same proof', async () => {
      const { subtle, pbkdf2Calls } = countingSubtle();
      const cache = createScramKeyCache();
      assert.equal(await toClientFinal(rfcMechanism(RFC7677, { cache, subtle }), RFC7677.serverFirst), RFC7677.clientFinal);
      assert.equal(pbkdf2Calls(), 1);
      // Not kept yet: the server has not proved itself, so a second run still derives.
      const first = rfcMechanism(RFC7677, { cache, subtle });
      await toClientFinal(first, RFC7677.serverFirst);
      assert.equal(pbkdf2Calls(), 2);
      await first.success(bytes(RFC7677.serverFinal));
      const second = rfcMechanism(RFC7677, { cache, subtle });
      assert.equal(await toClientFinal(second, RFC7677.serverFirst), RFC7677.clientFinal);
      await second.success(bytes(RFC7677.serverFinal));
      assert.equal(pbkdf2Calls(), 2, 'the cache hit ran PBKDF2');
    });

    it('a different salt, count, password or hash misses; a failed signature stores nothing', async () => {
      const { subtle, pbkdf2Calls } = countingSubtle();
      const cache = createScramKeyCache();
      const server = (password: string, salt: Buffer, iterations: number, hash: ScramHash = 'SHA-1') => scramServer(hash, password, salt, iterations, 'srv');
      const run = async (password: string, s: ReturnType<typeof server>, hash: ScramHash = 'SHA-1', forge = false) => {
        const scram = createScram({ hash, username: 'u', password, clientNonce: 'cli', minIterations: 1, cache, subtle });
        const final = s.final(utf8(await scram.challenge(bytes(s.first(utf8((await scram.start()) ?? EMPTY)).serverFirst))));
        await scram.success(bytes(forge ? 'v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=' : final)).catch(() => undefined);
      };
      const salt = randomBytes(16);
      await run('pw', server('pw', salt, 5));
      await run('pw', server('pw', salt, 5));
      assert.equal(pbkdf2Calls(), 1);
      await run('pw', server('pw', randomBytes(16), 5));
      await run('pw', server('pw', salt, 6));
      await run('pw2', server('pw2', salt, 5));
      await run('pw', server('pw', salt, 5, 'SHA-256'), 'SHA-256');
      assert.equal(pbkdf2Calls(), 5);
      const forgedSalt = randomBytes(16);
      await run('pw', server('pw', forgedSalt, 5), 'SHA-1', true);
      await run('pw', server('pw', forgedSalt, 5));
      assert.equal(pbkdf2Calls(), 7, 'keys of an exchange whose signature failed were kept');
    });

    it('keys entries by a digest: the password never appears in a key', async () => {
      const keys: string[] = [];
      const inner = createScramKeyCache();
      const spy: ScramKeyCache = {
        get: (key) => { keys.push(key); return inner.get(key); },
        set: (key, value) => { keys.push(key); inner.set(key, value); },
        clear: () => inner.clear(),
      };
      const scram = rfcMechanism(RFC5802, { cache: spy });
      await toClientFinal(scram, RFC5802.serverFirst);
      await scram.success(bytes(RFC5802.serverFinal));
      assert.equal(keys.length, 2);
      for (const key of keys) {
        assert.match(key, /^[0-9a-f]{40}$/);
        assert.ok(!key.includes('pencil'));
      }
    });

    it('createScramKeyCache keeps the most recently used entries up to its size; clear() empties it', () => {
      const cache = createScramKeyCache(2);
      const keys: ScramKeys = { clientKey: new Uint8Array([1]), serverKey: new Uint8Array([2]), storedKey: new Uint8Array([3]) };
      cache.set('a', keys);
      cache.set('b', keys);
      assert.equal(cache.get('a'), keys); // a is now the most recent
      cache.set('c', keys);
      assert.equal(cache.get('b'), undefined);
      assert.equal(cache.get('a'), keys);
      assert.equal(cache.get('c'), keys);
      cache.clear();
      assert.equal(cache.get('a'), undefined);
    });
  });
});
