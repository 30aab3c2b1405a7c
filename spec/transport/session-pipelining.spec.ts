// Specs of lib/transport/session-pipelining.ts (an <auth/> sent ahead of the stream features, XEP-0305
// §3) and of lib/transport/sasl-exchange.ts (the exchange, with an <auth/> already sent or abandoned),
// over a scripted stream: what goes out, in which order, and what a server's answers make of it.

import { strict as assert } from 'node:assert';
import type { Element } from 'ltx';
import { SaslError } from '../../lib/errors.js';
import { buildSaslChallenge, buildSaslFailure, buildSaslSuccess, parseSaslMessage } from '../../lib/stanzas/sasl.js';
import { abandonSaslExchange, buildSaslAuthFor, runSaslExchange, type SaslExchangeIo } from '../../lib/transport/sasl-exchange.js';
import { createPlain } from '../../lib/transport/sasl-plain.js';
import { createScramKeyCache } from '../../lib/transport/scram.js';
import { EarlyAuth, prepareEarlyAuth, type PreparedAuth } from '../../lib/transport/session-pipelining.js';

const credentials = { username: 'alice', password: 'pencil', domain: 'localhost' };

/** A stream whose server answers come from a script; `sent` lists what the client sent, as `name[ mechanism]`. */
function scripted(answers: Element[]): SaslExchangeIo & { readonly sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    send: (element) => sent.push(`${element.name}${element.attrs.mechanism ? ` ${String(element.attrs.mechanism)}` : ''}`),
    next: async (match) => {
      const answer = answers.shift() ?? assert.fail('the script has no more answers');
      assert.ok(match(answer));
      return answer;
    },
  };
}

