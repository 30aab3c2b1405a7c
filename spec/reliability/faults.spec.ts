// Reliability: faults injected between the SDK and a real Prosody, and what every pending call and
// listener sees. Over WebSocket through a TCP proxy (spec/support/fault-proxy.ts): connections cut
// abruptly, a server that accepts but never answers, a silent link; the server itself killed and
// restarted mid-operation. Over BOSH through a fetch with faults (spec/support/faulty-fetch.ts):
// answers lost after the server processed the request, requests lost before it, 5xx answers, answers
// delayed past the `wait`. Each time: every call settles with a documented status code within
// requestTimeoutMs, the connection listener reports RECONNECTING then CONNECTED (once per outage), and
// the session is back within 2 s of the server.

import { strict as assert } from 'node:assert';
import { createSDK, type ProfileSDK } from '../../lib/node.js';
import type { ConnectionEvent } from '../../lib/profile/types.js';
import { createBoshTransport } from '../../lib/transport/bosh.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { createFaultyFetch } from '../support/faulty-fetch.js';
import { freshName } from '../support/accounts.js';
import { registerUser, restartServer, useServer, type ServerHandle } from '../support/servers.js';
import { until, wait } from '../support/wait.js';

/** The status codes API.md §4 documents for a call that could not be done. */
const DOCUMENTED_FAILURES = new Set([408, 500]);
const REQUEST_TIMEOUT_MS = 3_000;

interface Client {
  readonly sdk: ProfileSDK;
  readonly events: ConnectionEvent[];
  readonly username: string;
  readonly jid: string;
}

