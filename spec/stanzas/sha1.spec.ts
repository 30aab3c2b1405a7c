import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { buildBase64 as base64Encode } from '../../lib/stanzas/base64.js';
import { sha1, utf8Encode } from '../../lib/stanzas/sha1.js';

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

describe('stanzas/sha1 (FIPS 180-4, RFC 4648 base64)', () => {
  describe('golden vectors', () => {
    it('hashes the FIPS 180-4 / RFC 3174 test messages', () => {
      // FIPS 180-2 Appendix A.1, A.2, A.3; RFC 3174 §7.3 TEST1, TEST2, TEST3, TEST4.
      assert.equal(hex(sha1(ascii('abc'))), 'a9993e364706816aba3e25717850c26c9cd0d89d');
      assert.equal(hex(sha1(ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))), '84983e441c3bd26ebaae4aa1f95129e5e54670f1');
      assert.equal(hex(sha1(new Uint8Array(1_000_000).fill(0x61))), '34aa973cd4c4daa4f61eeb2bdbad27316534016f');
      assert.equal(hex(sha1(ascii('01234567'.repeat(80)))), 'dea356a2cddd90c7a7ecedc5ebb563934f460452');
    });

    it('hashes the empty message and messages at the padding boundaries', () => {
      assert.equal(hex(sha1(new Uint8Array(0))), 'da39a3ee5e6b4b0d3255bfef95601890afd80709');
      for (const length of [55, 56, 63, 64, 65, 119, 120, 128]) {
        const data = new Uint8Array(length).fill(0x5a);
        assert.equal(hex(sha1(data)), createHash('sha1').update(data).digest('hex'), `length ${length}`);
      }
    });

    it('encodes the RFC 4648 §10 base64 vectors', () => {
      const vectors: [string, string][] = [['', ''], ['f', 'Zg=='], ['fo', 'Zm8='], ['foo', 'Zm9v'], ['foob', 'Zm9vYg=='], ['fooba', 'Zm9vYmE='], ['foobar', 'Zm9vYmFy']];
      for (const [text, encoded] of vectors) assert.equal(base64Encode(ascii(text)), encoded);
      assert.equal(base64Encode(Uint8Array.of(0xfb, 0xff, 0xbf)), '+/+/');
    });

    it('encodes UTF-8 (1 to 4 byte sequences)', () => {
      assert.deepEqual(Array.from(utf8Encode('aé中💬')), [0x61, 0xc3, 0xa9, 0xe4, 0xb8, 0xad, 0xf0, 0x9f, 0x92, 0xac]);
      assert.deepEqual(Array.from(utf8Encode('')), []);
    });

    it('uses no Node built-in, so that it runs in browsers', () => {
      const source = readFileSync(new URL('../../lib/stanzas/sha1.ts', import.meta.url), 'utf8');
      assert.doesNotMatch(source, /\bBuffer\b|from '(node:)?(crypto|buffer)'|\brequire\(/);
      assert.doesNotMatch(source, /^import /m);
    });
  });

  describe('against node:crypto and Buffer on random input', () => {
    it('sha1 equals createHash("sha1")', () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        assert.equal(hex(sha1(data)), createHash('sha1').update(data).digest('hex'));
      }), { numRuns: 300 });
    });

    it('base64Encode equals Buffer base64', () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (data) => {
        assert.equal(base64Encode(data), Buffer.from(data).toString('base64'));
      }));
    });

    it('utf8Encode equals Buffer utf8 for well-formed strings', () => {
      fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => {
        assert.deepEqual(Buffer.from(utf8Encode(text)), Buffer.from(text, 'utf8'));
      }));
    });

    it('the base64 SHA-1 of UTF-8 text equals node:crypto (the XEP-0115 hash pipeline)', () => {
      fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (text) => {
        assert.equal(base64Encode(sha1(utf8Encode(text))), createHash('sha1').update(text, 'utf8').digest('base64'));
      }));
    });
  });
});
