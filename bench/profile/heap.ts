/**
 * Heap per idle logged-in session, for one library, in a process of its own (started by
 * bench/profile.ts with `--expose-gc`): the library is loaded and warmed up (two logins and logouts of
 * another user, so that its code, JIT and module-level caches are in the "before" figure), the heap is
 * collected and read, then `count` sessions are logged in (each as its own user, a few logins at a
 * time) and left idle for a while (ours: its background roster and block-list reads done, stream
 * management acks settled), the heap is collected and read again: (after - before) / count. The heap
 * is also read when half of the sessions are in: the growth of the second half alone, per session, is
 * the marginal figure, free of what the first sessions cost once (code compiled, caches filled).
 *
 * Input: one JSON argument ({@link HeapInput}). Output: one line `RESULT <json>` ({@link HeapResult}).
 */
import { performance } from 'node:perf_hooks';
import { mapLimit } from '../../lib/profile/concurrency.js';
import { loadDrivers, type Client, type Server } from './drivers.js';

export interface HeapInput {
  readonly library: string;
  readonly server: Server;
  /** One user per session. */
  readonly users: readonly string[];
  /** The user of the warm-up logins (not one of `users`). */
  readonly warmUser: string;
  /** Peers: log in with SASL PLAIN (see drivers.ts). */
  readonly plain: boolean;
  /** How long the sessions are left idle before the second reading, in ms. */
  readonly idleMs: number;
}

export interface HeapResult {
  readonly count: number;
  readonly heapBefore: number;
  readonly heapAfter: number;
  /** Bytes per session of the second half alone: (after - with the first half) / second half. */
  readonly marginal: number;
  /** `external` + `arrayBuffers` growth (socket buffers and the like, outside the JS heap). */
  readonly externalDelta: number;
  readonly loginMs: number;
}

const LOGINS_AT_ONCE = 8;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function collected(): Promise<NodeJS.MemoryUsage> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  for (let i = 0; i < 4; i++) {
    gc();
    await sleep(30);
  }
  return process.memoryUsage();
}

async function main(input: HeapInput): Promise<HeapResult> {
  const { drivers, failures } = await loadDrivers(input.server, [input.library]);
  const driver = drivers[0];
  if (!driver) throw new Error(failures[0]?.[1] ?? `no driver ${input.library}`);
  const options = { plain: input.plain };
  // Warm-up: logins as the measured ones are made (several at a time), a request, the idle time, logouts.
  for (let i = 0; i < 2; i++) {
    const warm = await Promise.all(Array.from({ length: LOGINS_AT_ONCE }, () => driver.connect('websocket', input.warmUser, options)));
    await Promise.all(warm.map((client) => client.vcard(`${input.warmUser}@${input.server.domain}`).catch(() => undefined)));
    await sleep(Math.min(input.idleMs, 1000));
    await Promise.all(warm.map((client) => client.close()));
  }
  await sleep(500);
  const before = await collected();
  const clients: Client[] = [];
  const half = Math.floor(input.users.length / 2);
  const login = (users: readonly string[]) => mapLimit(users, LOGINS_AT_ONCE, async (user) => {
    clients.push(await driver.connect('websocket', user, options));
  });
  let start = performance.now();
  await login(input.users.slice(0, half));
  let loginMs = performance.now() - start;
  await sleep(input.idleMs);
  const middle = await collected();
  start = performance.now();
  await login(input.users.slice(half));
  loginMs += performance.now() - start;
  await sleep(input.idleMs);
  const after = await collected();
  const result: HeapResult = {
    count: clients.length,
    heapBefore: before.heapUsed,
    heapAfter: after.heapUsed,
    marginal: (after.heapUsed - middle.heapUsed) / (clients.length - half),
    externalDelta: after.external + after.arrayBuffers - before.external - before.arrayBuffers,
    loginMs,
  };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  await Promise.race([mapLimit(clients, 32, (client) => client.close()), sleep(15_000)]);
  return result;
}

try {
  await main(JSON.parse(process.argv[2] ?? '{}') as HeapInput);
  process.exit(0); // a peer may leave a timer or socket behind
} catch (error) {
  process.stderr.write(`[heap] failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
}
