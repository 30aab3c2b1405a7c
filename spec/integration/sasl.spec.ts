// Integration: the SASL mechanisms of lib/transport (scram.ts, sasl-plain.ts, sasl-oauth.ts, sasl-select.ts) driven by
// hand over a raw RFC 7395 WebSocket stream against the REAL Prosody 0.12 and ejabberd 23.01.
//
// Each exchange builds <auth/> and <response/> with lib/stanzas/sasl.ts and base64 with
// lib/stanzas/base64.ts, answers every <challenge/>, and checks <success/> with the mechanism (for SCRAM:
// the server signature). A login is proved by the stream restart and resource binding that follow.

import { strict as assert } from 'node:assert';
import { buildBase64, parseBase64 } from '../../lib/stanzas/base64.js';
import { buildSaslAuth, buildSaslResponse, isSaslMessage, parseSaslMessage } from '../../lib/stanzas/sasl.js';
import { parseStreamFeatures } from '../../lib/stanzas/stream-features.js';
import type { SaslMechanism } from '../../lib/transport/sasl-mechanism.js';
import { createXOAuth2 } from '../../lib/transport/sasl-oauth.js';
import { createPlain } from '../../lib/transport/sasl-plain.js';
import { selectMechanism } from '../../lib/transport/sasl-select.js';
import { createScram, createScramKeyCache, randomScramNonce, type ScramHash, type ScramKeyCache } from '../../lib/transport/scram.js';
import { freshName } from '../support/accounts.js';
import { NS_FRAMING, NS_STREAMS, openRawStream, type RawStream } from '../support/raw-stream.js';
import { registerUser, useServer, type ServerHandle } from '../support/servers.js';

const utf8 = (data: Uint8Array): string => new TextDecoder().decode(data);

/** What happened in one exchange: each server message as text, and the outcome. */
interface Exchange {
  readonly outcome: 'success' | 'failure';
  readonly condition: string;
  readonly serverMessages: readonly string[];
}

/** Runs one SASL exchange by hand; `mechanism.success` throws when the server does not prove itself. */
async function authenticate(stream: RawStream, mechanism: SaslMechanism): Promise<Exchange> {
  const initial = await mechanism.start();
  stream.send(buildSaslAuth(mechanism.name, initial === undefined ? undefined : buildBase64(initial)));
  const serverMessages: string[] = [];
  for (;;) {
    const message = parseSaslMessage(await stream.next(isSaslMessage));
    if (message.kind === 'failure') return { outcome: 'failure', condition: message.condition, serverMessages };
    if (message.kind !== 'challenge' && message.kind !== 'success') throw new Error(`unexpected <${message.kind}/>`);
    const data = parseBase64(message.data);
    serverMessages.push(utf8(data));
    if (message.kind === 'success') {
      await mechanism.success(data);
      return { outcome: 'success', condition: '', serverMessages };
    }
    const response = await mechanism.challenge(data);
    stream.send(buildSaslResponse(response.length === 0 ? undefined : buildBase64(response)));
  }
}

/** RFC 6120 §6.4.6: restart the stream after success, then bind; returns the full JID. */
async function restartAndBind(stream: RawStream, domain: string): Promise<string> {
  stream.send(`<open xmlns='${NS_FRAMING}' to='${domain}' version='1.0'/>`);
  await stream.next((element) => element.is('open', NS_FRAMING));
  await stream.next((element) => element.is('features', NS_STREAMS));
  return stream.bind('sasl');
}

const scram = (hash: ScramHash, username: string, password: string, cache?: ScramKeyCache): SaslMechanism =>
  createScram({ hash, username, password, clientNonce: randomScramNonce(), ...(cache === undefined ? {} : { cache }) });

