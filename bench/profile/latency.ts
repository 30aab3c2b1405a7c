/**
 * Measure 1: request latency on one logged-in connection per library, as the owner (who is subscribed
 * to the first contact, so that Prosody answers Last Activity about it): a vCard get and a Last
 * Activity get of the first contact, and a ping of the server (XEP-0199), one after the other.
 *
 * Ours: `getUserProfile` and `getLastSeen` through the SDK, beside the same requests and the ping sent
 * raw on the very transport the SDK logged in with (no IQ caller, no parsing, no SDK): the raw ping is
 * the floor of any request on that connection, the raw vCard and Last Activity gets what the server
 * takes for them. Peers: their own API for each request (see drivers.ts). WebSocket for all; BOSH for
 * ours too.
 *
 * Libraries take turns in rounds; each runs until every request has its target count, or its time
 * budget is spent (n says how many were timed). Median and p90 in ms.
 */
import { performance } from 'node:perf_hooks';
import { median, ms, p90, printTable } from '../session/report.js';
import { withTimeout } from '../session/drivers.js';
import { errorText, ratio, sleep, type Context } from './context.js';
import type { Client, Fields, TransportKind } from './drivers.js';
import { connectOurs } from './ours.js';

type Kind = 'ping' | 'vcard' | 'last' | 'raw-vcard' | 'raw-last';

interface Request {
  readonly kind: Kind;
  readonly how: string;
  readonly run: () => Promise<unknown>;
  readonly samples: number[];
}

interface Runner {
  readonly lib: string;
  readonly transport: TransportKind;
  client?: Client;
  requests: Request[];
  spent: number;
  done: boolean;
  note: string;
}

const KIND_NAME: Record<Kind, string> = {
  ping: 'ping', vcard: 'vCard get', last: 'Last Activity get', 'raw-vcard': 'vCard get', 'raw-last': 'Last Activity get',
};

const PEER_HOW: Record<string, Record<'ping' | 'vcard' | 'last', string>> = {
  StanzaJS: { ping: 'client.ping(domain)', vcard: 'client.getVCard(jid)', last: 'client.getLastActivity(jid)' },
  '@xmpp/client': { ping: 'iqCaller.request(ping)', vcard: 'iqCaller.request(vCard get)', last: 'iqCaller.request(jabber:iq:last)' },
  'Strophe.js': { ping: 'sendIQ(ping)', vcard: 'sendIQ(vCard get)', last: 'sendIQ(jabber:iq:last)' },
};

const REQUEST_TIMEOUT_MS = 10_000;
/** Untimed requests of each kind first (JIT, caches). */
const WARM_UP = 50;

function checkFields(fields: Fields, lib: string): void {
  if (fields.nickName !== 'Contact 0' || fields.email === '') throw new Error(`${lib} read the vCard wrong: ${JSON.stringify(fields)}`);
}

async function setUp(ctx: Context, lib: string, transport: TransportKind): Promise<Runner> {
  const runner: Runner = { lib, transport, requests: [], spent: 0, done: false, note: '' };
  const jid = ctx.accounts.contactJids[0] as string;
  const owner = ctx.accounts.owner;
  try {
    if (lib === 'ours') {
      const client = await connectOurs(ctx.server, transport, owner, { keepTransport: true });
      runner.client = client;
      runner.requests = [
        { kind: 'ping', how: "raw, on the SDK's transport", run: () => client.ping(), samples: [] },
        { kind: 'raw-vcard', how: "raw, on the SDK's transport", run: () => client.rawVCard(jid), samples: [] },
        { kind: 'raw-last', how: "raw, on the SDK's transport", run: () => client.rawLast(jid), samples: [] },
        { kind: 'vcard', how: 'getUserProfile(jid)', run: () => client.vcard(jid), samples: [] },
        { kind: 'last', how: 'getLastSeen(jid)', run: () => client.last(jid), samples: [] },
      ];
      await sleep(500); // the SDK reads the roster (1,000 contacts) and the block list after login
    } else {
      const driver = ctx.drivers.find((d) => d.name === lib);
      if (!driver) throw new Error('not loaded');
      const client = await driver.connect(transport, owner);
      runner.client = client;
      const how = PEER_HOW[lib] as Record<'ping' | 'vcard' | 'last', string>;
      runner.requests = [
        { kind: 'ping', how: how.ping, run: () => client.ping(), samples: [] },
        { kind: 'vcard', how: how.vcard, run: () => client.vcard(jid), samples: [] },
        { kind: 'last', how: how.last, run: () => client.last(jid), samples: [] },
      ];
    }
    checkFields(await runner.client.vcard(jid), lib);
    for (const request of runner.requests) for (let i = 0; i < WARM_UP; i++) await withTimeout(request.run(), REQUEST_TIMEOUT_MS, `${lib} ${request.kind}`);
  } catch (error) {
    runner.note = `failed: ${errorText(error)}`;
    runner.done = true;
  }
  return runner;
}

