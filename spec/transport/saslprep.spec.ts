// Specs of lib/transport/saslprep.ts: SASLprep (RFC 4013) with a printable-ASCII fast path that loads
// nothing, and the examples of RFC 4013 §3 through the real @mongodb-js/saslprep.

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { SaslError } from '../../lib/errors.js';
import { saslprep, type SaslprepFunction, type SaslprepLoader } from '../../lib/transport/saslprep.js';

/** A loader that counts its calls and hands out the real implementation. */
function countingLoader(): { readonly load: SaslprepLoader; readonly loads: () => number } {
  let loads = 0;
  return {
    load: async () => {
      loads++;
      const module = await import('@mongodb-js/saslprep');
      return module.default;
    },
    loads: () => loads,
  };
}

const isProtocolError = (error: unknown): boolean => error instanceof SaslError && error.code === 'SASL_PROTOCOL';

describe('saslprep', () => {
  it('returns printable ASCII (and the empty string) unchanged without loading anything', async () => {
    const { load, loads } = countingLoader();
    await fc.assert(fc.asyncProperty(fc.stringMatching(/^[\x20-\x7e]*$/), async (text) => {
      assert.equal(await saslprep(text, { load }), text);
    }));
    assert.equal(await saslprep('', { load }), '');
    assert.equal(loads(), 0);
  });

  it('loads the implementation for anything else', async () => {
    const { load, loads } = countingLoader();
    assert.equal(await saslprep('caf\u00e9', { load }), 'caf\u00e9');
    assert.equal(loads(), 1);
  });

  // RFC 4013 §3 (Examples).
  const examples: readonly (readonly [string, string, string])[] = [
    ['I\u00ADX', 'IX', 'SOFT HYPHEN mapped to nothing'],
    ['user', 'user', 'no transformation'],
    ['USER', 'USER', 'case preserved, will not match #2'],
    ['\u00AA', 'a', 'output is NFKC, input in ISO 8859-1'],
    ['\u2168', 'IX', 'output is NFKC, will match #1'],
  ];
  for (const [input, output, comment] of examples) {
    it(`RFC 4013 §3: ${JSON.stringify(input)} → ${JSON.stringify(output)} (${comment})`, async () => {
      assert.equal(await saslprep(input), output);
    });
  }

  it('RFC 4013 §3: "\\u0007" is an error (prohibited character)', async () => {
    await assert.rejects(saslprep('\u0007'), isProtocolError);
  });

  it('RFC 4013 §3: "\\u0627\\u0031" is an error (bidi check, RFC 3454 §6)', async () => {
    await assert.rejects(saslprep('\u0627\u0031'), isProtocolError);
  });

  it('maps non-ASCII spaces to SPACE (RFC 4013 §2.1) and refuses other prohibited output (§2.3)', async () => {
    assert.equal(await saslprep('a\u00A0b\u2003c'), 'a b c');
    for (const bad of ['a\u0000b', 'a\u007Fb', '\uE000', 'a\uFFFDb\u200E', '\u{F0000}']) {
      await assert.rejects(saslprep(bad), isProtocolError, JSON.stringify(bad));
    }
  });

  it('allows unassigned code points (a "query" string, RFC 5802 §2.2)', async () => {
    assert.equal(await saslprep('a\u0378b'), 'a\u0378b'); // U+0378 is unassigned in Unicode 3.2
  });

  it('a failing loader is a SaslError SASL_PROTOCOL with the load error as cause; not for ASCII', async () => {
    const failure = new Error('offline');
    const load: SaslprepLoader = () => Promise.reject(failure);
    await assert.rejects(saslprep('\u00e9', { load }), (error: unknown) => isProtocolError(error) && (error as SaslError).cause === failure);
    assert.equal(await saslprep('ascii', { load }), 'ascii');
  });

  it('an implementation that throws a non-Error still yields a SaslError', async () => {
    const throwing: SaslprepFunction = () => { throw 'not an error'; };
    await assert.rejects(saslprep('\u00e9', { load: async () => throwing }), isProtocolError);
  });
});
