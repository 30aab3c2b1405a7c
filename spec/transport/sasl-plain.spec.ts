// Specs of lib/transport/sasl-plain.ts: PLAIN (RFC 4616), `\0username\0password` in UTF-8.

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { SaslError } from '../../lib/errors.js';
import { createPlain } from '../../lib/transport/sasl-plain.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const isProtocolError = (error: unknown): boolean => error instanceof SaslError && error.code === 'SASL_PROTOCOL';

describe('sasl-plain', () => {
  it('RFC 4616 §4: sends "\\0tim\\0tanstaaftanstaaf" for tim / tanstaaftanstaaf', async () => {
    const plain = createPlain({ username: 'tim', password: 'tanstaaftanstaaf' });
    assert.equal(plain.name, 'PLAIN');
    assert.deepEqual(await plain.start(), bytes('\0tim\0tanstaaftanstaaf'));
    await plain.success(new Uint8Array(0));
  });

  it('encodes any username and password as UTF-8 between NULs', async () => {
    const part = fc.string({ minLength: 1, unit: 'grapheme' }).filter((text) => !text.includes('\0'));
    await fc.assert(fc.asyncProperty(part, part, async (username, password) => {
      const message = await createPlain({ username, password }).start();
      assert.ok(message);
      const [authzid, authcid, passwd, ...rest] = new TextDecoder('utf-8', { fatal: true }).decode(message).split('\0');
      assert.deepEqual([authzid, authcid, passwd, rest.length], ['', username, password, 0]);
    }));
  });

  it('refuses an empty username or password, or one holding NUL (RFC 4616 §2)', () => {
    for (const [username, password] of [['', 'p'], ['u', ''], ['u\0x', 'p'], ['u', 'p\0x'], ['\udc00', 'p']] as const) {
      assert.throws(() => createPlain({ username, password }), isProtocolError);
    }
  });

  it('refuses a challenge, success data, success before start, and a second start', async () => {
    const plain = createPlain({ username: 'u', password: 'p' });
    await assert.rejects(plain.success(new Uint8Array(0)), isProtocolError);
    await plain.start();
    await assert.rejects(plain.start(), isProtocolError);
    await assert.rejects(plain.challenge(bytes('x')), isProtocolError);
    await assert.rejects(plain.success(bytes('v=abc')), isProtocolError);
  });
});