async function round(ctx: Context, runner: Runner): Promise<void> {
  const { target, min, perRound, budgetMs } = ctx.settings.latency;
  for (const request of runner.requests) {
    for (let i = 0; i < perRound && request.samples.length < target; i++) {
      const start = performance.now();
      try {
        await withTimeout(request.run(), REQUEST_TIMEOUT_MS, `${runner.lib} ${request.kind}`);
      } catch (error) {
        runner.note = `failed after ${request.samples.length}: ${errorText(error)}`;
        runner.done = true;
        return;
      }
      const elapsed = performance.now() - start;
      request.samples.push(elapsed);
      runner.spent += elapsed;
    }
  }
  const fewest = Math.min(...runner.requests.map((request) => request.samples.length));
  runner.done = fewest >= target || (runner.spent >= budgetMs && fewest >= min);
}

export async function measureLatency(ctx: Context): Promise<void> {
  const libs: [string, TransportKind][] = [
    ...ctx.drivers.filter((driver) => !driver.unsupported('websocket')).map((driver): [string, TransportKind] => [driver.name, 'websocket']),
    ['ours', 'bosh'],
  ];
  const runners: Runner[] = [];
  for (const [lib, transport] of libs) {
    ctx.log(`latency: ${lib} over ${transport}: logging in, warming up`);
    runners.push(await setUp(ctx, lib, transport));
  }
  ctx.log('latency: timing');
  while (runners.some((runner) => !runner.done)) {
    for (const runner of runners) if (!runner.done) await round(ctx, runner);
  }
  for (const runner of runners) await runner.client?.close();

  const medianOf = (runner: Runner | undefined, kind: Kind) => median(runner?.requests.find((request) => request.kind === kind)?.samples ?? []);
  const rows: string[][] = [];
  for (const runner of runners) {
    const ours = runners.find((other) => other.lib === 'ours' && other.transport === runner.transport);
    const ping = medianOf(runner, 'ping');
    if (runner.requests.length === 0) rows.push([runner.lib, runner.transport, '-', '-', '0', '-', '-', '-', '-', runner.note]);
    for (const request of runner.requests) {
      const m = median(request.samples);
      rows.push([runner.lib, runner.transport, KIND_NAME[request.kind], request.how, String(request.samples.length), ms(m), ms(p90(request.samples)),
        ratio(m, ping), runner.lib === 'ours' ? '' : ratio(m, medianOf(ours, request.kind)), runner.note]);
    }
  }
  printTable(`Latency: one request at a time on one logged-in connection, to ${ctx.accounts.contactJids[0]} (ms; "x ping": this median / the raw ping's (ours) or the library's own ping's on the same connection; "x ours": this median / ours for the same request and transport)`,
    ['library', 'transport', 'request', 'how', 'n', 'median', 'p90', 'x ping', 'x ours', 'note'], rows, 'llllrrrrrl');

  for (const transport of ['websocket', 'bosh'] as const) {
    const ours = runners.find((runner) => runner.lib === 'ours' && runner.transport === transport);
    const ping = medianOf(ours, 'ping');
    for (const [kind, raw, name] of [['vcard', 'raw-vcard', 'getUserProfile'], ['last', 'raw-last', 'getLastSeen']] as const) {
      const op = medianOf(ours, kind);
      const rawOp = medianOf(ours, raw);
      const known = Number.isFinite(op) && Number.isFinite(ping);
      ctx.goals.add(`${name} <= 1.1x a raw ping on the same connection (${transport})`,
        `${ms(op)} ms vs ping ${ms(ping)} ms = ${ratio(op, ping)} (the same request raw: ${ms(rawOp)} ms; the SDK adds ${ratio(op, rawOp)})`,
        known ? op <= 1.1 * ping : undefined);
    }
  }
}