for (const name of ['prosody', 'ejabberd'] as const) {
  describe(`SASL against ${name}`, function () {
    this.timeout(20_000);
    let server: ServerHandle;
    const streams: RawStream[] = [];
    const open = async (): Promise<RawStream> => {
      const stream = await openRawStream(server.websocketUrl, server.domain);
      streams.push(stream);
      return stream;
    };
    const account = async (prefix: string, password = `pw-${prefix}-ok`): Promise<{ user: string; password: string }> => {
      const user = freshName(prefix);
      await registerUser(server, user, password);
      return { user, password };
    };

    before(async function () {
      this.timeout(45_000);
      server = await useServer(name);
    });
    afterEach(async () => { await Promise.all(streams.splice(0).map((stream) => stream.close())); });

    it('SCRAM-SHA-1 succeeds, the server signature verifies, and the session binds', async () => {
      const { user, password } = await account('scram1');
      const stream = await open();
      assert.ok(parseStreamFeatures(stream.features()).mechanisms.includes('SCRAM-SHA-1'));
      const exchange = await authenticate(stream, scram('SHA-1', user, password));
      assert.equal(exchange.outcome, 'success');
      assert.ok(exchange.serverMessages.some((text) => /^v=[A-Za-z0-9+/]+=*$/.test(text)), exchange.serverMessages.join(' | '));
      assert.equal(await restartAndBind(stream, server.domain), `${user}@${server.domain}/sasl`);
    });

    if (name === 'ejabberd') {
      it('SCRAM-SHA-256 succeeds and the server signature verifies', async () => {
        const { user, password } = await account('scram256');
        const stream = await open();
        assert.ok(parseStreamFeatures(stream.features()).mechanisms.includes('SCRAM-SHA-256'));
        const exchange = await authenticate(stream, scram('SHA-256', user, password));
        assert.equal(exchange.outcome, 'success');
        assert.ok(exchange.serverMessages.some((text) => text.startsWith('v=')), exchange.serverMessages.join(' | '));
        assert.equal(await restartAndBind(stream, server.domain), `${user}@${server.domain}/sasl`);
      });
    }

    if (name === 'ejabberd') {
      it('X-OAUTH2 succeeds with a token from the OAuth endpoint; a bogus token gets <failure/>', async () => {
        const { user, password } = await account('xoauth');
        if (server.name !== 'ejabberd') throw new Error('expected ejabberd');
        const response = await fetch(server.oauthTokenUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'password', username: `${user}@${server.domain}`, password, scope: 'sasl_auth' }).toString(),
        });
        const { access_token: token } = (await response.json()) as { access_token: string };
        const stream = await open();
        const mechanism = await selectMechanism(parseStreamFeatures(stream.features()).mechanisms,
          { username: user, token, domain: server.domain }, { secure: false, loopback: true, allowPlainAuth: false });
        assert.equal(mechanism.name, 'X-OAUTH2');
        assert.equal((await authenticate(stream, mechanism)).outcome, 'success');
        assert.equal(await restartAndBind(stream, server.domain), `${user}@${server.domain}/sasl`);
        const bogus = await authenticate(await open(), createXOAuth2({ username: user, token: 'bogus0token' }));
        assert.deepEqual([bogus.outcome, bogus.condition], ['failure', 'not-authorized']);
      });
    }

    it('a wrong password gets <failure><not-authorized/></failure> with SCRAM and with PLAIN', async () => {
      const { user, password } = await account('wrong');
      const viaScram = await authenticate(await open(), scram('SHA-1', user, `${password}-wrong`));
      assert.deepEqual([viaScram.outcome, viaScram.condition], ['failure', 'not-authorized']);
      const viaPlain = await authenticate(await open(), createPlain({ username: user, password: `${password}-wrong` }));
      assert.deepEqual([viaPlain.outcome, viaPlain.condition], ['failure', 'not-authorized']);
    });

    it('PLAIN succeeds and the session binds', async () => {
      const { user, password } = await account('plain');
      const stream = await open();
      const exchange = await authenticate(stream, createPlain({ username: user, password }));
      assert.equal(exchange.outcome, 'success');
      assert.equal(await restartAndBind(stream, server.domain), `${user}@${server.domain}/sasl`);
    });

    it('a non-ASCII username and password log in through SCRAM after SASLprep', async () => {
      // SASLprep (RFC 4013) changes this password: U+00AD is mapped to nothing, U+2168 (ROMAN NUMERAL
      // NINE) is NFKC-normalized to "IX"; the server stored the prepared form.
      const user = freshName('jürgen_ñ');
      const password = 'pässwörd\u00AD-\u2168';
      await registerUser(server, user, password);
      const stream = await open();
      const offered = parseStreamFeatures(stream.features()).mechanisms.filter((mechanism) => mechanism.startsWith('SCRAM-'));
      const mechanism = await selectMechanism(offered, { username: user, password, domain: server.domain },
        { secure: false, loopback: true, allowPlainAuth: false });
      assert.match(mechanism.name, /^SCRAM-SHA-/);
      const exchange = await authenticate(stream, mechanism);
      assert.equal(exchange.outcome, 'success', `condition: ${exchange.condition}`);
      assert.equal(await restartAndBind(stream, server.domain), `${user}@${server.domain}/sasl`);

      // Without SASLprep the same password does not log in: the preparation mattered.
      const unprepared = await authenticate(await open(), scram(mechanism.name === 'SCRAM-SHA-256' ? 'SHA-256' : 'SHA-1', user, password));
      assert.equal(unprepared.outcome, 'failure');
    });

    if (name === 'prosody') {
      it('measures a SCRAM-SHA-1 login at Prosody\'s iteration count, without and with a cache hit', async () => {
        const { user, password } = await account('timing');
        const cache = createScramKeyCache();
        let iterations = '?';
        /** The SASL exchange alone (auth to success), in ms, on a fresh stream. */
        const timeLogin = async (): Promise<number> => {
          const stream = await open();
          const started = performance.now();
          const exchange = await authenticate(stream, scram('SHA-1', user, password, cache));
          const ms = performance.now() - started;
          assert.equal(exchange.outcome, 'success');
          iterations = /,i=(\d+)/.exec(exchange.serverMessages[0] ?? '')?.[1] ?? '?';
          return ms;
        };
        const median = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
        const cold: number[] = [];
        const warm: number[] = [];
        for (let run = 0; run < 7; run++) {
          cache.clear();
          cold.push(await timeLogin());
          warm.push(await timeLogin());
        }
        process.stdout.write(`      SCRAM-SHA-1 login on Prosody (i=${iterations}), median of 7: ${median(cold).toFixed(1)} ms ` +
          `without cache, ${median(warm).toFixed(1)} ms with a cache hit\n`);
      });
    }
  });
}
