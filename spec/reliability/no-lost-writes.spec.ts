// Reliability: no lost writes. 1,000 randomized setUserProfile / blockUser / unblockUser calls, with
// the connection cut abruptly (or slowed down) at random moments, compared against the server's final
// state: a call that answered 200 must show in that state unless a later call may have overwritten it,
// and a call that answered an error may or may not have taken effect (it was in flight) but nothing
// else may: no silent failure. Every answer is 200 or a documented failure code (408, 500).

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { createSDK, type ProfileSDK } from '../../lib/node.js';
import type { ConnectionEvent } from '../../lib/profile/types.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { freshName } from '../support/accounts.js';
import { registerUser, useServer, type ServerHandle } from '../support/servers.js';
import { until } from '../support/wait.js';

const OPERATIONS = 1_000;
const PEERS = 3;

type Operation =
  | { readonly kind: 'profile'; readonly status: string }
  | { readonly kind: 'block' | 'unblock'; readonly peer: number };

interface Outcome {
  readonly operation: Operation;
  readonly statusCode: number;
}

describe('No lost writes under faults (Prosody, WebSocket through a cutting proxy)', function () {
  this.timeout(240_000);
  let server: ServerHandle;
  let proxy: FaultProxy;
  const sdks: ProfileSDK[] = [];

  before(async function () {
    this.timeout(60_000);
    server = await useServer('prosody');
    proxy = await startFaultProxy(server.httpPort);
  });

  after(async () => {
    await Promise.all(sdks.splice(0).map((sdk) => sdk.logout()));
    await proxy.close();
  });

  async function account(service: string, events?: ConnectionEvent[]): Promise<{ sdk: ProfileSDK; jid: string }> {
    const username = freshName('writes');
    await registerUser(server, username, `pw-${username}`);
    const sdk = createSDK();
    sdks.push(sdk);
    await sdk.initializeSDK({
      service,
      domain: server.domain,
      requestTimeoutMs: 3_000,
      // Quick reconnects (the default waits 0.25-0.5 s first): this spec is about writes, not backoff.
      reconnect: { baseMs: 20, capMs: 200 },
      ...(events ? { callbackListeners: { connectionListener: (event) => events.push(event) } } : {}),
    });
    await sdk.connect(username, `pw-${username}`);
    return { sdk, jid: `${username}@${server.domain}` };
  }

  it(`${OPERATIONS} randomized writes: every 200 is in the final state; only calls that failed may be missing`, async () => {
    const events: ConnectionEvent[] = [];
    const me = await account(proxy.via(server.websocketUrl), events);
    const peers = await Promise.all(Array.from({ length: PEERS }, () => account(server.websocketUrl)));
    const operation: fc.Arbitrary<Operation> = fc.oneof(
      fc.record({ kind: fc.constant('profile' as const), status: fc.string({ minLength: 1, maxLength: 12 }).map((text) => `s-${text}`) }),
      fc.record({ kind: fc.constantFrom('block' as const, 'unblock' as const), peer: fc.nat({ max: PEERS - 1 }) }),
    );
    // A fault before an operation: none (mostly), an abrupt cut, or a slow link for a while.
    const fault = fc.oneof({ weight: 12, arbitrary: fc.constant('none' as const) }, { weight: 2, arbitrary: fc.constant('cut' as const) }, { weight: 1, arbitrary: fc.constant('slow' as const) });
    const plan = fc.sample(fc.tuple(operation, fault), { numRuns: OPERATIONS, seed: 20261128 });

    const outcomes: Outcome[] = [];
    const started = Date.now();
    let cuts = 0;
    for (const [op, injected] of plan) {
      if (injected === 'cut' && proxy.cutAll() > 0) cuts++;
      proxy.delayMs = injected === 'slow' ? 40 : 0;
      const answer = op.kind === 'profile'
        ? await me.sdk.setUserProfile(undefined, undefined, op.status)
        : await (op.kind === 'block' ? me.sdk.blockUser(peers[op.peer]!.jid) : me.sdk.unblockUser(peers[op.peer]!.jid));
      assert.ok([200, 408, 500].includes(answer.statusCode), `${JSON.stringify(op)}: ${JSON.stringify(answer)}`);
      outcomes.push({ operation: op, statusCode: answer.statusCode });
      if (answer.statusCode !== 200) {
        // Let the session come back before the next write (calls while reconnecting answer 500 at once).
        await until(() => events.at(-1)?.status === 'CONNECTED', 10_000, 'the session back', () => events.slice(-3));
      }
    }
    proxy.delayMs = 0;
    await until(() => events.at(-1)?.status === 'CONNECTED', 10_000, 'the session back at the end');

    // The server's final state, read over a fresh session without faults.
    const reader = await account(server.websocketUrl);
    const profile = await reader.sdk.getUserProfile(me.jid);
    assert.equal(profile.statusCode, 200, profile.message);
    const blocked = await me.sdk.getUsersIBlocked();
    assert.equal(blocked.statusCode, 200, blocked.message);
    const blockedJids = new Set(blocked.data!.map((user) => user.jid));

    /** The values a key may end with: its last 200 write's, and those of failed writes after it. */
    const allowed = <T>(writes: { value: T; ok: boolean }[], initial: T): Set<T> => {
      const lastOk = writes.map((write) => write.ok).lastIndexOf(true);
      const values = new Set<T>([lastOk >= 0 ? writes[lastOk]!.value : initial]);
      for (const write of writes.slice(lastOk + 1)) values.add(write.value);
      return values;
    };
    const profileWrites = outcomes.filter((o) => o.operation.kind === 'profile').map((o) => ({ value: (o.operation as { status: string }).status, ok: o.statusCode === 200 }));
    const statuses = allowed(profileWrites, '');
    assert.ok(statuses.has(profile.data!.status), `final status ${JSON.stringify(profile.data!.status)} not in ${JSON.stringify([...statuses])}`);
    for (let peer = 0; peer < PEERS; peer++) {
      const writes = outcomes
        .filter((o) => o.operation.kind !== 'profile' && (o.operation as { peer: number }).peer === peer)
        .map((o) => ({ value: o.operation.kind === 'block', ok: o.statusCode === 200 }));
      const states = allowed(writes, false);
      assert.ok(states.has(blockedJids.has(peers[peer]!.jid)), `peer ${peer}: final ${blockedJids.has(peers[peer]!.jid)} not in ${JSON.stringify([...states])}`);
    }

    const failed = outcomes.filter((o) => o.statusCode !== 200).length;
    const byCode = outcomes.reduce<Record<number, number>>((counts, o) => ({ ...counts, [o.statusCode]: (counts[o.statusCode] ?? 0) + 1 }), {});
    process.stdout.write(`      ${OPERATIONS} writes: ${JSON.stringify(byCode)} by status code; ${cuts} cuts; ${events.filter((event) => event.status === 'RECONNECTING').length} reconnects; ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    const reconnects = events.filter((event) => event.status === 'RECONNECTING').length;
    assert.ok(cuts >= 50, `only ${cuts} cuts`);
    assert.ok(outcomes.length - failed >= OPERATIONS * 0.8, `only ${outcomes.length - failed} of ${OPERATIONS} calls succeeded (cuts ${cuts}, reconnects ${reconnects})`);
    assert.equal(events.filter((event) => event.status === 'CONNECTIONFAILED').length, 0);
  });
});
