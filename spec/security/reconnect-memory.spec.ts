// Security (resource exhaustion): whoever can cut a client's connections (a middlebox resetting TCP,
// a server dropping streams) must not be able to make its memory grow without bound. After the SDK's
// connection was cut again and again, and came back each time (XEP-0198 resumption against the real
// Prosody), the transports of the old connections are garbage: only the current one and the one last
// lost (kept for the next resumption) may still be reachable. Found by `npm run soak`, whose heap
// grew by about 8 KB per session and reconnect.

import { strict as assert } from 'node:assert';
import v8 from 'node:v8';
import vm from 'node:vm';
import { createSDK, type ProfileSDK } from '../../lib/node.js';
import type { Transport } from '../../lib/transport/transport.js';
import { createWebSocketTransport } from '../../lib/transport/websocket.js';
import { freshName } from '../support/accounts.js';
import { useServer, type ServerHandle } from '../support/servers.js';
import { until } from '../support/wait.js';
import { cuttableWebSocket } from './wire.js';

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

const CUTS = 6;

describe('security: a connection cut again and again leaves no old transports behind', function () {
  this.timeout(30_000);
  let server: ServerHandle;
  let sdk: ProfileSDK | undefined;

  before(async function () {
    this.timeout(60_000);
    server = await useServer('prosody');
  });

  afterEach(async () => {
    await sdk?.logout();
  });

  it(`after ${CUTS} cuts, each followed by a resumption, at most 2 of the ${CUTS + 1} transports are still reachable`, async () => {
    const cuttable = cuttableWebSocket();
    const made: WeakRef<Transport>[] = [];
    const statuses: string[] = [];
    sdk = createSDK();
    await sdk.initializeSDK({
      transport: () => {
        const transport = createWebSocketTransport({ url: server.websocketUrl, WebSocket: cuttable.WebSocket });
        made.push(new WeakRef(transport));
        return transport;
      },
      domain: server.domain,
      requestTimeoutMs: 5000,
      reconnect: { maxAttempts: 10, baseMs: 20, capMs: 100 },
      callbackListeners: { connectionListener: (event) => statuses.push(event.status) },
    });
    assert.equal((await sdk.register(freshName('cut'), true)).statusCode, 200);
    for (let cut = 1; cut <= CUTS; cut++) {
      await new Promise((resolve) => setTimeout(resolve, 300)); // stream management enabled, acks flowing
      cuttable.cut();
      await until(() => statuses.filter((status) => status === 'CONNECTED').length > cut, 10_000, `the reconnect after cut ${cut}`, () => statuses);
    }
    assert.equal((await sdk.getFriendsList()).statusCode, 200, 'the session works after the cuts');
    assert.equal(made.length, CUTS + 1, 'one transport per connection');
    for (let round = 0; round < 5; round++) {
      collectGarbage();
      await new Promise((resolve) => setTimeout(resolve, 20)); // let finalization and closed sockets settle
    }
    const reachable = made.map((ref, index) => (ref.deref() === undefined ? -1 : index)).filter((index) => index >= 0);
    assert.ok(reachable.length <= 2, `transports still reachable: #${reachable.join(', #')} of 0..${CUTS}`);
  });
});
