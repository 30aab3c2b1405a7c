// The QR login signal relay over real WebSockets (API.md §6): one-time sessions, one message each,
// forwarded and then both sides closed; replays, expiry, oversized and junk messages, limits per
// connection and per address, and a flood of junk that leaves the relay serving others.

import { strict as assert } from 'node:assert';
import WebSocket from 'ws';
import { createSignalServer, SIGNAL_CLOSE, type SignalServer } from '../../lib/signal-server/index.js';
import { until } from '../support/wait.js';

interface Client {
  readonly socket: WebSocket;
  readonly messages: Record<string, unknown>[];
  readonly closed: Promise<number>;
  next(): Promise<Record<string, unknown>>;
}

async function client(url: string): Promise<Client> {
  const socket = new WebSocket(url);
  const messages: Record<string, unknown>[] = [];
  const waiters: ((message: Record<string, unknown>) => void)[] = [];
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as Record<string, unknown>;
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else messages.push(message);
  });
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    messages,
    closed,
    next: () => {
      const queued = messages.shift();
      return queued ? Promise.resolve(queued) : new Promise((resolve) => waiters.push(resolve));
    },
  };
}

describe('signal-server/relay', function () {
  this.timeout(20_000);
  let relay: SignalServer;
  const open: Client[] = [];

  beforeEach(async () => {
    relay = await createSignalServer({ sessionTtlMs: 1000, maxSessionsPerConnection: 3, maxConnectionsPerAddress: 20 });
  });

  afterEach(async () => {
    for (const c of open.splice(0)) c.socket.terminate();
    await relay.close();
  });

  const connect = async (): Promise<Client> => {
    const c = await client(relay.url);
    open.push(c);
    return c;
  };

  /** A browser with a session: the client and the session id. */
  async function session(): Promise<[Client, string]> {
    const browser = await connect();
    browser.socket.send(JSON.stringify({ type: 'create' }));
    const answer = await browser.next();
    assert.equal(answer.type, 'session');
    assert.match(String(answer.id), /^[A-Za-z0-9_-]{22}$/);
    assert.equal(answer.expiresInMs, 1000);
    return [browser, String(answer.id)];
  }

  it('forwards one message from the scanner to the browser, then closes both and keeps nothing', async () => {
    assert.match(relay.url, /^ws:\/\/127\.0\.0\.1:\d+$/);
    const [browser, id] = await session();
    assert.equal(relay.pendingSessions, 1);
    const scanner = await connect();
    scanner.socket.send(JSON.stringify({ type: 'deliver', id, payload: 'c2VhbGVkIGNyZWRlbnRpYWxz' }));
    assert.deepEqual(await browser.next(), { type: 'message', payload: 'c2VhbGVkIGNyZWRlbnRpYWxz' });
    assert.deepEqual(await scanner.next(), { type: 'delivered' });
    assert.equal(await browser.closed, SIGNAL_CLOSE.done);
    assert.equal(await scanner.closed, SIGNAL_CLOSE.done);
    assert.equal(relay.pendingSessions, 0);
  });

  it('refuses a replay of a used session id, and an unknown one', async () => {
    const [, id] = await session();
    const first = await connect();
    first.socket.send(JSON.stringify({ type: 'deliver', id, payload: 'x' }));
    assert.deepEqual(await first.next(), { type: 'delivered' });
    const replay = await connect();
    replay.socket.send(JSON.stringify({ type: 'deliver', id, payload: 'again' }));
    assert.deepEqual(await replay.next(), { type: 'error', code: 'unknown-session' });
    assert.equal(await replay.closed, SIGNAL_CLOSE.unknownSession);
    const stranger = await connect();
    stranger.socket.send(JSON.stringify({ type: 'deliver', id: 'nope', payload: 'x' }));
    assert.equal(await stranger.closed, SIGNAL_CLOSE.unknownSession);
  });

  it('expires a session nobody delivered to', async () => {
    const [browser, id] = await session();
    assert.deepEqual(await browser.next(), { type: 'expired' });
    assert.equal(await browser.closed, SIGNAL_CLOSE.expired);
    assert.equal(relay.pendingSessions, 0);
    const late = await connect();
    late.socket.send(JSON.stringify({ type: 'deliver', id, payload: 'x' }));
    assert.equal(await late.closed, SIGNAL_CLOSE.unknownSession);
  });

  it('closes on junk, oversized frames and too many sessions, and goes on serving', async () => {
    for (const junk of ['not json', '[]', '42', '{"type":"dance"}', '{"type":"deliver","id":1}']) {
      const c = await connect();
      c.socket.send(junk);
      assert.equal(await c.closed, SIGNAL_CLOSE.junk, junk);
    }
    const binary = await connect();
    binary.socket.send(Buffer.from([1, 2, 3]));
    assert.equal(await binary.closed, SIGNAL_CLOSE.junk);
    const big = await connect();
    big.socket.send('x'.repeat(10_000));
    assert.equal(await big.closed, SIGNAL_CLOSE.tooLarge);
    const greedy = await connect();
    for (let i = 0; i < 4; i++) greedy.socket.send(JSON.stringify({ type: 'create' }));
    assert.equal(await greedy.closed, SIGNAL_CLOSE.tooManySessions);
    await until(() => relay.pendingSessions === 0, 2000, 'the sessions of a closed browser to go with it', () => relay.pendingSessions);
    const [browser, id] = await session();
    (await connect()).socket.send(JSON.stringify({ type: 'deliver', id, payload: 'still works' }));
    assert.deepEqual(await browser.next(), { type: 'message', payload: 'still works' });
  });

  it('limits connections per address', async () => {
    const many = await Promise.all(Array.from({ length: 20 }, () => connect()));
    const extra = await connect();
    assert.equal(await extra.closed, SIGNAL_CLOSE.tooManyConnections);
    for (const c of many) c.socket.terminate();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await session(); // room again
  });

  it('survives 10,000 junk frames from one client while serving another', async () => {
    const flooder = new WebSocket(relay.url);
    await new Promise((resolve) => flooder.once('open', resolve));
    const flooded = new Promise<number>((resolve) => flooder.on('close', (code) => resolve(code)));
    for (let i = 0; i < 10_000; i++) {
      if (flooder.readyState !== flooder.OPEN) break;
      flooder.send(`junk ${i}`);
    }
    const [browser, id] = await session();
    (await connect()).socket.send(JSON.stringify({ type: 'deliver', id, payload: 'through the flood' }));
    assert.deepEqual(await browser.next(), { type: 'message', payload: 'through the flood' });
    assert.equal(await flooded, SIGNAL_CLOSE.junk);
  });
});
