// Specs of lib/transport/sasl-oauth.ts: OAUTHBEARER (RFC 7628 §3.1) and X-OAUTH2 (`\0username\0token`).

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { SaslError } from '../../lib/errors.js';
import { createOAuthBearer, createXOAuth2 } from '../../lib/transport/sasl-oauth.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const utf8 = (data: Uint8Array | undefined): string => new TextDecoder().decode(data);
const isProtocolError = (error: unknown): boolean => error instanceof SaslError && error.code === 'SASL_PROTOCOL';
const EMPTY = new Uint8Array(0);
// Shaped like the token of the Prosody token module in the recorded transcript (spec/fixtures).
const TOKEN = 'MTt0b2tfbXd6cmM0ajlAbG9jYWxob3N0O2pqWFZvN0JxUG5jVUlFeVZOdDNqZktXeFY4TzhXd2NJa3hzMw==';
const b64token = fc.stringMatching(/^[A-Za-z0-9\-._~+/]{1,40}={0,2}$/);

describe('sasl-oauth', () => {
  describe('OAUTHBEARER', () => {
    it('RFC 7628 §4.1 shape: n,a=user@example.com,^Ahost=example.com^Aauth=Bearer <token>^A^A', async () => {
      const mechanism = createOAuthBearer({ username: 'user', domain: 'example.com', token: 'vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==' });
      assert.equal(mechanism.name, 'OAUTHBEARER');
      assert.equal(
        utf8(await mechanism.start()),
        'n,a=user@example.com,\x01host=example.com\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01',
      );
      await mechanism.success(EMPTY);
      assert.equal(mechanism.serverError, undefined);
    });

    it('escapes "," and "=" of the authorization identity (RFC 5801 §4 saslname)', async () => {
      const mechanism = createOAuthBearer({ username: 'a,b=c', domain: 'localhost', token: TOKEN });
      assert.ok(utf8(await mechanism.start()).startsWith('n,a=a=2Cb=3Dc@localhost,\x01host=localhost\x01'));
    });

    it('holds exactly the three key-value pairs for any b64token', async () => {
      await fc.assert(fc.asyncProperty(b64token, async (token) => {
        const message = utf8(await createOAuthBearer({ username: 'u', domain: 'localhost', token }).start());
        const [gs2, ...pairs] = message.split('\x01');
        assert.equal(gs2, 'n,a=u@localhost,');
        assert.deepEqual(pairs, ['host=localhost', `auth=Bearer ${token}`, '', '']);
      }));
    });

    it('answers an error challenge with a single 0x01 (RFC 7628 §3.2.3) and keeps what the server said', async () => {
      const mechanism = createOAuthBearer({ username: 'u', domain: 'localhost', token: TOKEN });
      await mechanism.start();
      const error = '{"status":"invalid_token","scope":"example_scope","openid-configuration":"https://example.com/.well-known/openid-configuration"}';
      assert.deepEqual(await mechanism.challenge(bytes(error)), new Uint8Array([1]));
      assert.deepEqual(mechanism.serverError, {
        status: 'invalid_token', scope: 'example_scope', openidConfiguration: 'https://example.com/.well-known/openid-configuration',
      });
      await assert.rejects(mechanism.challenge(bytes(error)), isProtocolError);
      await assert.rejects(mechanism.success(EMPTY), isProtocolError);
    });

    it('answers a challenge that is not JSON with 0x01 too, with an empty status', async () => {
      const mechanism = createOAuthBearer({ username: 'u', domain: 'localhost', token: TOKEN });
      await mechanism.start();
      assert.deepEqual(await mechanism.challenge(bytes('not json')), new Uint8Array([1]));
      assert.equal(mechanism.serverError?.status, '');
    });

    it('refuses a token that is not a b64token, a bad domain, an empty username, success data', async () => {
      for (const token of ['', 'has space', 'tab\t', 'a\x01b', '==abc', 'é']) {
        assert.throws(() => createOAuthBearer({ username: 'u', domain: 'localhost', token }), isProtocolError, token);
      }
      assert.throws(() => createOAuthBearer({ username: 'u', domain: 'local host', token: TOKEN }), isProtocolError);
      assert.throws(() => createOAuthBearer({ username: 'u', domain: 'a\x01b', token: TOKEN }), isProtocolError);
      assert.throws(() => createOAuthBearer({ username: '', domain: 'localhost', token: TOKEN }), isProtocolError);
      const mechanism = createOAuthBearer({ username: 'u', domain: 'localhost', token: TOKEN });
      await assert.rejects(mechanism.success(EMPTY), isProtocolError);
      await mechanism.start();
      await assert.rejects(mechanism.start(), isProtocolError);
      await assert.rejects(mechanism.success(bytes('x')), isProtocolError);
    });
  });

  describe('X-OAUTH2', () => {
    it('sends \\0username\\0token, no challenge, empty success', async () => {
      const mechanism = createXOAuth2({ username: 'tok_mwzrc4j9', token: TOKEN });
      assert.equal(mechanism.name, 'X-OAUTH2');
      assert.equal(utf8(await mechanism.start()), `\0tok_mwzrc4j9\0${TOKEN}`);
      await mechanism.success(EMPTY);
    });

    it('refuses a bad token, an empty username or NUL, a challenge, success data, steps out of order', async () => {
      assert.throws(() => createXOAuth2({ username: 'u', token: 'a b' }), isProtocolError);
      assert.throws(() => createXOAuth2({ username: '', token: TOKEN }), isProtocolError);
      assert.throws(() => createXOAuth2({ username: 'u\0v', token: TOKEN }), isProtocolError);
      const mechanism = createXOAuth2({ username: 'u', token: TOKEN });
      await assert.rejects(mechanism.success(EMPTY), isProtocolError);
      await mechanism.start();
      await assert.rejects(mechanism.start(), isProtocolError);
      await assert.rejects(mechanism.challenge(bytes('x')), isProtocolError);
      await assert.rejects(mechanism.success(bytes('x')), isProtocolError);
    });
  });
});