describe('transport/session-pipelining', () => {
  describe('prepareEarlyAuth', () => {
    it('nothing without a memory of the server, without a password, or without SCRAM offered last time', async () => {
      assert.equal(await prepareEarlyAuth(undefined, credentials, {}), undefined);
      assert.equal(await prepareEarlyAuth({ mechanisms: ['SCRAM-SHA-1'] }, { username: 'alice', token: 'dG9rZW4', domain: 'localhost' }, {}), undefined);
      assert.equal(await prepareEarlyAuth({ mechanisms: ['PLAIN', 'OAUTHBEARER'] }, credentials, {}), undefined);
    });

    it('the strongest SCRAM offered last time, with its client-first in the <auth/>', async () => {
      const prepared = await prepareEarlyAuth({ mechanisms: ['PLAIN', 'SCRAM-SHA-1', 'SCRAM-SHA-256'] }, credentials, { nonce: () => 'fyko+d2lbbFgONRv9qkxdawL' });
      assert.equal(prepared?.mechanism.name, 'SCRAM-SHA-256');
      assert.equal(prepared?.auth.attrs.mechanism, 'SCRAM-SHA-256');
      const message = parseSaslMessage(prepared?.auth ?? assert.fail('nothing prepared'));
      assert.equal(message.kind, 'auth');
      assert.equal(Buffer.from(message.kind === 'auth' ? message.data : '', 'base64').toString(), 'n,,n=alice,r=fyko+d2lbbFgONRv9qkxdawL');
    });

    it('SASLprep refusing the credentials rejects as the login would (SASL_PROTOCOL)', async () => {
      await assert.rejects(prepareEarlyAuth({ mechanisms: ['SCRAM-SHA-1'] }, { ...credentials, password: 'pen\u0007cil' }, {}),
        (e: unknown) => e instanceof SaslError && e.code === 'SASL_PROTOCOL');
    });
  });

  describe('EarlyAuth', () => {
    const prepare = (): Promise<PreparedAuth | undefined> =>
      prepareEarlyAuth({ mechanisms: ['SCRAM-SHA-1'] }, credentials, { cache: createScramKeyCache() });

    it('sends once both the header is out and the <auth/> is prepared, in either order, and only once', async () => {
      const headerFirst = scripted([]);
      const early = new EarlyAuth(prepare(), headerFirst.send);
      early.headerSent();
      assert.deepEqual(headerFirst.sent, []);
      await new Promise((resolve) => setTimeout(resolve, 5));
      assert.deepEqual(headerFirst.sent, ['auth SCRAM-SHA-1']);
      early.headerSent();
      assert.deepEqual(headerFirst.sent, ['auth SCRAM-SHA-1']);

      const preparedFirst = scripted([]);
      const other = new EarlyAuth(prepare(), preparedFirst.send);
      await new Promise((resolve) => setTimeout(resolve, 5));
      assert.deepEqual(preparedFirst.sent, []);
      other.headerSent();
      assert.deepEqual(preparedFirst.sent, ['auth SCRAM-SHA-1']);
    });

    it('nothing goes out once settled, and settling then says to select from the features', async () => {
      const io = scripted([]);
      const early = new EarlyAuth(prepare(), io.send);
      assert.equal(await early.settle(['SCRAM-SHA-1'], 'SCRAM-SHA-1', io), undefined); // not even prepared yet
      early.headerSent();
      await new Promise((resolve) => setTimeout(resolve, 5));
      assert.deepEqual(io.sent, []);
    });

    it('a send that throws (the stream is gone) counts as nothing sent', async () => {
      const early = new EarlyAuth(prepare(), () => { throw new Error('closed'); });
      early.headerSent();
      await new Promise((resolve) => setTimeout(resolve, 5));
      assert.equal(await early.settle(['SCRAM-SHA-1'], 'PLAIN', scripted([])), undefined);
    });

    it('a refused preparation sends nothing', async () => {
      const io = scripted([]);
      const early = new EarlyAuth(Promise.reject(new SaslError('SASL_PROTOCOL', '', 'refused')), io.send);
      early.headerSent();
      await new Promise((resolve) => setTimeout(resolve, 5));
      assert.deepEqual(io.sent, []);
      assert.equal(await early.settle(['SCRAM-SHA-1'], 'SCRAM-SHA-1', io), undefined);
    });

    it('prepared but never sent ahead (no header hook): used at settling when it is the preferred one, its <auth/> sent then', async () => {
      const io = scripted([]);
      const kept = new EarlyAuth(prepare(), io.send);
      await new Promise((resolve) => setTimeout(resolve, 5));
      assert.deepEqual(io.sent, []);
      assert.equal((await kept.settle(['SCRAM-SHA-1', 'PLAIN'], 'SCRAM-SHA-1', io))?.name, 'SCRAM-SHA-1');
      assert.deepEqual(io.sent, ['auth SCRAM-SHA-1']);
      const other = scripted([]);
      const dropped = new EarlyAuth(prepare(), other.send);
      await new Promise((resolve) => setTimeout(resolve, 5));
      assert.equal(await dropped.settle(['SCRAM-SHA-256', 'SCRAM-SHA-1'], 'SCRAM-SHA-256', other), undefined);
      assert.deepEqual(other.sent, []);
    });

    it('settling with the mechanism offered: the exchange goes on with it; not offered: ended at the server\'s failure', async () => {
      const io = scripted([buildSaslFailure('invalid-mechanism')]);
      const offered = new EarlyAuth(prepare(), io.send);
      offered.headerSent();
      await new Promise((resolve) => setTimeout(resolve, 5));
      assert.equal((await offered.settle(['PLAIN', 'SCRAM-SHA-1'], 'SCRAM-SHA-1', io))?.name, 'SCRAM-SHA-1');

      const gone = new EarlyAuth(prepare(), io.send);
      gone.headerSent();
      await new Promise((resolve) => setTimeout(resolve, 5));
      assert.equal(await gone.settle(['PLAIN'], 'PLAIN', io), undefined);
      assert.deepEqual(io.sent, ['auth SCRAM-SHA-1', 'auth SCRAM-SHA-1']); // no <abort/>: the server refused it
    });
  });

  describe('sasl-exchange', () => {
    it('abandonSaslExchange: a failure ends it at once; a challenge is answered with one <abort/> and the failure awaited', async () => {
      const refused = scripted([buildSaslFailure('invalid-mechanism')]);
      await abandonSaslExchange(refused);
      assert.deepEqual(refused.sent, []);
      const started = scripted([buildSaslChallenge('cj1hYmM='), buildSaslFailure('aborted')]);
      await abandonSaslExchange(started);
      assert.deepEqual(started.sent, ['abort']);
    });

    it('abandonSaslExchange: success for a mechanism the server did not offer is SASL_PROTOCOL', async () => {
      await assert.rejects(abandonSaslExchange(scripted([buildSaslSuccess()])), (e: unknown) => e instanceof SaslError && e.code === 'SASL_PROTOCOL');
    });

    it('runSaslExchange with authSent sends no second <auth/>; without it sends one', async () => {
      const ahead = scripted([buildSaslSuccess()]);
      const started = createPlain({ username: 'alice', password: 'pencil' });
      assert.equal((await buildSaslAuthFor(started)).attrs.mechanism, 'PLAIN'); // the <auth/> that went ahead
      await runSaslExchange(started, ahead, { authSent: true });
      assert.deepEqual(ahead.sent, []);
      const plain = scripted([buildSaslSuccess()]);
      await runSaslExchange(createPlain({ username: 'alice', password: 'pencil' }), plain);
      assert.deepEqual(plain.sent, ['auth PLAIN']);
    });

    it('runSaslExchange: a failure is SASL_FAILURE with the server\'s condition', async () => {
      await assert.rejects(runSaslExchange(createPlain({ username: 'alice', password: 'x' }), scripted([buildSaslFailure('not-authorized')])),
        (e: unknown) => e instanceof SaslError && e.code === 'SASL_FAILURE' && e.condition === 'not-authorized');
    });
  });
});
