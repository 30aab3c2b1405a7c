// Specs of lib/transport/sasl-select.ts: which mechanism for which offer, credentials and connection
// (RFC 6120 §6.3.3, §13.8), SASLprep on the way in, the SASL_NO_MECHANISM explanation, loopback hosts.
// The offers include what Prosody 0.12 and ejabberd 23.01 really sent (spec/fixtures).

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { SaslError } from '../../lib/errors.js';
import { parseStreamFeatures } from '../../lib/stanzas/stream-features.js';
import type { SaslContext, SaslCredentials } from '../../lib/transport/sasl-mechanism.js';
import { isLoopbackHost, selectMechanism } from '../../lib/transport/sasl-select.js';
import { createScramKeyCache } from '../../lib/transport/scram.js';
import { realStanza } from '../support/fixtures.js';

const utf8 = (data: Uint8Array | undefined): string => new TextDecoder().decode(data);
const offerOf = (server: 'prosody' | 'ejabberd'): readonly string[] =>
  parseStreamFeatures(realStanza('stream features before auth (ws, plain http)', server)).mechanisms;

const TLS: SaslContext = { secure: true, loopback: false, allowPlainAuth: false };
const PLAIN_REMOTE: SaslContext = { secure: false, loopback: false, allowPlainAuth: false };
const PLAIN_LOOPBACK: SaslContext = { secure: false, loopback: true, allowPlainAuth: false };
const ALLOWED: SaslContext = { secure: false, loopback: false, allowPlainAuth: true };

const PASSWORD: SaslCredentials = { username: 'alice', password: 'secret', domain: 'localhost' };
const TOKEN: SaslCredentials = { username: 'alice', token: 'dG9rZW4=', domain: 'localhost' };
const BOTH: SaslCredentials = { ...PASSWORD, token: 'dG9rZW4=' };
const NEITHER: SaslCredentials = { username: 'alice', domain: 'localhost' };

async function refusal(offered: readonly string[], credentials: SaslCredentials, context: SaslContext): Promise<string> {
  try {
    const chosen = await selectMechanism(offered, credentials, context);
    return assert.fail(`chose ${chosen.name}`);
  } catch (error) {
    assert.ok(error instanceof SaslError, String(error));
    assert.equal(error.code, 'SASL_NO_MECHANISM');
    return error.message;
  }
}

