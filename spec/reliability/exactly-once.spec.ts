// Reliability: with stream management (XEP-0198), 100 forced drops while numbered messages are being
// sent deliver each message exactly once, counted at the receiver. The sender's connection goes
// through a TCP proxy that cuts it abruptly (no close handshake) after every 10 messages, while
// stanzas are still unacknowledged; the session resumes and sends again what the server did not
// get. A send while the stream is down throws (nothing is taken) and is retried once the session is
// back. On Prosody and on ejabberd, over WebSocket.

import { strict as assert } from 'node:assert';
import { Element } from 'ltx';
import { TransportError } from '../../lib/errors.js';
import { Session } from '../../lib/transport/session.js';
import { createWebSocketTransport } from '../../lib/transport/websocket.js';
import '../../lib/transport/node.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { freshName } from '../support/accounts.js';
import { registerUser, useServer, type ServerHandle } from '../support/servers.js';
import { until } from '../support/wait.js';

const DROPS = Number(process.env.DROPS ?? 100);
const PER_DROP = 10;

for (const name of ['prosody', 'ejabberd'] as const) {
  describe(`Exactly once across ${DROPS} forced drops (${name}, WebSocket)`, function () {
    this.timeout(120_000);
    let server: ServerHandle;
    let proxy: FaultProxy;
    const sessions: Session[] = [];

    before(async function () {
      this.timeout(60_000);
      server = await useServer(name);
      proxy = await startFaultProxy(server.httpPort);
    });

    after(async () => {
      await Promise.all(sessions.splice(0).map((session) => session.close().catch(() => undefined)));
      await proxy.close();
    });

    async function loggedIn(url: string): Promise<{ session: Session; jid: string }> {
      const username = freshName('once');
      await registerUser(server, username, `pw-${username}`);
      const session = new Session({
        transport: () => createWebSocketTransport({ url }),
        domain: server.domain,
        requestTimeoutMs: 5_000,
        reconnect: { maxAttempts: 20, baseMs: 20, capMs: 200 },
      });
      sessions.push(session);
      await session.login({ username, password: `pw-${username}` });
      session.send(new Element('presence', { xmlns: 'jabber:client' }));
      return { session, jid: `${username}@${server.domain}` };
    }

    it('delivers every numbered message once, in order', async () => {
      const receiver = await loggedIn(server.websocketUrl);
      const sender = await loggedIn(proxy.via(server.websocketUrl));
      const received: number[] = [];
      receiver.session.on('stanza', (stanza) => {
        const body = stanza.name === 'message' ? stanza.getChildText('body') : null;
        if (body?.startsWith('n')) received.push(Number(body.slice(1)));
      });
      let resumed = 0;
      let fresh = 0;
      sender.session.on('reconnected', (wasResumed) => (wasResumed ? resumed++ : fresh++));
      await new Promise((resolve) => setTimeout(resolve, 200)); // <enabled/> has come

      let refused = 0;
      const total = DROPS * PER_DROP;
      for (let n = 1; n <= total; n++) {
        const stanza = new Element('message', { xmlns: 'jabber:client', to: receiver.jid, type: 'chat', id: `m${n}` }).c('body').t(`n${n}`).root();
        for (;;) {
          try {
            sender.session.send(stanza);
            break;
          } catch (error) {
            assert.ok(error instanceof TransportError, String(error));
            refused++;
            assert.ok(refused < 10_000, `sends refused ${refused} times; status ${sender.session.status}: ${(error as Error).message}`);
            await new Promise((resolve) => setTimeout(resolve, 5));
            await until(() => sender.session.status === 'online', 10_000, `the sender back online (message ${n})`, () => sender.session.status);
          }
        }
        if (n % PER_DROP === 0) {
          assert.ok(proxy.cutAll() >= 1, `a connection to cut at message ${n}`);
          if (n % (PER_DROP * 2) === 0) await new Promise((resolve) => setImmediate(resolve)); // sometimes let the close be seen first
        }
      }
      await until(() => received.length >= total, 30_000, `all ${total} messages`, () => ({ received: received.length, resumed, fresh, refused }));
      await new Promise((resolve) => setTimeout(resolve, 300)); // a late duplicate would show now

      const counts = new Map<number, number>();
      for (const n of received) counts.set(n, (counts.get(n) ?? 0) + 1);
      const missing = Array.from({ length: total }, (_, i) => i + 1).filter((n) => !counts.has(n));
      const duplicated = [...counts].filter(([, count]) => count > 1).map(([n]) => n);
      assert.deepEqual({ missing, duplicated }, { missing: [], duplicated: [] }, `resumed ${resumed}, fresh ${fresh}`);
      assert.equal(received.length, total);
      assert.deepEqual(received, [...received].sort((a, b) => a - b), 'in order');
      assert.equal(fresh, 0, 'every drop was resumed');
      // A cut that hits a reconnection in progress makes that attempt fail, not a new drop.
      assert.ok(resumed >= DROPS / 4, `resumed ${resumed} times`);
      process.stdout.write(`      ${total} messages, ${DROPS} cuts: ${resumed} resumptions, ${refused} sends refused while down, each message once\n`);
    });
  });
}