describe('Faults between the SDK and Prosody', function () {
  this.timeout(60_000);
  let server: ServerHandle;
  let proxy: FaultProxy;
  let peer: Client;
  const clients: Client[] = [];

  before(async function () {
    this.timeout(60_000);
    server = await useServer('prosody');
    proxy = await startFaultProxy(server.httpPort);
  });

  after(async () => {
    await proxy.close();
  });

  beforeEach(async () => {
    proxy.mode = 'pass';
    proxy.delayMs = 0;
    peer = await client({ service: server.websocketUrl });
    assert.equal((await peer.sdk.setUserProfile('Peer', '', 'here')).statusCode, 200);
  });

  afterEach(async () => {
    proxy.mode = 'pass';
    await Promise.all(clients.splice(0).map((c) => c.sdk.logout()));
  });

  /** A new account, logged in through the given options. */
  async function client(options: Record<string, unknown>): Promise<Client> {
    const username = freshName('fault');
    await registerUser(server, username, `pw-${username}`);
    const sdk = createSDK();
    const events: ConnectionEvent[] = [];
    const init = await sdk.initializeSDK({
      domain: server.domain,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      callbackListeners: { connectionListener: (event) => events.push(event) },
      ...options,
    });
    assert.equal(init.statusCode, 200, init.message);
    await sdk.connect(username, `pw-${username}`);
    const c = { sdk, events, username, jid: `${username}@${server.domain}` };
    clients.push(c);
    return c;
  }

  /** Time from now until the client reports CONNECTED again after its last RECONNECTING. */
  async function backOnline(c: Client, since: number, what: string): Promise<number> {
    await until(() => c.events.at(-1)?.status === 'CONNECTED' && c.events.some((event) => event.status === 'RECONNECTING'), 10_000, what, () => c.events);
    return Date.now() - since;
  }

  describe('over WebSocket through a proxy', () => {
    const viaProxy = () => ({ service: proxy.via(server.websocketUrl) });

    it('a connection cut abruptly mid-call: the calls complete after the resume, RECONNECTING then CONNECTED', async () => {
      const a = await client(viaProxy());
      await wait(200); // stream management's <enabled/> has come: the stream can be resumed
      const calls = Array.from({ length: 10 }, () => a.sdk.getUserProfile(peer.jid));
      const cut = Date.now();
      assert.ok(proxy.cutAll() >= 1);
      const answers = await Promise.all(calls);
      const settledIn = Date.now() - cut;
      assert.deepEqual(answers.map((answer) => answer.statusCode), answers.map(() => 200), JSON.stringify(answers));
      assert.ok(settledIn < REQUEST_TIMEOUT_MS, `settled in ${settledIn} ms`);
      const back = await backOnline(a, cut, 'CONNECTED after the cut');
      assert.ok(back < 2_000, `back in ${back} ms`);
      assert.deepEqual(a.events.map((event) => event.status), ['CONNECTED', 'RECONNECTING', 'CONNECTED']);
      assert.equal((await a.sdk.getUserProfile(peer.jid)).statusCode, 200);
    });

    for (const kind of ['WebSocket', 'BOSH'] as const) {
      it(`a server that accepts but never answers (${kind}): connect rejects with 408 within requestTimeoutMs`, async () => {
        proxy.mode = 'blackhole';
        const sdk = createSDK();
        const events: ConnectionEvent[] = [];
        const service = proxy.via(kind === 'BOSH' ? server.boshUrl : server.websocketUrl);
        await sdk.initializeSDK({ service, domain: server.domain, requestTimeoutMs: REQUEST_TIMEOUT_MS, callbackListeners: { connectionListener: (event) => events.push(event) } });
        const started = Date.now();
        const error = await sdk.connect('nobody', 'pw').then(() => undefined, (reason: unknown) => reason as { statusCode: number; message: string });
        const took = Date.now() - started;
        assert.ok(error, 'connect must reject');
        assert.equal(error.statusCode, 408, error.message);
        assert.ok(took >= REQUEST_TIMEOUT_MS - 100 && took < REQUEST_TIMEOUT_MS + 1_000, `rejected after ${took} ms`);
        assert.deepEqual(events.map((event) => [event.status, event.statusCode]), [['CONNECTIONFAILED', 408]]);
      });
    }

    it('a link that goes silent while online: calls settle with 408/500 in time; back once it answers (the attempt in the silence ends at requestTimeoutMs)', async () => {
      const a = await client(viaProxy());
      proxy.mode = 'blackhole';
      proxy.cutAll();
      const during = await Promise.all(Array.from({ length: 5 }, () => a.sdk.getUserProfile(peer.jid)));
      for (const answer of during) assert.ok(answer.statusCode === 200 || DOCUMENTED_FAILURES.has(answer.statusCode), JSON.stringify(answer));
      await until(() => a.events.some((event) => event.status === 'RECONNECTING'), 5_000, 'RECONNECTING');
      await wait(2_500); // a few attempts into the silence
      proxy.mode = 'pass';
      const restored = Date.now();
      const back = await backOnline(a, restored, 'CONNECTED once the link answers');
      assert.ok(back < REQUEST_TIMEOUT_MS + 2_000, `back in ${back} ms after the link answered`);
      assert.equal((await a.sdk.getUserProfile(peer.jid)).statusCode, 200);
      assert.equal(a.events.filter((event) => event.status === 'RECONNECTING').length, 1, 'RECONNECTING once per outage');
    });

    it('a server that answers slowly (300 ms each way): every call still succeeds', async () => {
      const a = await client(viaProxy());
      proxy.delayMs = 300;
      const answers = await Promise.all(Array.from({ length: 10 }, () => a.sdk.getUserProfile(peer.jid)));
      assert.deepEqual(answers.map((answer) => answer.statusCode), answers.map(() => 200));
      assert.deepEqual(a.events.map((event) => event.status), ['CONNECTED']);
    });
  });

  describe('the server killed and restarted mid-operation', () => {
    it('pending calls settle with 200 or a documented code within requestTimeoutMs; back within 2 s of the server', async () => {
      const a = await client({ service: server.websocketUrl });
      const calls = Array.from({ length: 20 }, () => {
        const started = Date.now();
        return a.sdk.getUserProfile(peer.jid).then((answer) => ({ answer, took: Date.now() - started }));
      });
      await restartServer(server, { downMs: 1_000 });
      const serverBack = Date.now();
      for (const { answer, took } of await Promise.all(calls)) {
        assert.ok(answer.statusCode === 200 || DOCUMENTED_FAILURES.has(answer.statusCode), JSON.stringify(answer));
        assert.ok(took <= REQUEST_TIMEOUT_MS + 500, `settled after ${took} ms`);
      }
      const back = await backOnline(a, serverBack, 'CONNECTED after the restart');
      assert.ok(back < 2_000, `back in ${back} ms after the server`);
      assert.equal(a.events.filter((event) => event.status === 'RECONNECTING').length, 1);
      // The peer was on the same server: it comes back too, and the two talk again.
      await backOnline(peer, serverBack, 'the peer CONNECTED after the restart');
      assert.equal((await a.sdk.getUserProfile(peer.jid)).statusCode, 200);
    });
  });

  describe('over BOSH with faults in the HTTP exchanges', () => {
    const faulty = createFaultyFetch();
    const overBosh = () => ({ transport: () => createBoshTransport({ url: server.boshUrl, fetch: faulty.fetch, wait: 2, retryDelayMs: 50 }) });

    it('an answer lost after the server processed the request: the same rid again, the call succeeds', async () => {
      const a = await client(overBosh());
      faulty.inject({ kind: 'lost-after' });
      const answer = await a.sdk.getUserProfile(peer.jid);
      assert.equal(answer.statusCode, 200, answer.message);
      assert.ok(faulty.applied['lost-after'] >= 1);
      assert.equal((await a.sdk.setUserProfile('After a lost answer', undefined, 'ok')).statusCode, 200);
      assert.deepEqual(a.events.map((event) => event.status), ['CONNECTED']);
    });

    it('requests lost before the server and 503 answers: retried, the calls succeed', async () => {
      const a = await client(overBosh());
      faulty.inject({ kind: 'lost-before' }, { kind: 'status', status: 503 }, { kind: 'status', status: 502 });
      const answers = await Promise.all([a.sdk.getUserProfile(peer.jid), a.sdk.getUserProfile(peer.jid)]);
      assert.deepEqual(answers.map((answer) => answer.statusCode), [200, 200], JSON.stringify(answers));
      assert.deepEqual(a.events.map((event) => event.status), ['CONNECTED']);
    });

    it('answers delayed past the wait: the calls succeed, in order', async () => {
      const a = await client(overBosh());
      faulty.inject({ kind: 'delay', ms: 2_500 }, { kind: 'delay', ms: 2_500 });
      const answers = await Promise.all(Array.from({ length: 4 }, () => a.sdk.getUserProfile(peer.jid)));
      assert.deepEqual(answers.map((answer) => answer.statusCode), [200, 200, 200, 200]);
    });

    it('more failures in a row than the retries allow: RECONNECTING, calls settle with documented codes, back', async () => {
      const a = await client(overBosh());
      faulty.inject(...Array.from({ length: 12 }, () => ({ kind: 'status', status: 503 }) as const));
      const answer = await a.sdk.getUserProfile(peer.jid);
      assert.ok(answer.statusCode === 200 || DOCUMENTED_FAILURES.has(answer.statusCode), JSON.stringify(answer));
      await until(() => a.events.some((event) => event.status === 'RECONNECTING'), 10_000, 'RECONNECTING', () => a.events);
      await backOnline(a, Date.now(), 'CONNECTED after the failures');
      assert.equal((await a.sdk.getUserProfile(peer.jid)).statusCode, 200);
    });
  });
});