describe('sasl-select', () => {
  it('reads the real offers of both servers from the fixtures', () => {
    assert.deepEqual(offerOf('prosody'), ['SCRAM-SHA-1', 'OAUTHBEARER', 'PLAIN', 'X-OAUTH2']);
    assert.deepEqual(offerOf('ejabberd'), ['DIGEST-MD5', 'PLAIN', 'SCRAM-SHA-512', 'SCRAM-SHA-256', 'SCRAM-SHA-1', 'X-OAUTH2']);
  });

  // [offer, credentials, context, expected mechanism]
  const table: readonly (readonly [string, readonly string[], SaslCredentials, SaslContext, string])[] = [
    ['Prosody, password, TLS', offerOf('prosody'), PASSWORD, TLS, 'SCRAM-SHA-1'],
    ['Prosody, password, plain remote', offerOf('prosody'), PASSWORD, PLAIN_REMOTE, 'SCRAM-SHA-1'],
    ['Prosody, token, loopback', offerOf('prosody'), TOKEN, PLAIN_LOOPBACK, 'OAUTHBEARER'],
    ['Prosody, token and password', offerOf('prosody'), BOTH, TLS, 'SCRAM-SHA-1'],
    ['ejabberd, password, plain remote', offerOf('ejabberd'), PASSWORD, PLAIN_REMOTE, 'SCRAM-SHA-256'],
    ['ejabberd, token, TLS', offerOf('ejabberd'), TOKEN, TLS, 'X-OAUTH2'],
    ['ejabberd, token, allowPlainAuth', offerOf('ejabberd'), TOKEN, ALLOWED, 'X-OAUTH2'],
    ['SCRAM-SHA-1 before PLAIN whatever the order', ['PLAIN', 'SCRAM-SHA-1'], PASSWORD, TLS, 'SCRAM-SHA-1'],
    ['SCRAM-SHA-256 before SCRAM-SHA-1', ['SCRAM-SHA-1', 'SCRAM-SHA-256'], PASSWORD, PLAIN_REMOTE, 'SCRAM-SHA-256'],
    ['PLAIN only, over TLS', ['PLAIN'], PASSWORD, TLS, 'PLAIN'],
    ['PLAIN only, loopback', ['PLAIN'], PASSWORD, PLAIN_LOOPBACK, 'PLAIN'],
    ['PLAIN only, allowPlainAuth', ['PLAIN'], PASSWORD, ALLOWED, 'PLAIN'],
    ['OAUTHBEARER before X-OAUTH2', ['X-OAUTH2', 'OAUTHBEARER'], TOKEN, TLS, 'OAUTHBEARER'],
    ['password mechanisms before token ones when both are given', ['PLAIN', 'X-OAUTH2'], BOTH, ALLOWED, 'PLAIN'],
    ['token used when no password mechanism is offered', ['X-OAUTH2'], BOTH, TLS, 'X-OAUTH2'],
  ];
  for (const [title, offered, credentials, context, expected] of table) {
    it(`chooses ${expected}: ${title}`, async () => {
      assert.equal((await selectMechanism(offered, credentials, context)).name, expected);
    });
  }

  it('refuses PLAIN without TLS or loopback, naming the offer and the reason', async () => {
    const message = await refusal(['PLAIN', 'DIGEST-MD5'], PASSWORD, PLAIN_REMOTE);
    assert.match(message, /offered: PLAIN, DIGEST-MD5/);
    assert.match(message, /PLAIN refused: not TLS and not loopback; set allowPlainAuth to allow/);
    assert.match(message, /DIGEST-MD5 refused: not supported/);
  });

  it('refuses bearer tokens without TLS or loopback too (RFC 6750 §5.3)', async () => {
    const message = await refusal(offerOf('prosody'), TOKEN, PLAIN_REMOTE);
    assert.match(message, /OAUTHBEARER refused: not TLS and not loopback/);
    assert.match(message, /X-OAUTH2 refused: not TLS and not loopback/);
    assert.match(message, /SCRAM-SHA-1 refused: needs a password/);
  });

  it('explains every refusal: no credentials, nothing offered, unsupported and -PLUS mechanisms', async () => {
    assert.match(await refusal(offerOf('ejabberd'), NEITHER, TLS), /no password and no token given.*SCRAM-SHA-256 refused: needs a password.*SCRAM-SHA-512 refused: not supported/);
    assert.match(await refusal([], PASSWORD, TLS), /offered: nothing/);
    assert.match(await refusal(['SCRAM-SHA-1-PLUS', 'EXTERNAL'], PASSWORD, TLS), /SCRAM-SHA-1-PLUS refused: channel binding not supported; EXTERNAL refused: not supported/);
    assert.match(await refusal(['SCRAM-SHA-1'], TOKEN, TLS), /SCRAM-SHA-1 refused: needs a password/);
  });

  it('applies SASLprep to SCRAM and PLAIN credentials (RFC 4013 §3: "I\\u00ADX" and "\\u2168" are "IX")', async () => {
    const credentials: SaslCredentials = { username: 'I\u00ADX', password: '\u2168', domain: 'localhost' };
    const plain = await selectMechanism(['PLAIN'], credentials, TLS);
    assert.equal(utf8(await plain.start()), '\0IX\0IX');
    const scram = await selectMechanism(['SCRAM-SHA-1'], credentials, TLS, { nonce: () => 'fixed' });
    assert.equal(utf8(await scram.start()), 'n,,n=IX,r=fixed');
  });

  it('refuses credentials SASLprep refuses with SASL_PROTOCOL', async () => {
    await assert.rejects(selectMechanism(['SCRAM-SHA-1'], { ...PASSWORD, password: 'bell\u0007' }, TLS),
      (error: unknown) => error instanceof SaslError && error.code === 'SASL_PROTOCOL');
  });

  it('passes the nonce and the cache to SCRAM', async () => {
    let calls = 0;
    const scram = await selectMechanism(['SCRAM-SHA-256'], PASSWORD, TLS, { cache: createScramKeyCache(), nonce: () => `n${++calls}` });
    assert.equal(utf8(await scram.start()), 'n,,n=alice,r=n1');
    const random = await selectMechanism(['SCRAM-SHA-256'], PASSWORD, TLS);
    assert.match(utf8(await random.start()), /^n,,n=alice,r=[A-Za-z0-9+/]{32}$/);
  });

  it('builds OAUTHBEARER with the domain as host and X-OAUTH2 with the username', async () => {
    const bearer = await selectMechanism(['OAUTHBEARER'], TOKEN, TLS);
    assert.equal(utf8(await bearer.start()), 'n,a=alice@localhost,\x01host=localhost\x01auth=Bearer dG9rZW4=\x01\x01');
    const xoauth = await selectMechanism(['X-OAUTH2'], TOKEN, TLS);
    assert.equal(utf8(await xoauth.start()), '\0alice\0dG9rZW4=');
  });

  it('never chooses a cleartext mechanism without TLS, loopback or allowPlainAuth, for any offer', async () => {
    const names = ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'PLAIN', 'OAUTHBEARER', 'X-OAUTH2', 'DIGEST-MD5', 'SCRAM-SHA-512'];
    await fc.assert(fc.asyncProperty(
      fc.subarray(names), fc.constantFrom(PASSWORD, TOKEN, BOTH), fc.boolean(), fc.boolean(), fc.boolean(),
      async (offered, credentials, secure, loopback, allowPlainAuth) => {
        const chosen = await selectMechanism(offered, credentials, { secure, loopback, allowPlainAuth }).then((m) => m.name, () => '');
        if (['PLAIN', 'OAUTHBEARER', 'X-OAUTH2'].includes(chosen)) assert.ok(secure || loopback || allowPlainAuth, chosen);
        if (chosen !== '') assert.ok(offered.includes(chosen), chosen);
        const scram = offered.find((name) => name === 'SCRAM-SHA-256' || name === 'SCRAM-SHA-1');
        if (scram !== undefined && credentials.password !== undefined) assert.match(chosen, /^SCRAM-/);
      },
    ));
  });

  describe('isLoopbackHost', () => {
    const loopback = ['localhost', 'LOCALHOST', 'localhost.', 'xmpp.localhost', 'a.b.localhost', '127.0.0.1', '127.255.255.254',
      '127.1', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '[::ffff:7f00:1]'];
    const remote = ['', 'example.com', 'localhost.example.com', 'mylocalhost', '128.0.0.1', '10.0.0.1', '126.255.255.255', '::', '::2',
      '[::ffff:10.0.0.1]', '127.0.0.256', 'evil.com/127.0.0.1', 'user@127.0.0.1', '127.0.0.1 ', '::1%lo', 'localhost:5280'];
    for (const host of loopback) it(`${JSON.stringify(host)} is loopback`, () => assert.equal(isLoopbackHost(host), true));
    for (const host of remote) it(`${JSON.stringify(host)} is not loopback`, () => assert.equal(isLoopbackHost(host), false));
  });
});
