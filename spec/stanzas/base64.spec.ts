// Base64url (RFC 4648 §5) next to base64 (§4): the test vectors of RFC 4648 §10 in the URL alphabet,
// round trips over random bytes against Node's own encoder, and refusal of what is not base64url.

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { StanzaParseError } from '../../lib/errors.js';
import { buildBase64Url, parseBase64Url } from '../../lib/stanzas/base64.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('stanzas/base64 (base64url)', () => {
  it('encodes the RFC 4648 §10 vectors without padding', () => {
    const vectors: [string, string][] = [['', ''], ['f', 'Zg'], ['fo', 'Zm8'], ['foo', 'Zm9v'], ['foob', 'Zm9vYg'], ['fooba', 'Zm9vYmE'], ['foobar', 'Zm9vYmFy']];
    for (const [plain, encoded] of vectors) {
      assert.equal(buildBase64Url(bytes(plain)), encoded);
      assert.deepEqual(parseBase64Url(encoded), bytes(plain));
    }
    assert.equal(buildBase64Url(Uint8Array.from([0xfb, 0xff, 0xbf])), '-_-_');
    assert.deepEqual(parseBase64Url('Zm8='), bytes('fo'), 'padding is accepted');
  });

  it('round-trips any bytes, as Node encodes them', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (data) => {
      const text = buildBase64Url(data);
      assert.equal(text, Buffer.from(data).toString('base64url'));
      assert.deepEqual(parseBase64Url(text), data);
    }));
  });

  it('refuses what is not base64url', () => {
    for (const bad of ['a', 'Zm9v+', 'Zm/v', 'Zm 9v', 'Zm9vY', '====']) {
      assert.throws(() => parseBase64Url(bad), (error: unknown) => error instanceof StanzaParseError && error.code === 'STANZA_INVALID_VALUE', bad);
    }
  });
});
